"""anneal.sweep: grids in their documented order; the same records bit for bit on every backend, with 1 and
2 workers, and from a plain loop of set_random_seed, build and fit; the processes backend's driver training
beside its workers, its worker pool kept between sweeps and restarted or stopped when it must be, a worker
that dies or is killed costing only its run in flight; failed runs as error records; a sweep resumed from
its results file (cut mid-line, or after killing the process running it) equal to an uninterrupted one;
argument errors; the result's summary and exports."""

import helpers  # noqa: F401  first: puts python/ on sys.path whatever runs the tests

import json
import math
import os
import signal
import subprocess
import sys
import time
import warnings

import pytest

import anneal
from anneal import sweep
from anneal.sweep import pool, processes
from anneal.utils import set_random_seed
from helpers import HERE, PYTHON_DIR, flatten, ionosphere
import cluster_helpers
import sweep_builds

FIT = dict(epochs=4, batch_size=28, validation_split=0.33)
CONFIGS = (sweep.grid(kind=["time", "python", "schedule", "update"], learning_rate=[0.1, 0.02])
           + sweep.grid(kind=["time"], momentum=[0.8]))
SEEDS = [3, 1, 7]


def _spawn_skip_reason():
    """Why worker processes cannot be started here (the embedded interpreter of `swift test`), or None."""
    try:
        processes._check_interpreter()
    except RuntimeError as error:
        return str(error)
    return None


def _quiet_run(*args, **kwargs):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = sweep.run(*args, **kwargs)
    return result, caught


def _plain_loop(configs, seeds, keep_history=True):
    """The records a user's own loop gives: set_random_seed(seed), build(config), fit."""
    x, y, _ = ionosphere()
    records = []
    for config in configs:
        for seed in seeds:
            set_random_seed(seed)
            model, callbacks = sweep_builds.build(config)
            logs = model.fit(x, y, callbacks=callbacks, verbose=0, **FIT).history
            model.close()
            record = dict(config, seed=seed)
            record.update({key: values[-1] for key, values in logs.items()})
            if keep_history:
                record["history"] = logs
            records.append(record)
    return records


# --- Grids ----------------------------------------------------------------------------------------------------

def test_grid_order_is_itertools_product_over_the_keyword_order():
    assert sweep.grid(a=[1, 2], b=["x", "y", "z"]) == [
        {"a": 1, "b": "x"}, {"a": 1, "b": "y"}, {"a": 1, "b": "z"},
        {"a": 2, "b": "x"}, {"a": 2, "b": "y"}, {"a": 2, "b": "z"}]
    assert sweep.grid(b=["x"], a=range(2)) == [{"b": "x", "a": 0}, {"b": "x", "a": 1}]
    assert sweep.grid() == [{}]
    conditional = sweep.grid(kind=["time"], decay=[0.0]) + sweep.grid(kind=["step"], drop=[0.5, 0.25])
    assert conditional == [{"kind": "time", "decay": 0.0}, {"kind": "step", "drop": 0.5},
                           {"kind": "step", "drop": 0.25}]


def test_grid_refuses_scalars_and_empty_axes():
    with pytest.raises(TypeError, match=r"kind=\['step'\]"):
        sweep.grid(kind="step")
    with pytest.raises(ValueError, match="`lr` is empty"):
        sweep.grid(lr=[])


def test_log_space():
    assert sweep.log_space(0.001, 0.1, 3) == [0.001, 0.01, 0.1]
    values = sweep.log_space(0.001, 0.1, 5)
    assert values[0] == 0.001 and values[2] == 0.01 and values[-1] == 0.1
    assert values[1] == pytest.approx(10 ** -2.5, rel=1e-11)
    ratios = [b / a for a, b in zip(values, values[1:])]
    assert max(ratios) - min(ratios) < 1e-9
    assert sweep.log_space(1.0, 0.01, 3) == [1.0, 0.1, 0.01]
    assert sweep.log_space(0.5, 2.0, 1) == [0.5]
    for bad in [dict(start=0, stop=1, num=3), dict(start=1, stop=-1, num=3), dict(start=1, stop=2, num=0),
                dict(start=1, stop=float("inf"), num=2), dict(start=1, stop=2, num=2.0)]:
        with pytest.raises(ValueError, match="Received"):
            sweep.log_space(**bad)


# --- The same records everywhere ------------------------------------------------------------------------------

