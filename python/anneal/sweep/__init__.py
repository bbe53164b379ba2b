"""``anneal.sweep``: many seeded runs over a grid of configurations, on one or several cores.

    from anneal import sweep

    configs = sweep.grid(learning_rate=sweep.log_space(0.01, 0.1, 3), momentum=[0.0, 0.8])
    result = sweep.run(build, configs, X, Y, seeds=range(1, 21), epochs=50, batch_size=28,
                       validation_split=0.33)
    print(result.summary("val_accuracy"))

``build(config)`` returns a compiled model, or ``(model, callbacks)``; ``run`` trains it on every
``(config, seed)`` and returns a ``SweepResult``. Each run's weights and shuffling follow from its seed alone,
so the records are the same bit for bit whatever the backend, the number of workers, the order in which runs
finish and what ran before, and equal to a plain loop of ``set_random_seed(seed)``, ``build(config)``,
``fit``.

Backends on one machine: ``"processes"`` (the default) trains in this process and ``workers - 1`` worker processes;
this process starts training at once, while the workers boot, and the workers stay for the next sweep of the
session (restarted when the environment changes; idle ones exit after 5 minutes and at exit), so only the first
sweep of a session pays their start-up (about 0.05 s of CPU each: a fresh interpreter that imports only what
training needs). ``"threads"`` trains on ``workers`` threads of this process: a run whose fit is one library call
(no Python callbacks, no schedule that is a Python function) holds the GIL only while its model is built, so
threads start nothing and run about as fast as warm workers on few cores, with the least CPU time
(``benchmarks/RESULTS.md``, "Sweeps"); but a Python callback or schedule holds the GIL for its part of every epoch,
which threads share and processes do not, and a crash in a worker process costs one run where in a thread it ends
the session. ``"serial"`` trains one run after the other here. The trainers of ``"processes"`` and ``"threads"``
compute without the library's helper thread, which would only take CPU from one another.

Clusters: ``backend="ray"`` (plain Ray tasks) or ``backend="dask"`` (a ``distributed`` scheduler), with
``address=`` the cluster's. Each task carries a chunk of runs and returns their records; ``build`` is pickled
by value with cloudpickle (its module's functions too, unless the module is Anneal's), so the driver's script
or test module need not exist on the workers. Anneal itself must: install the same ``anneal`` version on
every node, e.g. the wheel of ``pip wheel ./python`` (self-contained: ``libanneal.so`` links the Swift
runtime statically, so the nodes need no Swift; the cluster tests' workers import such an installed wheel), or
with Ray let the job bring it: ``ray.init(address, runtime_env={"pip": ["/shared/anneal-2.1.0-...whl"]})``, or
``{"py_modules": [anneal]}`` from a driver whose ``anneal`` is an installed wheel (its folder holds
``libanneal.so``; a repository checkout's does not).
A chunk lost with its worker is run again (``retries=``), giving the same records.
"""

import numbers

from .grid import grid, log_space

__all__ = ["grid", "log_space", "run", "SweepResult", "Summary"]

# The rest is imported when first used: a worker process of backend="processes" imports this package (for
# ``pool``) and needs none of it.
_LAZY = {"SweepResult": "result", "Summary": "result"}


def __getattr__(name):
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))


def _checked_seeds(seeds):
    if isinstance(seeds, (str, bytes)) or not hasattr(seeds, "__iter__"):
        raise TypeError(f"`seeds` must be a list of integers, e.g. seeds=range(1, 21). Received: seeds={seeds!r}")
    seeds = list(seeds)
    if not seeds:
        raise ValueError("`seeds` is empty: give at least one seed, e.g. seeds=range(1, 21)")
    for seed in seeds:
        if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
            raise ValueError(f"Every seed must be a non-negative integer. Received: {seed!r} in seeds={seeds!r}")
    seeds = [int(seed) for seed in seeds]
    if len(set(seeds)) != len(seeds):
        raise ValueError(f"`seeds` has repeated values (their runs would be identical). Received: seeds={seeds!r}")
    return seeds


