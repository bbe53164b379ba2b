"""Weighted fits through the Python API: the real-Keras runs weighted_class and weighted_sample replayed from
their initial weights, weighted evaluate worked by hand, and bad weights refused in Keras's words."""

import json
import os

import helpers  # noqa: F401  first: puts python/ on sys.path whatever runs the tests

import pytest

import anneal
from anneal.layers import Dense
from anneal.models import Sequential
from anneal.optimizers import SGD
from helpers import (EPOCH_TOLERANCE, REPO, WEIGHT_TOLERANCE, assert_close, flatten, ionosphere, small_data,
                     small_model, to_list)


def _golden(name):
    with open(os.path.join(REPO, "Tests", "AnnealTests", "Fixtures", "golden", name + ".json")) as handle:
        return json.load(handle)


def _model(run):
    model = Sequential()
    model.add(Dense(34, input_dim=34, kernel_initializer="normal", activation="relu"))
    model.add(Dense(1, kernel_initializer="normal", activation="sigmoid"))
    model.compile(loss="binary_crossentropy", metrics=["accuracy"],
                  optimizer=SGD(learning_rate=run["optimizer"]["learning_rate"], momentum=run["optimizer"]["momentum"]))
    model.set_weights(run["initial_weights"])
    return model


def _check(run, model, history):
    for key, expected in run["history"].items():
        got = history.history[key]
        assert len(got) == len(expected)
        for epoch, (a, e) in enumerate(zip(got, expected)):
            assert abs(a - e) <= EPOCH_TOLERANCE, f"{run['experiment']} {key} epoch {epoch + 1}: {a} vs Keras {e}"
    assert_close(model.get_weights(), run["final_weights"], WEIGHT_TOLERANCE, f"{run['experiment']} final weights")


@pytest.mark.parametrize("as_lists", [False, True])
def test_class_weight_matches_keras(as_lists):
    run = _golden("weighted_class")
    x, y, _ = ionosphere(as_lists=as_lists)
    model = _model(run)
    class_weight = {int(key): value for key, value in run["fit"]["class_weight"].items()}
    history = model.fit(x, y, epochs=run["fit"]["epochs"], batch_size=run["fit"]["batch_size"], verbose=0,
                        validation_split=run["fit"]["validation_split"], shuffle=False, class_weight=class_weight)
    _check(run, model, history)


@pytest.mark.parametrize("as_lists", [False, True])
def test_sample_weight_and_validation_weights_match_keras(as_lists):
    run = _golden("weighted_sample")
    x, y, _ = ionosphere(as_lists=as_lists)
    weights = [1.0 + row % 3 for row in range(len(x))]
    model = _model(run)
    history = model.fit(x[:235], y[:235], epochs=run["fit"]["epochs"], batch_size=run["fit"]["batch_size"],
                        verbose=0, shuffle=False, sample_weight=weights[:235],
                        validation_data=(x[235:], y[235:], weights[235:]))
    _check(run, model, history)
    loss = model.evaluate(x[235:], y[235:], sample_weight=weights[235:], batch_size=28, verbose=0)[0]
    assert abs(loss - run["history"]["val_loss"][-1]) <= EPOCH_TOLERANCE


def _line():
    """y = x: x = (1, 2), y = (0, 0) gives squared errors 1 and 4."""
    model = Sequential()
    model.add(Dense(1, input_dim=1))
    model.compile(loss="mse", optimizer=SGD(learning_rate=0.1))
    model.set_weights([[[1.0]], [0.0]])
    return model, [[1.0], [2.0]], [[0.0], [0.0]]


def test_weighted_evaluate_by_hand():
    model, x, y = _line()
    # (2 * 1 + 0.5 * 4) / 2 rows = 2; unweighted (1 + 4) / 2 = 2.5.
    assert model.evaluate(x, y, sample_weight=[2.0, 0.5], verbose=0) == 2.0
    assert model.evaluate(x, y, verbose=0) == 2.5
    assert model.test_on_batch(x, y, sample_weight=[2.0, 0.5]) == 2.0
    # The weights divide by the rows, not by their sum: a zero weight still counts its row.
    assert model.evaluate(x, y, sample_weight=[0.0, 1.0], verbose=0) == 2.0