def test_serial_and_threads_equal_a_plain_loop_of_fit_bit_for_bit():
    x, y, _ = ionosphere()
    expected = _plain_loop(CONFIGS, SEEDS)
    for backend, workers in (("serial", None), ("threads", 1), ("threads", 2), ("threads", 5)):
        result, caught = _quiet_run(sweep_builds.build, CONFIGS, x, y, seeds=SEEDS, backend=backend,
                                    workers=workers, **FIT)
        assert not caught, [str(w.message) for w in caught]
        assert result.records == expected, (backend, workers)
    assert len(expected) == len(CONFIGS) * len(SEEDS)
    assert [(r["kind"], r.get("learning_rate"), r["seed"]) for r in expected[:4]] == [
        ("time", 0.1, 3), ("time", 0.1, 1), ("time", 0.1, 7), ("time", 0.02, 3)]
    assert "lr" in expected[6]["history"] and "lr" in expected[12]["history"]
    assert "effective_lr" in expected[0]["history"] and "lr" not in expected[18]["history"]


def test_every_optimizer_gives_a_plain_loops_records_bit_for_bit():
    # The sweep fits in one library call; a plain fit drives the epochs from Python. Both must agree whatever
    # the optimizer, its decay, and an epoch schedule set from a LearningRateScheduler.
    x, y, _ = ionosphere()
    configs = (sweep.grid(optimizer=["adam", "rmsprop", "adagrad", "adadelta", "adamax"],
                          kind=["time", "schedule", "update"], learning_rate=[0.01])
               + sweep.grid(optimizer=["nadam"], kind=["time", "schedule"], learning_rate=[0.01]))  # no schedule
    expected = _plain_loop(configs, [5])
    result, caught = _quiet_run(sweep_builds.build, configs, x, y, seeds=[5], backend="serial", **FIT)
    assert not caught, [str(w.message) for w in caught]
    assert result.records == expected
    assert all(not r.get("error") for r in expected)
    assert len({r["loss"] for r in expected}) == len(expected)  # every optimizer and rate trained differently


def test_processes_equal_serial_bit_for_bit_with_one_and_two_workers():
    reason = _spawn_skip_reason()
    if reason:
        pytest.skip(reason)
    x, y, _ = ionosphere()
    serial = sweep.run(sweep_builds.build, CONFIGS, x, y, seeds=SEEDS, backend="serial", **FIT).records
    for workers in (1, 2):
        result = sweep.run(sweep_builds.build, CONFIGS, x, y, seeds=SEEDS, workers=workers, **FIT)
        assert result.records == serial, workers


def test_parallel_backends_train_without_the_librarys_helper_thread():
    # A parallel backend's trainers compute alone (anneal_calling_thread_set_threads(1)): the helper thread,
    # started on first need and kept, never starts in a fresh process that only runs parallel sweeps, while a
    # serial sweep there starts it (its fits validate on it). The threads of the process are counted before and
    # after, in /proc; the records stay the serial ones, and the trainer threads' setting is restored.
    if not os.path.isdir("/proc/self/task"):
        pytest.skip("no /proc/self/task to count the threads of a process")
    reason = _spawn_skip_reason()
    if reason:
        pytest.skip(reason)
    script = f"""
import os, sys
sys.path[:0] = [{PYTHON_DIR!r}, {HERE!r}]
import ctypes
from anneal import _lib, sweep
from helpers import ionosphere
import sweep_builds
x, y, _ = ionosphere()
configs = sweep.grid(kind=["schedule", "time"], learning_rate=[0.1, 0.02])
fit = dict(epochs=3, batch_size=28, validation_split=0.33)
import time
threads = lambda: len(os.listdir("/proc/self/task"))
def settled(expected):
    # A thread a sweep started (the processes backend's trainer while workers boot) may take a moment to end
    # on a loaded machine: the count, once it is the expected one or 10 s have passed.
    deadline = time.monotonic() + 10
    while threads() != expected and time.monotonic() < deadline:
        time.sleep(0.01)
    return threads()
before = threads()
records = [sweep.run(sweep_builds.build, configs, x, y, seeds=[1, 2], backend=backend, workers=2, **fit).records
           for backend in ("threads", "processes")]
after_parallel = settled(before)
setting = ctypes.c_int32(-1)
_lib.check(_lib.anneal_calling_thread_threads(ctypes.byref(setting)))
serial = sweep.run(sweep_builds.build, configs, x, y, seeds=[1, 2], backend="serial", **fit).records
sweep.pool.shutdown()
after_serial = settled(before + (1 if sweep.pool.cpu_count() >= 2 else 0))
print(before, after_parallel, after_serial, setting.value, records == [serial, serial])
"""
    environment = {key: value for key, value in os.environ.items() if key != "ANNEAL_THREADS"}
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300,
                         env=environment)
    assert run.returncode == 0, run.stderr
    before, after_parallel, after_serial, setting, equal = run.stdout.split()
    assert after_parallel == before, run.stdout
    assert setting == "0" and equal == "True", run.stdout
    if pool.cpu_count() >= 2:
        assert int(after_serial) == int(before) + 1, f"the serial sweep should have started the helper: {run.stdout}"


