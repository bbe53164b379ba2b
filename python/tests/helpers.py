"""Shared helpers for the anneal test suite.

The suite runs under pytest with the machine's python3 and, through a tiny runner, inside an embedded CPython
without numpy or pytest (only ``pytest.raises``, ``approx``, ``skip``, ``mark.parametrize`` and the
``tmp_path`` fixture exist there). So: plain functions, no fixtures but ``tmp_path``, and every path found
relative to this file.
"""

import contextlib
import io
import json
import math
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
PYTHON_DIR = os.path.dirname(HERE)
REPO = os.path.dirname(PYTHON_DIR)
if PYTHON_DIR not in sys.path:  # `import anneal` from the checkout, whatever the current directory
    sys.path.insert(0, PYTHON_DIR)

try:
    import numpy as np
except ImportError:  # the embedded interpreter has no numpy: the list path is tested there
    np = None

import anneal  # noqa: E402
from anneal import _arrays  # noqa: E402
from anneal.layers import Dense  # noqa: E402
from anneal.models import Sequential  # noqa: E402
from anneal.optimizers import SGD  # noqa: E402

# Named tolerances (the fixtures' README: every epoch value within 1e-5, final weights within 1e-4).
EPOCH_TOLERANCE = 1e-5
WEIGHT_TOLERANCE = 1e-4
RATE_TOLERANCE = 1e-7  # a float32 rate read back as double, against its decimal value

EXPERIMENTS = ("time", "step", "base")


def fixture_path(name):
    """The golden Keras run ``name`` recorded by tf_keras 2.21: from ``Fixtures/golden/`` (the further runs, see
    its README) or, failing that, ``Fixtures/`` (time, step, base, adam, rmsprop, adagrad)."""
    fixtures = os.path.join(REPO, "Tests", "AnnealTests", "Fixtures")
    path = os.path.join(fixtures, "golden", name + ".json")
    if not os.path.exists(path):
        path = os.path.join(fixtures, name + ".json")
    if not os.path.exists(path):
        raise FileNotFoundError(f"golden run {name}.json not found at {path}")
    return path


_golden_cache = {}


def golden(name):
    if name not in _golden_cache:
        with open(fixture_path(name)) as handle:
            _golden_cache[name] = json.load(handle)
    return _golden_cache[name]


def step_decay(epoch):
    """The tutorial's step decay, verbatim (with math instead of numpy's floor and pow)."""
    initial_lrate = 0.1
    drop = 0.5
    epochs_drop = 10.0
    lrate = initial_lrate * math.pow(drop, math.floor((1 + epoch) / epochs_drop))
    return lrate


def ionosphere(as_lists=False):
    """The shipped ionosphere data (x, y, class names); as nested lists when ``as_lists``."""
    x, y, classes = anneal.datasets.ionosphere()
    if as_lists:
        return to_list(x), to_list(y), classes
    return x, y, classes


def to_list(value):
    """A numpy array, an array.array or nested lists as nested Python lists of floats."""
    if hasattr(value, "tolist"):
        value = value.tolist()
    if isinstance(value, (list, tuple)):
        return [to_list(item) for item in value]
    return float(value)


def flatten(value):
    value = to_list(value)
    if isinstance(value, list):
        out = []
        for item in value:
            out.extend(flatten(item))
        return out
    return [value]


def max_difference(actual, expected):
    a = flatten(actual)
    b = flatten(expected)
    assert len(a) == len(b), f"{len(a)} values against {len(b)}"
    return max((abs(p - q) for p, q in zip(a, b)), default=0.0)


def assert_close(actual, expected, tolerance, what="values"):
    a = flatten(actual)
    b = flatten(expected)
    assert len(a) == len(b), f"{what}: {len(a)} values against {len(b)}"
    for index, (p, q) in enumerate(zip(a, b)):
        assert abs(p - q) <= tolerance, f"{what}[{index}]: {p!r} differs from {q!r} by more than {tolerance}"


def all_finite(value):
    return all(math.isfinite(v) for v in flatten(value))


def tutorial_optimizer(kind):
    if kind == "time":
        return SGD(lr=0.1, momentum=0.8, decay=0.1 / 50, nesterov=False)
    if kind == "step":
        return SGD(lr=0.0, momentum=0.9)
    if kind == "base":
        return SGD(lr=0.1)
    # Any other golden run: its own optimizer with its recorded arguments (Keras's defaults for the others),
    # a recorded schedule ({"class": "ExponentialDecay", ...}) rebuilt as the learning rate.
    config = dict(golden(kind)["optimizer"])
    rate = config.get("learning_rate")
    if isinstance(rate, dict):
        rate = dict(rate)
        config["learning_rate"] = getattr(anneal.optimizers.schedules, rate.pop("class"))(**rate)
    return anneal.optimizers.get({"class_name": config.pop("name"), "config": config})


def tutorial_callbacks(kind):
    if kind == "step":
        return [anneal.callbacks.LearningRateScheduler(step_decay)]
    return []


def tutorial_model(kind="time", metrics=("accuracy",)):
    """The tutorial's model, compiled for experiment ``kind``."""
    model = Sequential()
    model.add(Dense(34, input_dim=34, kernel_initializer="normal", activation="relu"))
    model.add(Dense(1, kernel_initializer="normal", activation="sigmoid"))
    model.compile(loss="binary_crossentropy", optimizer=tutorial_optimizer(kind), metrics=list(metrics))
    return model


