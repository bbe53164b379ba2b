"""Precision and Recall at a list of thresholds in compile, as tf_keras 2.21: the metric's value is a float32 array
(a list without numpy) in History, the callbacks' logs, evaluate, train_on_batch and test_on_batch; the progress
bar prints its mean, CSVLogger writes it as ``"[a, b]"``; EarlyStopping, ReduceLROnPlateau and a best-only
ModelCheckpoint refuse to monitor it (Keras raises there); model files keep the thresholds."""

import helpers  # noqa: F401  first: puts python/ on sys.path whatever runs the tests

import json
import math
import re

import pytest

import anneal
from anneal import callbacks, metrics
from anneal.layers import Dense
from anneal.models import Sequential
from anneal.optimizers import SGD
from helpers import (EPOCH_TOLERANCE, captured_stdout, golden, golden_data, golden_model, np, require_h5py, to_list,
                     without_numpy)

# Outputs sigmoid(x) = 0.2, 0.4, 0.6, 0.8 for labels 0, 1, 0, 1 (one input, kernel 1, bias 0). At 0.3: 0.4, 0.6 and
# 0.8 are positive, TP 2, FP 1, FN 0; at 0.7: 0.8 is, TP 1, FP 0, FN 1. So precision [2/3, 1] and recall [1, 1/2]
# (as float32), whose means the progress bar prints: 0.8333 and 0.7500.
X = [[math.log(p / (1 - p))] for p in (0.2, 0.4, 0.6, 0.8)]
Y = [0.0, 1.0, 0.0, 1.0]
PRECISION = [0.6666666865348816, 1.0]
RECALL = [1.0, 0.5]
LOSS = 0.5697171688079834


def _model(weighted=False):
    """The model above, learning rate 0 so that every epoch sees the same outputs."""
    model = Sequential([Dense(1, activation="sigmoid", input_dim=1)])
    model.compile(SGD(learning_rate=0.0), "binary_crossentropy",
                  metrics=[metrics.Precision(thresholds=[0.3, 0.7]), metrics.Recall(thresholds=[0.3, 0.7])],
                  weighted_metrics=[metrics.Precision(thresholds=[0.3, 0.7])] if weighted else None)
    model.set_weights([[[1.0]], [0.0]])
    return model


def _expect_array(value, expected):
    """``value`` is Keras's float32 array (a list without numpy) holding ``expected``."""
    if np is not None and anneal._arrays.numpy is not None:
        assert isinstance(value, np.ndarray) and value.dtype == np.float32, repr(value)
    else:
        assert isinstance(value, list), repr(value)
    assert to_list(value) == expected


class _Batches(callbacks.Callback):
    """A Python callback with a batch hook (fit then runs a batch per library call), recording the logs."""

    def __init__(self):
        super().__init__()
        self.batch_logs, self.epoch_logs = [], []

    def on_train_batch_end(self, batch, logs=None):
        self.batch_logs.append(dict(logs))

    def on_epoch_end(self, epoch, logs=None):
        self.epoch_logs.append(dict(logs))


@pytest.mark.parametrize("path", ["bulk", "library", "python"])
def test_history_holds_an_array_per_epoch(path):
    model = _model()
    recorder = _Batches()
    extra = {"bulk": [], "library": [callbacks.TerminateOnNaN()], "python": [recorder]}[path]
    history = model.fit(X, Y, epochs=2, batch_size=4, verbose=0, validation_data=(X, Y), shuffle=False,
                        callbacks=extra)
    assert list(history.history) == ["loss", "precision", "recall", "val_loss", "val_precision", "val_recall"]
    for prefix in ("", "val_"):
        for epoch in range(2):
            _expect_array(history.history[prefix + "precision"][epoch], PRECISION)
            _expect_array(history.history[prefix + "recall"][epoch], RECALL)
    if path == "python":
        _expect_array(recorder.batch_logs[0]["precision"], PRECISION)
        _expect_array(recorder.epoch_logs[1]["val_recall"], RECALL)


