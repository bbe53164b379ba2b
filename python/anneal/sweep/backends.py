"""Where a sweep's runs train: ``serial``, ``threads`` or ``processes`` here; ``ray`` or ``dask`` on a cluster
(``clusters``, which also take ``address`` and ``retries``).

A backend is a function ``(build, runs, x, y, fit_kwargs, keep_history, workers, on_record)``: it trains every
``(index, config, seed)`` of ``runs`` and calls ``on_record(index, record)`` in the calling process as each run
ends, in whatever order they end. Each run's record depends on the run alone (``runs.run_one``), so every
backend gives the same records bit for bit. A cluster backend ships chunks of runs to ``runs._run_chunk``;
``processes`` keeps its worker processes between sweeps (``pool``).
"""

import collections
import os
import pickle
import sys
import threading
import time

from .pool import session_pool
from .runs import _run_chunk, run_one

__all__ = ["BACKENDS"]

# The training time a worker process's chunk aims at, in seconds: a chunk costs two pipe messages and a
# pickled list of runs (tens of microseconds), and the driver reads records only between its own runs, so
# chunks much shorter than this would spend a visible share on messages, much longer ones balance poorly.
_CHUNK_SECONDS = 0.05
# Chunks a worker holds at once: it starts the next one without waiting for the driver's reply.
_CHUNKS_AHEAD = 2


def cpu_count():
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def serial(build, runs, x, y, fit_kwargs, keep_history, workers, on_record):
    """One run after the other on the calling thread."""
    _run_chunk(build, runs, x, y, fit_kwargs, keep_history, on_record)


def threads(build, runs, x, y, fit_kwargs, keep_history, workers, on_record):
    """``workers`` threads (default: the CPUs this process may use) take runs one at a time. A run holds the
    GIL only while Python code runs: without Python callbacks and with one of Anneal's epoch schedules (or
    none) the whole fit is one library call that releases it (``Sequential._run_in_library``); a Python
    function schedule works too, releasing the GIL for each epoch."""
    pending = iter(runs)
    lock = threading.Lock()
    failures = []
    stop = threading.Event()

    def work():
        while not stop.is_set():
            with lock:
                item = next(pending, None)
            if item is None:
                return
            index, config, seed = item
            try:
                on_record(index, run_one(build, config, seed, x, y, fit_kwargs, keep_history))
            except BaseException as error:  # on_record's (e.g. a full disk): raised again by the caller's thread
                failures.append(error)
                stop.set()

    pool = [threading.Thread(target=work, name=f"anneal-sweep-{i}", daemon=True)
            for i in range(min(workers or cpu_count(), len(runs)))]
    try:
        for thread in pool:
            thread.start()
        for thread in pool:
            thread.join()
    finally:
        stop.set()  # after Ctrl-C: the threads end their current runs and take no more
    if failures:
        raise failures[0]


def _check_interpreter():
    """Worker processes are started from sys.executable: it must be the interpreter running this code (not,
    say, a program that embeds Python, which would be started instead)."""
    if not os.path.exists("/proc/self/exe"):  # not Linux: nothing to compare with
        return
    running = os.path.realpath("/proc/self/exe")
    executable = os.path.realpath(sys.executable) if sys.executable else ""
    if executable != running:
        raise RuntimeError(
            f"backend='processes' starts workers with sys.executable ({sys.executable or 'empty'}), which is not "
            f"the program running this interpreter ({running}), as when Python is embedded; use "
            "backend='threads' or backend='serial'")


