"""Losses, metrics and activation layers through the Python package: every loss trains, the library's values
match anneal.losses' Python formulas, metrics log under Keras's names, Activation / LeakyReLU fold into Dense."""

import math
import random

import pytest

from anneal import backend, losses, metrics
from anneal.layers import Activation, Dense, LeakyReLU
from anneal.models import Sequential
from anneal.optimizers import SGD


def identity_model(units, loss, metric_list=(), activation=None):
    """A model whose outputs are its inputs (through ``activation``)."""
    model = Sequential([Dense(units, activation=activation, use_bias=False, input_dim=units)])
    model.set_weights([[[1.0 if i == j else 0.0 for j in range(units)] for i in range(units)]])
    model.compile(loss=loss, optimizer=SGD(), metrics=list(metric_list))
    return model


P = [[0.3, -1.2, 2.5], [1.1, 0.05, -0.4], [0.7, 0.2, 0.9]]
Y = [[0.5, -1.0, 1.5], [2.0, 0.0, -0.7], [0.1, 0.3, 0.8]]
POSITIVE_P = [[abs(v) + 0.1 for v in row] for row in P]
PROBABILITIES = [[0.2, 0.5, 0.3], [0.6, 0.1, 0.3], [0.25, 0.25, 0.5]]


@pytest.mark.parametrize("loss, p, y", [
    (losses.MeanSquaredError(), P, Y), (losses.MeanAbsoluteError(), P, Y),
    (losses.MeanAbsolutePercentageError(), P, Y), (losses.MeanSquaredLogarithmicError(), POSITIVE_P, POSITIVE_P[::-1]),
    (losses.Huber(), P, Y), (losses.Huber(delta=0.3), P, Y), (losses.LogCosh(), P, Y), (losses.Hinge(), P, Y),
    (losses.SquaredHinge(), P, Y), (losses.CategoricalHinge(), P, [[0, 1, 0], [1, 0, 0], [0, 0, 1]]),
    (losses.KLDivergence(), PROBABILITIES, PROBABILITIES[::-1]), (losses.Poisson(), POSITIVE_P, POSITIVE_P[::-1]),
    (losses.CosineSimilarity(), P, Y),
    (losses.BinaryCrossentropy(), [[0.2, 0.9, 0.6]] * 3, [[0, 1, 1], [1, 0, 1], [0, 0, 1]]),
    (losses.BinaryCrossentropy(from_logits=True, label_smoothing=0.2), P, [[0, 1, 1], [1, 0, 1], [0, 0, 1]]),
    (losses.CategoricalCrossentropy(), PROBABILITIES, [[0, 1, 0], [1, 0, 0], [0, 0, 1]]),
    (losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.1), P, [[0, 1, 0], [1, 0, 0], [0, 0, 1]]),
    (losses.SparseCategoricalCrossentropy(from_logits=True), P, [[1], [0], [2]]),
])
def test_library_matches_python_formulas(loss, p, y):
    model = identity_model(3, loss)
    library = model.evaluate(p, y, batch_size=2)
    python = loss(y, p)
    assert math.isclose(library, python, rel_tol=1e-5, abs_tol=1e-6), (loss, library, python)


def test_loss_functions_per_sample_and_aliases():
    assert losses.mae([1.0, 2.0], [1.0, 3.0]) == pytest.approx(0.5)
    values = list(losses.mean_squared_error([[0.0, 0.0], [1.0, 1.0]], [[1.0, 1.0], [1.0, 3.0]]))
    assert values == pytest.approx([1.0, 2.0])
    assert losses.get("kld") is losses.kl_divergence
    assert losses.get("Huber") is losses.huber
    assert losses.get("logcosh") is losses.log_cosh
    with pytest.raises(ValueError, match="focal"):
        losses.get("focal")
    with pytest.raises(ValueError, match="label_smoothing"):
        losses.BinaryCrossentropy(label_smoothing=1.5)
    with pytest.raises(ValueError, match="delta"):
        losses.Huber(delta=float("nan"))


# One short fit per loss: a small network, data the loss accepts, and a loss that goes down.
def _data(rows, columns, seed, low=-1.0, high=1.0):
    generator = random.Random(seed)
    return [[generator.uniform(low, high) for _ in range(columns)] for _ in range(rows)]


