#!/usr/bin/env python3
"""Anneal's speed, side by side with the alternatives present on this machine, in one invocation.

    swift build -c release && python3 benchmarks/run.py            (from the repository root)
    python3 benchmarks/run.py --build-dir .build-sp/release --runs 300 --big-rows 20000

Workloads (see numpy_reference.py for the exact math):
  tutorial  the Keras tutorial's time-based run: 34-34-1, SGD(0.1, momentum 0.8, decay 0.002), 50 epochs,
            batch 28, validation_split 0.33; median wall time of one in-process fit over many runs, through
            Anneal's Swift API (anneal-bench), C API (benchmarks/c/bench_tutorial.c, built here; also at every
            other kernel level the CPU has, ANNEAL_KERNELS) and Python API, and a numpy implementation;
            tf_keras / Keras 3 when installed (a few runs: they are slow).
  floor     benchmarks/c/fma_peak.c, built here: fused multiply-adds with every operand in registers, at each
            vector level Anneal's kernels use that the CPU has, on one core and on both; GFLOP/s per second of
            CPU time, so that load from other processes does not lower it. The floor of a workload is its
            matrix products' flops at one core's rate, at the kernel level in use (the widest the CPU has, or
            ANNEAL_KERNELS's).
  big       784-256-256-10 softmax on random inputs, batch 128: samples per second in the second epoch, for
            Anneal (Python API) at every kernel level the CPU has (ANNEAL_KERNELS=avx512, avx2, portable,
            portable-no-fma: see cpu_levels) on two threads and on one (ANNEAL_THREADS=1), and numpy on 1 and 2
            BLAS threads; Anneal against numpy's best thread count; each portable level against AVX2 (issue
            17's target: at most 3 x AVX2's time, on this workload and the tutorial's C API run). Then Anneal's two entries at the widest level again while a shell loop
            pinned to the second CPU (taskset) keeps it busy (--no-busy-core: skipped). Two threads against one is
            also measured inside one process that alternates the two epoch by epoch (anneal_python.py --alternate),
            as a host whose speed drifts between processes (a shared VM) can blur a ratio of separate processes.
            Around each quiet two-thread and alternating process, benchmarks/c/core_distance.c (built here) times
            a cache line's round trip between the two CPUs: a VM's two CPUs can move between one core complex and
            two. Each of those processes is listed with its own figures under the table.
  process   the whole process `python3 examples/python/time_based_decay.py` (unmodified; python/ on PYTHONPATH,
            ANNEAL_LIBRARY the measured build, output discarded), --process-runs times: median and min wall time
            against the 0.2 s target, next to `python3 -c pass` and `python3 -c "import numpy"` (interpreter
            start-up); runs interleaved, after one untimed warm-up each. `python3` is this interpreter
            (sys.executable), not a launcher shim in PATH.
  products  the workload's matrix products (tutorial 28x34.34x34, 34x28.28x34, 116x34.34x34; big 128x784.784x256,
            128x256.256x256, 784x128.128x256) through Anneal's kernel and OpenBLAS's cblas_sgemm:
            benchmarks/c/bench_gemm.c, built here with Sources/AnnealKernels/*.c compiled in (the kernel is
            not exported by libanneal.so, so this times the working tree's kernel source, not --build-dir's);
            GFLOP/s on 1 thread (both interleaved in one process) and 2 threads (one process each), and the
            largest difference between the two results. Only when OpenBLAS's cblas.h and library are found
            (pkg-config openblas, or Debian's /usr/include/<triplet>/openblas-*/); otherwise skipped with a note.
            Measurement only: Anneal does not use OpenBLAS.
numpy and OpenBLAS run with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset (a workplace setting for old OpenBLAS
builds that pins numpy's OpenBLAS to an older kernel); the report names the kernel numpy's OpenBLAS chose.
Every number is a median inside its own process, and for Anneal and the big network the median over --repeat
processes; the machine may be shared, so repeat a run before trusting a small difference. GFLOP/s counts the
matrix products only (2 flops per multiply-add), against the floor (--peak-gflops overrides the measured rate).
"""
import argparse
import glob
import importlib.util
import json
import os
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CSV = os.path.join(ROOT, "examples", "data", "ionosphere.csv")
PROCESS_SCRIPT = os.path.join("examples", "python", "time_based_decay.py")  # relative to ROOT, as printed
PROCESS_TARGET_S = 0.2  # the target for the whole process (Keras: 6.6 s)