def test_the_calling_threads_setting_refuses_what_is_not_0_or_1():
    from anneal import _lib
    from anneal.errors import AnnealError

    with pytest.raises(AnnealError, match="threads=2"):
        _lib.check(_lib.anneal_calling_thread_set_threads(2))


def test_a_sweep_neither_reads_nor_moves_the_global_seed_stream():
    x, y, _ = ionosphere()
    set_random_seed(11)
    expected = flatten(anneal.Sequential(seed=None, layers=[anneal.layers.Dense(2, input_dim=2)]).get_weights())
    set_random_seed(11)
    first = sweep.run(sweep_builds.build, CONFIGS[:1], x, y, seeds=[1], backend="serial", **FIT).records
    after = flatten(anneal.Sequential(layers=[anneal.layers.Dense(2, input_dim=2)]).get_weights())
    assert after == expected
    set_random_seed(99)
    assert sweep.run(sweep_builds.build, CONFIGS[:1], x, y, seeds=[1], backend="serial", **FIT).records == first


def test_keep_history_false_keeps_only_the_final_values():
    x, y, _ = ionosphere()
    full = sweep.run(sweep_builds.build, CONFIGS[:2], x, y, seeds=[1, 2], backend="serial", **FIT).records
    short = sweep.run(sweep_builds.build, CONFIGS[:2], x, y, seeds=[1, 2], backend="serial", keep_history=False,
                      **FIT).records
    assert short == [{k: v for k, v in record.items() if k != "history"} for record in full]


# --- Failures -------------------------------------------------------------------------------------------------

def test_failed_runs_become_error_records_and_the_sweep_goes_on():
    x, y, _ = ionosphere()
    configs = [{"kind": "time"}, {"fail": "this config"}, {"kind": "python"}]
    for backend in ("serial", "threads"):
        result, caught = _quiet_run(sweep_builds.build, configs, x, y, seeds=[1, 2], backend=backend, **FIT)
        records = result.records
        assert [r.get("error") for r in records[2:4]] == ["ValueError: no model for this config"] * 2
        assert records[2] == {"fail": "this config", "seed": 1, "error": "ValueError: no model for this config"}
        assert all("error" not in r and len(r["history"]["loss"]) == 4 for r in records[:2] + records[4:])
        assert len(result.errors) == 2
        assert len(caught) == 1 and "2 of 6 sweep runs failed" in str(caught[0].message)
    # A fit argument that every fit refuses is an error record too (not a crash), here validation_split=1.
    result, _ = _quiet_run(sweep_builds.build, configs[:1], x, y, seeds=[1], backend="serial", epochs=1,
                           validation_split=1.0)
    assert "validation_split" in result.records[0]["error"]


def _worker_booted():
    """A sweep that leaves the session's pool a worker, and the wait until that worker has booted (a worker
    that booted while the driver trained was read ready then; else its "ready" is left unread, and the next
    sweep takes it as the worker's answer)."""
    x, y, _ = ionosphere()
    sweep.run(sweep_builds.build, CONFIGS[:1], x, y, seeds=[1, 2], workers=2, **FIT)
    worker = pool._pool.workers[0]
    assert worker.ready or worker.connection.poll(120)