def test_weighted_train_on_batch_steps_with_the_weighted_gradient():
    model, x, y = _line()
    # dL/dk = (2 * 2 * 1 * 1 + 0.5 * 2 * 2 * 2) / 2 = 4, dL/db = (2 * 2 * 1 + 0.5 * 2 * 2) / 2 = 3.
    assert model.train_on_batch(x, y, sample_weight=[2.0, 0.5]) == 2.0
    assert_close(model.get_weights(), [[[1.0 - 0.4]], [-0.3]], 1e-7, "weights after one step")
    # class_weight of single-column labels: y = 0 for both rows, so weight 2 each: loss (2 + 8) / 2 at k = 1.
    model, x, y = _line()
    assert model.train_on_batch(x, y, class_weight={0: 2.0}) == 5.0


def test_class_weight_of_one_hot_labels_uses_the_argmax():
    anneal.utils.set_random_seed(3)
    model = Sequential()
    model.add(Dense(3, input_dim=2, activation="softmax"))
    model.compile(loss="categorical_crossentropy", optimizer=SGD())
    x = [[0.1, 0.2], [0.3, -0.1], [-0.2, 0.4]]
    y = [[1, 0, 0], [0, 0, 1], [0, 1, 0]]
    weights = [2.0, 5.0, 0.5]  # class 0, 2, 1
    expected = model.evaluate(x, y, sample_weight=weights, verbose=0)
    assert model.test_on_batch(x, y, sample_weight=weights) == pytest.approx(expected, abs=1e-7)
    before = model.get_weights()
    by_class = model.train_on_batch(x, y, class_weight={0: 2.0, 1: 0.5, 2: 5.0})
    assert by_class == pytest.approx(expected, abs=1e-7)
    model.set_weights(before)
    assert model.train_on_batch(x, y, sample_weight=weights) == pytest.approx(expected, abs=1e-7)


def test_sample_weight_with_validation_split_weights_the_last_rows():
    x, y = small_data(rows=20)
    weights = [1.0 + row % 4 for row in range(20)]
    model = small_model()
    start = model.get_weights()
    history = model.fit(x, y, epochs=1, batch_size=20, verbose=0, shuffle=False, validation_split=0.25,
                        sample_weight=weights)
    assert history.history["val_loss"][0] == pytest.approx(
        model.evaluate(x[15:], y[15:], sample_weight=weights[15:], verbose=0)[0], abs=1e-6)
    # class_weight leaves validation alone: val_loss is then the unweighted one.
    model.set_weights(start)
    history = model.fit(x, y, epochs=1, batch_size=20, verbose=0, shuffle=False, validation_split=0.25,
                        class_weight={0: 3.0, 1: 0.25})
    assert history.history["val_loss"][0] == pytest.approx(model.evaluate(x[15:], y[15:], verbose=0)[0], abs=1e-6)


def test_bad_weights_are_refused_in_keras_words():
    x, y = small_data(rows=8)
    model = small_model()
    with pytest.raises(anneal.errors.ShapeMismatchError, match="sample_weight has 7"):
        model.fit(x, y, sample_weight=[1.0] * 7, verbose=0)
    with pytest.raises(anneal.errors.ShapeMismatchError, match="sample_weight has 9"):
        model.evaluate(x, y, sample_weight=[1.0] * 9, verbose=0)
    with pytest.raises(anneal.errors.ShapeMismatchError, match="sample_weight has 9"):
        model.train_on_batch(x, y, sample_weight=[1.0] * 9)
    with pytest.raises(anneal.errors.NonFiniteError, match="`sample_weight` holds nan at sample 2"):
        model.fit(x, y, sample_weight=[1.0, 1.0, float("nan")] + [1.0] * 5, verbose=0)
    with pytest.raises(anneal.errors.NonFiniteError, match="`val_sample_weight` holds inf"):
        model.fit(x, y, validation_data=(x, y, [float("inf")] + [1.0] * 7), verbose=0)
    with pytest.raises(ValueError, match="keys from 0 to one less than the number of classes"):
        model.fit(x, y, class_weight={1: 2.0}, verbose=0)
    with pytest.raises(ValueError, match="has no weight for class 1"):
        model.fit(x, y, class_weight={0: 2.0}, verbose=0)
    with pytest.raises(ValueError, match="validation_data"):
        model.fit(x, y, validation_data=(x, y, None, None), verbose=0)
    with pytest.raises(ValueError, match="1-D"):
        model.evaluate(x, y, sample_weight=[[1.0, 2.0]] * 8, verbose=0)
    # Negative weights are taken as Keras takes them.
    line, lx, ly = _line()
    assert line.evaluate(lx, ly, sample_weight=[-1.0, 1.0], verbose=0) == 1.5
    # The model still trains after the refusals.
    model.fit(x, y, sample_weight=[1.0] * 8, verbose=0)
    assert all(abs(v) < 1e6 for v in flatten(to_list(model.get_weights())))