# Multiply-adds of the tutorial run: 235 training rows (forward 34*34 + 34; backward the same for the
# parameter gradients plus 34 for the input gradient of the output layer), 116 validation rows forward, x 50.
TUTORIAL_FLOP = 2 * 50 * (235 * (34 * 34 + 34 + 34 * 34 + 34 + 34) + 116 * (34 * 34 + 34))
# Per sample of the big network: forward, parameter gradients, and the input gradients of layers 2 and 3.
BIG_FLOP_PER_SAMPLE = 2 * (2 * (784 * 256 + 256 * 256 + 256 * 10) + 256 * 256 + 256 * 10)


def run(command, env=None, what="", unset=()):
    print(f"  running {what or command[0]} ...", file=sys.stderr, flush=True)
    merged = dict(os.environ, **(env or {}))
    for name in unset:
        merged.pop(name, None)
    result = subprocess.run(command, cwd=ROOT, env=merged, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({result.returncode}):\n{result.stderr[-2000:]}")
    return result.stdout


def json_line(output):
    return json.loads(output.strip().splitlines()[-1])


# Set by this workplace for old OpenBLAS builds; they pin numpy's OpenBLAS to an older kernel than the CPU has
# (numpy's own OpenBLAS picks the right one): unset in every command that runs numpy or OpenBLAS.
OPENBLAS_OVERRIDES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")

# Prints, as one JSON line, the BLAS kernel numpy uses: threadpoolctl's report when installed, else the
# OpenBLAS core name asked of the library numpy loaded, else numpy's build configuration.
OPENBLAS_PROBE = r"""
import json, re, ctypes, numpy
try:
    import threadpoolctl
    info = [i for i in threadpoolctl.threadpool_info() if i.get("user_api") == "blas"]
    print(json.dumps({"source": "threadpoolctl", "kernel": ", ".join(
        f"{i.get('internal_api')} {i.get('version')} {i.get('architecture')}" for i in info)}))
except ImportError:
    libraries = sorted(set(re.findall(r"(/\S*openblas\S*\.so\S*)", open("/proc/self/maps").read())))
    kernel = None
    for path in libraries:
        library = ctypes.CDLL(path)
        for name in ("openblas_get_corename", "openblas_get_corename64_", "scipy_openblas_get_corename64_",
                     "scipy_openblas_get_corename"):
            if hasattr(library, name):
                function = getattr(library, name)
                function.restype = ctypes.c_char_p
                kernel = f"OpenBLAS core {function().decode()} ({path.rsplit('/', 1)[-1]})"
                break
        if kernel:
            break
    if kernel:
        print(json.dumps({"source": "the OpenBLAS library numpy loaded", "kernel": kernel}))
    else:
        blas = numpy.show_config(mode="dicts")["Build Dependencies"]["blas"]
        print(json.dumps({"source": "numpy's build configuration",
                          "kernel": f"{blas.get('name')} {blas.get('version')}"}))
"""


def cpu_model():
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"


def cpu_levels():
    """Anneal's kernel levels this CPU has, widest first (as Sources/AnnealKernels/Dispatch.c's anneal_kernels_best_level
    picks them): on x86-64 also `portable-no-fma`, the portable level's copy for CPUs without FMA, which every
    x86-64 CPU runs (each fused multiply-add a call to libm's fmaf, which this CPU answers with its own FMA
    instruction: a CPU without FMA computes it in software, slower still)."""
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            flags = next((line.split(":", 1)[1].split() for line in cpuinfo if line.startswith("flags")), [])
    except OSError:
        flags = []
    x86 = platform.machine() in ("x86_64", "AMD64")
    levels = []
    if "fma" in flags and "avx512f" in flags and "avx512vl" in flags:
        levels.append("avx512")
    if "fma" in flags and "avx2" in flags:
        levels.append("avx2")
    if not x86 or "fma" in flags:
        levels.append("portable")
    if x86:
        levels.append("portable-no-fma")
    return levels


def median_ms(output):
    return float(re.search(r"median ([0-9.]+) ms", output).group(1))


def time_processes(commands, runs, env):
    """Wall seconds of each whole process in `commands` ((label, argv) pairs), `runs` times, interleaved.

    One untimed warm-up each (page cache, .pyc files). Standard output is discarded; a failing process stops
    the benchmark with its command line and the end of its standard error.
    """
    merged = dict(os.environ, **env)
    times = {label: [] for label, _ in commands}
    print(f"  running whole processes ({runs} runs each) ...", file=sys.stderr, flush=True)
    for round_ in range(runs + 1):
        for label, command in commands:
            start = time.perf_counter()
            result = subprocess.run(command, cwd=ROOT, env=merged, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                    text=True)
            elapsed = time.perf_counter() - start
            if result.returncode != 0:
                raise RuntimeError(f"whole-process benchmark: `{shlex.join(command)}` failed ({result.returncode}) "
                                   f"with ANNEAL_LIBRARY={merged.get('ANNEAL_LIBRARY')}:\n{result.stderr[-2000:]}")
            if round_ > 0:
                times[label].append(elapsed)
    return times


def find_openblas():
    """(cflags, libs) for OpenBLAS's cblas, from pkg-config or Debian's multiarch paths; None if not found."""
    if shutil.which("pkg-config"):
        for package in ("openblas", "cblas"):
            result = subprocess.run(["pkg-config", "--cflags", "--libs", package], capture_output=True, text=True)
            flags = shlex.split(result.stdout)
            if result.returncode != 0 or (package == "cblas" and not any("openblas" in f for f in flags)):
                continue  # a cblas that is not OpenBLAS lacks openblas_set_num_threads
            directories = [f[2:] for f in flags if f.startswith("-I")] + ["/usr/include"]
            if any(os.path.exists(os.path.join(d, "cblas.h")) for d in directories):
                return [f for f in flags if not f.startswith("-l") and not f.startswith("-L")], \
                       [f for f in flags if f.startswith("-l") or f.startswith("-L")]
    # Debian / Ubuntu without pkg-config: libopenblas-dev's alternatives (pthread, openmp or serial build).
    for header in sorted(glob.glob("/usr/include/*-linux-gnu*/openblas*/cblas.h")):
        include = os.path.dirname(header)
        triplet, variant = include.split("/")[-2:]
        for library in (f"/usr/lib/{triplet}/{variant}/libopenblas.so", f"/usr/lib/{triplet}/libopenblas.so"):
            if os.path.exists(library):
                return [f"-I{include}"], [f"-L{os.path.dirname(library)}", "-lopenblas"]
    return None


def gemm_comparison(args, out, notes):
    """Builds and runs benchmarks/c/bench_gemm.c; returns {(shape, threads): result} or None when skipped."""
    how = ("install it with `apt-get install libopenblas-dev` (Debian / Ubuntu; `dnf install openblas-devel` on "
           "Fedora) and rerun")
    flags = find_openblas()
    if flags is None:
        notes.append(f"matrix products against OpenBLAS: skipped, no OpenBLAS cblas.h and library found "
                     f"(pkg-config openblas, /usr/include/<triplet>/openblas-*/cblas.h); {how}")
        return None
    cflags, libs = flags
    # The compiler SwiftPM builds the kernels with (the Swift toolchain's clang), at its release -O2.
    cc = os.environ.get("CC") or shutil.which("clang") or "cc"
    binary = os.path.join(out, "bench_gemm")
    command = [cc, "-std=gnu11", "-O2", "-ffp-contract=off", "-Wall", "-Wextra",
               "-I", os.path.join(ROOT, "Sources", "AnnealKernels", "include"), *cflags,
               os.path.join(HERE, "c", "bench_gemm.c"),
               *sorted(glob.glob(os.path.join(ROOT, "Sources", "AnnealKernels", "*.c"))), "-o", binary, *libs, *[f"-Wl,-rpath,{f[2:]}" for f in libs if f.startswith("-L")], "-lpthread", "-lm"]
    try:
        run(command, what="cc bench_gemm.c Sources/AnnealKernels/*.c (OpenBLAS)")
    except RuntimeError as error:
        notes.append(f"matrix products against OpenBLAS: skipped, bench_gemm.c did not build with the OpenBLAS "
                     f"found ({' '.join(cflags + libs)}): {error}")
        return None
    seconds = str(args.gemm_seconds)
    results = {}
    for line in run([binary, "-t", "1", "-s", seconds, "-j"], env={"OPENBLAS_NUM_THREADS": "1", "ANNEAL_THREADS": "1"},
                    unset=OPENBLAS_OVERRIDES, what="bench_gemm, 1 thread").splitlines():
        result = json.loads(line)
        results[(result["shape"], 1)] = result
    if len(os.sched_getaffinity(0)) >= 2:
        # One process per implementation: the other one's idle threads would otherwise spin on the second core.
        for which in ("anneal", "openblas"):
            for line in run([binary, "-t", "2", "-s", seconds, "-i", which, "-j"],
                            env={"OPENBLAS_NUM_THREADS": "2"}, unset=("ANNEAL_THREADS",) + OPENBLAS_OVERRIDES,
                            what=f"bench_gemm, 2 threads, {which}").splitlines():
                result = json.loads(line)
                merged = results.setdefault((result["shape"], 2), result)
                merged[f"{which}_gflops"] = result[f"{which}_gflops"]
    else:
        notes.append("matrix products against OpenBLAS: the 2-thread columns are skipped, this process may run "
                     "on one CPU only")
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build-dir", default=os.path.join(ROOT, ".build", "release"),
                        help="where `swift build -c release` put anneal-bench and libanneal.so")
    parser.add_argument("--runs", type=int, default=300, help="tutorial runs per Anneal front end")
    parser.add_argument("--numpy-runs", type=int, default=30)
    parser.add_argument("--keras-runs", type=int, default=3)
    parser.add_argument("--big-rows", type=int, default=60000, help="rows of the big network's data set")
    parser.add_argument("--peak-gflops", type=float, default=None,
                        help="one core's arithmetic peak, the floor's rate (default: measured by "
                             "benchmarks/c/fma_peak.c at the kernel level in use)")
    parser.add_argument("--repeat", type=int, default=7,
                        help="processes per Anneal tutorial measurement and per big-network entry; the table shows "
                             "the median of their medians (the machine may be shared; 7, as the issue's own "
                             "measurements)")
    parser.add_argument("--skip-big", action="store_true")
    parser.add_argument("--alternate-epochs", type=int, default=30,
                        help="epochs (of a tenth of --big-rows) of each process that alternates one thread and two")
    parser.add_argument("--no-busy-core", dest="busy_core", action="store_false",
                        help="skip the big network's runs with a busy loop pinned to the second CPU")
    parser.add_argument("--process-runs", type=int, default=20,
                        help=f"whole `python3 {PROCESS_SCRIPT}` processes timed (0: skip)")
    parser.add_argument("--gemm-seconds", type=float, default=0.4,
                        help="seconds per product shape and implementation in the OpenBLAS comparison")
    parser.add_argument("--skip-gemm", action="store_true", help="skip the matrix products against OpenBLAS")
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

    levels = cpu_levels()
    chosen = os.environ.get("ANNEAL_KERNELS")
    level = chosen if chosen in levels else levels[0]  # as anneal_kernels_best_level() decides
    peaks = {}  # level -> fma_peak's JSON line
    fma_peak = os.path.join(out, "fma_peak")
    if not levels[0].startswith("portable"):
        run([cc, "-std=gnu11", "-O2", "-Wall", "-Wextra", os.path.join(HERE, "c", "fma_peak.c"), "-o", fma_peak,
             "-lpthread"], what="cc fma_peak.c")
        for line in run([fma_peak, "-j"], what="fma_peak (the arithmetic floor)").splitlines():
            result = json.loads(line)
            peaks[result["level"]] = result
    # How far apart the two CPUs are, sampled around each two-thread process of the big network (see below).
    core_distance = None
    if len(os.sched_getaffinity(0)) >= 2 and not args.skip_big:
        core_distance = os.path.join(out, "core_distance")
        run([cc, "-std=gnu11", "-O2", "-Wall", "-Wextra", os.path.join(HERE, "c", "core_distance.c"), "-o",
             core_distance, "-lpthread"], what="cc core_distance.c")
    floor_level = level if level in peaks else (levels[0] if levels[0] in peaks else None)
    if args.peak_gflops is None:
        if floor_level is None:
            sys.exit("no vector level to measure the floor at (this CPU has neither AVX2 nor AVX-512): pass "
                     "--peak-gflops")
        args.peak_gflops = peaks[floor_level]["gflops_one_core"]

    repeat = max(1, args.repeat)
    swift, c_api, python = [], [], []
    # The C API at each other kernel level too (ANNEAL_KERNELS), next to the level in use.
    other_levels = {each: [] for each in levels if each != level}
    for _ in range(repeat):  # interleaved, so that a burst of load hits every front end alike
        swift.append(median_ms(run([bench, str(args.runs)], what="anneal-bench")))
        c_api.append(median_ms(run([c_bench, CSV, str(args.runs)], what="bench_tutorial (C)")))
        for each, times in other_levels.items():
            times.append(median_ms(run([c_bench, CSV, str(args.runs)], env={"ANNEAL_KERNELS": each},
                                       what=f"bench_tutorial (C, {each})")))
        python.append(json_line(run(
            [sys.executable, os.path.join(HERE, "anneal_python.py"), "--workload", "tutorial", "--runs",
             str(args.runs)], env=dict(anneal_env, **one_thread), what="anneal_python.py tutorial"))["median_ms"])
    tutorial.append(("Anneal, Swift API", statistics.median(swift)))
    tutorial.append(("Anneal, C API", statistics.median(c_api)))
    for each, times in other_levels.items():
        tutorial.append((f"Anneal, C API, {each}", statistics.median(times)))
    tutorial.append(("Anneal, Python API", statistics.median(python)))
    spreads = {"Swift": swift, "C": c_api, "Python": python, **{f"C {each}": t for each, t in other_levels.items()}}
    tutorial.append(("numpy (1 BLAS thread)", json_line(run(
        [sys.executable, os.path.join(HERE, "numpy_reference.py"), "--workload", "tutorial", "--csv", CSV,
         "--runs", str(args.numpy_runs)], env=one_thread, unset=OPENBLAS_OVERRIDES,
        what="numpy_reference.py tutorial"))["median_ms"]))
    blas_kernel = json_line(run([sys.executable, "-c", OPENBLAS_PROBE], unset=OPENBLAS_OVERRIDES,
                                what="numpy's BLAS kernel"))
    keras_flavors = []  # (flavor, label, environment)
    # Keras 3 on JAX when JAX is installed (the faster of its backends here), else on its default backend.
    keras3_env = {"KERAS_BACKEND": "jax"} if importlib.util.find_spec("jax") is not None else {}
    keras3_label = "Keras 3 (JAX)" if keras3_env else "Keras 3"
    for flavor, label, env in (("tf_keras", "Keras 2 (tf_keras)", {}), ("keras", keras3_label, keras3_env)):
        if importlib.util.find_spec(flavor) is None:
            notes.append(f"{label}: skipped, `{flavor}` is not installed for {sys.executable}")
            continue
        keras_flavors.append((flavor, label, env))
        tutorial.append((label, json_line(run(
            [sys.executable, os.path.join(HERE, "keras_reference.py"), "--flavor", flavor, "--workload", "tutorial",
             "--csv", CSV, "--runs", str(args.keras_runs)], env=env, what=f"keras_reference.py {flavor}"))["median_ms"]))

    if not args.skip_big:
        # Every kernel level this CPU has, on two threads and on one; numpy on 1 and 2 BLAS threads.
        entries = []  # (label, script, environment, rows)
        for each in levels:
            env = dict(anneal_env, ANNEAL_KERNELS=each, **one_thread)
            entries.append((f"Anneal {each}, 2 threads", "anneal_python.py", env, args.big_rows))
            entries.append((f"Anneal {each}, 1 thread", "anneal_python.py", dict(env, ANNEAL_THREADS="1"),
                            args.big_rows))
        entries.append(("numpy, 1 BLAS thread", "numpy_reference.py", one_thread, args.big_rows))
        entries.append(("numpy, 2 BLAS threads", "numpy_reference.py", two_threads, args.big_rows))
        rates = {label: [] for label, _, _, _ in entries}

        distances = {}  # label of a quiet 2-thread entry -> (round trip before, after) per process, ns

        def round_trip():
            return json_line(run([core_distance, "-j"], what="core_distance"))["round_trip_ns"]

        def measure(label, script, env, rows):
            unset = OPENBLAS_OVERRIDES + (() if "ANNEAL_THREADS" in env else ("ANNEAL_THREADS",))
            sampled = core_distance and "2 threads" in label and "busy" not in label
            before = round_trip() if sampled else None
            rates.setdefault(label, []).append(json_line(run(
                [sys.executable, os.path.join(HERE, script), "--workload", "big", "--rows", str(rows)],
                env=env, unset=unset, what=f"{script} big ({label})"))["samples_per_second"])
            if sampled:
                distances.setdefault(label, []).append((before, round_trip()))

        alternating = {}  # label of a 2-thread entry -> per-process median ratios of neighbouring epochs
        alternating_processes = {}  # label -> each process's JSON line and round trips before and after

        def measure_alternating(label, env):
            rows = max(args.big_rows // 10, 1280)
            unset = OPENBLAS_OVERRIDES + ("ANNEAL_THREADS",)
            sampled = core_distance and "busy" not in label
            before = round_trip() if sampled else None
            result = json_line(run(
                [sys.executable, os.path.join(HERE, "anneal_python.py"), "--workload", "big", "--rows", str(rows),
                 "--alternate", str(args.alternate_epochs)],
                env=env, unset=unset, what=f"anneal_python.py big, alternating ({label})"))
            alternating.setdefault(label, []).append(result["ratio"])
            alternating_processes.setdefault(label, []).append(
                (result, (before, round_trip()) if sampled else None))

        for _ in range(repeat):  # interleaved, so that a burst of load hits every entry alike
            for entry in entries:
                measure(*entry)
            for label, _, env, _ in entries[:2 * len(levels):2]:
                measure_alternating(label, env)
        cpus = sorted(os.sched_getaffinity(0))
        if args.busy_core and len(cpus) >= 2 and shutil.which("taskset"):
            # Another process holding the second CPU: a shell loop pinned there, for these entries only.
            busy_entries = [(f"{label}, second CPU busy", script, env, rows)
                            for label, script, env, rows in entries[:2]]
            print(f"  starting a busy loop on CPU {cpus[1]} ...", file=sys.stderr, flush=True)
            busy = subprocess.Popen(["taskset", "-c", str(cpus[1]), "sh", "-c", "while :; do :; done"])
            try:
                for _ in range(repeat):
                    for entry in busy_entries:
                        measure(*entry)
                    measure_alternating(busy_entries[0][0], busy_entries[0][2])
            finally:
                busy.kill()
                busy.wait()
            entries += busy_entries
        elif args.busy_core:
            notes.append("big network with the second CPU busy: skipped (one CPU only, or no taskset)")
        for label, _, _, _ in entries:
            big.append((label, statistics.median(rates[label])))
        for flavor, label, env in keras_flavors:
            big.append((label, json_line(run(
                [sys.executable, os.path.join(HERE, "keras_reference.py"), "--flavor", flavor, "--workload", "big",
                 "--rows", rows], env=env, what=f"keras_reference.py {flavor} big"))["samples_per_second"]))

    processes = None
    if args.process_runs > 0:
        script = os.path.join(ROOT, PROCESS_SCRIPT)
        if not os.path.exists(script):
            sys.exit(f"{script} is missing: the whole-process benchmark runs it unmodified")
        python_path = os.pathsep.join(p for p in (os.path.join(ROOT, "python"), os.environ.get("PYTHONPATH")) if p)
        commands = [("python3 -c pass", [sys.executable, "-c", "pass"])]
        if importlib.util.find_spec("numpy") is not None:
            commands.append(('python3 -c "import numpy"', [sys.executable, "-c", "import numpy"]))
        else:
            notes.append(f'whole process: the `python3 -c "import numpy"` row is skipped, numpy is not installed '
                         f"for {sys.executable}")
        commands.append((f"python3 {PROCESS_SCRIPT}", [sys.executable, script]))
        process_env = dict(anneal_env, PYTHONPATH=python_path)
        # The package falls back to other copies of the library when ANNEAL_LIBRARY's is unusable: check.
        loaded = run([sys.executable, "-c", "from anneal import _lib; print(_lib.path)"], env=process_env,
                     what="anneal library check").strip()
        if os.path.realpath(loaded) != os.path.realpath(library):
            sys.exit(f"whole-process benchmark: the anneal package loaded {loaded}, not {library}")
        processes = time_processes(commands, args.process_runs, process_env)

    gemm = None
    if not args.skip_gemm:
        gemm = gemm_comparison(args, out, notes)

    print(f"\nMachine: {cpu_model()}, {os.cpu_count()} CPUs; Anneal's kernel level {level} (of {', '.join(levels)}); "
          f"numpy {blas_kernel['kernel']} (from {blas_kernel['source']}; {', '.join(OPENBLAS_OVERRIDES)} unset for "
          f"numpy and OpenBLAS)")
    if peaks:
        print("\nArithmetic floor (benchmarks/c/fma_peak.c: fused multiply-adds in registers, GFLOP/s per second of "
              "each thread's CPU time; [per second of wall time: how much of the machine this run got])")
        print(f"| {'level':<6} | {'one core':>16} | {'two cores':>16} |")
        print(f"|{'-' * 8}|{'-' * 17}:|{'-' * 17}:|")
        for name, peak in peaks.items():
            two = (f"{peak['gflops_two_cores']:>7.1f} [{peak['gflops_two_cores_wall']:>6.1f}]"
                   if peak["gflops_two_cores"] is not None else "-")
            print(f"| {name:<6} | {peak['gflops_one_core']:>7.1f} [{peak['gflops_one_core_wall']:>6.1f}] | {two:>16} |")
    floor_source = (f"measured, {floor_level}" if floor_level and args.peak_gflops == peaks[floor_level]["gflops_one_core"]
                    else "--peak-gflops")
    floor_ms = TUTORIAL_FLOP / (args.peak_gflops * 1e9) * 1e3
    reference = dict(tutorial)["Anneal, Python API"]
    print(f"\nTutorial time-based run, 50 epochs ({TUTORIAL_FLOP / 1e6:.1f} MFLOP of matrix products; floor "
          f"{floor_ms:.2f} ms at one core's {args.peak_gflops:.0f} GFLOP/s, {floor_source}; target: 2 x floor)")
    print(f"| {'implementation':<32} | {'median ms':>9} | {'x Anneal Python':>15} | {'GFLOP/s':>7} | {'x floor':>7} |")
    print(f"|{'-' * 34}|{'-' * 10}:|{'-' * 16}:|{'-' * 8}:|{'-' * 8}:|")
    for name, ms in tutorial:
        print(f"| {name:<32} | {ms:>9.3f} | {ms / reference:>15.2f} | {TUTORIAL_FLOP / ms / 1e6:>7.1f} | "
              f"{ms / floor_ms:>7.1f} |")
    if big:
        rates_by_label = dict(big)
        numpy_best_label = max(("numpy, 1 BLAS thread", "numpy, 2 BLAS threads"), key=lambda l: rates_by_label[l])
        numpy_best = rates_by_label[numpy_best_label]
        peak_rate = args.peak_gflops * 1e9 / BIG_FLOP_PER_SAMPLE
        print(f"\nBig network 784-256-256-10, batch 128, {args.big_rows} random rows, steady epoch, median of "
              f"{repeat} processes ({BIG_FLOP_PER_SAMPLE / 1e6:.2f} MFLOP per sample; the floor, one core at "
              f"{args.peak_gflops:.0f} GFLOP/s: {peak_rate / 1e3:.0f}k samples/s). numpy's best: {numpy_best_label}. "
              f"Targets: two threads >= 1.7 x one thread at every vector level, and never below one thread. "
              f"2 threads / 1: across processes (their medians), and in one process alternating the two epoch by "
              f"epoch ({args.alternate_epochs} epochs of {max(args.big_rows // 10, 1280)} rows; median of the "
              f"processes' median ratios of neighbouring epochs, which a drifting host speed moves less)")
        print(f"| {'implementation':<46} | {'samples/s':>9} | {'GFLOP/s':>7} | {'x 1-core floor':>14} | "
              f"{'/ numpy best':>12} | {'2 threads / 1':>13} | {'alternating':>11} |")
        print(f"|{'-' * 48}|{'-' * 10}:|{'-' * 8}:|{'-' * 15}:|{'-' * 13}:|{'-' * 14}:|{'-' * 12}:|")
        for name, rate in big:
            speedup = within = ""
            if "2 threads" in name and name.startswith("Anneal"):
                one = rates_by_label.get(name.replace("2 threads", "1 thread"))
                speedup = f"{rate / one:.2f}" if one else ""
                within = f"{statistics.median(alternating[name]):.2f}" if name in alternating else ""
            print(f"| {name:<46} | {rate:>9.0f} | {rate * BIG_FLOP_PER_SAMPLE / 1e9:>7.1f} | "
                  f"{rate / peak_rate:>14.2f} | {rate / numpy_best:>12.2f} | {speedup:>13} | {within:>11} |")
        if distances:
            # A virtual machine's two CPUs may sit on one core complex or on two, as the host moves them; far
            # apart, the two threads wait for each other's data and can train slower than one (RESULTS.md). The
            # round trip before and after each process says where they were.
            print("\nEach two-thread process above (quiet machine): samples/s, and a cache line's round trip between "
                  "the two CPUs just before and just after it (benchmarks/c/core_distance.c, ns; tens: one core "
                  "complex, hundreds: two)")
            for label, pairs in distances.items():
                print(f"  {label}: " + "; ".join(
                    f"{rate / 1e3:.0f}k ({before:.0f}/{after:.0f})" for rate, (before, after) in zip(rates[label], pairs)))
        if alternating_processes:
            print("\nEach alternating process: its median ratio, one thread's and two threads' samples/s, and the "
                  "round trip before and after it where measured (ns)")
            for label, measured in alternating_processes.items():
                print(f"  {label}: " + "; ".join(
                    f"{result['ratio']:.2f} ({result['one_thread'] / 1e3:.0f}k / {result['two_threads'] / 1e3:.0f}k"
                    + (f", {trips[0]:.0f}/{trips[1]:.0f}" if trips else "") + ")" for result, trips in measured))
    # The portable levels against AVX2 (issue 17's target: at most 3 x the AVX2 time).
    if "avx2" in levels:
        c_times = {level: dict(tutorial)["Anneal, C API"],
                   **{each: dict(tutorial)[f"Anneal, C API, {each}"] for each in other_levels}}
        big_rates = dict(big)
        print("\nPortable levels against AVX2 (target: at most 3 x the AVX2 time): tutorial run through the C API, "
              "big network on one thread")
        print(f"| {'level':<16} | {'tutorial x avx2':>15} | {'big x avx2':>10} |")
        print(f"|{'-' * 18}|{'-' * 16}:|{'-' * 11}:|")
        for each in (name for name in levels if name.startswith("portable")):
            tutorial_ratio = f"{c_times[each] / c_times['avx2']:.2f}"
            one, avx2_one = big_rates.get(f"Anneal {each}, 1 thread"), big_rates.get("Anneal avx2, 1 thread")
            big_ratio = f"{avx2_one / one:.2f}" if one and avx2_one else "-"
            print(f"| {each:<16} | {tutorial_ratio:>15} | {big_ratio:>10} |")
    if processes:
        print(f"\nWhole process, {args.process_runs} runs each, output discarded (python3 = {sys.executable}; "
              f"target {PROCESS_TARGET_S} s, Keras 6.6 s)")
        print(f"| {'process':<45} | {'median s':>8} | {'min s':>6} | {'median / target':>15} |")
        print(f"|{'-' * 47}|{'-' * 9}:|{'-' * 7}:|{'-' * 16}:|")
        for label, values in processes.items():
            median = statistics.median(values)
            print(f"| {label:<45} | {median:>8.3f} | {min(values):>6.3f} | {median / PROCESS_TARGET_S:>15.2f} |")
    if gemm:
        first = next(iter(gemm.values()))
        two = any(threads == 2 for _, threads in gemm)
        print(f"\nMatrix products, GFLOP/s of the median call: Anneal's kernel ({first['level']}, FMA from 1M multiply-adds, compiled in) "
              f"against OpenBLAS cblas_sgemm ({first['openblas']}); Anneal / OpenBLAS > 1: Anneal faster")
        header = f"| {'product':<36} | {'MFLOP':>6} | {'Anneal 1T':>9} | {'OpenBLAS 1T':>11} | {'ratio 1T':>8} |"
        rule = f"|{'-' * 38}|{'-' * 7}:|{'-' * 10}:|{'-' * 12}:|{'-' * 9}:|"
        if two:
            header += f" {'Anneal 2T':>9} | {'OpenBLAS 2T':>11} | {'ratio 2T':>8} |"
            rule += f"{'-' * 10}:|{'-' * 12}:|{'-' * 9}:|"
        header += f" {'max rel diff':>12} |"
        rule += f"{'-' * 13}:|"
        print(header)
        print(rule)
        for (shape, threads), one in gemm.items():
            if threads != 1:
                continue
            line = (f"| {shape:<36} | {one['flop'] / 1e6:>6.3f} | {one['anneal_gflops']:>9.1f} | "
                    f"{one['openblas_gflops']:>11.1f} | {one['anneal_gflops'] / one['openblas_gflops']:>8.2f} |")
            if two:
                both = gemm[(shape, 2)]
                line += (f" {both['anneal_gflops']:>9.1f} | {both['openblas_gflops']:>11.1f} | "
                         f"{both['anneal_gflops'] / both['openblas_gflops']:>8.2f} |")
            line += f" {one['max_rel_diff']:>12.2e} |"
            print(line)
        largest_abs = max(r["max_abs_diff"] for r in gemm.values())
        print(f"max rel diff: max |Anneal - OpenBLAS| / max |c| per product (largest absolute difference "
              f"{largest_abs:.2e}); both results are also within 1e-4 of a double-precision product, or "
              f"bench_gemm fails")
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