def _slow_sweep(tmp_path, configs, seeds, **kwargs):
    """A sweep whose every run takes 50 ms or more (sweep_builds sleeps while SWEEP_TEST_PIDS is set, and
    writes there the pid of each process that trains), with a worker booted before, so that the driver and a
    worker both train."""
    pids = tmp_path / "pids"
    pids.mkdir(exist_ok=True)
    os.environ["SWEEP_TEST_PIDS"] = str(pids)  # a new environment: the pool starts a new worker
    try:
        _worker_booted()
        for name in os.listdir(pids):
            os.remove(pids / name)
        x, y, _ = ionosphere()
        return _quiet_run(sweep_builds.build, configs, x, y, seeds=seeds, workers=2, **kwargs, **FIT), pids
    finally:
        del os.environ["SWEEP_TEST_PIDS"]


def test_the_driver_trains_beside_its_workers_with_the_same_records(tmp_path):
    reason = _spawn_skip_reason()
    if reason:
        pytest.skip(reason)
    x, y, _ = ionosphere()
    serial = sweep.run(sweep_builds.build, CONFIGS[:4], x, y, seeds=SEEDS, backend="serial", **FIT).records
    (result, _), pids = _slow_sweep(tmp_path, CONFIGS[:4], SEEDS)
    assert result.records == serial
    trained = {int(name) for name in os.listdir(pids)}
    assert os.getpid() in trained and len(trained) >= 2, "the driver and a worker should both have trained"


def test_the_worker_pool_is_kept_between_sweeps_and_restarted_when_the_environment_changes():
    reason = _spawn_skip_reason()
    if reason:
        pytest.skip(reason)
    x, y, _ = ionosphere()
    serial = sweep.run(sweep_builds.build, CONFIGS[:2], x, y, seeds=[1, 2], backend="serial", **FIT).records
    assert sweep.run(sweep_builds.build, CONFIGS[:2], x, y, seeds=[1, 2], workers=2, **FIT).records == serial
    first = [worker.process for worker in pool._pool.workers]
    assert len(first) == 1 and first[0].is_alive()
    assert sweep.run(sweep_builds.build, CONFIGS[:2], x, y, seeds=[1, 2], workers=2, **FIT).records == serial
    assert [worker.process for worker in pool._pool.workers] == first
    # Another environment (here a variable the library does not read; ANNEAL_LIBRARY would be one it does):
    # the kept worker would not see it, so it is stopped and another started.
    os.environ["ANNEAL_SWEEP_TEST_MARK"] = "1"
    try:
        assert sweep.run(sweep_builds.build, CONFIGS[:2], x, y, seeds=[1, 2], workers=2, **FIT).records == serial
    finally:
        del os.environ["ANNEAL_SWEEP_TEST_MARK"]
    second = [worker.process for worker in pool._pool.workers]
    assert second != first and not first[0].is_alive()
    # A sweep interrupted (here Ctrl-C in the driver's own first run) stops its workers: they may be in the
    # middle of a chunk.
    def interrupted(*args):
        raise KeyboardInterrupt

    original, processes.run_one = processes.run_one, interrupted
    try:
        with pytest.raises(KeyboardInterrupt):
            sweep.run(sweep_builds.build, CONFIGS[:2], x, y, seeds=[1, 2], workers=2, **FIT)
    finally:
        processes.run_one = original
    assert pool._pool is None and not second[0].is_alive()
    sweep.run(sweep_builds.build, CONFIGS[:1], x, y, seeds=[1, 2], workers=2, **FIT)
    third = pool._pool.workers[0].process
    pool.shutdown()
    assert pool._pool is None and not third.is_alive()


_EDITABLE_FINDER = '''
"""An editable install's import hook, as setuptools writes one: `editable_builds` is found through it, not
through sys.path."""
import importlib.abc
import importlib.util
import os
import sys

SOURCE = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "src",
                      "editable_builds.py")


class Finder(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        return importlib.util.spec_from_file_location(name, SOURCE) if name == "editable_builds" else None


def install():
    if not any(type(finder) is Finder for finder in sys.meta_path):
        sys.meta_path.append(Finder())
'''