# --- weighted_metrics -------------------------------------------------------------------------------------------

def _weighted_metrics_model(run):
    """The run's network, compiled as tf_keras was: metrics=['accuracy'], then its weighted_metrics (objects
    given as anneal.metrics objects, the rest by name)."""
    from anneal import metrics as metrics_module

    model = Sequential()
    model.add(Dense(34, input_dim=34, kernel_initializer="normal", activation="relu"))
    model.add(Dense(1, kernel_initializer="normal", activation="sigmoid"))
    weighted = [item if isinstance(item, str) else getattr(metrics_module, item["class"])()
                for item in run["weighted_metrics"]]
    model.compile(loss="binary_crossentropy", metrics=run["metrics"], weighted_metrics=weighted,
                  optimizer=SGD(learning_rate=run["optimizer"]["learning_rate"], momentum=run["optimizer"]["momentum"]))
    model.set_weights(run["initial_weights"])
    return model


def _check_logs(got, expected, what):
    assert list(got) == list(expected), f"{what}: keys {list(got)} vs Keras {list(expected)}"
    for key, value in expected.items():
        assert abs(got[key] - value) <= EPOCH_TOLERANCE, f"{what} {key}: {got[key]} vs Keras {value}"


def test_weighted_metrics_with_class_weight_match_keras():
    run = _golden("weighted_metrics_class")
    x, y, _ = ionosphere()
    model = _weighted_metrics_model(run)
    class_weight = {int(key): value for key, value in run["fit"]["class_weight"].items()}
    history = model.fit(x, y, epochs=run["fit"]["epochs"], batch_size=run["fit"]["batch_size"], verbose=0,
                        validation_split=run["fit"]["validation_split"], shuffle=False, class_weight=class_weight)
    assert list(history.history) == list(run["history"])
    assert model.metrics_names == run["metrics_names"]
    _check(run, model, history)


@pytest.mark.parametrize("as_lists", [False, True])
def test_weighted_metrics_with_sample_weight_match_keras(as_lists):
    run = _golden("weighted_metrics_sample")
    x, y, _ = ionosphere(as_lists=as_lists)
    weights = [1.0 + row % 3 for row in range(len(x))]
    model = _weighted_metrics_model(run)
    assert model.metrics_names == []  # Keras fills them once the model has seen data
    history = model.fit(x[:235], y[:235], epochs=run["fit"]["epochs"], batch_size=run["fit"]["batch_size"],
                        verbose=0, shuffle=False, sample_weight=weights[:235],
                        validation_data=(x[235:], y[235:], weights[235:]))
    assert list(history.history) == list(run["history"])
    assert model.metrics_names == run["metrics_names"]
    _check(run, model, history)
    _check_logs(model.evaluate(x[235:], y[235:], sample_weight=weights[235:], batch_size=28, verbose=0,
                               return_dict=True), run["evaluate"], "evaluate")
    xb, yb, wb = x[235:263], y[235:263], weights[235:263]
    _check_logs(model.test_on_batch(xb, yb, sample_weight=wb, return_dict=True), run["test_on_batch"], "test_on_batch")
    _check_logs(model.train_on_batch(xb, yb, sample_weight=wb, return_dict=True), run["train_on_batch"],
                "train_on_batch")
    _check_logs(model.test_on_batch(xb, yb, sample_weight=wb, return_dict=True), run["test_on_batch_after_train"],
                "test_on_batch after train_on_batch")