def golden_model(kind, inputs):
    """The golden run ``kind``'s network for ``inputs`` features (kernels 'normal', biases zero; the weights come
    from the run), compiled with its optimizer, loss and metrics given by name (the tutorial's when the file
    predates those fields)."""
    run = golden(kind)
    model = Sequential()
    for index, layer in enumerate(run["layers"]):
        shape = {"input_dim": inputs} if index == 0 else {}
        model.add(Dense(layer["units"], kernel_initializer="normal", activation=layer["activation"], **shape))
    metrics = [_keras_object(anneal.metrics, metric) for metric in run.get("metrics", ["accuracy"])]
    model.compile(loss=_keras_object(anneal.losses, run.get("loss", "binary_crossentropy")),
                  optimizer=tutorial_optimizer(kind), metrics=metrics)
    return model


def _keras_object(module, recorded):
    """A recorded loss or metric: its name, or the object a record ``{"class": "AUC", "name": ...}`` describes."""
    if isinstance(recorded, str):
        return recorded
    config = {key: value for key, value in recorded.items() if key not in ("class", "fn")}
    return getattr(module, recorded["class"])(**config)


def golden_data(kind, as_lists=False):
    """The golden run ``kind``'s data as its README describes it: the ionosphere features and 0/1 labels (class
    indices), except ``metrics_categorical``, ``metrics_confusion``, ``metrics_auc_labels`` and ``metrics_auc_methods`` (one-hot labels) and the regression runs (feature column 2
    predicted from the other 33, plus 1 for ``regression_huber``), those as nested lists."""
    x, y, classes = ionosphere(as_lists=as_lists)
    if kind in ("metrics_categorical", "metrics_confusion", "metrics_auc_labels", "metrics_auc_methods"):
        y = [[1.0, 0.0] if label == 0 else [0.0, 1.0] for label in flatten(y)]
    elif kind in ("regression_mae", "regression_huber"):
        shift = 1.0 if kind == "regression_huber" else 0.0
        rows = to_list(x)
        x = [row[:2] + row[3:] for row in rows]
        y = [[_float32(row[2]) + shift] for row in rows]  # float32 + 1.0, rounded once as numpy does
    return x, y, classes


def _float32(value):
    return struct.unpack("f", struct.pack("f", value))[0]


def small_data(rows=40, features=3):
    """A small deterministic binary problem as nested lists: label 1 when the first feature is positive."""
    x = []
    y = []
    for r in range(rows):
        row = [math.sin(1.7 * r + 0.3 * c) for c in range(features)]
        x.append(row)
        y.append(1.0 if row[0] > 0 else 0.0)
    return x, y


def small_model(features=3, units=4, lr=0.1, momentum=0.0, decay=0.0, metrics=("accuracy",), seed=1):
    anneal.utils.set_random_seed(seed)
    model = Sequential()
    model.add(Dense(units, input_dim=features, activation="relu"))
    model.add(Dense(1, activation="sigmoid"))
    model.compile(loss="binary_crossentropy", optimizer=SGD(learning_rate=lr, momentum=momentum, decay=decay),
                  metrics=list(metrics))
    return model


@contextlib.contextmanager
def without_numpy():
    """Makes the package take its list path, as in an interpreter without numpy (no monkeypatch needed)."""
    saved = _arrays.numpy
    _arrays.numpy = None
    try:
        yield
    finally:
        _arrays.numpy = saved


def captured_stdout(function, *args, **kwargs):
    """Runs ``function`` and returns (its result, what it printed)."""
    stream = io.StringIO()
    with contextlib.redirect_stdout(stream):
        result = function(*args, **kwargs)
    return result, stream.getvalue()


def require_numpy():
    """Skips the calling test when numpy is missing (pytest.importorskip is not available in the runner)."""
    import pytest

    if np is None:
        pytest.skip("numpy not installed")
    return np


def validation_correct(model, x, y, split=0.33):
    """Number of validation rows (the last ones, as fit's validation_split takes them) classified correctly."""
    x = to_list(x)
    y = flatten(y)
    start = int(len(x) * (1 - split))
    predictions = flatten(model.predict(x[start:], verbose=0))
    return sum(1 for p, label in zip(predictions, y[start:]) if (p > 0.5) == (label > 0.5))


def require_h5py():
    """h5py (and numpy) for the Keras-file tests. They skip only in the embedded interpreter of `swift test`
    (Debian's libpython without numpy or h5py; it marks itself with ``sys._anneal_embedded``); anywhere else a
    missing h5py is a failure saying how to install it, so CI cannot pass them by skipping."""
    import pytest

    try:
        import h5py  # noqa: F401
        import numpy  # noqa: F401
    except ImportError as error:
        if getattr(sys, "_anneal_embedded", False):
            pytest.skip("the embedded interpreter has no h5py/numpy; these tests run under python3")
        raise AssertionError(
            f"the Keras-file tests need h5py and numpy ({error}): `python3 -m pip install h5py numpy` or "
            "`pip install ./python[h5]` (swift test provisions them in .build/python-h5 when python3 lacks them)")
    return h5py
