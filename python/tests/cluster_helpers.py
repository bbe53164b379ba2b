"""Real clusters for test_sweep_ray.py and test_sweep_dask.py: their daemons started as subprocesses of this
test (each in its own process group, stopped by process id), with workers that import the installed wheel of
Anneal, not the repository.

The installed wheel: ``pip wheel ./python``'s, installed into the environment of the interpreter running these
tests (``ClusterSweepTests`` builds and installs it there, and points ``ANNEAL_LIBRARY`` at its
``libanneal.so``, so that the driver's records come from the same library as the workers'). The daemons get no
``PYTHONPATH`` and no ``ANNEAL_LIBRARY``: their workers import that copy, as a user's nodes would.
"""

import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

import helpers  # noqa: F401
from helpers import PYTHON_DIR

from anneal import _lib


def installed_anneal():
    """The folder of the ``anneal`` package installed in this interpreter's environment, as ``python -I`` finds
    it (neither ``PYTHONPATH`` nor the working directory on ``sys.path``), or None when there is none outside
    the repository's ``python/`` folder."""
    run = subprocess.run([sys.executable, "-I", "-c", "import anneal, os; print(os.path.dirname(os.path.abspath("
                          "anneal.__file__)))"], capture_output=True, text=True, cwd=tempfile.gettempdir())
    folder = run.stdout.strip()
    return folder if run.returncode == 0 and folder and not_the_repository(folder) else None


def skip_reason(module, tool):
    """Why the cluster tests cannot run in this interpreter (``module`` not importable, no command-line ``tool``
    next to it, as in an embedded interpreter, or no installed wheel of Anneal whose library this process
    loads), or None."""
    try:
        __import__(module)
    except ImportError:
        return (f"{module} is not installed for {sys.executable} (swift test runs these tests in a venv with it: "
                "ClusterSweepTests)")
    if not os.path.exists(cli(tool)):
        return f"no {cli(tool)} next to {sys.executable} (an embedded interpreter?)"
    installed = installed_anneal()
    if installed is None:
        return (f"no anneal installed for {sys.executable} outside the repository's python/: pip wheel ./python, "
                "then pip install the wheel there (ClusterSweepTests does)")
    library = os.path.join(installed, "libanneal.so")
    if os.path.realpath(_lib.path) != os.path.realpath(library):
        return f"this process loads {_lib.path}, not the installed wheel's library: set ANNEAL_LIBRARY={library}"
    return None


def cli(tool):
    """The command-line ``tool`` (``ray``, ``dask``) of the environment of this interpreter."""
    return os.path.join(os.path.dirname(sys.executable), tool)


def worker_environment(**extra):
    """The environment of the cluster's daemons and workers: no PYTHONPATH, so that they import the installed
    wheel."""
    environment = {key: value for key, value in os.environ.items()
                   if key not in ("PYTHONPATH", "ANNEAL_LIBRARY", "RAY_ADDRESS")}
    environment.update(extra)
    return environment


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start(arguments, environment, log):
    """A daemon in its own process group (so that stopping it reaches the processes it started)."""
    return subprocess.Popen(arguments, env=environment, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True, cwd=os.path.dirname(log.name))


def stop(process, grace=20):
    """SIGTERM to the daemon's process group (its id is the daemon's), then SIGKILL to what is left."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            process.wait(grace)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait(10)


def wait_for_port(port, process, log, seconds=120):
    """Waits until the daemon ``process`` listens on ``port``; fails with its log when it exits first."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.flush()
            raise AssertionError(f"the daemon exited with code {process.returncode}:\n{open(log.name).read()}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise AssertionError(f"nothing listens on port {port} after {seconds} s")


def kill_a_worker_once_it_trains(pids, driver, deadline_seconds=120):
    """Waits until a worker process (not the driver) has started a run (sweep_builds writes its pid into
    ``pids``), SIGKILLs it, and returns its pid."""
    deadline = time.monotonic() + deadline_seconds
    while time.monotonic() < deadline:
        for name in os.listdir(pids):
            pid = int(name)
            if pid != driver and os.path.exists(f"/proc/{pid}"):
                os.kill(pid, signal.SIGKILL)
                return pid
        time.sleep(0.01)
    raise AssertionError("no worker started a run")


def run_while_a_worker_is_killed(pids, run):
    """Clears the pid files in ``pids``, then calls ``run()`` while another thread kills one worker process
    once it trains; returns ``run()``'s result after checking that a worker was killed."""
    for name in os.listdir(pids):
        os.remove(os.path.join(pids, name))
    killed = []
    killer = threading.Thread(target=lambda: killed.append(kill_a_worker_once_it_trains(str(pids), os.getpid())))
    killer.start()
    result = run()
    killer.join()
    assert killed, "no worker was killed"
    return result


def not_the_repository(path):
    """True when ``path`` (a worker's ``anneal.__file__``, or its folder) is not in the repository's ``python/``
    folder, the package's source (an installed copy may be elsewhere in the repository: swift test's venv is in
    ``.build``)."""
    return not (os.path.realpath(path) + os.sep).startswith(os.path.realpath(PYTHON_DIR) + os.sep)