def test_weighted_metric_names_as_keras_sets_them():
    model, x, y = _line()
    model.compile(loss="mse", optimizer="sgd", metrics=["mae"], weighted_metrics=["mae", "mse", "acc"])
    model.evaluate(x, y, verbose=0)
    assert model.metrics_names == ["loss", "mae", "weighted_mae", "mse", "acc"]
    model.compile(loss="mse", optimizer="sgd", weighted_metrics=["mae", "mae"])
    model.evaluate(x, y, verbose=0)
    assert model.metrics_names == ["loss", "mae", "weighted_mae"]
    with pytest.raises(ValueError, match="Found two weighted metrics with the same name: weighted_mae"):
        model.compile(loss="mse", optimizer="sgd", metrics=["mae"], weighted_metrics=["mae", "mae"])
    auc = anneal.metrics.AUC()
    with pytest.raises(ValueError, match="duplicated metrics object"):
        model.compile(loss="mse", optimizer="sgd", metrics=[auc], weighted_metrics=[auc])
    with pytest.raises(TypeError, match="weighted_metrics"):
        model.compile(loss="mse", optimizer="sgd", weighted_metrics="mae")
    with pytest.raises(ValueError, match="Unknown metric"):
        model.compile(loss="mse", optimizer="sgd", weighted_metrics=["nope"])


def test_weighted_metric_by_hand():
    model, x, y = _line()
    model.compile(loss="mse", optimizer=SGD(learning_rate=0.1), metrics=["mae"], weighted_metrics=["mae"])
    model.set_weights([[[1.0]], [0.0]])
    # Absolute errors 1 and 2, weights 2 and 0.5: weighted (2 + 1) / 2.5 = 1.2; unweighted 1.5.
    loss, mae, weighted_mae = model.evaluate(x, y, sample_weight=[2.0, 0.5], verbose=0)
    assert (loss, mae, weighted_mae) == (2.0, 1.5, pytest.approx(1.2, abs=1e-7))
    # reset_metrics=False accumulates a weighted metric over the weights: (2 * 1 + 0.5 * 2 + 1 * 1) / 3.5.
    model.test_on_batch(x, y, sample_weight=[2.0, 0.5], reset_metrics=False)
    result = model.test_on_batch(x[:1], y[:1], sample_weight=[1.0], return_dict=True)
    assert result["weighted_mae"] == pytest.approx(4.0 / 3.5, abs=1e-7)
    assert result["mae"] == pytest.approx((1.5 * 2 + 1.0) / 3, abs=1e-7)
    # Without weights a weighted metric is the plain one.
    assert model.evaluate(x, y, verbose=0) == [2.5, 1.5, 1.5]


def test_weighted_metrics_survive_save_and_load(tmp_path):
    x, y = small_data()
    model = small_model()
    model.compile(loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"],
                  weighted_metrics=["accuracy", anneal.metrics.AUC()])
    weights = [1.0 + row % 3 for row in range(len(x))]
    model.fit(x, y, epochs=2, batch_size=4, verbose=0, shuffle=False, sample_weight=weights)
    path = str(tmp_path / "m.anneal")
    model.save(path)
    loaded = anneal.models.load_model(path)
    assert loaded.metrics_names == model.metrics_names == ["loss", "accuracy", "weighted_accuracy", "auc"]
    a = model.fit(x, y, epochs=2, batch_size=4, verbose=0, shuffle=False, sample_weight=weights).history
    b = loaded.fit(x, y, epochs=2, batch_size=4, verbose=0, shuffle=False, sample_weight=weights).history
    assert a == b
    assert to_list(model.get_weights()) == to_list(loaded.get_weights())