def test_workers_run_site_when_an_import_hook_needs_it(tmp_path):
    # Workers skip `site` when the driver imports through the standard finders alone (its sys.path, sent to
    # them, is then all they need); a .pth that installs an import hook, as an editable install does, makes
    # them run it, so that a `build` found only through that hook reaches them too. The .pth is in a user
    # site directory (PYTHONUSERBASE), which the workers' site reads as the driver's did.
    reason = _spawn_skip_reason()
    if reason:
        pytest.skip(reason)
    import site

    if not site.ENABLE_USER_SITE:
        pytest.skip("this interpreter reads no user site directory")
    x, y, _ = ionosphere()
    seeds = [1, 2, 3]
    serial = sweep.run(sweep_builds.build, CONFIGS[:2], x, y, seeds=seeds, backend="serial", **FIT).records
    pids = tmp_path / "pids"
    pids.mkdir()

    def slow_sweep(build):
        """The sweep with every run 50 ms or more (sweep_builds): a worker trains some of them, booted first (on
        a loaded machine the driver may train all six runs before a worker started with the sweep is up)."""
        os.environ["SWEEP_TEST_PIDS"] = str(pids)
        try:
            _worker_booted()
            for name in os.listdir(pids):
                os.remove(pids / name)
            result = sweep.run(build, CONFIGS[:2], x, y, seeds=seeds, workers=2, **FIT)
        finally:
            del os.environ["SWEEP_TEST_PIDS"]
        assert len(os.listdir(pids)) >= 2, "a worker should have trained"
        return result.records

    saved_path, saved_finders = list(sys.path), list(sys.meta_path)
    # Without pytest's assertion rewriting hook, as a script runs: standard finders only, workers without site.
    sys.meta_path[:] = [finder for finder in saved_finders
                        if getattr(finder, "__name__", type(finder).__name__) in pool._STANDARD_FINDERS]
    try:
        assert pool._interpreter_flags() == ["-S"]
        assert slow_sweep(sweep_builds.build) == serial
    finally:
        sys.meta_path[:] = saved_finders
    base = tmp_path / "base"
    user_site = base / "lib" / f"python{sys.version_info[0]}.{sys.version_info[1]}" / "site-packages"
    user_site.mkdir(parents=True)
    (user_site / "editable_finder.py").write_text(_EDITABLE_FINDER)
    (user_site / "editable.pth").write_text("import editable_finder; editable_finder.install()\n")
    (base / "lib" / "src").mkdir()
    (base / "lib" / "src" / "editable_builds.py").write_text(
        "import sweep_builds\n\n\ndef build(config):\n    return sweep_builds.build(config)\n")
    os.environ["PYTHONUSERBASE"] = str(base)
    try:
        site.addsitedir(str(user_site))  # as the driver's own site would have, had it started with this base
        import editable_builds

        assert pool._interpreter_flags() == []
        assert slow_sweep(editable_builds.build) == serial
    finally:
        pool.shutdown()
        del os.environ["PYTHONUSERBASE"]
        sys.path[:], sys.meta_path[:] = saved_path, saved_finders
        sys.modules.pop("editable_builds", None)
        sys.modules.pop("editable_finder", None)

def test_a_worker_process_that_dies_costs_only_its_run(tmp_path):
    reason = _spawn_skip_reason()
    if reason:
        pytest.skip(reason)
    x, y, _ = ionosphere()
    configs = [{"kind": "time"}, {"die": True}, {"kind": "python"}]
    seeds = [1, 2, 3, 4]
    # In the driver (the serial backend here) `die` does not exit: its runs train the default model.
    serial = sweep.run(sweep_builds.build, configs, x, y, seeds=seeds, backend="serial", **FIT).records
    (result, caught), _ = _slow_sweep(tmp_path, configs, seeds)
    assert result.records[:4] + result.records[8:] == serial[:4] + serial[8:]
    died = [record for record in result.records[4:8] if "error" in record]
    assert died, "no `die` run reached a worker"
    for record in died:
        assert record == {"die": True, "seed": record["seed"],
                          "error": "WorkerDied: the worker process training this run exited with code 3"}
    assert all(record in serial for record in result.records[4:8] if "error" not in record)
    assert len(caught) == 1 and f"{len(died)} of 12 sweep runs failed" in str(caught[0].message)


