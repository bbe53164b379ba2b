"""Ctrl-C during fit raises KeyboardInterrupt within one epoch and leaves the model usable."""

import helpers  # noqa: F401  first: puts python/ on sys.path whatever runs the tests

import os
import signal
import threading
import time

import pytest

import anneal
from helpers import all_finite, ionosphere, to_list, tutorial_model


def test_real_sigint_during_a_long_fit():
    if threading.current_thread() is not threading.main_thread():
        pytest.skip("signals are delivered to the main thread only")
    if not hasattr(signal, "SIGINT") or signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        pytest.skip("SIGINT is not Python's KeyboardInterrupt here")
    x, y, _ = ionosphere()
    anneal.utils.set_random_seed(1)
    model = tutorial_model("time")
    timer = threading.Timer(0.3, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    started = time.monotonic()
    try:
        with pytest.raises(KeyboardInterrupt):
            model.fit(x, y, validation_split=0.33, epochs=1_000_000, batch_size=28, verbose=0)
    finally:
        timer.cancel()
    assert time.monotonic() - started < 30
    iterations = model.optimizer.iterations
    assert iterations > 0 and iterations % 9 == 0  # stopped between epochs
    predictions = to_list(model.predict(x))
    assert len(predictions) == 351 and all_finite(predictions) and all_finite(model.get_weights())
    history = model.fit(x, y, validation_split=0.33, epochs=1, batch_size=28, verbose=0)
    assert len(history.history["loss"]) == 1


def test_sigint_with_batch_hooks():
    if threading.current_thread() is not threading.main_thread():
        pytest.skip("signals are delivered to the main thread only")
    if not hasattr(signal, "SIGINT") or signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        pytest.skip("SIGINT is not Python's KeyboardInterrupt here")
    x, y, _ = ionosphere()
    model = tutorial_model("time")
    hooks = anneal.callbacks.LambdaCallback(on_batch_end=lambda batch, logs: None)
    timer = threading.Timer(0.3, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            model.fit(x, y, epochs=1_000_000, batch_size=28, verbose=0, callbacks=[hooks])
    finally:
        timer.cancel()
    assert all_finite(model.get_weights())
    assert len(to_list(model.predict(x[:3]))) == 3
