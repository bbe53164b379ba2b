"""Ctrl-C during fit raises KeyboardInterrupt within one epoch and leaves the model usable."""

import helpers  # noqa: F401  first: puts python/ on sys.path whatever runs the tests

import os
import signal
import subprocess
import sys
import threading
import time

import pytest

import anneal
from helpers import all_finite, ionosphere, to_list, tutorial_model


def _deliverable_sigint():
    """Skips unless a SIGINT sent now reaches Python's KeyboardInterrupt handler in this thread; unblocks
    SIGINT, which a parent process (a test runner spawning this one) may have left blocked."""
    if threading.current_thread() is not threading.main_thread():
        pytest.skip("signals are delivered to the main thread only")
    if threading.get_native_id() != os.getpid():
        # An interpreter embedded in another program (swift test) runs us on a worker thread that Python's
        # threading calls "main"; its C-level signal handling belongs to another thread, so a SIGINT would
        # never become a KeyboardInterrupt here.
        pytest.skip("not the process's initial thread: SIGINT is handled by the embedding program's thread")
    if not hasattr(signal, "SIGINT") or signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        pytest.skip("SIGINT is not Python's KeyboardInterrupt here")
    try:
        # Raises ValueError unless this OS thread is the one CPython runs signal handlers in, which in an
        # embedded interpreter may differ from threading.main_thread(): a SIGINT then stays pending and
        # lands in some later thread.
        signal.signal(signal.SIGINT, signal.default_int_handler)
    except ValueError:
        pytest.skip("this thread does not run Python's signal handlers")
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def _sigint_after(seconds):
    """Sends this process a real SIGINT after `seconds`, from a child process rather than a Python thread: a
    thread being started when the signal arrives can take the KeyboardInterrupt in its bootstrap (seen in the
    embedded interpreter under load), which leaves Thread.start() waiting forever. Stop it with .kill()."""
    return subprocess.Popen(["/bin/sh", "-c", f"sleep {seconds}; kill -INT {os.getpid()}"])


def _stop(sender):
    sender.kill()
    sender.wait()


class _Deadline(anneal.callbacks.Callback):
    """Ends a fit that outlives its deadline, so a lost signal fails the test instead of hanging it."""

    def __init__(self, seconds):
        super().__init__()
        self.end = time.monotonic() + seconds

    def on_epoch_end(self, epoch, logs=None):
        if time.monotonic() > self.end:
            self.model.stop_training = True


def _fit_until_sigint(**fit_arguments):
    """The tutorial's time-based model fitted on the ionosphere data until a real SIGINT 0.3 s in raises
    KeyboardInterrupt; returns the model, its x and y, and the seconds the fit lasted."""
    _deliverable_sigint()
    x, y, _ = ionosphere()
    anneal.utils.set_random_seed(1)
    model = tutorial_model("time")
    sender = _sigint_after(0.3)
    started = time.monotonic()
    try:
        with pytest.raises(KeyboardInterrupt):
            model.fit(x, y, validation_split=0.33, batch_size=28, verbose=0, **fit_arguments)
    finally:
        _stop(sender)
    return model, x, y, time.monotonic() - started


def _assert_stopped_between_epochs(model, x):
    iterations = model.optimizer.iterations
    assert iterations > 0 and iterations % 9 == 0  # stopped between epochs
    predictions = to_list(model.predict(x, verbose=0))
    assert len(predictions) == 351 and all_finite(predictions) and all_finite(model.get_weights())


def test_real_sigint_during_a_long_fit():
    model, x, y, seconds = _fit_until_sigint(epochs=1_000_000, callbacks=[_Deadline(20)])
    assert seconds < 30
    _assert_stopped_between_epochs(model, x)
    history = model.fit(x, y, validation_split=0.33, epochs=1, batch_size=28, verbose=0)
    assert len(history.history["loss"]) == 1


def test_sigint_with_batch_hooks():
    _deliverable_sigint()
    x, y, _ = ionosphere()
    model = tutorial_model("time")
    hooks = anneal.callbacks.LambdaCallback(on_batch_end=lambda batch, logs: None)
    sender = _sigint_after(0.3)
    try:
        with pytest.raises(KeyboardInterrupt):
            model.fit(x, y, epochs=1_000_000, batch_size=28, verbose=0, callbacks=[hooks, _Deadline(20)])
    finally:
        _stop(sender)
    assert all_finite(model.get_weights())
    assert len(to_list(model.predict(x[:3], verbose=0))) == 3


def test_real_sigint_during_a_long_fit_without_callbacks():
    # Without callbacks fit trains many epochs per library call, which returns often enough for Ctrl-C. About
    # 10 s uninterrupted: a lost signal fails the test rather than hanging it.
    model, x, _, seconds = _fit_until_sigint(epochs=200_000)
    assert seconds < 5
    _assert_stopped_between_epochs(model, x)


def test_real_sigint_during_a_fit_the_library_runs_in_one_call():
    # Built-in callbacks only (one calling a Python schedule): the whole fit is one library call, and Ctrl-C
    # still ends it at the next epoch's edge, with the handler of SIGINT given back. About 10 s uninterrupted.
    rates = []
    callbacks = [anneal.callbacks.LearningRateScheduler(lambda epoch, rate: rates.append(epoch) or rate),
                 anneal.callbacks.EarlyStopping(monitor="loss", patience=1_000_000)]
    model, x, _, seconds = _fit_until_sigint(epochs=200_000, callbacks=callbacks)
    assert seconds < 5 and rates
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    _assert_stopped_between_epochs(model, x)


_IN_A_SUBINTERPRETER = """
import sys
import _xxsubinterpreters as interpreters

CODE = '''
import signal
import sys
sys.path.insert(0, TESTS)
sys.modules["numpy"] = None  # numpy does not support subinterpreters; anneal works without it
import helpers  # first: puts python/ on sys.path
import anneal
try:
    signal.signal(signal.SIGINT, signal.default_int_handler)
    raise AssertionError("this interpreter can install signal handlers")
except ValueError:
    pass
x, y, _ = helpers.ionosphere()
model = helpers.tutorial_model("step")
schedule = anneal.callbacks.LearningRateScheduler(lambda epoch, rate: 0.1 * 0.5 ** epoch)
history = model.fit(x, y, epochs=3, batch_size=28, verbose=0, callbacks=[schedule])
assert [round(rate, 6) for rate in history.history["lr"]] == [0.1, 0.05, 0.025], history.history
'''
interpreters.run_string(interpreters.create(), CODE.replace("TESTS", repr(sys.argv[1])))
"""


def test_a_fit_where_signal_handlers_cannot_be_installed():
    # A subinterpreter's signal.signal raises ValueError, as it does in an interpreter embedded in another
    # program and called from a thread other than the one that started it (swift test): the fit the library
    # runs in one call goes on there without Ctrl-C handling, as it does in sweep threads. In a child process:
    # ctypes shares state between interpreters, which a subinterpreter would leave changed for later tests.
    if not sys.executable or not os.path.basename(sys.executable).startswith("python"):
        pytest.skip("no Python executable to start (an embedded interpreter)")
    tests = os.path.dirname(os.path.abspath(__file__))
    done = subprocess.run([sys.executable, "-c", _IN_A_SUBINTERPRETER, tests], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
