"""The cluster backends of a sweep: ``ray`` (plain Ray tasks) and ``dask`` (futures on a ``distributed``
scheduler).

Both ship chunks of runs to ``runs._run_chunk``, a pure function of its arguments, so a chunk gives the same
records wherever and however often it runs: a chunk whose worker was lost is simply run again (Ray's
``max_retries``, Dask's rescheduling and ``retries``) and the result is complete and identical to the serial
backend's, bit for bit.

A chunk holds about ``_CHUNK_SECONDS`` of training: a task costs the cluster a fixed overhead (about 0.66 ms of
CPU for a Ray task), so one run per task would spend a visible share of the time on scheduling, while chunks
much longer than that balance poorly and redo more work when a worker is lost. The cost of a run is measured
on the first run, trained here in the calling process (its record is kept: it is the same wherever it runs).

``build`` travels by value: it is pickled with cloudpickle here, its module included when that module is not
Anneal's own (a module of the driver's script or tests need not exist on the workers), and unpickled on the
worker. Anneal itself is imported on every worker, so each node needs the same version of the ``anneal``
package installed (``pip wheel ./python`` builds a self-contained wheel; Ray can also bring it along with
``runtime_env={"pip": [wheel]}``, or ``{"py_modules": [anneal]}`` when the driver's ``anneal`` is an installed
wheel, whose folder holds ``libanneal.so``).
"""

import math
import pickle
import sys
import time

from .runs import _run_chunk, run_one, training_alone

__all__ = ["ray", "dask"]

# The training time a chunk aims at, in seconds.
_CHUNK_SECONDS = 0.1
# At least this many chunks per worker CPU, to balance the load when runs are long or few.
_CHUNKS_PER_CPU = 2


def _shipped(build, cloudpickle):
    """``build`` pickled by value with ``cloudpickle`` (Ray's or Dask's), its module's functions included
    unless the module is Anneal's own (the workers have that one)."""
    module = sys.modules.get(getattr(build, "__module__", None) or "")
    by_value = (module is not None and module.__name__ != "__main__"
                and not module.__name__.split(".")[0] == "anneal" and hasattr(module, "__file__"))
    if by_value:
        cloudpickle.register_pickle_by_value(module)
    try:
        return cloudpickle.dumps(build)
    except Exception as error:
        raise TypeError(f"`build` could not be pickled for the cluster's workers ({type(error).__name__}: "
                        f"{error})") from None
    finally:
        if by_value:
            cloudpickle.unregister_pickle_by_value(module)


def _run_shipped(build_bytes, chunk, x, y, fit_kwargs, keep_history):
    """A chunk on a cluster's worker: ``build`` unpickled, every run trained on one thread (the workers already
    share the node's CPUs), the records returned in the chunk's order."""
    build = pickle.loads(build_bytes)
    with training_alone():  # this thread only, whatever ran before in the worker's process
        return _run_chunk(build, chunk, x, y, fit_kwargs, keep_history)


def _chunks(build, runs, x, y, fit_kwargs, keep_history, cpus, on_record):
    """Trains the first run here to time it, and cuts the others into chunks of about ``_CHUNK_SECONDS``,
    at least ``_CHUNKS_PER_CPU`` per CPU of the cluster."""
    index, config, seed = runs[0]
    start = time.perf_counter()
    on_record(index, run_one(build, config, seed, x, y, fit_kwargs, keep_history))
    seconds = max(time.perf_counter() - start, 1e-6)
    rest = runs[1:]
    if not rest:
        return []
    size = max(1, round(_CHUNK_SECONDS / seconds))
    size = max(1, min(size, math.ceil(len(rest) / (max(1, cpus) * _CHUNKS_PER_CPU))))
    return [rest[start:start + size] for start in range(0, len(rest), size)]


def _lost(chunk, error, on_record):
    """A chunk that failed even after its retries: each of its runs becomes an error record."""
    for index, config, seed in chunk:
        on_record(index, dict(config, seed=seed, error=f"WorkerLost: {type(error).__name__}: {error}"))


