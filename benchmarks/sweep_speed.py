#!/usr/bin/env python3
"""The tutorial's schedule sweep (issue 16's speed section), side by side on every backend, in one invocation.

    swift build -c release --product anneal
    .build/x86_64-unknown-linux-gnu/venv-clusters/bin/python benchmarks/sweep_speed.py   (every row)
    python3 benchmarks/sweep_speed.py --no-ray --no-dask         (the local backends only)

`swift test` (ClusterSweepTests) makes `.build/<target triple>/venv-clusters` with Ray and Dask; Ray Tune is an
extra of Ray that the tests do not need, so for the Tune row add it there once, at the same version as Ray:
`.build/x86_64-unknown-linux-gnu/venv-clusters/bin/python -m pip install "ray[tune]==2.60.0"` (without it the row
is skipped, saying so).

The sweep: 3 schedule kinds (SGD's time-based decay, the tutorial's step decay and an ExponentialDecay, both
through LearningRateScheduler; examples/python/schedule_sweep.py's build) x 3 learning rates
(log_space(0.01, 0.1, 3)) x 2 momenta (0, 0.8) x 20 seeds = 360 runs of the tutorial's model (34-34-1, 50
epochs, batch 28, validation_split 0.33) on the ionosphere data. Rows, all wall times of the whole sweep
(medians of --repeat, interleaved with the loop's; the local backends first, then each cluster, which runs only
while its own rows are measured). "loop / backend" divides the medians; "paired" is the median of the ratios of
each backend's sweep to a loop run just before it, which a host whose speed drifts between minutes moves less:

  loop        a plain Python loop of set_random_seed / build / fit, one process (the reference)
  serial      sweep.run(backend="serial")
  threads     sweep.run(backend="threads", workers=2)
  processes   sweep.run() (the default backend: this process and one worker process), workers=2, the first
              sweep of a session: the worker pool shut down before, its start-up included
  processes (warm)
              the same sweep again: the worker kept from the previous sweep of the session
  ray         sweep.run(backend="ray", address=...) on a local two-node Ray cluster (`ray start --head` and a
              second `ray start --address`, one CPU each); cluster start-up, the first connection and a first
              sweep (each worker process importing Anneal) reported separately, excluded from the sweep's time
  dask        sweep.run(backend="dask", address=...) on `dask scheduler` with two `dask worker`s of one thread,
              start-up likewise
  ray tune    Ray Tune (`tune.Tuner`, one trial per run, 2 concurrent) on the local Ray: --tune-runs runs, its
              time per run and that rate for 360 runs (Tune is ~1000x slower per run; 360 trials take minutes)

The CPU column: this process's CPU time (all its threads) plus its kept sweep workers' (from /proc), not a
cluster's. Every backend's records are compared with the loop's, bit for bit. Workers get python/ on PYTHONPATH and the
measured libanneal.so through ANNEAL_LIBRARY. The machine may be shared: the report prints the load average
before and after; repeat a run before trusting a small difference.
"""
import argparse
import compileall
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PYTHON_DIR = os.path.join(ROOT, "python")
EXAMPLES_DIR = os.path.join(ROOT, "examples", "python")
sys.path.insert(0, PYTHON_DIR)
sys.path.insert(0, EXAMPLES_DIR)

FIT = dict(epochs=50, batch_size=28, validation_split=0.33, verbose=0)


def configs():
    from anneal import sweep
    return sweep.grid(schedule=["time", "step", "exponential"], learning_rate=sweep.log_space(0.01, 0.1, 3),
                      momentum=[0.0, 0.8], epochs=[FIT["epochs"]], drop=[0.5], epochs_drop=[10.0])


def loop(build, config_list, x, y, seeds):
    from anneal.utils import set_random_seed
    records = []
    for config in config_list:
        for seed in seeds:
            set_random_seed(seed)
            model, callbacks = build(config)
            history = model.fit(x, y, callbacks=callbacks, **FIT)
            records.append({key: values[-1] for key, values in history.history.items()})
    return records


def final_values(result):
    names = [key for key in result.records[0] if key.startswith(("loss", "accuracy", "val_", "lr"))]
    return [{key: record[key] for key in names} for record in result.records]


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Daemons:
    """Cluster daemons as subprocesses in their own process groups, stopped by process id."""

    def __init__(self, environment, folder):
        self.environment, self.folder, self.processes = environment, folder, []

    def start(self, arguments, name):
        log = open(os.path.join(self.folder, name + ".log"), "w")
        process = subprocess.Popen(arguments, env=self.environment, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True, cwd=self.folder)
        self.processes.append(process)
        return process

    def run(self, arguments):
        subprocess.run(arguments, env=self.environment, check=True, capture_output=True, cwd=self.folder)

    def stop(self):
        for process in self.processes:
            for sig in (signal.SIGTERM, signal.SIGKILL):
                try:
                    os.killpg(process.pid, sig)
                except ProcessLookupError:
                    break
                try:
                    process.wait(15)
                    break
                except subprocess.TimeoutExpired:
                    pass


