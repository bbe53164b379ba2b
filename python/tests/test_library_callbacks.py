"""The built-in callbacks are the library's: Python's EarlyStopping, ReduceLROnPlateau, CSVLogger, ... in a
Python fit make the same decisions and print the same text as the same callbacks run by the library's own
fit loop (anneal_session_fit_callbacks), bit for bit and character for character."""

import helpers  # noqa: F401  first: puts python/ on sys.path whatever runs the tests

import ctypes
import os
import re

import pytest

from anneal import _arrays, _codes, _lib, models
from anneal.callbacks import (Callback, CSVLogger, EarlyStopping, LearningRateScheduler, ProgbarLogger,
                              ReduceLROnPlateau, TerminateOnNaN)
from anneal.optimizers.schedules import StepDecay
from helpers import assert_close, captured_stdout, small_data, small_model

EPOCHS = 12


def _library_fit(model, x, y, handles, epochs=EPOCHS, **session):
    """The library's fit loop over ``handles`` (anneal_callback pointers): (history, the text they wrote)."""
    written = []
    writer = _lib.anneal_write_callback(lambda _data, text: written.append(text.decode()))
    for handle in handles:
        _lib.check(_lib.anneal_callback_set_output(handle, writer, None))
    run = models._Session(model._live_handle(), _arrays.as_matrix(x, "x"), _arrays.as_matrix(y, "y"),
                          session.get("batch_size", 8), session.get("validation_split", 0.25), None, True, 3)
    history = ctypes.c_void_p()
    array = (ctypes.c_void_p * len(handles))(*handles)
    try:
        _lib.check(_lib.anneal_session_fit_callbacks(run.handle, epochs, 0, array, len(handles),
                                                     models._NO_CALLBACK, None, ctypes.byref(history)))
        count = ctypes.c_int32()
        _lib.check(_lib.anneal_history_key_count(history, ctypes.byref(count)))
        keys = [_lib.read_string(_lib.anneal_history_key, history, index) for index in range(count.value)]
        values = {key: models._values(_lib.anneal_history_values, history, key.encode(), capacity=EPOCHS)
                  for key in keys}
    finally:
        _lib.anneal_history_free(history)
        run.close()
    return values, "".join(written)


def _handle(constructor, *args):
    handle = ctypes.c_void_p()
    _lib.check(constructor(*args, ctypes.byref(handle)))
    return handle


def _python_fit(model, x, y, callbacks, verbose=0):
    history, text = captured_stdout(model.fit, x, y, epochs=EPOCHS, batch_size=8, validation_split=0.25,
                                    shuffle=True, seed=3, verbose=verbose, callbacks=callbacks)
    return history.history, text


def test_plateau_and_early_stopping_decide_and_print_as_the_library():
    x, y = small_data(rows=40)
    python_model = small_model(lr=0.3, seed=4)
    early = EarlyStopping(monitor="val_loss", min_delta=0.04, patience=2, verbose=1, restore_best_weights=True)
    python, python_text = _python_fit(python_model, x, y, [
        ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=1, verbose=1, min_delta=0.05), early])

    library_model = small_model(lr=0.3, seed=4)
    handles = [
        _handle(_lib.anneal_callback_reduce_lr_on_plateau, b"val_loss", 0.5, 1, 1, _codes.ANNEAL_MODE_AUTO, 0.05,
                0, 0.0),
        _handle(_lib.anneal_callback_early_stopping, b"val_loss", 0.04, 2, 1, _codes.ANNEAL_MODE_AUTO, None, True, 0),
    ]
    try:
        library, library_text = _library_fit(library_model, x, y, handles)
    finally:
        for handle in handles:
            _lib.anneal_callback_free(handle)

    assert list(python) == list(library)
    for key in library:
        assert python[key] == library[key], key  # bit for bit
    assert len(python["loss"]) < EPOCHS and "reducing learning rate" in python_text
    assert python_text == library_text
    assert early.stopped_epoch == len(python["loss"]) - 1
    assert_close(python_model.get_weights(), library_model.get_weights(), 0.0, "restored best weights")