def test_evaluate_and_batch_calls_return_the_arrays_in_place():
    model = _model(weighted=True)
    loss, precision, recall, weighted = model.evaluate(X, Y, verbose=0)
    assert loss == LOSS
    _expect_array(precision, PRECISION)
    _expect_array(recall, RECALL)
    _expect_array(weighted, PRECISION)
    logs = model.evaluate(X, Y, verbose=0, return_dict=True)
    assert list(logs) == ["loss", "precision", "recall", "weighted_precision"]
    _expect_array(logs["recall"], RECALL)
    assert model.metrics_names == ["loss", "precision", "recall", "weighted_precision"]
    _expect_array(model.test_on_batch(X, Y, return_dict=True)["precision"], PRECISION)
    _expect_array(model.train_on_batch(X, Y, sample_weight=[1, 1, 1, 1])[3], PRECISION)


def test_without_numpy_the_arrays_are_lists():
    with without_numpy():
        model = _model()
        history = model.fit(X, Y, epochs=1, batch_size=4, verbose=0, shuffle=False)
        _expect_array(history.history["precision"][0], PRECISION)
        _expect_array(model.evaluate(X, Y, verbose=0)[2], RECALL)


def test_the_progress_bar_prints_the_mean():
    model = _model()
    _, text = captured_stdout(model.fit, X, Y, epochs=1, batch_size=4, verbose=2, validation_data=(X, Y),
                              shuffle=False)
    assert " - loss: 0.5697 - precision: 0.8333 - recall: 0.7500 - val_loss: 0.5697 - val_precision: 0.8333 " \
           "- val_recall: 0.7500 - " in text
    _, text = captured_stdout(model.evaluate, X, Y, verbose=1)
    assert "] - 0s" in text and " - loss: 0.5697 - precision: 0.8333 - recall: 0.7500\n" in text


@pytest.mark.parametrize("with_python_callback", [False, True])
def test_csv_logger_writes_kerass_quoted_array(tmp_path, with_python_callback):
    path = str(tmp_path / "log.csv")
    added = callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: logs.update(extra=1.5))
    model = _model()
    model.fit(X, Y, epochs=2, batch_size=4, verbose=0, shuffle=False,
              callbacks=([added] if with_python_callback else []) + [callbacks.CSVLogger(path)])
    with open(path, newline="") as file:
        text = file.read()
    header = "epoch,extra,loss,precision,recall" if with_python_callback else "epoch,loss,precision,recall"
    row = '{},{}0.5697171688079834,"""[0.6666667, 1.0]""","""[1.0, 0.5]"""'
    extra = "1.5," if with_python_callback else ""
    assert text == "\r\n".join([header, row.format(0, extra), row.format(1, extra), ""])


@pytest.mark.parametrize("callback, key", [
    (lambda: callbacks.EarlyStopping(monitor="precision"), "precision"),
    (lambda: callbacks.ReduceLROnPlateau(monitor="val_recall"), "val_recall"),
    (lambda: callbacks.ModelCheckpoint("unused.h5", monitor="recall", save_best_only=True), "recall"),
])
def test_monitoring_an_array_is_kerass_error(callback, key):
    model = _model()
    with pytest.raises(ValueError, match=f"cannot monitor '{key}': it holds one value per threshold"):
        model.fit(X, Y, epochs=1, batch_size=4, verbose=0, validation_data=(X, Y), callbacks=[callback()])


def test_model_files_keep_the_thresholds(tmp_path):
    model = _model(weighted=True)
    expected = model.evaluate(X, Y, verbose=0)
    path = str(tmp_path / "model.anneal")
    model.save(path)
    loaded = anneal.models.load_model(path)
    assert loaded.metrics_names == model.metrics_names
    assert [to_list(v) for v in loaded.evaluate(X, Y, verbose=0)] == [to_list(v) for v in expected]