X = _data(64, 4, 1)
TARGET = [[row[0] - 0.5 * row[1], row[2] * row[3] + 0.3] for row in X]
BINARY = [[1.0 if row[0] + row[1] > 0 else 0.0, 1.0 if row[2] > 0.2 else 0.0] for row in X]
ONE_HOT = [[1.0 if i == (0 if row[0] > 0.3 else 1 if row[1] > 0 else 2) else 0.0 for i in range(3)] for row in X]
CLASSES = [[float(row.index(1.0))] for row in ONE_HOT]
COUNTS = [[abs(a) * 2 + 0.5, abs(b) + 0.2] for a, b in TARGET]


@pytest.mark.parametrize("loss, activation, y", [
    ("mse", "linear", TARGET), ("mae", "linear", TARGET), ("msle", "softplus", COUNTS),
    ("huber", "linear", TARGET), (losses.Huber(delta=0.5), "linear", TARGET), ("logcosh", "linear", TARGET),
    ("hinge", "tanh", BINARY), ("squared_hinge", "tanh", BINARY), ("categorical_hinge", "linear", ONE_HOT),
    ("kld", "softmax", ONE_HOT), ("poisson", "exponential", COUNTS), ("cosine_similarity", "linear", TARGET),
    ("binary_crossentropy", "sigmoid", BINARY), (losses.BinaryCrossentropy(from_logits=True), "linear", BINARY),
    ("categorical_crossentropy", "softmax", ONE_HOT),
    (losses.CategoricalCrossentropy(label_smoothing=0.1), "softmax", ONE_HOT),
    ("sparse_categorical_crossentropy", "softmax", CLASSES),
    (losses.SparseCategoricalCrossentropy(from_logits=True), "linear", CLASSES),
])
def test_each_loss_trains(loss, activation, y, learning_rate=0.05):
    units = 3 if y is CLASSES else len(y[0])
    model = Sequential([Dense(8, activation="gelu", input_dim=4), Dense(units, activation=activation)])
    model.compile(loss=loss, optimizer=SGD(learning_rate=learning_rate, momentum=0.9))
    history = model.fit(X, y, epochs=15, batch_size=16, verbose=0, shuffle=False)
    values = history.history["loss"]
    assert all(math.isfinite(v) for v in values)
    assert values[-1] < values[0], (loss, values)


def test_mape_trains():
    # mape's gradients are 100 times a mean of ratios: a smaller step.
    test_each_loss_trains("mape", "linear", COUNTS, learning_rate=0.0005)


def test_metrics_log_under_keras_names():
    model = Sequential([Dense(6, activation="selu", input_dim=4), Dense(2, activation="sigmoid")])
    model.compile(loss="binary_crossentropy", optimizer=SGD(learning_rate=0.1), metrics=[
        "mae", metrics.MeanAbsoluteError(), metrics.AUC(), metrics.AUC(curve="PR", name="pr_auc"),
        metrics.Precision(), metrics.Recall(thresholds=0.3), metrics.RootMeanSquaredError(),
        metrics.BinaryAccuracy(threshold=0.7), "binary_crossentropy", metrics.mse])
    expected = ["mae", "mean_absolute_error", "auc", "pr_auc", "precision", "recall", "root_mean_squared_error",
                "binary_accuracy", "binary_crossentropy", "mean_squared_error"]
    assert model.compiled_metrics == expected
    history = model.fit(X, BINARY, epochs=2, batch_size=16, verbose=0, validation_split=0.25)
    assert model.metrics_names == ["loss"] + expected  # Keras lists them once the model has seen data
    for key in expected:
        assert len(history.history[key]) == 2 and len(history.history["val_" + key]) == 2, key
    last = {key: values[-1] for key, values in history.history.items()}
    assert last["mae"] == pytest.approx(last["mean_absolute_error"])
    assert last["val_binary_crossentropy"] == pytest.approx(last["val_loss"], rel=1e-5)
    assert 0 <= last["auc"] <= 1 and 0 <= last["pr_auc"] <= 1


