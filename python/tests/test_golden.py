"""The golden Keras runs of the tutorial's model and data (time, step, base, then one per optimizer and setting)
replayed through the Python API from Keras's initial weights."""

import helpers  # noqa: F401  first: puts python/ on sys.path whatever runs the tests

import pytest

import anneal
from helpers import (EPOCH_TOLERANCE, WEIGHT_TOLERANCE, assert_close, flatten, golden, golden_data, golden_model, np,
                     tutorial_callbacks, tutorial_model, without_numpy)


class _RecordEffectiveRate(anneal.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.rates = []

    def on_epoch_end(self, epoch, logs=None):
        self.rates.append(self.model.optimizer.effective_learning_rate)


def _replay(kind, as_lists):
    run = golden(kind)
    x, y, classes = golden_data(kind, as_lists=as_lists)
    assert classes == run["classes"]
    model = golden_model(kind, len(flatten(x[0])))
    model.set_weights(run["initial_weights"])
    recorder = _RecordEffectiveRate()
    history = model.fit(x, y, validation_split=run["fit"]["validation_split"], epochs=run["fit"]["epochs"],
                        batch_size=run["fit"]["batch_size"], verbose=0, shuffle=False,
                        callbacks=tutorial_callbacks(kind) + [recorder])
    start = int(len(x) * (1 - run["fit"]["validation_split"]))
    x_val = x[start:start + 5]
    return run, model, history, recorder.rates, model.predict(x_val, verbose=0)


def _check(kind, as_lists):
    run, model, history, rates, predictions = _replay(kind, as_lists)
    expected = run["history"]
    for key in expected:
        assert key in history.history, f"History lacks {key!r}: {list(history.history)}"
        values = history.history[key]
        assert len(values) == len(expected[key]) == run["fit"]["epochs"]
        for epoch, (got, want) in enumerate(zip(values, expected[key])):
            # A metric of several thresholds: an array per epoch (a list without numpy), as Keras's.
            got, want = (list(got), want) if isinstance(want, list) else ([got], [want])
            assert len(got) == len(want), f"{kind} {key} epoch {epoch + 1}: {got} vs Keras {want}"
            for a, b in zip(got, want):
                # relative above 1 (mape is in the millions), as the Swift replay's isClose
                assert abs(a - b) <= EPOCH_TOLERANCE * max(1.0, abs(b)), \
                    f"{kind} {key} epoch {epoch + 1}: {got} vs Keras {want}"
    assert_close(rates[:len(run.get("lr_after_epoch", []))], run.get("lr_after_epoch", []), EPOCH_TOLERANCE, f"{kind} effective rate after each epoch")
    assert_close(model.get_weights(), run["final_weights"], WEIGHT_TOLERANCE, f"{kind} final weights")
    assert_close(predictions, run["first_val_predictions"], EPOCH_TOLERANCE, f"{kind} first validation outputs")


RUNS = ["time", "step", "base", "adam", "rmsprop", "adagrad", "adadelta", "adamax", "nadam", "adam_amsgrad",
        "rmsprop_momentum", "rmsprop_centered", "adam_decay", "adam_expdecay", "regression_mae", "regression_huber", "metrics_binary", "metrics_categorical",
        "metrics_sparse", "metrics_confusion", "metrics_auc_labels",
        "metrics_auc_methods", "metrics_thresholds"]


@pytest.mark.parametrize("kind", RUNS)
def test_golden_run_matches_keras(kind):
    _check(kind, as_lists=False)


@pytest.mark.parametrize("kind", RUNS)
def test_golden_run_matches_keras_from_plain_lists(kind):
    with without_numpy():
        _check(kind, as_lists=True)


def test_golden_history_keys_in_keras_order():
    run, _, history, _, _ = _replay("step", as_lists=False)
    assert list(history.history) == ["loss", "accuracy", "val_loss", "val_accuracy", "lr"]
    assert list(history.history)[:4] == list(run["history"])[:4]
    run, _, history, _, _ = _replay("time", as_lists=False)
    assert list(history.history) == ["loss", "accuracy", "val_loss", "val_accuracy", "effective_lr"]
    run, _, history, _, _ = _replay("base", as_lists=False)
    assert list(history.history) == ["loss", "accuracy", "val_loss", "val_accuracy"]


def test_golden_step_lr_history_is_the_tutorial_curve():
    run, _, history, _, _ = _replay("step", as_lists=False)
    assert_close(history.history["lr"], run["history"]["lr"], 1e-9, "lr")


def test_golden_weights_round_trip_exactly():
    run = golden("time")
    model = tutorial_model("time")
    model.set_weights(run["initial_weights"])
    # float32 storage: the decimal values come back rounded to float32, within one ulp of them
    assert_close(model.get_weights(), run["initial_weights"], 1e-8, "initial weights")
    if np is not None:
        for weight in model.get_weights():
            assert weight.dtype == np.float32
