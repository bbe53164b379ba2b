"""Where a sweep's runs train: ``serial``, ``threads`` or ``processes``.

A backend is a function ``(build, runs, x, y, fit_kwargs, keep_history, workers, on_record)``: it trains every
``(index, config, seed)`` of ``runs`` and calls ``on_record(index, record)`` in the calling process as each run
ends, in whatever order they end. Each run's record depends on the run alone (``runs.run_one``), so every
backend gives the same records bit for bit. A cluster backend ships chunks of runs to ``runs._run_chunk``.
"""

import math
import os
import pickle
import queue
import sys
import threading

from .runs import _run_chunk, run_one

__all__ = ["BACKENDS"]

# A worker process checks this often whether its parent is gone (killed), and then exits.
_POLL_SECONDS = 0.5
# Chunks per worker: small enough to balance the load, big enough to cost few messages.
_CHUNKS_PER_WORKER = 4


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


def _worker(tasks, results, build, x, y, fit_kwargs, keep_history, parent):
    """A worker process: trains the chunks it takes from ``tasks`` on one thread, sending each record through
    ``results`` (its own pipe, written synchronously, so that what it sent is there even if it dies) as its run
    ends; exits on None, or when its parent is gone."""
    # The library reads ANNEAL_THREADS at its first training call (anneal.h): one thread per worker, since the
    # workers already share the CPUs between them.
    os.environ["ANNEAL_THREADS"] = "1"

    def send(index, record):
        results.send(("record", index, record))

    try:
        while True:
            try:
                task = tasks.get(timeout=_POLL_SECONDS)
            except queue.Empty:
                if os.getppid() != parent:
                    return
                continue
            if task is None:
                return
            chunk_id, chunk = task
            results.send(("begin", chunk_id, None))
            _run_chunk(build, chunk, x, y, fit_kwargs, keep_history, send)
            if os.getppid() != parent:
                return
    except (BrokenPipeError, EOFError):
        return  # the parent is gone (killed): nobody is left to take the records


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
    """``workers`` processes (default: the CPUs this process may use), each training on one thread
    (``ANNEAL_THREADS=1``), take chunks of runs. They are started with multiprocessing's ``spawn`` (a fresh
    interpreter: the library's threads are not assumed to survive a fork), so ``build`` must be picklable: a
    function defined at module level of an importable module, or of the main script under
    ``if __name__ == "__main__":``. A worker that dies (a crash, a kill) turns the run it was training into an
    error record and is replaced; the rest of its chunk goes to the others."""
    import multiprocessing
    import multiprocessing.connection

    try:
        pickle.dumps(build)
    except Exception as error:
        raise TypeError(f"backend='processes' sends `build` to worker processes by pickling it, which failed "
                        f"({type(error).__name__}: {error}); define it at module level (not a lambda or a nested "
                        "function), or use backend='threads' or 'serial'") from None
    _check_interpreter()
    count = min(workers or cpu_count(), len(runs))
    size = max(1, math.ceil(len(runs) / (count * _CHUNKS_PER_WORKER)))
    chunks = {chunk_id: runs[start:start + size] for chunk_id, start in enumerate(range(0, len(runs), size))}
    context = multiprocessing.get_context("spawn")
    tasks = context.Queue()
    for chunk_id, chunk in chunks.items():
        tasks.put((chunk_id, chunk))
    pending = {index for index, _, _ in runs}
    workers_ = {}  # the pipe each worker sends on -> [process, chunk id or None, indices not reported yet]
    replacements = len(runs)

    def start():
        receiver, sender = context.Pipe(duplex=False)
        process = context.Process(target=_worker, args=(tasks, sender, build, x, y, fit_kwargs, keep_history,
                                                        os.getpid()), daemon=True, name="anneal-sweep")
        process.start()
        sender.close()  # the worker holds it now: the pipe reads as closed when the worker is gone
        workers_[receiver] = [process, None, []]

    def handle(receiver, message):
        kind, value, record = message
        state = workers_[receiver]
        if kind == "begin":
            state[1], state[2] = value, [index for index, _, _ in chunks[value]]
        elif value in pending:
            pending.discard(value)
            if value in state[2]:
                state[2].remove(value)
            on_record(value, record)

    def bury(receiver):
        """A worker whose pipe closed: the run it was training becomes an error record, the rest of its chunk
        goes back to the queue, and a new worker takes its place while runs remain."""
        nonlocal replacements
        process, chunk_id, unreported = workers_.pop(receiver)
        receiver.close()
        process.join(5)
        if chunk_id is None:
            raise RuntimeError(
                f"A sweep worker process exited (code {process.exitcode}) before training anything: is `build` "
                "importable in a fresh interpreter (see the traceback above)?")
        if unreported and pending:
            lost = unreported[0]
            item = next(item for item in chunks[chunk_id] if item[0] == lost)
            record = dict(item[1], seed=item[2])
            record["error"] = f"WorkerDied: the worker process training this run exited with code {process.exitcode}"
            pending.discard(lost)
            on_record(lost, record)
            rest = [item for item in chunks[chunk_id] if item[0] in unreported[1:]]
            if rest:
                chunks[chunk_id] = rest
                tasks.put((chunk_id, rest))
        if pending and replacements > 0:
            replacements -= 1
            start()

    try:
        for _ in range(count):
            start()
        while pending:
            if not workers_:
                raise RuntimeError("every sweep worker process exited with runs left to train")
            for receiver in multiprocessing.connection.wait(list(workers_)):
                try:
                    message = receiver.recv()
                except EOFError:
                    bury(receiver)
                    continue
                handle(receiver, message)
        for _ in workers_:
            tasks.put(None)
        for process, _, _ in workers_.values():
            process.join(5)
    finally:
        for receiver, (process, _, _) in workers_.items():
            if process.is_alive():
                process.terminate()
                process.join(5)
            receiver.close()
        tasks.close()
        tasks.cancel_join_thread()


BACKENDS = {"serial": serial, "threads": threads, "processes": processes}
