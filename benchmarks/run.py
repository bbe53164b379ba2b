#!/usr/bin/env python3
"""Anneal's speed, side by side with the alternatives present on this machine, in one invocation.

    swift build -c release && python3 benchmarks/run.py            (from the repository root)
    python3 benchmarks/run.py --build-dir .build-sp/release --runs 300 --big-rows 20000

Workloads (see numpy_reference.py for the exact math):
  tutorial  the Keras tutorial's time-based run: 34-34-1, SGD(0.1, momentum 0.8, decay 0.002), 50 epochs,
            batch 28, validation_split 0.33; median wall time of one in-process fit over many runs, through
            Anneal's Swift API (anneal-bench), C API (benchmarks/c/bench_tutorial.c, built here) and Python API,
            and a numpy implementation; tf_keras / Keras 3 when installed (a few runs: they are slow).
  big       784-256-256-10 softmax on random inputs, batch 128: samples per second in the second epoch, for
            Anneal (Python API) and numpy on 1 and 2 BLAS threads.
Every number is a median inside its own process, and for Anneal and the big network the median over --repeat
processes; the machine may be shared, so repeat a run before trusting a small difference. GFLOP/s counts the matrix products only (2 flops per multiply-add), against --peak-gflops
(one core's sgemm peak on the reference machine).
"""
import argparse
import importlib.util
import json
import os
import re
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CSV = os.path.join(ROOT, "examples", "data", "ionosphere.csv")

# Multiply-adds of the tutorial run: 235 training rows (forward 34*34 + 34; backward the same for the
# parameter gradients plus 34 for the input gradient of the output layer), 116 validation rows forward, x 50.
TUTORIAL_FLOP = 2 * 50 * (235 * (34 * 34 + 34 + 34 * 34 + 34 + 34) + 116 * (34 * 34 + 34))
# Per sample of the big network: forward, parameter gradients, and the input gradients of layers 2 and 3.
BIG_FLOP_PER_SAMPLE = 2 * (2 * (784 * 256 + 256 * 256 + 256 * 10) + 256 * 256 + 256 * 10)