def processes(build, runs, x, y, fit_kwargs, keep_history, workers, on_record):
    """``workers`` trainers (default: the CPUs this process may use): this process and ``workers - 1`` worker
    processes (``pool``), each training on one thread (``ANNEAL_THREADS=1`` in the workers). The workers are
    started with multiprocessing's ``spawn`` and kept for the next sweep of the session, so ``build`` must be
    picklable: a function defined at module level of an importable module, or of the main script under
    ``if __name__ == "__main__":``.

    This process trains runs one at a time from the start (while the workers boot, then alongside them),
    reading the workers' records between its runs; the first run is timed and the workers are sent chunks of
    about ``_CHUNK_SECONDS`` of training, fewer runs as the sweep nears its end so that every trainer finishes
    at about the same time. A worker that dies (a crash, a kill) turns the run it was training into an error
    record and is replaced; the rest of its chunks go back to the runs to do."""
    import multiprocessing.connection

    try:
        payload = pickle.dumps((build, x, y, fit_kwargs, keep_history))
    except Exception as error:
        raise TypeError(f"backend='processes' sends `build` to worker processes by pickling it, which failed "
                        f"({type(error).__name__}: {error}); define it at module level (not a lambda or a nested "
                        "function), or use backend='threads' or 'serial'") from None
    count = min(workers or cpu_count(), len(runs))
    if count > 1:
        _check_interpreter()
    todo = collections.deque(runs)
    pending = {index for index, _, _ in runs}
    size = 1  # runs per chunk, set from the first run's time
    replacements = len(runs)

    def train_here():
        index, config, seed = todo.popleft()
        record = run_one(build, config, seed, x, y, fit_kwargs, keep_history)
        pending.discard(index)
        on_record(index, record)

    def send_chunk(worker):
        """A chunk of at most ``size`` runs, and fewer near the end: a share of what is left per trainer."""
        if not todo:
            return
        take = max(1, min(size, len(todo) // (2 * count)))
        chunk = [todo.popleft() for _ in range(min(take, len(todo)))]
        worker.chunks.append(chunk)
        worker.connection.send(("chunk", chunk))

    def handle(worker, message):
        kind, value, record = message
        if kind == "ready":
            worker.ready = True
            for _ in range(_CHUNKS_AHEAD):
                send_chunk(worker)
        elif kind == "failed":
            raise RuntimeError(f"A sweep worker process could not unpickle `build` and the data (is `build` "
                               f"importable in a fresh interpreter?):\n{value}")
        else:
            chunk = worker.chunks[0]
            chunk.remove(next(item for item in chunk if item[0] == value))
            if not chunk:
                worker.chunks.pop(0)
                send_chunk(worker)
            pending.discard(value)
            on_record(value, record)

    def bury(pool, worker, live):
        """A worker whose pipe closed: the run it was training becomes an error record, the rest of its
        chunks go back to the runs to do, and a new worker takes its place while runs remain."""
        nonlocal replacements
        live.remove(worker)
        if not worker.chunks and worker.fresh and not worker.ready:
            pool.discard(worker)
            raise RuntimeError(
                f"A sweep worker process exited (code {worker.process.exitcode}) before training anything: is "
                "`build` importable in a fresh interpreter (see the traceback above)?")
        exitcode = worker.process.exitcode
        if worker.chunks:
            (lost, config, seed), *rest = worker.chunks[0]
            record = dict(config, seed=seed)
            record["error"] = f"WorkerDied: the worker process training this run exited with code {exitcode}"
            todo.extendleft(reversed(rest + [item for chunk in worker.chunks[1:] for item in chunk]))
            pending.discard(lost)
            on_record(lost, record)
        if todo and replacements > 0:
            replacements -= 1
            new = pool.replace(worker)
            new.connection.send(("sweep", payload))
            live.append(new)
        else:
            pool.discard(worker)

    with session_pool() as pool:
        live = pool.take(count - 1)
        for worker in live:
            worker.connection.send(("sweep", payload))
        started = time.perf_counter()
        train_here()
        size = max(1, round(_CHUNK_SECONDS / max(time.perf_counter() - started, 1e-6)))
        while pending:
            if not live and not todo:
                raise RuntimeError("every sweep worker process exited with runs left to train")
            for connection in multiprocessing.connection.wait([w.connection for w in live],
                                                              0 if todo else None):
                worker = next(w for w in live if w.connection is connection)
                try:
                    message = connection.recv()
                except (EOFError, OSError):
                    bury(pool, worker, live)
                    continue
                handle(worker, message)
            if todo:
                train_here()


BACKENDS = {"serial": serial, "threads": threads, "processes": processes}
# The backends that take ``address`` and ``retries`` (imported when used: Ray and Dask are optional).
CLUSTER_BACKENDS = ("ray", "dask")