def ray(build, runs, x, y, fit_kwargs, keep_history, workers, on_record, address=None, retries=3):
    """Plain Ray tasks (not Ray Tune), one per chunk, on the cluster at ``address`` (or ``RAY_ADDRESS``), or
    on a local one started by ``ray.init()`` when neither is set; a driver already connected
    (``ray.init(...)`` called before) is used as it is. A task whose worker or node is lost is run again by
    Ray up to ``retries`` times (``max_retries``). ``workers`` is not used: the cluster's CPUs decide."""
    try:
        import ray as ray_
        from ray import cloudpickle
    except ImportError:
        raise ImportError("backend='ray' needs Ray: pip install 'anneal[ray]' (or pip install 'ray[default]')") \
            from None
    build_bytes = _shipped(build, cloudpickle)
    if not ray_.is_initialized():
        ray_.init(address=address, ignore_reinit_error=True, log_to_driver=False)
    cpus = int(ray_.cluster_resources().get("CPU", 1))
    chunks = _chunks(build, runs, x, y, fit_kwargs, keep_history, cpus, on_record)
    if not chunks:
        return
    # SPREAD: Ray's default places tasks on the driver's node first and, once a worker there holds a lease,
    # may feed it every chunk in turn while the other nodes' CPUs stay idle (seen on a two-node cluster).
    task = ray_.remote(_run_shipped).options(max_retries=retries, retry_exceptions=False, num_cpus=1,
                                             scheduling_strategy="SPREAD")
    x_ref, y_ref, build_ref = ray_.put(x), ray_.put(y), ray_.put(build_bytes)
    pending = {task.remote(build_ref, chunk, x_ref, y_ref, fit_kwargs, keep_history): chunk for chunk in chunks}
    try:
        while pending:
            done, _ = ray_.wait(list(pending), num_returns=1)
            for ref in done:
                chunk = pending.pop(ref)
                try:
                    records = ray_.get(ref)
                except ray_.exceptions.RayError as error:
                    _lost(chunk, error, on_record)
                    continue
                for (index, _, _), record in zip(chunk, records):
                    on_record(index, record)
    finally:
        for ref in pending:  # after Ctrl-C or a failing on_record: the cluster stops what is left
            ray_.cancel(ref)


def dask(build, runs, x, y, fit_kwargs, keep_history, workers, on_record, address=None, retries=3):
    """Futures on a ``distributed`` scheduler: ``address`` is the scheduler's address or a ``Client``; without
    it, a ``LocalCluster`` of ``workers`` single-threaded worker processes (default: the CPUs this process may
    use) is started for the sweep and closed after it. The scheduler reschedules the chunks of a lost worker
    (up to its ``distributed.scheduler.allowed-failures``); ``retries`` reruns a chunk whose task raised."""
    try:
        import cloudpickle
        import distributed
    except ImportError:
        raise ImportError("backend='dask' needs Dask's distributed scheduler: pip install 'anneal[dask]' (or pip "
                          "install 'dask[distributed]')") from None
    from .backends import cpu_count

    build_bytes = _shipped(build, cloudpickle)
    owned = []
    if isinstance(address, distributed.Client):
        client = address
    elif address is not None:
        client = distributed.Client(address)
        owned.append(client)
    else:
        cluster = distributed.LocalCluster(n_workers=min(workers or cpu_count(), len(runs)), threads_per_worker=1,
                                           processes=True, dashboard_address=None)
        owned += [cluster, distributed.Client(cluster)]
        client = owned[-1]
    try:
        cpus = sum(client.nthreads().values()) or 1
        chunks = _chunks(build, runs, x, y, fit_kwargs, keep_history, cpus, on_record)
        futures = {client.submit(_run_shipped, build_bytes, chunk, x, y, fit_kwargs, keep_history, pure=False,
                                 retries=retries): chunk for chunk in chunks}
        try:
            for future in distributed.as_completed(list(futures)):
                chunk = futures.pop(future)
                try:
                    records = future.result()
                except Exception as error:
                    _lost(chunk, error, on_record)
                    continue
                for (index, _, _), record in zip(chunk, records):
                    on_record(index, record)
        finally:
            for future in futures:
                future.cancel()
    finally:
        for resource in reversed(owned):
            resource.close()