def run(command, env=None, what=""):
    print(f"  running {what or command[0]} ...", file=sys.stderr, flush=True)
    merged = dict(os.environ, **(env or {}))
    result = subprocess.run(command, cwd=ROOT, env=merged, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({result.returncode}):\n{result.stderr[-2000:]}")
    return result.stdout


def json_line(output):
    return json.loads(output.strip().splitlines()[-1])


def median_ms(output):
    return float(re.search(r"median ([0-9.]+) ms", output).group(1))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build-dir", default=os.path.join(ROOT, ".build", "release"),
                        help="where `swift build -c release` put anneal-bench and libanneal.so")
    parser.add_argument("--runs", type=int, default=300, help="tutorial runs per Anneal front end")
    parser.add_argument("--numpy-runs", type=int, default=30)
    parser.add_argument("--keras-runs", type=int, default=3)
    parser.add_argument("--big-rows", type=int, default=60000, help="rows of the big network's data set")
    parser.add_argument("--peak-gflops", type=float, default=101.0)
    parser.add_argument("--repeat", type=int, default=3,
                        help="processes per Anneal tutorial measurement and per big-network entry; the table shows "
                             "the median of their medians (the machine may be shared)")
    parser.add_argument("--skip-big", action="store_true")
    args = parser.parse_args()

    build = os.path.abspath(args.build_dir)
    library = os.path.join(build, "libanneal.so")
    bench = os.path.join(build, "anneal-bench")
    for path in (library, bench):
        if not os.path.exists(path):
            sys.exit(f"{path} is missing: run `swift build -c release` first (or pass --build-dir)")
    anneal_env = {"ANNEAL_LIBRARY": library}
    one_thread = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    two_threads = {"OPENBLAS_NUM_THREADS": "2", "OMP_NUM_THREADS": "2", "MKL_NUM_THREADS": "2"}
    notes = []
    tutorial = []  # (name, median ms)
    big = []  # (name, samples per second)

    # The C benchmark, built against this checkout's header and the library under test.
    out = os.path.join(HERE, "out")
    os.makedirs(out, exist_ok=True)
    c_bench = os.path.join(out, "bench_tutorial")
    cc = os.environ.get("CC", "cc")
    run([cc, "-std=c11", "-O2", "-Wall", "-Wextra", "-I", os.path.join(ROOT, "include"),
         os.path.join(HERE, "c", "bench_tutorial.c"), "-o", c_bench, "-L", build, "-lanneal",
         f"-Wl,-rpath,{build}"], what="cc bench_tutorial.c")

    repeat = max(1, args.repeat)
    swift, c_api, python = [], [], []
    for _ in range(repeat):  # interleaved, so that a burst of load hits every front end alike
        swift.append(median_ms(run([bench, str(args.runs)], what="anneal-bench")))
        c_api.append(median_ms(run([c_bench, CSV, str(args.runs)], what="bench_tutorial (C)")))
        python.append(json_line(run(
            [sys.executable, os.path.join(HERE, "anneal_python.py"), "--workload", "tutorial", "--runs",
             str(args.runs)], env=dict(anneal_env, **one_thread), what="anneal_python.py tutorial"))["median_ms"])
    tutorial.append(("Anneal, Swift API", statistics.median(swift)))
    tutorial.append(("Anneal, C API", statistics.median(c_api)))
    tutorial.append(("Anneal, Python API", statistics.median(python)))
    spreads = {"Swift": swift, "C": c_api, "Python": python}
    tutorial.append(("numpy (1 BLAS thread)", json_line(run(
        [sys.executable, os.path.join(HERE, "numpy_reference.py"), "--workload", "tutorial", "--csv", CSV,
         "--runs", str(args.numpy_runs)], env=one_thread, what="numpy_reference.py tutorial"))["median_ms"]))
    keras_flavors = []
    for flavor, label in (("tf_keras", "Keras 2 (tf_keras)"), ("keras", "Keras 3")):
        if importlib.util.find_spec(flavor) is None:
            notes.append(f"{label}: skipped, `{flavor}` is not installed for {sys.executable}")
            continue
        keras_flavors.append((flavor, label))
        tutorial.append((label, json_line(run(
            [sys.executable, os.path.join(HERE, "keras_reference.py"), "--flavor", flavor, "--workload", "tutorial",
             "--csv", CSV, "--runs", str(args.keras_runs)], what=f"keras_reference.py {flavor}"))["median_ms"]))

    if not args.skip_big:
        rows = str(args.big_rows)
        entries = [("Anneal, Python API (2 cores)", "anneal_python.py", dict(anneal_env, **one_thread)),
                   ("Anneal, Python API (1 core)", "anneal_python.py", dict(anneal_env, ANNEAL_THREADS="1", **one_thread)),
                   ("numpy, 1 BLAS thread", "numpy_reference.py", one_thread),
                   ("numpy, 2 BLAS threads", "numpy_reference.py", two_threads)]
        rates = {label: [] for label, _, _ in entries}
        for _ in range(repeat):
            for label, script, env in entries:
                rates[label].append(json_line(run(
                    [sys.executable, os.path.join(HERE, script), "--workload", "big", "--rows", rows],
                    env=env, what=f"{script} big ({label})"))["samples_per_second"])
        for label, _, _ in entries:
            big.append((label, statistics.median(rates[label])))
        for flavor, label in keras_flavors:
            big.append((label, json_line(run(
                [sys.executable, os.path.join(HERE, "keras_reference.py"), "--flavor", flavor, "--workload", "big",
                 "--rows", rows], what=f"keras_reference.py {flavor} big"))["samples_per_second"]))

    floor_ms = TUTORIAL_FLOP / (args.peak_gflops * 1e9) * 1e3
    reference = dict(tutorial)["Anneal, Python API"]
    print(f"\nTutorial time-based run, 50 epochs ({TUTORIAL_FLOP / 1e6:.1f} MFLOP of matrix products; floor "
          f"{floor_ms:.2f} ms at {args.peak_gflops:.0f} GFLOP/s)")
    print(f"| {'implementation':<28} | {'median ms':>9} | {'x Anneal Python':>15} | {'GFLOP/s':>7} | {'x floor':>7} |")
    print(f"|{'-' * 30}|{'-' * 10}:|{'-' * 16}:|{'-' * 8}:|{'-' * 8}:|")
    for name, ms in tutorial:
        print(f"| {name:<28} | {ms:>9.3f} | {ms / reference:>15.2f} | {TUTORIAL_FLOP / ms / 1e6:>7.1f} | "
              f"{ms / floor_ms:>7.1f} |")
    if big:
        anneal_rate = big[0][1]
        peak_rate = args.peak_gflops * 1e9 / BIG_FLOP_PER_SAMPLE
        print(f"\nBig network 784-256-256-10, batch 128, {args.big_rows} random rows, steady epoch "
              f"({BIG_FLOP_PER_SAMPLE / 1e6:.2f} MFLOP per sample; one core at {args.peak_gflops:.0f} GFLOP/s: "
              f"{peak_rate / 1e3:.0f}k samples/s)")
        print(f"| {'implementation':<28} | {'samples/s':>9} | {'Anneal / this':>13} | {'GFLOP/s':>7} |")
        print(f"|{'-' * 30}|{'-' * 10}:|{'-' * 14}:|{'-' * 8}:|")
        for name, rate in big:
            print(f"| {name:<28} | {rate:>9.0f} | {anneal_rate / rate:>13.2f} | {rate * BIG_FLOP_PER_SAMPLE / 1e9:>7.1f} |")
    print(f"\nAnneal tutorial medians of the {repeat} processes per front end (ms): "
          + "; ".join(f"{name} " + ", ".join(f"{v:.3f}" for v in values) for name, values in spreads.items()))
    for note in notes:
        print(f"\nnote: {note}")
    try:
        load = os.getloadavg()
        print(f"\nload average during the run: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} cores")
    except OSError:
        pass


if __name__ == "__main__":
    main()