def wait_for_port(port, seconds=120):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on port {port} after {seconds} s")


def cli(tool):
    return os.path.join(os.path.dirname(sys.executable), tool)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--library", default=os.path.join(ROOT, ".build", "release", "libanneal.so"))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--no-ray", action="store_true")
    parser.add_argument("--no-dask", action="store_true")
    parser.add_argument("--tune-runs", type=int, default=36, help="runs for Ray Tune (0: skip)")
    arguments = parser.parse_args()
    os.environ["ANNEAL_LIBRARY"] = os.path.abspath(arguments.library)
    # Workers import Anneal in fresh interpreters. Bytecode compiled first, as pip compiles an installed
    # package's: under PYTHONDONTWRITEBYTECODE (which this workplace sets) a module changed since its bytecode
    # was last written would be compiled again at every worker's start.
    compileall.compile_dir(os.path.join(PYTHON_DIR, "anneal"), quiet=1)
    compileall.compile_dir(EXAMPLES_DIR, quiet=1)
    os.environ["PYTHONPATH"] = os.pathsep.join([PYTHON_DIR, EXAMPLES_DIR]
                                               + [p for p in [os.environ.get("PYTHONPATH")] if p])

    from anneal import sweep
    from anneal.datasets import ionosphere
    from anneal.sweep import pool
    from schedule_sweep import build  # the tutorial's model with the config's schedule

    x, y, _ = ionosphere()
    config_list, seeds = configs(), list(range(1, arguments.seeds + 1))
    runs = len(config_list) * len(seeds)
    print(f"sweep: {len(config_list)} configs x {len(seeds)} seeds = {runs} runs; load average "
          f"{os.getloadavg()[0]:.2f}; library {arguments.library}", flush=True)

    reference = loop(build, config_list, x, y, seeds)
    times, cpu, paired, notes = {}, {}, {}, []

    def measure(backends, repeat):
        """Each backend `repeat` times, interleaved, each time right after a loop whose time it is divided by
        (`paired`: this VM's speed drifts by tens of percent within minutes, which the ratio of two neighbouring
        runs feels less than the ratio of two medians); every result's records checked against the loop's."""
        for name in backends:
            times.setdefault(name, [])
            cpu.setdefault(name, [])
        for _ in range(repeat):
            for name, function in backends.items():
                if name == "processes":
                    pool.shutdown()  # the first sweep of a session: its worker starts inside the timing
                if name != "loop":
                    started = time.perf_counter()
                    loop(build, config_list, x, y, seeds)
                    loop_time = time.perf_counter() - started
                started, cpu_started = time.perf_counter(), local_cpu(pool)
                records = function()
                times[name].append(time.perf_counter() - started)
                cpu[name].append(local_cpu(pool) - cpu_started)
                if name != "loop":
                    paired.setdefault(name, []).append(loop_time / times[name][-1])
                    expected = [{key: record[key] for key in got} for record, got in zip(reference, records)]
                    if records != expected:
                        raise SystemExit(f"{name}: records differ from the loop's")

    def swept(**options):
        return lambda: final_values(sweep.run(build, config_list, x, y, seeds=seeds, keep_history=False, **options,
                                              **FIT))

    # The local backends first, with no cluster's daemons running beside them.
    measure({"loop": lambda: loop(build, config_list, x, y, seeds), "serial": swept(backend="serial"),
             "threads": swept(backend="threads", workers=2), "processes": swept(workers=2),
             "processes (warm)": swept(workers=2)}, arguments.repeat)
    pool.shutdown()
    tune = None
    # A head started by `ray start --head` may turn on token authentication (Ray 2.60 with ray[tune] here), which
    # a second node joining through --address then fails with InvalidAuthToken; this cluster listens on
    # 127.0.0.1 only.
    os.environ.setdefault("RAY_AUTH_MODE", "disabled")
    if not arguments.no_ray:
        daemons = Daemons(dict(os.environ), tempfile.mkdtemp(prefix="anneal-sweep-bench-"))
        try:
            started = time.perf_counter()
            port = free_port()
            daemons.run([cli("ray"), "start", "--head", f"--port={port}", "--num-cpus=1",
                         "--include-dashboard=false", "--disable-usage-stats"])
            daemons.run([cli("ray"), "start", f"--address=127.0.0.1:{port}", "--num-cpus=1",
                         "--disable-usage-stats"])
            import ray
            ray.init(address=f"127.0.0.1:{port}", logging_level="ERROR", log_to_driver=False)
            ray.get(ray.remote(lambda: None).remote())
            up = time.perf_counter() - started
            address = f"127.0.0.1:{port}"
            ray_sweep = swept(backend="ray", address=address)
            started = time.perf_counter()
            ray_sweep()  # each node's worker process starts and imports Anneal
            notes.append(f"ray: two nodes started and first task done in {up:.1f} s, then a first sweep (workers "
                         f"importing Anneal) in {time.perf_counter() - started:.2f} s (both excluded)")
            measure({"loop": lambda: loop(build, config_list, x, y, seeds), "ray": ray_sweep}, arguments.repeat)
            if arguments.tune_runs:
                tune = tune_time(build, config_list, x, y, seeds, arguments.tune_runs)
        finally:
            if "ray" in sys.modules:
                sys.modules["ray"].shutdown()
            subprocess.run([cli("ray"), "stop", "--force"], capture_output=True)
            daemons.stop()
    if not arguments.no_dask:
        daemons, client = Daemons(dict(os.environ), tempfile.mkdtemp(prefix="anneal-sweep-bench-")), None
        try:
            started = time.perf_counter()
            port = free_port()
            daemons.start([cli("dask"), "scheduler", "--host", "127.0.0.1", "--port", str(port),
                           "--no-dashboard"], "scheduler")
            wait_for_port(port)
            for index in range(2):
                daemons.start([cli("dask"), "worker", f"tcp://127.0.0.1:{port}", "--nworkers", "1",
                               "--nthreads", "1", "--no-dashboard"], f"worker{index}")
            from distributed import Client
            client = Client(f"tcp://127.0.0.1:{port}")
            client.wait_for_workers(2, timeout=120)
            client.submit(lambda: None).result()
            up = time.perf_counter() - started
            dask_sweep = swept(backend="dask", address=client)
            started = time.perf_counter()
            dask_sweep()  # each worker imports Anneal
            notes.append(f"dask: scheduler and two workers started in {up:.1f} s, then a first sweep (workers "
                         f"importing Anneal) in {time.perf_counter() - started:.2f} s (both excluded)")
            measure({"loop": lambda: loop(build, config_list, x, y, seeds), "dask": dask_sweep}, arguments.repeat)
        finally:
            if client is not None:
                client.close()
            daemons.stop()

    base = statistics.median(times["loop"])
    print(f"\n| backend | wall time of {runs} runs (median of {arguments.repeat}) | loop / backend | paired "
          "| CPU time (median) |")
    print("|---|---|---|---|---|")
    for name, values in times.items():
        median = statistics.median(values)
        used = "-" if name in ("ray", "dask") else f"{statistics.median(cpu[name]):.3f} s"
        pair = f"{statistics.median(paired[name]):.2f}x" if name in paired else "-"
        print(f"| {name} | {median:.3f} s | {base / median:.2f}x | {pair} | {used} |")
    if tune is not None:
        measured, seconds = tune
        per_run = seconds / measured
        print(f"| ray tune ({measured} runs measured) | {per_run * runs:.1f} s at {per_run * 1000:.0f} ms per run "
              f"| {base / (per_run * runs):.4f}x |")
    for note in notes:
        print(note)
    print(f"records equal to the loop's, bit for bit, on every backend; load average after: {os.getloadavg()[0]:.2f}")


