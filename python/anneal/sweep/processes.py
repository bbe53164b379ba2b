"""``backend="processes"``: this process and ``workers - 1`` worker processes (``pool``) train the runs.

Starting a worker costs about 0.05 s of CPU (a fresh interpreter importing Anneal's training modules; ``pool``), as
much as fifteen of the tutorial's runs, so this process does not wait for its workers: its main thread trains runs
one at a time from the start, while the workers boot and then alongside them, and a dispatcher thread reads the
workers' records as they come and sends each worker its next chunk. The first run (trained here) is timed, and a
worker's chunk holds about ``_CHUNK_SECONDS`` of runs, fewer near the end of the sweep (a share of what is left per
trainer) so that every trainer finishes at about the same time. A worker holds ``_CHUNKS_AHEAD`` chunks at once, so
it never waits for the dispatcher between two of them.

While it trains beside its workers, this thread computes alone (``runs.training_alone``): the library's helper
thread would only take CPU from them. Until the first worker is ready, a CPU that worker will use would stay idle,
so a second thread of this process trains short runs there meanwhile (``_train_while_workers_boot``).

A worker that dies (a crash, a kill) turns the run it was training into an error record (a crash that a run
causes would happen again) and is replaced while runs remain; the rest of its chunks go back to be trained.
"""

import collections
import os
import pickle
import sys
import threading
import time

from .._arrays import as_matrix
from .pool import cpu_count, main_preparation, session_pool, shipped
from .runs import run_one, training_alone

__all__ = ["processes"]

# The training time a worker's chunk aims at, in seconds: a chunk costs two pipe messages and a pickled list
# of runs (tens of microseconds), so much shorter chunks would spend a visible share on messages, and much
# longer ones balance poorly at the end of a sweep.
_CHUNK_SECONDS = 0.05
# At most this many runs per chunk, so that a chunk's message stays far below a pipe's buffer (64 kB on
# Linux) and sending it never waits for a worker that is itself sending a record.
_MAX_CHUNK_RUNS = 32
# Chunks a worker holds at once: it starts the next one without waiting for the dispatcher.
_CHUNKS_AHEAD = 2
# The dispatcher checks this often whether the sweep was stopped (Ctrl-C in the main thread).
_POLL_SECONDS = 0.1
# Runs shorter than this (the first run's time) are also trained by a second thread while the workers boot: a
# worker takes tens of milliseconds to be ready, and Ctrl-C waits for that thread's run in flight.
_BOOT_RUN_SECONDS = 0.02


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


def _send(worker, message):
    """Sends ``message`` to ``worker``; False when the worker is gone (its end of the pipe then reads as
    closed, and the dispatcher buries it)."""
    try:
        worker.connection.send(message)
        return True
    except OSError:
        return False