def test_thresholds_and_k_reach_the_library():
    p = [[0.9], [0.2], [0.65], [0.4], [0.05], [0.8], [0.5], [0.3]]
    y = [[1], [0], [0], [1], [0], [1], [1], [0]]
    model = identity_model(1, "mse", [metrics.Precision(thresholds=0.35), metrics.Recall(thresholds=0.6),
                                      metrics.BinaryAccuracy(threshold=0.35)])
    _, precision, recall, accuracy = model.evaluate(p, y, batch_size=3)
    assert precision == pytest.approx(4 / 5)  # above 0.35: 0.9, 0.65, 0.4, 0.8, 0.5
    assert recall == pytest.approx(2 / 4)  # positives above 0.6: 0.9, 0.8
    assert accuracy == pytest.approx(7 / 8)
    scores = [[0.1, 0.6, 0.3], [0.5, 0.2, 0.3], [0.2, 0.3, 0.5]]
    labels = [[0, 1, 0], [0, 0, 1], [1, 0, 0]]
    model = identity_model(3, "categorical_crossentropy", [metrics.TopKCategoricalAccuracy(k=2, name="top2"),
                                                               "top_k_categorical_accuracy"])
    _, top2, top5 = model.evaluate(scores, labels)
    assert top2 == pytest.approx(2 / 3) and top5 == pytest.approx(1.0)
    with pytest.raises(ValueError, match="unique"):
        identity_model(1, "mse", ["auc", metrics.AUC()])
    with pytest.raises(ValueError, match="num_thresholds"):
        metrics.AUC(num_thresholds=1)
    with pytest.raises(ValueError, match="curve"):
        metrics.AUC(curve="DET")


def test_metric_functions():
    assert list(metrics.binary_accuracy([[1, 0], [0, 1]], [[0.7, 0.6], [0.2, 0.9]])) == pytest.approx([0.5, 1.0])
    assert list(metrics.categorical_accuracy([[0, 1], [1, 0]], [[0.3, 0.7], [0.1, 0.9]])) == pytest.approx([1, 0])
    assert list(metrics.sparse_categorical_accuracy([1, 0], [[0.3, 0.7], [0.1, 0.9]])) == pytest.approx([1, 0])
    assert metrics.cosine_similarity([1.0, 0.0], [2.0, 0.0]) == pytest.approx(1.0)


def test_activation_layers_fold_into_the_dense_before():
    backend.clear_session()
    model = Sequential([Dense(2, use_bias=False, input_dim=2), LeakyReLU(), Dense(2, use_bias=False),
                        Activation("elu")])
    assert [type(layer).__name__ for layer in model.layers] == ["Dense", "LeakyReLU", "Dense", "Activation"]
    # tf_keras's automatic names, one counter per layer type.
    assert [layer.name for layer in model.layers] == ["dense", "leaky_re_lu", "dense_1", "activation"]
    assert Activation("relu").name == "activation_1" and LeakyReLU(name="mine").name == "mine"
    # The activation layers have no weights; their shapes are their Dense's output.
    activation = model.layers[3]
    assert activation.get_weights() == [] and activation.count_params() == 0
    assert activation.input_shape == activation.output_shape == (None, 2) and model.output_shape == (None, 2)
    activation.set_weights([])
    with pytest.raises(ValueError, match="expecting 0 weights"):
        activation.set_weights([[1.0]])
    assert [len(layer.get_weights()) for layer in model.layers] == [1, 0, 1, 0]
    model.set_weights([[[1.0, 0.0], [0.0, 1.0]], [[1.0, 0.0], [0.0, 1.0]]])
    out = model.predict([[-2.0, 3.0]])
    assert list(out[0]) == pytest.approx([math.exp(-0.6) - 1, 3.0])
    lines = []
    model.summary(print_fn=lines.append)
    text = "\n".join(lines)
    assert "leaky_re_lu (LeakyReLU)" in text and "activation (Activation)" in text and "dense_1 (Dense)" in text
    with pytest.raises(ValueError, match="activation='linear'"):
        Sequential([Dense(2, activation="relu", input_dim=2), Activation("tanh")])
    with pytest.raises(ValueError, match="activation='linear'"):
        Sequential([Dense(2, input_dim=2), LeakyReLU(), Activation("tanh")])
    with pytest.raises(ValueError, match="alpha"):
        LeakyReLU(alpha=None)
    assert LeakyReLU().alpha == 0.3