def test_a_worker_killed_mid_sweep_costs_only_its_run_in_flight(tmp_path):
    reason = _spawn_skip_reason()
    if reason:
        pytest.skip(reason)
    x, y, _ = ionosphere()
    serial = sweep.run(sweep_builds.build, CONFIGS, x, y, seeds=SEEDS, backend="serial", **FIT).records
    pids = tmp_path / "pids"
    pids.mkdir()
    os.environ["SWEEP_TEST_PIDS"] = str(pids)  # a new environment: the pool starts a new worker
    try:
        _worker_booted()  # so that it trains, and can be killed, before the driver has trained every run
        result = cluster_helpers.run_while_a_worker_is_killed(pids, lambda: _quiet_run(
            sweep_builds.build, CONFIGS, x, y, seeds=SEEDS, workers=2, **FIT)[0])
    finally:
        del os.environ["SWEEP_TEST_PIDS"]
    lost = [i for i, record in enumerate(result.records) if "error" in record]
    assert len(lost) == 1
    assert result.records[lost[0]]["error"] == ("WorkerDied: the worker process training this run exited with "
                                                f"code {-signal.SIGKILL}")
    assert [r for i, r in enumerate(result.records) if i != lost[0]] == [r for i, r in enumerate(serial)
                                                                           if i != lost[0]]
    config, seed = CONFIGS[lost[0] // len(SEEDS)], SEEDS[lost[0] % len(SEEDS)]
    assert result.records[lost[0]] == dict(config, seed=seed, error=result.records[lost[0]]["error"])


# --- Results file ---------------------------------------------------------------------------------------------

def test_a_sweep_resumed_from_a_file_cut_mid_line_equals_an_uninterrupted_one(tmp_path):
    x, y, _ = ionosphere()
    path = str(tmp_path / "runs.jsonl")
    complete = sweep.run(sweep_builds.build, CONFIGS, x, y, seeds=SEEDS, backend="serial", results_file=path, **FIT)
    with open(path, "rb") as handle:
        lines = handle.read().splitlines(keepends=True)
    assert len(lines) == 1 + len(CONFIGS) * len(SEEDS)
    # Rerunning with the complete file trains nothing and gives the same result.
    sweep_builds.build_calls_counted.calls = 0
    again = sweep.run(sweep_builds.build_calls_counted, CONFIGS, x, y, seeds=SEEDS, backend="serial",
                      results_file=path, **FIT)
    assert sweep_builds.build_calls_counted.calls == 0 and again.records == complete.records
    # Killed while writing the 7th run: its line is cut halfway.
    with open(path, "wb") as handle:
        handle.write(b"".join(lines[:7]) + lines[7][:len(lines[7]) // 2])
    sweep_builds.build_calls_counted.calls = 0
    resumed = sweep.run(sweep_builds.build_calls_counted, CONFIGS, x, y, seeds=SEEDS, backend="threads",
                        results_file=path, **FIT)
    assert sweep_builds.build_calls_counted.calls == len(CONFIGS) * len(SEEDS) - 6
    assert resumed.records == complete.records
    with open(path, "rb") as handle:
        text = handle.read()
    assert text.endswith(b"\n") and len(text.splitlines()) == len(lines)
    assert all(json.loads(line) for line in text.splitlines())


def test_a_results_file_of_another_sweep_is_refused(tmp_path):
    x, y, _ = ionosphere()
    path = str(tmp_path / "runs.jsonl")
    sweep.run(sweep_builds.build, CONFIGS[:1], x, y, seeds=[1], backend="serial", results_file=path, **FIT)
    with pytest.raises(ValueError, match="another sweep"):
        sweep.run(sweep_builds.build, CONFIGS[:1], x, y, seeds=[1], backend="serial", results_file=path,
                  epochs=5, batch_size=28, validation_split=0.33)
    other = str(tmp_path / "other.txt")
    with open(other, "w") as handle:
        handle.write("not a sweep\n")
    with pytest.raises(ValueError, match="not an anneal sweep results file"):
        sweep.run(sweep_builds.build, CONFIGS[:1], x, y, seeds=[1], backend="serial", results_file=other, **FIT)
    with pytest.raises(TypeError, match="JSON-serializable"):
        sweep.run(sweep_builds.build, [{"kind": "time", "object": object()}], x, y, seeds=[1], backend="serial",
                  results_file=str(tmp_path / "third.jsonl"), **FIT)


_KILLED_SWEEP = """
import sys
sys.path[:0] = [{python!r}, {tests!r}]
import anneal, sweep_builds
from anneal import sweep
if __name__ == "__main__":
    x, y, _ = anneal.datasets.ionosphere()
    configs = sweep.grid(kind=["time", "python", "schedule", "update"], learning_rate=[0.1, 0.02], momentum=[0.0, 0.5])
    sweep.run(sweep_builds.build, configs, x, y, seeds=range(6), workers=2, results_file={path!r},
              epochs=10, batch_size=28, validation_split=0.33)
"""


def test_killing_a_process_running_a_sweep_loses_only_the_runs_in_flight(tmp_path):
    reason = _spawn_skip_reason()
    if reason:
        pytest.skip(reason)
    path = str(tmp_path / "runs.jsonl")
    script = tmp_path / "killed_sweep.py"
    script.write_text(_KILLED_SWEEP.format(python=PYTHON_DIR, tests=HERE, path=path))
    pids = tmp_path / "pids"
    pids.mkdir()
    environment = dict(os.environ, SWEEP_TEST_PIDS=str(pids))
    process = subprocess.Popen([sys.executable, str(script)], env=environment)
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline and process.poll() is None:
            worker_trained = any(int(name) != process.pid for name in os.listdir(pids))
            if worker_trained and os.path.exists(path) and open(path, "rb").read().count(b"\n") > 6:
                break
            time.sleep(0.01)
        assert process.poll() is None, "the sweep ended before it could be killed"
        process.send_signal(signal.SIGKILL)
        process.wait(30)
    finally:
        if process.poll() is None:
            process.kill()
    written = open(path, "rb").read().count(b"\n") - 1
    assert 6 <= written < 16 * 6
    # Its worker processes notice that their parent is gone and exit.
    workers = [int(name) for name in os.listdir(pids) if int(name) != process.pid]  # the driver trains too
    assert workers
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and any(os.path.exists(f"/proc/{pid}") for pid in workers):
        time.sleep(0.1)
    assert not any(os.path.exists(f"/proc/{pid}") for pid in workers), "orphaned sweep workers still run"
    # The rerun (here on threads, in this process) trains the rest: the same as a sweep never killed.
    x, y, _ = ionosphere()
    configs = sweep.grid(kind=["time", "python", "schedule", "update"], learning_rate=[0.1, 0.02],
                         momentum=[0.0, 0.5])
    fit = dict(epochs=10, batch_size=28, validation_split=0.33)
    sweep_builds.build_calls_counted.calls = 0
    resumed = sweep.run(sweep_builds.build_calls_counted, configs, x, y, seeds=range(6), backend="threads",
                        results_file=path, **fit)
    assert sweep_builds.build_calls_counted.calls == 16 * 6 - written
    uninterrupted = sweep.run(sweep_builds.build, configs, x, y, seeds=range(6), backend="threads", **fit)
    assert resumed.records == uninterrupted.records


# --- Arguments ------------------------------------------------------------------------------------------------

def test_bad_arguments_are_refused_with_keras_style_messages():
    x, y, _ = ionosphere()
    build = sweep_builds.build
    cases = [
        (dict(backend="spark"), ValueError,
         "Unknown backend: 'spark'. Expected one of: dask, processes, ray, serial, threads"),
        (dict(address="127.0.0.1:6379"), ValueError, "`address` is for backend='ray' or 'dask'"),
        (dict(backend="ray", retries=-1), ValueError, "`retries` must be a non-negative integer"),
        (dict(configs=[]), ValueError, "`configs` is empty"),
        (dict(configs={"kind": "time"}), TypeError, "list of dicts"),
        (dict(configs=[{"seed": 1}]), ValueError, r"reserved.*'seed'"),
        (dict(seeds=[]), ValueError, "`seeds` is empty"),
        (dict(seeds=20), TypeError, r"seeds=range\(1, 21\)"),
        (dict(seeds=[1, 1]), ValueError, "repeated"),
        (dict(seeds=[-1]), ValueError, "non-negative integer"),
        (dict(seeds=[True]), ValueError, "non-negative integer"),
        (dict(workers=0), ValueError, r"`workers` must be a positive integer or None. Received: workers=0"),
        (dict(callbacks=[]), TypeError, r"return \(model, callbacks\) from `build`"),
        (dict(seed=3), TypeError, "own seed"),
        (dict(epoch=3), TypeError, r"unsupported fit arguments: \['epoch'\]"),
        (dict(sample_weight=[1.0] * 351), ValueError, r"sweep.run\(\) does not support `sample_weight`"),
        (dict(epochs=-1), ValueError, "Received: epochs=-1"),
        (dict(build=None), TypeError, "`build` must be a function"),
        (dict(build=lambda config: None, backend="processes"), TypeError, "cannot|failed"),
        (dict(y=[[1.0]] * 3), anneal.errors.ShapeMismatchError, "351 samples"),
    ]
    for change, error, message in cases:
        arguments = dict(build=build, configs=CONFIGS[:1], x=x, y=y, seeds=[1], backend="serial", epochs=1)
        arguments.update(change)
        with pytest.raises(error, match=message):
            sweep.run(arguments.pop("build"), arguments.pop("configs"), arguments.pop("x"), arguments.pop("y"),
                      **arguments)
    result, _ = _quiet_run(lambda config: "not a model", [{}], x, y, seeds=[1], backend="serial")
    assert result.records[0]["error"].startswith("TypeError: `build(config)` must return a compiled anneal")


# --- The result -----------------------------------------------------------------------------------------------

def _small_result():
    x, y, _ = ionosphere()
    return sweep.run(sweep_builds.build, CONFIGS[:4], x, y, seeds=[1, 2, 3], backend="serial", **FIT)


def test_summary_and_best():
    result = _small_result()
    summary = result.summary("val_accuracy")
    assert len(summary) == 4
    means = [row["mean"] for row in summary]
    assert means == sorted(means, reverse=True)
    for row in summary:
        values = sorted(r["val_accuracy"] for r in result.records
                        if (r["kind"], r["learning_rate"]) == (row["kind"], row["learning_rate"]))
        assert row["n"] == 3 and row["missing"] == 0
        assert row["mean"] == pytest.approx(sum(values) / 3) and row["median"] == values[1]
        assert (row["min"], row["max"]) == (values[0], values[-1])
        mean = sum(values) / 3
        assert row["std"] == pytest.approx(math.sqrt(sum((v - mean) ** 2 for v in values) / 2))
    lowest = result.summary("val_loss", mode="min")
    assert [row["mean"] for row in lowest] == sorted(row["mean"] for row in lowest)
    assert result.best("val_loss", "min") == lowest[0]
    text = str(summary)
    assert text.splitlines()[0] == "val_accuracy over seeds, best first"
    assert text.splitlines()[1].split() == ["kind", "learning_rate", "n", "mean", "median", "std", "min", "max",
                                            "missing"]
    with pytest.raises(ValueError, match="No run logged 'val_acc'"):
        result.summary("val_acc")
    with pytest.raises(ValueError, match="`mode` must be 'max' or 'min'"):
        result.summary(mode="auto")


def test_to_csv_and_to_json(tmp_path):
    import csv

    result = _small_result()
    result.to_csv(str(tmp_path / "runs.csv"))
    with open(tmp_path / "runs.csv", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["kind", "learning_rate", "seed", "loss", "accuracy", "val_loss", "val_accuracy",
                       "effective_lr", "lr", "error"]
    assert len(rows) == 13 and float(rows[1][6]) == result.records[0]["val_accuracy"]
    result.to_json(str(tmp_path / "runs.json"))
    with open(tmp_path / "runs.json") as handle:
        assert json.load(handle) == result.records


def _missing(module):
    """Whether ``module`` cannot be imported; ClusterSweepTests sets ANNEAL_TEST_PLOTTING in an environment that
    has pandas and matplotlib, where their paths must run (not the ImportError ones)."""
    try:
        __import__(module)
    except ImportError:
        assert not os.environ.get("ANNEAL_TEST_PLOTTING"), f"ANNEAL_TEST_PLOTTING is set but {module} is missing"
        return True
    return False


def test_to_pandas_and_plot(tmp_path):
    result = _small_result()
    if _missing("pandas"):
        with pytest.raises(ImportError, match="pip install pandas"):
            result.to_pandas()
    else:
        frame = result.to_pandas()
        assert list(frame["val_accuracy"]) == [r["val_accuracy"] for r in result.records]
        long = result.to_pandas(history=True)
        assert len(long) == 12 * 4 and list(long.columns[:4]) == ["kind", "learning_rate", "seed", "epoch"]
    if _missing("matplotlib"):
        with pytest.raises(ImportError, match="pip install matplotlib"):
            result.plot(str(tmp_path / "sweep.png"))
    else:
        result.plot(str(tmp_path / "sweep.png"), metric="val_loss", band="minmax")
        assert os.path.getsize(tmp_path / "sweep.png") > 10000
        x, y, _ = ionosphere()
        short = sweep.run(sweep_builds.build, CONFIGS[:1], x, y, seeds=[1], backend="serial", keep_history=False,
                          **FIT)
        with pytest.raises(ValueError, match="keep_history=True"):
            short.plot(str(tmp_path / "never.png"))