def test_keras_h5_files_keep_the_thresholds(tmp_path):
    h5py = require_h5py()
    model = _model(weighted=True)
    path = str(tmp_path / "model.h5")
    model.save(path)
    with h5py.File(path, "r") as file:
        training = json.loads(file.attrs["training_config"])
    # As tf_keras 2.21 writes Precision(thresholds=[0.3, 0.7]): one object with the list.
    assert training["metrics"] == [[
        {"class_name": "Precision", "config": {"name": "precision", "dtype": "float32", "thresholds": [0.3, 0.7],
                                               "top_k": None, "class_id": None}},
        {"class_name": "Recall", "config": {"name": "recall", "dtype": "float32", "thresholds": [0.3, 0.7],
                                            "top_k": None, "class_id": None}}]]
    assert training["weighted_metrics"][0][0]["config"]["thresholds"] == [0.3, 0.7]
    loaded = anneal.models.load_model(path)
    assert loaded.metrics_names == ["loss", "precision", "recall", "weighted_precision"]
    _expect_array(loaded.evaluate(X, Y, verbose=0, return_dict=True)["weighted_precision"], PRECISION)


def test_golden_after_fit_follows_keras(tmp_path):
    """metrics_thresholds.json: after Keras's fit, evaluate on the validation rows (a list, a dict, its
    verbose=2 line) and the text of a CSVLogger over two more epochs."""
    run = golden("metrics_thresholds")
    x, y, _ = golden_data("metrics_thresholds")
    model = golden_model("metrics_thresholds", len(x[0]))
    model.set_weights(run["initial_weights"])
    model.fit(x, y, validation_split=0.33, epochs=50, batch_size=28, verbose=0, shuffle=False)
    xv, yv = x[235:], y[235:]

    def close(got, want, what):
        got, want = (to_list(got), want) if isinstance(want, list) else ([got], [want])
        assert len(got) == len(want) and all(abs(a - b) <= EPOCH_TOLERANCE for a, b in zip(got, want)), \
            f"{what}: {got} vs Keras {want}"

    for index, (got, want) in enumerate(zip(model.evaluate(xv, yv, batch_size=28, verbose=0), run["evaluate"])):
        close(got, want, f"evaluate[{index}]")
    logs = model.evaluate(xv, yv, batch_size=28, verbose=0, return_dict=True)
    assert list(logs) == list(run["evaluate_dict"])
    for key, want in run["evaluate_dict"].items():
        close(logs[key], want, f"evaluate {key}")
    _, text = captured_stdout(model.evaluate, xv, yv, batch_size=28, verbose=2)
    line = re.sub(r" - \d+[mu]?s/epoch - \d+[mu]?s/step$", "", re.sub(r" - \d+s - ", " - ", text.strip()))
    assert line == run["evaluate_line"]
    path = str(tmp_path / "log.csv")
    model.fit(x, y, epochs=2, batch_size=28, verbose=0, shuffle=False, validation_split=0.33,
              callbacks=[callbacks.CSVLogger(path)])
    with open(path, newline="") as file:
        rows, keras_rows = file.read().split("\r\n"), run["csv_text"].split("\r\n")
    number = r"[0-9.e+-]+"
    assert len(rows) == len(keras_rows) and rows[0] == keras_rows[0]
    for row, keras_row in zip(rows[1:], keras_rows[1:]):
        assert re.sub(number, "n", row) == re.sub(number, "n", keras_row)  # quotes, brackets, separators
        close([float(v) for v in re.findall(number, row)], [float(v) for v in re.findall(number, keras_row)],
              f"CSV row {row}")


def _sweep_model(config):
    model = Sequential([Dense(1, activation="sigmoid", input_dim=1)])
    model.compile(SGD(learning_rate=config["learning_rate"]), "binary_crossentropy",
                  metrics=[metrics.Precision(thresholds=[0.3, 0.7])])
    model.set_weights([[[1.0]], [0.0]])
    return model


def test_sweep_records_hold_lists(tmp_path):
    path = str(tmp_path / "runs.jsonl")
    result = anneal.sweep.run(_sweep_model, anneal.sweep.grid(learning_rate=[0.0]), X, Y, seeds=[1], epochs=2,
                              batch_size=4, results_file=path)
    record = result.records[0]
    assert record["precision"] == PRECISION and record["history"]["precision"] == [PRECISION, PRECISION]
    with open(path) as file:
        assert json.loads(file.read().splitlines()[1])["record"]["precision"] == PRECISION
