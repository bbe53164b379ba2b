"""The worker processes of ``backend="processes"``, kept between the sweeps of one session.

A worker is a fresh interpreter (``sys.executable``, started with ``subprocess``, not forked: the library's
helper thread and the driver's other threads are not assumed to survive a fork) that imports only what training
needs: this module's ``_worker`` and Anneal's training modules, with numpy as a module imported on first use
(``_LazyModule``: the sweep's data reach the worker as float32 bytes, so the tutorial's runs never import it).
Measured until its first record of the tutorial's sweep: about 0.05 s of CPU with compiled bytecode (0.10 s
without), where a ``multiprocessing`` spawn worker took 0.18 s (0.22 s) plus a resource-tracker process (about
0.05 s) and a re-import of the driver's main script. The main script is imported here (as ``multiprocessing``
does, under the name ``__mp_main__``) only when the pickled ``build`` refers to it.

Starting a worker still costs as much as training tens of the tutorial's runs, so the workers of a sweep stay,
idle, for the next sweep of the same process (as loky's reusable executor does), and are started again only
when what they were started with changed: the interpreter and its flags, the environment (``ANNEAL_LIBRARY``,
``ANNEAL_KERNELS``...), ``sys.path`` or the working directory. An idle worker exits after ``_IDLE_SECONDS``, when
its parent is gone, or at the parent's exit (``atexit``). A sweep interrupted by an exception (Ctrl-C, a full
disk) ends its workers: they may be in the middle of a chunk.

The protocol, one socket pair per worker (the driver's end a ``multiprocessing.connection.Connection``, read
with ``multiprocessing.connection.wait``; the worker frames its messages the same way: a 4-byte big-endian
length, or -1 and an 8-byte one, then the pickle):

- driver -> worker: ``(sys.path, whether the driver imported numpy)`` (once, first), ``("sweep", payload,
  main)`` (the pickled ``build, x, y, fit_kwargs, keep_history``, ``x`` and ``y`` as ``shipped`` makes them,
  and how to import the driver's main script when the payload refers to it, or
  None), ``("chunk", runs)``, ``None`` (exit);
- worker -> driver: ``("ready", None, None)`` once a sweep's payload is unpickled, ``("failed", message,
  None)`` when it cannot be, ``("record", index, record)`` as each run ends, sent synchronously so that what a
  worker sent is there even if it dies right after.
"""

import atexit
import os
import sys
import threading

__all__ = ["Pool", "cpu_count", "session_pool", "shutdown"]

# An idle worker checks this often whether its parent is gone (killed), and then exits.
_POLL_SECONDS = 0.5
# An idle worker exits after this long without a sweep, giving its memory back (about 60 MB with numpy).
_IDLE_SECONDS = 300.0
# Set in a worker's environment (its own, not its parent's): a build function may check it.
WORKER_VARIABLE = "ANNEAL_SWEEP_WORKER"


def cpu_count():
    """The CPUs this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


class _Channel:
    """The worker's end of its socket: ``multiprocessing.connection``'s framing, without its imports."""

    def __init__(self, fd):
        import struct

        self.fd, self.struct = fd, struct

    def _read(self, count):
        chunks = []
        while count:
            chunk = os.read(self.fd, min(count, 1 << 20))
            if not chunk:
                raise EOFError
            chunks.append(chunk)
            count -= len(chunk)
        return b"".join(chunks)

    def poll(self, seconds):
        import select

        return bool(select.select([self.fd], [], [], seconds)[0])

    def recv(self):
        import pickle

        size, = self.struct.unpack("!i", self._read(4))
        if size == -1:
            size, = self.struct.unpack("!Q", self._read(8))
        return pickle.loads(self._read(size))

    def send(self, message):
        import pickle

        data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        header = (self.struct.pack("!i", len(data)) if len(data) <= 0x7FFFFFFF
                  else self.struct.pack("!iQ", -1, len(data)))
        view = memoryview(header + data)
        while view:
            view = view[os.write(self.fd, view):]


class _LazyModule(type(os)):
    """A module that imports itself on first use: ``sys.modules[name]`` until then, with the real module's
    ``__name__`` and ``__spec__`` (so that ``import name`` finds it there, as ``importlib`` checks the spec);
    any other attribute imports the real module, puts it in ``sys.modules`` and copies its namespace here, so
    that what imported this one sees the real module's attributes."""

    def __getattr__(self, attribute):
        name = self.__name__
        if sys.modules.get(name) is self:
            del sys.modules[name]
        import importlib

        real = importlib.import_module(name)
        self.__dict__.update(real.__dict__)
        return getattr(real, attribute)


def _lazy_numpy():
    """numpy, when installed, as a module imported on first use (``_LazyModule``): Anneal's modules import it
    and see it installed, exactly as in the driver, but a worker whose runs never use it (their data arrive as
    a ``Matrix``) skips its import, most of a worker's start-up. Anything that uses numpy (a build function, a
    numpy array in ``validation_data``) imports it then."""
    if "numpy" in sys.modules:
        return
    import importlib.util

    try:
        spec = importlib.util.find_spec("numpy")
    except (ImportError, ValueError):
        return
    if spec is None:
        return
    module = _LazyModule("numpy")
    module.__spec__ = spec
    sys.modules["numpy"] = module


def shipped(matrix):
    """A ``Matrix`` as a worker receives it: rows, columns and the float32 values' bytes (no numpy needed to
    unpickle them); ``_arrays.matrix_from_bytes`` makes it a ``Matrix`` again."""
    return matrix.rows, matrix.columns, matrix.owner.tobytes()