@pytest.mark.parametrize("verbose", [1, 2])
def test_progress_text_is_the_library_progress_logger(verbose):
    x, y = small_data(rows=40)
    _, python_text = _python_fit(small_model(seed=2), x, y, [], verbose=verbose)
    handle = _handle(_lib.anneal_callback_progress_logger, verbose, EPOCHS, 4)
    try:
        _, library_text = _library_fit(small_model(seed=2), x, y, [handle])
    finally:
        _lib.anneal_callback_free(handle)

    def masked(text):  # the timings differ from run to run, and so do the bar's redraws within an epoch
        text = "\n".join(line.rsplit("\r", 1)[-1] for line in text.split("\n"))
        text = re.sub(r" \d+(s|ms|us)/(epoch|step)", r" T/\2", text)
        return re.sub(r" - (ETA: )?[\d:]+s?(?= - | T/)", " - T", text)

    assert masked(python_text) == masked(library_text)
    assert python_text.count("Epoch ") == EPOCHS
    assert masked(python_text).count(" - val_loss: ") == EPOCHS


def test_scheduler_and_csv_logger_as_the_library(tmp_path):
    x, y = small_data(rows=40)
    python_path = os.path.join(str(tmp_path), "python.csv")
    library_path = os.path.join(str(tmp_path), "library.csv")
    schedule = StepDecay(0.2, 0.5, 3)
    python, python_text = _python_fit(small_model(seed=6), x, y,
                                      [LearningRateScheduler(schedule, verbose=1), CSVLogger(python_path)])
    handles = [_handle(_lib.anneal_callback_learning_rate_scheduler, schedule._handle, 1),
               _handle(_lib.anneal_callback_csv_logger, library_path.encode(), b",", False)]
    try:
        library, library_text = _library_fit(small_model(seed=6), x, y, handles)
    finally:
        for handle in handles:
            _lib.anneal_callback_free(handle)
    assert python == library and python_text == library_text
    with open(python_path, "rb") as first, open(library_path, "rb") as second:
        assert first.read() == second.read()


def test_a_python_schedule_goes_through_the_library_scheduler():
    x, y = small_data(rows=40)
    function, _ = _python_fit(small_model(seed=6), x, y, [LearningRateScheduler(lambda epoch: 0.2 * 0.5 ** epoch)])
    library, _ = _python_fit(small_model(seed=6), x, y,
                             [LearningRateScheduler(lambda epoch, lr: 0.2 if epoch == 0 else lr * 0.5)])
    assert function == library


def test_callbacks_state_and_text_redirected():
    stopper = TerminateOnNaN()
    assert stopper._implements_train_batch_hooks()
    assert not EarlyStopping()._implements_train_batch_hooks()
    assert EarlyStopping(monitor="val_auc").mode == "max"
    assert ReduceLROnPlateau(monitor="val_acc", mode="min").mode == "min"
    with pytest.raises(ValueError, match="factor"):
        ReduceLROnPlateau(factor=-0.5)  # as Swift and C refuse it
    with pytest.raises(ValueError, match="patience"):
        EarlyStopping(patience=-1)
    with pytest.raises(TypeError, match="patience"):
        EarlyStopping(patience=1.5)
    with pytest.raises(ValueError, match="separator"):
        CSVLogger("log.csv", separator=";;")
    with pytest.raises(ValueError, match="count_mode"):
        ProgbarLogger(count_mode="rows")


def test_a_fit_in_one_library_call_runs_the_built_ins_as_the_python_loop_does(tmp_path):
    x, y = small_data(rows=40)
    results = []
    for in_python in (True, False):  # a callback of Python's own (a bare Callback) makes fit loop in Python
        model = small_model(lr=0.3, seed=4)
        path = os.path.join(str(tmp_path), f"{in_python}.csv")
        stopper = EarlyStopping(monitor="val_loss", min_delta=0.04, patience=2, restore_best_weights=True)
        callbacks = [ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=1, min_delta=0.05), stopper,
                     CSVLogger(path), LearningRateScheduler(StepDecay(0.3, 0.9, 2))]
        history = model.fit(x, y, 8, EPOCHS, 0, callbacks + ([Callback()] if in_python else []), 0.25, seed=3)
        with open(path, "rb") as handle:
            results.append((history.history, history.epoch, stopper.stopped_epoch, model.get_weights(), handle.read()))
    (history, epochs, stopped, weights, text), (history2, epochs2, stopped2, weights2, text2) = results
    assert history == history2 and epochs == epochs2 and stopped == stopped2 > 0 and text == text2
    assert_close(weights2, weights, 0.0, "weights")
