"""Where a sweep's runs train: ``serial``, ``threads`` or ``processes`` here; ``ray`` or ``dask`` on a cluster
(``clusters``, which also take ``address`` and ``retries``).

A backend is a function ``(build, runs, x, y, fit_kwargs, keep_history, workers, on_record)``: it trains every
``(index, config, seed)`` of ``runs`` and calls ``on_record(index, record)`` in the calling process as each run
ends, in whatever order they end. Each run's record depends on the run alone (``runs.run_one``), so every
backend gives the same records bit for bit. A cluster backend ships chunks of runs to ``runs._run_chunk``;
``processes`` (its own module) keeps its worker processes between sweeps (``pool``).
"""

import threading

from .pool import cpu_count
from .processes import processes
from .runs import _run_chunk, run_one, training_alone

__all__ = ["BACKENDS", "cpu_count"]


def serial(build, runs, x, y, fit_kwargs, keep_history, workers, on_record):
    """One run after the other on the calling thread."""
    _run_chunk(build, runs, x, y, fit_kwargs, keep_history, on_record)


def threads(build, runs, x, y, fit_kwargs, keep_history, workers, on_record):
    """``workers`` threads (default: the CPUs this process may use) take runs one at a time, each computing
    alone (without the library's helper thread, which would only take CPU from the other threads; the results
    are the same bits). A run holds the GIL only while Python code runs: every fit is one library call that
    releases it (``Sequential._run``), taking it back only to call a Python callback or a Python function
    schedule (each epoch), never with built-in callbacks and Anneal's schedules only."""
    pending = iter(runs)
    lock = threading.Lock()
    failures = []
    stop = threading.Event()
    count = min(workers or cpu_count(), len(runs))

    def work():
        try:
            with training_alone(count > 1):
                while not stop.is_set():
                    with lock:
                        item = next(pending, None)
                    if item is None:
                        return
                    index, config, seed = item
                    on_record(index, run_one(build, config, seed, x, y, fit_kwargs, keep_history))
        except BaseException as error:  # on_record's (e.g. a full disk): raised again by the caller's thread
            failures.append(error)
            stop.set()

    pool = [threading.Thread(target=work, name=f"anneal-sweep-{i}", daemon=True) for i in range(count)]
    try:
        for thread in pool:
            thread.start()
        for thread in pool:
            thread.join()
    finally:
        stop.set()  # after Ctrl-C: the threads end their current runs and take no more
    if failures:
        raise failures[0]


BACKENDS = {"serial": serial, "threads": threads, "processes": processes}
# The backends that take ``address`` and ``retries`` (imported when used: Ray and Dask are optional).
CLUSTER_BACKENDS = ("ray", "dask")