def _worker(fd, parent):
    """A worker process: unpickles each sweep's payload and trains the chunks it is sent on one thread,
    sending each record as its run ends; exits on None, when idle too long, or when its parent is gone."""
    # The library reads ANNEAL_THREADS at its first training call (anneal.h): one thread per worker, since the
    # workers already share the CPUs between them.
    os.environ["ANNEAL_THREADS"] = "1"
    os.environ[WORKER_VARIABLE] = "1"
    # Ctrl-C reaches the whole foreground process group: the driver decides what its workers do (a sweep
    # interrupted there stops them), and a worker prints no traceback of its own.
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    connection = _Channel(fd)
    payload = None
    main_ready = False
    idle = 0.0
    try:
        sys.path[:], numpy_in_driver = connection.recv()
        if numpy_in_driver:  # else numpy is not installed, or broken: the worker finds the same
            _lazy_numpy()
        from .._arrays import matrix_from_bytes
        from .runs import run_one

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
            kind, value = message[0], message[1]
            if kind == "sweep":
                import pickle
                import traceback

                try:
                    if message[2] is not None and not main_ready:
                        import multiprocessing.spawn

                        multiprocessing.spawn.prepare(message[2])  # the driver's main script as __mp_main__
                        main_ready = True
                    build, x, y, fit_kwargs, keep_history = pickle.loads(value)
                    payload = build, matrix_from_bytes(*x), matrix_from_bytes(*y), fit_kwargs, keep_history
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


# What a worker runs: the package's folder first on sys.path (the driver's sys.path replaces it once read), then
# this module alone (importing ``anneal.sweep`` would import its package's modules for the driver).
_BOOT = ("import sys; sys.path.insert(0, sys.argv[1]); import anneal.sweep.pool as p; "
         "p._worker(int(sys.argv[2]), int(sys.argv[3]))")


# The finders of an interpreter whose imports need nothing from site's .pth files but sys.path (setuptools'
# distutils shim, installed by a .pth in most environments, only redirects `import distutils`).
_STANDARD_FINDERS = {"BuiltinImporter", "FrozenImporter", "PathFinder", "DistutilsMetaFinder"}
_STANDARD_PATH_HOOKS = {"zipimporter", "path_hook_for_FileFinder"}


def _interpreter_flags():
    """``-S`` (no ``site``) when this interpreter imports through the standard finders alone: a worker then
    finds everything through the driver's ``sys.path``, which replaces its own, and skips the .pth files'
    imports, which can be most of an interpreter's start-up (a .pth that imports certifi, say). An import hook
    that a .pth installs (an editable install's finder) needs ``site``, and gets it."""
    finders = {getattr(finder, "__name__", type(finder).__name__) for finder in sys.meta_path}
    hooks = {getattr(hook, "__name__", type(hook).__name__) for hook in sys.path_hooks}
    return ["-S"] if finders <= _STANDARD_FINDERS and hooks <= _STANDARD_PATH_HOOKS else []


def _key():
    """What a worker inherits when it starts and keeps afterwards: a pool started under another key is stale."""
    return (os.getpid(), sys.executable, tuple(_interpreter_flags()), tuple(sorted(os.environ.items())),
            tuple(sys.path), os.getcwd())


def main_preparation(payload):
    """How a worker imports the driver's main script (``multiprocessing.spawn.prepare``'s data), when the
    pickled ``payload`` refers to it; else None."""
    if b"__main__" not in payload:
        return None
    import multiprocessing.spawn

    data = multiprocessing.spawn.get_preparation_data("anneal-sweep")
    return {key: data[key] for key in ("init_main_from_name", "init_main_from_path") if key in data} or None


class _Process:
    """A worker's process (``subprocess.Popen``) with the few calls the pool makes."""

    def __init__(self, popen):
        self.popen = popen
        self.pid = popen.pid

    def is_alive(self):
        return self.popen.poll() is None

    def join(self, seconds=None):
        import subprocess

        try:
            self.popen.wait(seconds)
        except subprocess.TimeoutExpired:
            pass

    @property
    def exitcode(self):
        return self.popen.poll()

    def terminate(self):
        if self.popen.poll() is None:
            self.popen.terminate()


class Worker:
    """One worker process, the driver's end of its socket, and the chunks it was sent and has not finished
    (``chunks``, oldest first; each a list of runs whose records have not arrived)."""

    def __init__(self):
        import multiprocessing.connection
        import socket
        import subprocess

        mine, theirs = socket.socketpair()
        try:
            package = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
            popen = subprocess.Popen([sys.executable, *_interpreter_flags(), "-c", _BOOT, package,
                                      str(theirs.fileno()), str(os.getpid())],
                                     stdin=subprocess.DEVNULL, pass_fds=(theirs.fileno(),))
        except BaseException:
            mine.close()
            raise
        finally:
            theirs.close()  # the worker holds it now: the socket reads as closed when the worker is gone
        self.connection = multiprocessing.connection.Connection(mine.detach())
        self.process = _Process(popen)
        self.chunks = []
        self.ready = False
        self.fresh = True  # started for the current sweep (not taken from an earlier one)
        self.connection.send((list(sys.path), "numpy" in sys.modules))

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
    """Worker processes (see above)."""

    def __init__(self):
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
            self.workers.append(Worker())
        return self.workers[:count]

    def replace(self, worker):
        """A new worker in place of ``worker``, which died."""
        worker.connection.close()
        worker.process.join(5)
        self.workers.remove(worker)
        new = Worker()
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
