"""Real clusters for test_sweep_ray.py and test_sweep_dask.py: their daemons started as subprocesses of this
test (each in its own process group, stopped by process id), with workers that import an installed copy of
Anneal, not the repository.

The installed copy: the ``anneal`` package copied into a temporary site directory with the library this suite
loads put inside it, where a wheel puts it (``anneal/libanneal.so``). That is what ``pip install`` of the wheel
of ``pip wheel ./python`` lays out, without the minutes of a release build of the Swift library inside a test;
the wheel itself is tested by RelocationTests. The workers get that directory alone on ``PYTHONPATH`` and no
``ANNEAL_LIBRARY``.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time

import helpers  # noqa: F401
from helpers import PYTHON_DIR, REPO

from anneal import _lib


def skip_reason(module, tool):
    """Why the cluster tests cannot run in this interpreter (``module`` not importable, or no command-line
    ``tool`` next to it, as in an embedded interpreter), or None."""
    try:
        __import__(module)
    except ImportError:
        return (f"{module} is not installed for {sys.executable} (swift test runs these tests in a venv with it: "
                "ClusterSweepTests)")
    if not os.path.exists(cli(tool)):
        return f"no {cli(tool)} next to {sys.executable} (an embedded interpreter?)"
    return None


def cli(tool):
    """The command-line ``tool`` (``ray``, ``dask``) of the environment of this interpreter."""
    return os.path.join(os.path.dirname(sys.executable), tool)


def installed_copy(directory):
    """A site directory holding Anneal as a wheel installs it; returns the directory."""
    site = os.path.join(directory, "site")
    shutil.copytree(os.path.join(PYTHON_DIR, "anneal"), os.path.join(site, "anneal"),
                    ignore=shutil.ignore_patterns("__pycache__", "libanneal.so"))
    shutil.copy(_lib.path, os.path.join(site, "anneal", "libanneal.so"))
    return site


def worker_environment(site, **extra):
    """The environment of the cluster's daemons and workers: the installed copy alone on PYTHONPATH."""
    environment = {key: value for key, value in os.environ.items()
                   if key not in ("PYTHONPATH", "ANNEAL_LIBRARY", "RAY_ADDRESS")}
    environment["PYTHONPATH"] = site
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
    """True when ``path`` (a worker's ``anneal.__file__``) is outside the repository."""
    return not os.path.realpath(path).startswith(os.path.realpath(REPO) + os.sep)