def _checked_configs(configs):
    from .runs import RESERVED_KEYS

    if isinstance(configs, dict) or not hasattr(configs, "__iter__"):
        raise TypeError("`configs` must be a list of dicts, e.g. sweep.grid(learning_rate=[0.1, 0.01]). "
                        f"Received: configs={configs!r}")
    configs = list(configs)
    if not configs:
        raise ValueError("`configs` is empty: give at least one config (a dict, possibly {})")
    for config in configs:
        if not isinstance(config, dict) or not all(isinstance(key, str) for key in config):
            raise TypeError(f"Every config must be a dict with string keys. Received: {config!r}")
        reserved = [key for key in RESERVED_KEYS if key in config]
        if reserved:
            raise ValueError(f"Config keys {reserved} are reserved for the records ({', '.join(RESERVED_KEYS)}); "
                             f"rename them. Received: {config!r}")
    return configs


def _prepared(data, name):
    """``data`` checked (a Keras-style error now rather than in every run) and, with numpy, converted once to
    the C-ordered float32 array every fit would otherwise make again."""
    from .. import _arrays

    matrix = _arrays.as_matrix(data, name)
    return matrix, (matrix.owner if _arrays.numpy is not None else data)


def run(build, configs, x, y, *, seeds, backend="processes", workers=None, address=None, retries=3,
        results_file=None, keep_history=True, **fit_kwargs):
    """Trains ``build(config)`` on ``x``, ``y`` for every config and seed, and returns a ``SweepResult``.

    Each run builds its model inside a seed scope: models constructed there (``Sequential()``) take their seeds
    from ``seed`` alone, exactly as after ``anneal.utils.set_random_seed(seed)``, without reading or changing
    any global state; the shuffling follows from the model's seed. ``build`` should draw nothing else from
    Python's or numpy's global generators. A run that raises becomes a record with its ``error`` and the sweep
    goes on (a warning counts them at the end).

    Memory: a record keeps every epoch's logs (``history``) unless ``keep_history=False``. Measured with
    tracemalloc for the tutorial's runs (3 config keys, 5 logs, 50 epochs): 9.6 kB per record with the
    history and 1.0 kB without, so 100,000 such runs hold about 960 MB of records with histories and 100 MB
    without (a history grows by about 32 bytes per log and epoch).

    Args:
        build: ``build(config) -> model`` or ``(model, callbacks)``: a compiled ``anneal.models.Sequential``
            and the callbacks for its fit. For ``backend="processes"`` it must be picklable (defined at module
            level; in a script, run the sweep under ``if __name__ == "__main__":``).
        configs: a list of dicts (``grid(...)``); their keys are copied into the records and may not be
            ``seed``, ``history`` or ``error``.
        x, y: the training data, as for ``fit``.
        seeds: the seeds every config runs with, distinct non-negative integers (``range(1, 21)``).
        backend: ``"processes"`` (default: this process and worker processes kept for the session, each
            worker training on one thread; see "Backends on one machine" above), ``"threads"`` (threads
            of this process; the GIL is released for a whole run when it has no Python callbacks but a
            ``LearningRateScheduler`` over an Anneal schedule), ``"serial"`` (one run after the other here), or on a
            cluster: ``"ray"`` (plain Ray tasks; ``pip install 'anneal[ray]'``) or ``"dask"`` (futures on a
            ``distributed`` scheduler; ``pip install 'anneal[dask]'``), each task a chunk of about 100 ms of runs
            (timed on the first run, which trains here). ``build`` reaches a cluster's workers by value
            (cloudpickle, its module included), but every node must have the same version of ``anneal``
            installed (see "Clusters" above).
        workers: the number of workers (default: the CPUs this process may use; for ``"processes"`` this
            process counts as one, so ``workers=1`` starts no process); ignored by ``"serial"`` and
            ``"ray"`` (the cluster's CPUs), and by ``"dask"`` given an ``address``.
        address: ``"ray"``: the cluster's address (default: ``RAY_ADDRESS``, else a local Ray started by
            ``ray.init()``; a driver already connected is used as it is). ``"dask"``: the scheduler's address or a
            ``distributed.Client`` (default: a ``LocalCluster`` of ``workers`` processes for this sweep, which
            start by spawning: in a script, run the sweep under ``if __name__ == "__main__":``). Only for these
            two backends.
        retries: how many times a cluster runs again a chunk whose worker was lost (Ray's ``max_retries``; Dask
            reschedules a lost worker's tasks itself and reruns a task that raised this many times). A chunk is
            pure, so a rerun gives the same records; a chunk still lost after that becomes error records.
        results_file: a path: each finished run is appended to it as one JSON line, flushed; a rerun of the same
            sweep with the same file trains only the runs missing from it, and returns the same result as an
            uninterrupted sweep. Config values must then be JSON-serializable.
        keep_history: keep each run's per-epoch logs in its record (``history``); False keeps only the final
            values.
        **fit_kwargs: passed to every ``fit``: ``epochs``, ``batch_size``, ``validation_split``,
            ``validation_data``, ``shuffle``, ``initial_epoch``, ``verbose`` (default 0).

    Returns:
        a ``SweepResult``: ``records`` in grid order (config order, then seed order), ``summary()``, ``best()``,
        ``to_pandas()``, ``to_csv()``, ``to_json()``, ``plot()``.
    """
    import threading
    import warnings

    from ..models import _same_rows
    from .backends import BACKENDS, CLUSTER_BACKENDS
    from .result import SweepResult
    from .results_file import ResultsFile, run_key
    from .runs import check_fit_arguments

    if not callable(build):
        raise TypeError(f"`build` must be a function of a config returning a compiled model. Received: {build!r}")
    configs = _checked_configs(configs)
    seeds = _checked_seeds(seeds)
    if backend not in BACKENDS and backend not in CLUSTER_BACKENDS:
        raise ValueError(f"Unknown backend: {backend!r}. Expected one of: "
                         f"{', '.join(sorted(set(BACKENDS) | set(CLUSTER_BACKENDS)))}")
    if address is not None and backend not in CLUSTER_BACKENDS:
        raise ValueError(f"`address` is for backend='ray' or 'dask'. Received: address={address!r} with "
                         f"backend={backend!r}")
    if isinstance(retries, bool) or not isinstance(retries, numbers.Integral) or retries < 0:
        raise ValueError(f"`retries` must be a non-negative integer. Received: retries={retries!r}")
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, numbers.Integral)
                                or workers <= 0):
        raise ValueError(f"`workers` must be a positive integer or None. Received: workers={workers!r}")
    if not isinstance(keep_history, bool):
        raise TypeError(f"`keep_history` must be True or False. Received: keep_history={keep_history!r}")
    check_fit_arguments(fit_kwargs)
    x_matrix, x = _prepared(x, "x")
    y_matrix, y = _prepared(y, "y")
    _same_rows(x_matrix, y_matrix)
    del x_matrix, y_matrix

    runs = [(c * len(seeds) + s, config, seed) for c, config in enumerate(configs) for s, seed in enumerate(seeds)]
    records = [None] * len(runs)
    file = ResultsFile(results_file, fit_kwargs, keep_history) if results_file is not None else None
    lock = threading.Lock()
    try:
        todo = runs
        if file is not None:
            todo = []
            for index, config, seed in runs:
                stored = file.done.get(run_key(config, seed))
                if stored is None:
                    todo.append((index, config, seed))
                else:
                    records[index] = dict(config, seed=seed, **stored)

        def on_record(index, record):
            with lock:
                records[index] = record
                if file is not None:
                    _, config, seed = runs[index]
                    file.append(config, seed, record)

        if todo and backend in CLUSTER_BACKENDS:
            from . import clusters

            getattr(clusters, backend)(build, todo, x, y, fit_kwargs, keep_history, workers, on_record,
                                       address=address, retries=int(retries))
        elif todo:
            BACKENDS[backend](build, todo, x, y, fit_kwargs, keep_history, workers, on_record)
    finally:
        if file is not None:
            file.close()
    failed = sum(1 for record in records if "error" in record)
    if failed:
        first = next(record["error"] for record in records if "error" in record)
        warnings.warn(f"{failed} of {len(records)} sweep runs failed; their records hold the error (the first: "
                      f"{first})", RuntimeWarning, stacklevel=2)
    return SweepResult(records, configs, seeds)