def local_cpu(pool):
    """CPU seconds used so far by this process (every thread) and by the sweep's kept worker processes (from
    /proc; a cluster's daemons are not counted)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = time.process_time()
    for worker in (pool._pool.workers if pool._pool is not None else []):
        try:
            with open(f"/proc/{worker.process.pid}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
        except (OSError, IndexError, ValueError):
            pass
    return total


def tune_time(build, config_list, x, y, seeds, count):
    """Ray Tune's wall time for the first ``count`` runs of the sweep, one trial each, two at a time."""
    try:
        from ray import tune
    except ImportError as error:
        import ray
        print(f"ray tune: skipped ({error}); add it with {sys.executable} -m pip install "
              f"'ray[tune]=={ray.__version__}'")
        return None
    pairs = [(config, seed) for config in config_list for seed in seeds][:count]

    def trainable(parameters):
        from anneal.utils import set_random_seed
        set_random_seed(parameters["seed"])
        model, callbacks = build(parameters["config"])
        history = model.fit(x, y, callbacks=callbacks, **FIT)
        return {"val_accuracy": history.history["val_accuracy"][-1]}

    space = {"pair": tune.grid_search(list(range(len(pairs))))}

    def by_index(parameters):
        config, seed = pairs[parameters["pair"]]
        return trainable({"config": config, "seed": seed})

    storage = tempfile.mkdtemp(prefix="anneal-tune-")
    started = time.perf_counter()
    tune.Tuner(by_index, param_space=space,
               tune_config=tune.TuneConfig(max_concurrent_trials=2),
               run_config=tune.RunConfig(storage_path=storage, verbose=0)).fit()
    seconds = time.perf_counter() - started
    shutil.rmtree(storage, ignore_errors=True)
    return len(pairs), seconds


if __name__ == "__main__":
    main()
