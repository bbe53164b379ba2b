"""The worker processes of ``backend="processes"``, kept between the sweeps of one session.

Starting a worker costs a fresh interpreter that imports numpy and Anneal: about 0.25 s of CPU, as much as
training seventy of the tutorial's runs. So the workers of a sweep stay, idle, for the next sweep of the same
process (as loky's reusable executor does), and are started again only when what they were started with
changed: the interpreter, the environment (``ANNEAL_LIBRARY``, ``ANNEAL_KERNELS``...), ``sys.path`` or the
working directory. An idle worker exits after ``_IDLE_SECONDS``, when its parent is gone, or at the parent's
exit (``atexit``). A sweep interrupted by an exception (Ctrl-C, a full disk) ends its workers: they may be in the
middle of a chunk.

The protocol, one duplex pipe per worker (the driver's end read with ``multiprocessing.connection.wait``):

- driver -> worker: ``("sweep", payload)`` (the pickled ``build, x, y, fit_kwargs, keep_history``),
  ``("chunk", runs)``, ``None`` (exit);
- worker -> driver: ``("ready", None, None)`` once a sweep's payload is unpickled, ``("failed", message,
  None)`` when it cannot be, ``("record", index, record)`` as each run ends, sent synchronously so that what a
  worker sent is there even if it dies right after.
"""

import atexit
import os
import pickle
import sys
import threading
import traceback

from .runs import run_one

__all__ = ["Pool", "cpu_count", "session_pool", "shutdown"]

# An idle worker checks this often whether its parent is gone (killed), and then exits.
_POLL_SECONDS = 0.5
# An idle worker exits after this long without a sweep, giving its memory back (about 60 MB with numpy).
_IDLE_SECONDS = 300.0


def cpu_count():
    """The CPUs this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _worker(connection, parent):
    """A worker process: unpickles each sweep's payload and trains the chunks it is sent on one thread,
    sending each record as its run ends; exits on None, when idle too long, or when its parent is gone."""
    # The library reads ANNEAL_THREADS at its first training call (anneal.h): one thread per worker, since the
    # workers already share the CPUs between them.
    os.environ["ANNEAL_THREADS"] = "1"
    payload = None
    idle = 0.0
    try:
        while True:
            if not connection.poll(_POLL_SECONDS):
                idle += _POLL_SECONDS
                if os.getppid() != parent or idle >= _IDLE_SECONDS:
                    return
                continue
            idle = 0.0
            message = connection.recv()
            if message is None:
                return
            kind, value = message
            if kind == "sweep":
                try:
                    payload = pickle.loads(value)
                except Exception:
                    payload = None
                    connection.send(("failed", traceback.format_exc(), None))
                else:
                    connection.send(("ready", None, None))
            elif payload is not None:
                build, x, y, fit_kwargs, keep_history = payload
                for index, config, seed in value:
                    connection.send(("record", index, run_one(build, config, seed, x, y, fit_kwargs,
                                                                keep_history)))
    except (BrokenPipeError, EOFError, ConnectionResetError):
        return  # the parent is gone (killed): nobody is left to take the records


def _key():
    """What a worker inherits when it starts and keeps afterwards: a pool started under another key is stale."""
    return (os.getpid(), sys.executable, tuple(sorted(os.environ.items())), tuple(sys.path), os.getcwd())


class Worker:
    """One worker process, the driver's end of its pipe, and the chunks it was sent and has not finished
    (``chunks``, oldest first; each a list of runs whose records have not arrived)."""

    def __init__(self, context):
        self.connection, child = context.Pipe(duplex=True)
        self.process = context.Process(target=_worker, args=(child, os.getpid()), daemon=True,
                                       name="anneal-sweep")
        self.process.start()
        child.close()  # the worker holds it now: the pipe reads as closed when the worker is gone
        self.chunks = []
        self.ready = False
        self.fresh = True  # started for the current sweep (not taken from an earlier one)

    def stop(self, seconds):
        """Asks the worker to exit, waits ``seconds``, then terminates it."""
        try:
            self.connection.send(None)
        except OSError:
            pass
        self.process.join(seconds)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(5)
        self.connection.close()


class Pool:
    """Worker processes started with multiprocessing's ``spawn`` (a fresh interpreter: the library's helper
    thread is not assumed to survive a fork)."""

    def __init__(self):
        import multiprocessing

        self.context = multiprocessing.get_context("spawn")
        self.key = _key()
        self.workers = []

    def take(self, count):
        """``count`` live workers for a new sweep: kept ones first, then new ones."""
        alive = []
        for worker in self.workers:
            if worker.process.is_alive():
                alive.append(worker)
            else:
                worker.connection.close()
                worker.process.join(0)
        for worker in alive:
            worker.chunks, worker.ready, worker.fresh = [], False, False
        self.workers = alive
        while len(self.workers) < count:
            self.workers.append(Worker(self.context))
        return self.workers[:count]

    def replace(self, worker):
        """A new worker in place of ``worker``, which died."""
        worker.connection.close()
        worker.process.join(5)
        self.workers.remove(worker)
        new = Worker(self.context)
        self.workers.append(new)
        return new

    def discard(self, worker):
        worker.connection.close()
        worker.process.join(5)
        self.workers.remove(worker)

    def close(self, seconds=5.0):
        for worker in self.workers:
            worker.stop(seconds)
        self.workers = []


_lock = threading.Lock()
_pool = None


class session_pool:
    """``with session_pool() as pool``: the session's pool, or (while another thread's sweep holds it) a pool
    for this sweep alone. A stale pool (see ``_key``) is closed and a new one started; after an exception the
    pool is closed, since its workers may be in the middle of a chunk."""

    def __enter__(self):
        global _pool
        self.shared = _lock.acquire(blocking=False)
        if not self.shared:
            self.pool = Pool()
            return self.pool
        if _pool is not None and _pool.key != _key():
            if _pool.key[0] == os.getpid():
                _pool.close()
            _pool = None  # after a fork: the workers are the parent's, not ours to stop
        if _pool is None:
            _pool = Pool()
        self.pool = _pool
        return self.pool

    def __exit__(self, kind, error, trace):
        global _pool
        try:
            if kind is not None or not self.shared:
                self.pool.close(0 if kind is not None else 5)
                if self.shared:
                    _pool = None
        finally:
            if self.shared:
                _lock.release()
        return False


def shutdown():
    """Stops the session's idle workers (also done at exit); the next ``processes`` sweep starts new ones."""
    global _pool
    with _lock:
        if _pool is not None and _pool.key[0] == os.getpid():
            _pool.close()
        _pool = None


atexit.register(shutdown)