class _Sweep:
    """The runs to do and the workers' state, shared by the main thread (which trains) and the dispatcher
    thread (which talks to the workers) under ``changed``'s lock."""

    def __init__(self, build, runs, x, y, fit_kwargs, keep_history, count, on_record, payload):
        import multiprocessing.connection

        self.wait = multiprocessing.connection.wait
        self.arguments = (x, y, fit_kwargs, keep_history)
        self.build, self.count, self.on_record, self.payload = build, count, on_record, payload
        self.todo = collections.deque(runs)
        self.pending = {index for index, _, _ in runs}
        self.changed = threading.Condition()
        self.failure = None
        self.stopping = False
        self.size = 1  # runs per chunk, set from the first run's time
        self.replacements = len(runs)
        self.live = []
        # The main thread wakes the dispatcher through this pipe when the sweep ends or stops.
        self.wake_reader, self.wake_writer = multiprocessing.connection.Pipe(duplex=False)

    # --- The main thread ---

    def next_run(self):
        """The next run for this process to train, or None when every run has its record or the sweep
        stopped."""
        with self.changed:
            while True:
                if self.failure is not None:
                    raise self.failure
                if self.stopping:
                    return None
                if self.todo:
                    return self.todo.popleft()
                if not self.pending:
                    return None
                self.changed.wait()

    def train(self, item):
        index, config, seed = item
        record = run_one(self.build, config, seed, *self.arguments)
        self.done(index, record)

    def done(self, index, record):
        self.on_record(index, record)
        with self.changed:
            self.pending.discard(index)
            self.changed.notify_all()

    def stop(self):
        with self.changed:
            self.stopping = True
            self.changed.notify_all()
        self.wake_writer.send(None)

    def a_worker_is_ready(self):
        with self.changed:
            return any(worker.ready for worker in self.live)

    def fail(self, error):
        """Ends the sweep with ``error``, raised by the main thread."""
        with self.changed:
            if self.failure is None:
                self.failure = error
            self.changed.notify_all()

    # --- The dispatcher thread ---

    def dispatch(self, pool):
        try:
            while True:
                with self.changed:
                    if self.stopping or not self.pending:
                        return
                    live = list(self.live)
                for connection in self.wait([w.connection for w in live] + [self.wake_reader], _POLL_SECONDS):
                    if connection is self.wake_reader:
                        return
                    worker = next(w for w in live if w.connection is connection)
                    try:
                        message = connection.recv()
                    except (EOFError, OSError):
                        self.bury(pool, worker)
                        continue
                    self.handle(worker, message)
        except BaseException as error:  # on_record's (a full disk) or a worker's failure: raised by the caller
            self.fail(error)

    def send_chunk(self, worker):
        """A chunk of at most ``size`` runs, and fewer near the end: a share of what is left per trainer."""
        with self.changed:
            if not self.todo:
                return
            take = max(1, min(self.size, len(self.todo) // (2 * self.count)))
            chunk = [self.todo.popleft() for _ in range(min(take, len(self.todo)))]
        if _send(worker, ("chunk", chunk)):
            worker.chunks.append(chunk)
        else:
            with self.changed:
                self.todo.extendleft(reversed(chunk))

    def handle(self, worker, message):
        kind, value, record = message
        if kind == "ready":
            if worker.ready:  # the previous sweep's, unread when that sweep ended: chunks were sent already
                return
            worker.ready = True
            for _ in range(_CHUNKS_AHEAD):
                self.send_chunk(worker)
        elif kind == "failed":
            raise RuntimeError(f"A sweep worker process could not unpickle `build` and the data (is `build` "
                               f"importable in a fresh interpreter?):\n{value}")
        else:
            chunk = worker.chunks[0]
            chunk.remove(next(item for item in chunk if item[0] == value))
            if not chunk:
                worker.chunks.pop(0)
                self.send_chunk(worker)
            self.done(value, record)

    def bury(self, pool, worker):
        """A worker whose pipe closed: the run it was training becomes an error record, the rest of its
        chunks go back to the runs to do, and a new worker takes its place while runs remain."""
        with self.changed:
            self.live.remove(worker)
        worker.process.join(5)  # its pipe closes a moment before it can be reaped with its exit code
        if not worker.chunks and worker.fresh and not worker.ready:
            pool.discard(worker)
            raise RuntimeError(
                f"A sweep worker process exited (code {worker.process.exitcode}) before training anything: is "
                "`build` importable in a fresh interpreter (see the traceback above)?")
        exitcode = worker.process.exitcode
        if worker.chunks:
            (lost, config, seed), *rest = worker.chunks[0]
            with self.changed:
                self.todo.extendleft(reversed(rest + [item for chunk in worker.chunks[1:] for item in chunk]))
                self.changed.notify_all()
            record = dict(config, seed=seed)
            record["error"] = f"WorkerDied: the worker process training this run exited with code {exitcode}"
            self.done(lost, record)
        with self.changed:
            replace = bool(self.todo) and self.replacements > 0
            self.replacements -= replace
        if replace:
            new = pool.replace(worker)
            _send(new, ("sweep",) + self.payload)
            with self.changed:
                self.live.append(new)
        else:
            pool.discard(worker)


def _train_while_workers_boot(sweep):
    """A second trainer in this process, on the CPU that a booting worker will use: it takes runs as the main
    thread does until a worker is ready (or no run is left), computing alone like it."""
    try:
        with training_alone():
            while not sweep.a_worker_is_ready():
                item = sweep.next_run()
                if item is None:
                    return
                sweep.train(item)
    except BaseException as error:  # on_record's (a full disk): raised by the main thread
        sweep.fail(error)


def processes(build, runs, x, y, fit_kwargs, keep_history, workers, on_record):
    """``workers`` trainers (default: the CPUs this process may use): this process and ``workers - 1`` worker
    processes, each training on one thread (the workers with ``ANNEAL_THREADS=1``, this thread without the
    library's helper thread while it trains beside them). The workers are fresh interpreters kept for the next
    sweep of the session (``pool``), so ``build`` must be picklable: a function defined at module level of an
    importable module, or of the main script under ``if __name__ == "__main__":``."""
    try:
        payload = pickle.dumps((build, shipped(as_matrix(x, "x")), shipped(as_matrix(y, "y")), fit_kwargs,
                                keep_history), protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as error:
        raise TypeError(f"backend='processes' sends `build` to worker processes by pickling it, which failed "
                        f"({type(error).__name__}: {error}); define it at module level (not a lambda or a nested "
                        "function), or use backend='threads' or 'serial'") from None
    count = min(workers or cpu_count(), len(runs))
    if count > 1:
        _check_interpreter()
    sweep = _Sweep(build, runs, x, y, fit_kwargs, keep_history, count, on_record,
                   (payload, main_preparation(payload) if count > 1 else None))
    try:
        with session_pool() as pool, training_alone(count > 1):
            sweep.live = pool.take(count - 1)
            for worker in sweep.live:
                _send(worker, ("sweep",) + sweep.payload)
            started = time.perf_counter()
            sweep.train(sweep.next_run())
            seconds = max(time.perf_counter() - started, 1e-6)
            sweep.size = max(1, min(_MAX_CHUNK_RUNS, round(_CHUNK_SECONDS / seconds)))
            dispatcher = threading.Thread(target=sweep.dispatch, args=(pool,), name="anneal-sweep-dispatch",
                                          daemon=True)
            dispatcher.start()
            booting = None
            if count > 1 and seconds < _BOOT_RUN_SECONDS and not sweep.a_worker_is_ready():
                booting = threading.Thread(target=_train_while_workers_boot, args=(sweep,),
                                           name="anneal-sweep-boot", daemon=True)
                booting.start()
            try:
                while (item := sweep.next_run()) is not None:
                    sweep.train(item)
            finally:
                sweep.stop()
                dispatcher.join()
                if booting is not None:
                    booting.join()  # its run in flight, short like the first run
            if sweep.failure is not None:
                raise sweep.failure
    finally:
        sweep.wake_reader.close()
        sweep.wake_writer.close()
