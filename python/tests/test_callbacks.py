"""Callbacks: hooks in Keras order with Keras's logs, stop_training, the built-in callbacks, and exceptions
raised inside a schedule or a callback coming out of fit unchanged with the model still usable."""

import helpers  # noqa: F401  first: puts python/ on sys.path whatever runs the tests

import csv
import math
import os

import pytest

import anneal
from anneal.callbacks import (CSVLogger, Callback, EarlyStopping, LambdaCallback, LearningRateScheduler,
                              ModelCheckpoint, ReduceLROnPlateau, TerminateOnNaN)
from anneal.optimizers import SGD
from helpers import (RATE_TOLERANCE, all_finite, assert_close, captured_stdout, flatten, small_data, small_model,
                     to_list)


class Recorder(Callback):
    def __init__(self):
        super().__init__()
        self.events = []

    def on_train_begin(self, logs=None):
        self.events.append(("train_begin", None, logs))

    def on_train_end(self, logs=None):
        self.events.append(("train_end", None, dict(logs or {})))

    def on_epoch_begin(self, epoch, logs=None):
        self.events.append(("epoch_begin", epoch, logs))

    def on_epoch_end(self, epoch, logs=None):
        self.events.append(("epoch_end", epoch, dict(logs)))

    def on_train_batch_begin(self, batch, logs=None):
        self.events.append(("batch_begin", batch, logs))

    def on_train_batch_end(self, batch, logs=None):
        self.events.append(("batch_end", batch, dict(logs)))


def test_hooks_in_keras_order_with_keras_logs():
    x, y = small_data(rows=30)
    model = small_model()
    recorder = Recorder()
    history = model.fit(x, y, epochs=2, batch_size=8, validation_split=0.2, verbose=0, callbacks=[recorder])
    kinds = [(kind, index) for kind, index, _ in recorder.events]
    expected = [("train_begin", None)]
    for epoch in range(2):
        expected.append(("epoch_begin", epoch))
        for batch in range(3):  # 24 training rows, batches of 8
            expected += [("batch_begin", batch), ("batch_end", batch)]
        expected.append(("epoch_end", epoch))
    expected.append(("train_end", None))
    assert kinds == expected
    for kind, _, logs in recorder.events:
        if kind == "batch_end":
            assert list(logs) == ["loss", "accuracy"]
            assert all(math.isfinite(v) for v in logs.values())
        if kind == "epoch_end":
            assert list(logs) == ["loss", "accuracy", "val_loss", "val_accuracy"]
    epoch_logs = [logs for kind, _, logs in recorder.events if kind == "epoch_end"]
    assert [logs["loss"] for logs in epoch_logs] == history.history["loss"]
    # the last batch's running values are the epoch's training values
    last_batch = [logs for kind, index, logs in recorder.events if kind == "batch_end" and index == 2]
    assert last_batch[0]["loss"] == pytest.approx(epoch_logs[0]["loss"], abs=1e-6)
    assert recorder.events[-1][2] == epoch_logs[-1]  # on_train_end gets the last epoch's logs
    assert recorder.model is model
    assert recorder.params["epochs"] == 2 and recorder.params["steps"] == 3


def test_batch_hooks_do_not_change_the_run():
    x, y = small_data(rows=30)
    plain = small_model(seed=5).fit(x, y, epochs=3, batch_size=7, verbose=0, seed=11)
    hooked = small_model(seed=5).fit(x, y, epochs=3, batch_size=7, verbose=0, seed=11, callbacks=[Recorder()])
    assert_close(hooked.history["loss"], plain.history["loss"], 1e-7, "loss")


def test_keras1_batch_hook_names_are_called():
    calls = []

    class Old(Callback):
        def on_batch_begin(self, batch, logs=None):
            calls.append(("begin", batch))

        def on_batch_end(self, batch, logs=None):
            calls.append(("end", batch, sorted(logs)))

    x, y = small_data(rows=10)
    small_model().fit(x, y, epochs=1, batch_size=5, verbose=0, callbacks=[Old()])
    assert calls == [("begin", 0), ("end", 0, ["accuracy", "loss"]), ("begin", 1), ("end", 1, ["accuracy", "loss"])]


def test_user_callback_keys_reach_history_and_progress_line():
    class AddKey(Callback):
        def on_epoch_end(self, epoch, logs=None):
            logs["custom"] = 0.5 + epoch

    x, y = small_data(rows=20)
    history, output = captured_stdout(small_model().fit, x, y, epochs=2, batch_size=10, verbose=2,
                                      callbacks=[AddKey()])
    assert history.history["custom"] == [0.5, 1.5]
    assert " - custom: 0.5000 - " in output


def test_stop_training_at_epoch_end():
    class StopAfter(Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 2:
                self.model.stop_training = True

    x, y = small_data(rows=20)
    model = small_model()
    history = model.fit(x, y, epochs=10, batch_size=5, verbose=0, callbacks=[StopAfter()])
    assert len(history.history["loss"]) == 3
    assert history.epoch == [0, 1, 2]
    assert model.optimizer.iterations == 12


def test_stop_training_in_a_batch_ends_the_epoch_early():
    class StopInBatch(Callback):
        def on_train_batch_end(self, batch, logs=None):
            if batch == 1:
                self.model.stop_training = True

    x, y = small_data(rows=20)
    model = small_model()
    history = model.fit(x, y, epochs=10, batch_size=5, verbose=0, callbacks=[StopInBatch()])
    assert len(history.history["loss"]) == 1
    assert model.optimizer.iterations == 2


def test_stop_training_is_reset_by_the_next_fit():
    x, y = small_data(rows=20)
    model = small_model()
    model.stop_training = True
    history = model.fit(x, y, epochs=3, batch_size=20, verbose=0)
    assert len(history.history["loss"]) == 3


# --- LearningRateScheduler ---------------------------------------------------------------------------------

def test_scheduler_one_argument_form():
    seen = []

    def schedule(epoch):
        seen.append(epoch)
        return 0.1 / (epoch + 1)

    x, y = small_data(rows=20)
    history = small_model().fit(x, y, epochs=3, batch_size=20, verbose=0, callbacks=[LearningRateScheduler(schedule)])
    assert seen == [0, 1, 2]
    assert_close(history.history["lr"], [0.1, 0.05, 0.1 / 3], RATE_TOLERANCE, "lr")


def test_scheduler_two_argument_form_gets_the_current_rate():
    seen = []

    def schedule(epoch, lr):
        seen.append((epoch, lr))
        return lr * 0.5

    x, y = small_data(rows=20)
    model = small_model(lr=0.2)
    history = model.fit(x, y, epochs=3, batch_size=20, verbose=0, callbacks=[LearningRateScheduler(schedule)])
    assert [epoch for epoch, _ in seen] == [0, 1, 2]
    assert_close([lr for _, lr in seen], [0.2, 0.1, 0.05], RATE_TOLERANCE, "rates passed in")
    assert_close(history.history["lr"], [0.1, 0.05, 0.025], RATE_TOLERANCE, "lr")


def test_scheduler_form_is_decided_by_signature_not_by_catching_type_error():
    calls = []

    def one_argument_that_raises_type_error(epoch):
        calls.append(epoch)
        raise TypeError("my own TypeError")

    x, y = small_data(rows=20)
    model = small_model()
    with pytest.raises(TypeError, match="my own TypeError"):
        model.fit(x, y, epochs=2, verbose=0, callbacks=[LearningRateScheduler(one_argument_that_raises_type_error)])
    assert calls == [0]  # called once, never retried with another argument count

    def with_default(epoch, lr=None):
        calls.append(lr)
        return 0.01

    model.fit(x, y, epochs=1, verbose=0, callbacks=[LearningRateScheduler(with_default)])
    assert calls[-1] is not None

    class Callable:
        def __call__(self, epoch):
            return 0.02

    history = model.fit(x, y, epochs=1, verbose=0, callbacks=[LearningRateScheduler(Callable())])
    assert history.history["lr"][0] == pytest.approx(0.02)
    history = model.fit(x, y, epochs=2, verbose=0, callbacks=[LearningRateScheduler(lambda e, lr: lr)])
    assert history.history["lr"] == pytest.approx([0.02, 0.02])


def test_scheduler_with_decay_logs_both_rates():
    x, y = small_data(rows=20)
    model = small_model(lr=0.1, decay=0.01)
    history = model.fit(x, y, epochs=2, batch_size=10, verbose=0, callbacks=[LearningRateScheduler(lambda e: 0.1)])
    assert list(history.history) == ["loss", "accuracy", "effective_lr", "lr"]
    assert history.history["effective_lr"] == pytest.approx([0.1 / 1.02, 0.1 / 1.04], rel=1e-6)


def test_scheduler_verbose_message():
    x, y = small_data(rows=20)
    _, output = captured_stdout(small_model().fit, x, y, epochs=2, verbose=0,
                                callbacks=[LearningRateScheduler(lambda e: 0.05, verbose=1)])
    assert output == ("\nEpoch 1: LearningRateScheduler setting learning rate to 0.05.\n"
                      "\nEpoch 2: LearningRateScheduler setting learning rate to 0.05.\n")


def test_scheduler_needs_a_callable():
    with pytest.raises(TypeError, match="schedule"):
        LearningRateScheduler(0.1)


@pytest.mark.parametrize("value, pattern", [
    (1, "float"),
    ("0.1", "float"),
    (float("nan"), "nan"),
    (-0.1, "-0.1"),
    (float("inf"), "inf"),
    (None, "float"),
    (True, "float"),
])
def test_scheduler_bad_values_name_the_epoch_and_the_value(value, pattern):
    x, y = small_data(rows=20)
    model = small_model()
    before = model.get_weights()
    with pytest.raises(ValueError, match=pattern) as info:
        model.fit(x, y, epochs=3, verbose=0, callbacks=[LearningRateScheduler(lambda e: value)])
    assert "epoch 0" in str(info.value)
    assert_close(model.get_weights(), before, 0.0, "weights after a refused schedule")


def test_scheduler_bad_value_at_a_later_epoch():
    x, y = small_data(rows=20)
    model = small_model()
    with pytest.raises(ValueError, match="epoch 2"):
        model.fit(x, y, epochs=5, verbose=0, callbacks=[LearningRateScheduler(lambda e: 0.1 if e < 2 else 2)])
    assert model.optimizer.iterations == 2


def test_scheduler_accepts_numpy_floats():
    from helpers import np
    if np is None:
        pytest.skip("numpy not installed")
    x, y = small_data(rows=20)
    history = small_model().fit(x, y, epochs=2, verbose=0,
                                callbacks=[LearningRateScheduler(lambda e: np.float32(0.05))])
    assert history.history["lr"] == pytest.approx([0.05, 0.05])


# --- Exceptions ---------------------------------------------------------------------------------------------

class MyError(Exception):
    pass


def _assert_usable(model, x):
    predictions = model.predict(x, verbose=0)
    assert len(to_list(predictions)) == len(x)
    assert all_finite(predictions)
    assert all_finite(model.get_weights())


@pytest.mark.parametrize("hook", ["on_train_begin", "on_epoch_begin", "on_train_batch_begin", "on_train_batch_end",
                                  "on_epoch_end", "on_train_end"])
def test_exception_in_a_callback_comes_out_unchanged(hook):
    error = MyError(f"raised in {hook}")

    class Raising(Callback):
        pass

    def raise_it(*args, **kwargs):
        raise error

    setattr(Raising, hook, raise_it)
    x, y = small_data(rows=20)
    model = small_model()
    with pytest.raises(MyError, match=f"raised in {hook}") as info:
        model.fit(x, y, epochs=3, batch_size=5, verbose=0, callbacks=[Raising()])
    assert info.value is error
    _assert_usable(model, x)
    history = model.fit(x, y, epochs=2, batch_size=5, verbose=0)  # the model trains again
    assert len(history.history["loss"]) == 2


def test_exception_in_a_schedule_comes_out_unchanged():
    def schedule(epoch):
        if epoch == 1:
            raise MyError("schedule failed at epoch 1")
        return 0.1

    x, y = small_data(rows=20)
    model = small_model()
    with pytest.raises(MyError, match="schedule failed at epoch 1"):
        model.fit(x, y, epochs=3, batch_size=10, verbose=0, callbacks=[LearningRateScheduler(schedule)])
    assert model.optimizer.iterations == 2
    _assert_usable(model, x)


def test_keyboard_interrupt_in_a_callback_leaves_the_model_usable():
    class Interrupt(Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 1:
                raise KeyboardInterrupt

    x, y = small_data(rows=20)
    model = small_model()
    with pytest.raises(KeyboardInterrupt):
        model.fit(x, y, epochs=50, batch_size=5, verbose=0, callbacks=[Interrupt()])
    assert model.optimizer.iterations == 8
    _assert_usable(model, x)
    model.fit(x, y, epochs=1, batch_size=5, verbose=0)
    assert model.optimizer.iterations == 12


def test_keyboard_interrupt_in_a_batch_hook():
    class Interrupt(Callback):
        def on_train_batch_end(self, batch, logs=None):
            if batch == 2:
                raise KeyboardInterrupt

    x, y = small_data(rows=20)
    model = small_model()
    with pytest.raises(KeyboardInterrupt):
        model.fit(x, y, epochs=5, batch_size=5, verbose=0, callbacks=[Interrupt()])
    assert model.optimizer.iterations == 3
    _assert_usable(model, x)


# --- Built-in callbacks ----------------------------------------------------------------------------------

class Inject(Callback):
    """Replaces a monitored value with a scripted sequence (placed before the callback under test)."""

    def __init__(self, key, values):
        super().__init__()
        self.key = key
        self.values = list(values)

    def on_epoch_end(self, epoch, logs=None):
        logs[self.key] = self.values[epoch]


class WeightsAtEpochEnd(Callback):
    def __init__(self):
        super().__init__()
        self.weights = []

    def on_epoch_end(self, epoch, logs=None):
        self.weights.append(self.model.get_weights())


def test_reduce_lr_on_plateau():
    x, y = small_data(rows=20)
    model = small_model(lr=0.1)
    reduce = ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=2)
    history = model.fit(x, y, epochs=6, verbose=0, callbacks=[Inject("val_loss", [1.0] * 6), reduce])
    assert_close(history.history["lr"], [0.1, 0.1, 0.1, 0.05, 0.05, 0.025], RATE_TOLERANCE, "lr")
    assert model.optimizer.learning_rate == pytest.approx(0.025)


def test_reduce_lr_on_plateau_cooldown_min_lr_and_improvement():
    x, y = small_data(rows=20)
    model = small_model(lr=0.1)
    reduce = ReduceLROnPlateau(monitor="val_loss", factor=0.1, patience=1, cooldown=1, min_lr=0.005, verbose=1)
    values = [1.0, 1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.5]
    history, output = captured_stdout(model.fit, x, y, epochs=8, verbose=0,
                                      callbacks=[Inject("val_loss", values), reduce])
    # e0 best; e1 wait 1 -> 0.01 (cooldown 1); e2 the cooldown counts down to 0 first (as Keras does), so
    # wait 1 -> max(0.001, 0.005); later plateaus find lr == min_lr and leave it
    assert_close(history.history["lr"], [0.1, 0.1, 0.01, 0.005, 0.005, 0.005, 0.005, 0.005], RATE_TOLERANCE, "lr")
    assert "ReduceLROnPlateau reducing learning rate to" in output


def test_reduce_lr_on_plateau_rejects_factor_one():
    with pytest.raises(ValueError, match="factor"):
        ReduceLROnPlateau(factor=1.0)
    assert ReduceLROnPlateau(monitor="val_accuracy").mode == "max"
    assert ReduceLROnPlateau().mode == "min"


def test_early_stopping_restores_the_best_weights():
    x, y = small_data(rows=20)
    model = small_model()
    snapshots = WeightsAtEpochEnd()
    stopper = EarlyStopping(monitor="val_loss", patience=2, restore_best_weights=True)
    history = model.fit(x, y, epochs=10, verbose=0,
                        callbacks=[Inject("val_loss", [1.0, 0.5, 0.6, 0.7, 0.8, 0.9, 1, 1, 1, 1]), snapshots,
                                   stopper])
    assert len(history.history["loss"]) == 4
    assert stopper.stopped_epoch == 3 and stopper.best_epoch == 1
    assert_close(model.get_weights(), snapshots.weights[1], 0.0, "restored weights")


def test_early_stopping_without_restore_keeps_the_last_weights():
    x, y = small_data(rows=20)
    model = small_model()
    snapshots = WeightsAtEpochEnd()
    history = model.fit(x, y, epochs=10, verbose=0,
                        callbacks=[Inject("loss", [1.0, 0.9, 1.0, 1.1] + [2] * 6), snapshots,
                                   EarlyStopping(monitor="loss", patience=1)])
    assert len(history.history["loss"]) == 3
    assert_close(model.get_weights(), snapshots.weights[-1], 0.0, "last weights")


def test_early_stopping_accuracy_is_maximized():
    assert EarlyStopping(monitor="val_accuracy").mode == "max"
    assert EarlyStopping(monitor="acc").mode == "max"
    with pytest.raises(ValueError, match="mode"):
        EarlyStopping(mode="sideways")


def test_model_checkpoint_formats_the_path(tmp_path):
    x, y = small_data(rows=20)
    model = small_model()
    pattern = os.path.join(str(tmp_path), "weights-{epoch:02d}-{loss:.3f}.anneal")
    history = model.fit(x, y, epochs=3, verbose=0, callbacks=[ModelCheckpoint(pattern)])
    names = sorted(os.listdir(str(tmp_path)))
    assert len(names) == 3
    assert names[0] == "weights-01-{:.3f}.anneal".format(history.history["loss"][0])
    other = small_model(seed=99)
    other.load_weights(os.path.join(str(tmp_path), names[-1]))
    assert_close(other.get_weights(), model.get_weights(), 0.0, "checkpoint of the last epoch")


def test_model_checkpoint_save_best_only(tmp_path):
    x, y = small_data(rows=20)
    model = small_model()
    path = os.path.join(str(tmp_path), "best.anneal")
    snapshots = WeightsAtEpochEnd()
    model.fit(x, y, epochs=4, verbose=0,
              callbacks=[Inject("val_loss", [1.0, 0.4, 0.6, 0.5]), snapshots,
                         ModelCheckpoint(path, monitor="val_loss", save_best_only=True)])
    other = small_model(seed=99)
    other.load_weights(path)
    assert_close(other.get_weights(), snapshots.weights[1], 0.0, "best checkpoint")


def test_model_checkpoint_refuses_full_models():
    with pytest.raises(NotImplementedError, match="weights"):
        ModelCheckpoint("x", save_weights_only=False)


def test_csv_logger(tmp_path):
    x, y = small_data(rows=20)
    path = os.path.join(str(tmp_path), "log.csv")
    history = small_model().fit(x, y, epochs=3, validation_split=0.25, verbose=0, callbacks=[CSVLogger(path)])
    with open(path, newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["epoch", "accuracy", "loss", "val_accuracy", "val_loss"]
    assert [row[0] for row in rows[1:]] == ["0", "1", "2"]
    assert [float(row[2]) for row in rows[1:]] == pytest.approx(history.history["loss"])
    small_model().fit(x, y, epochs=2, validation_split=0.25, verbose=0, callbacks=[CSVLogger(path, append=True)])
    with open(path, newline="") as handle:
        rows = list(csv.reader(handle))
    assert len(rows) == 6 and rows[0][0] == "epoch" and rows[4][0] == "0"


def test_csv_logger_separator(tmp_path):
    x, y = small_data(rows=20)
    path = os.path.join(str(tmp_path), "log.tsv")
    small_model().fit(x, y, epochs=1, verbose=0, callbacks=[CSVLogger(path, separator="\t")])
    with open(path) as handle:
        assert handle.readline().strip() == "epoch\taccuracy\tloss"


def test_terminate_on_nan():
    x = [[1e3, -1e3, 5e2]] * 10 + [[-1e3, 1e3, -5e2]] * 10
    y = [[1e3]] * 10 + [[-1e3]] * 10
    anneal.utils.set_random_seed(1)
    model = anneal.Sequential([anneal.layers.Dense(8, input_dim=3), anneal.layers.Dense(1)])
    model.compile(loss="mse", optimizer=SGD(learning_rate=10.0))
    history, output = captured_stdout(model.fit, x, y, epochs=50, batch_size=5, verbose=0,
                                      callbacks=[TerminateOnNaN()])
    assert len(history.history["loss"]) < 50
    assert "Invalid loss, terminating training" in output


def test_lambda_callback():
    calls = []
    callback = LambdaCallback(
        on_train_begin=lambda logs: calls.append("train_begin"),
        on_epoch_begin=lambda epoch, logs: calls.append(("epoch_begin", epoch)),
        on_batch_begin=lambda batch, logs: calls.append(("batch_begin", batch)),
        on_batch_end=lambda batch, logs: calls.append(("batch_end", batch, sorted(logs))),
        on_epoch_end=lambda epoch, logs: calls.append(("epoch_end", epoch, sorted(logs))),
        on_train_end=lambda logs: calls.append("train_end"))
    x, y = small_data(rows=10)
    small_model().fit(x, y, epochs=1, batch_size=5, verbose=0, callbacks=[callback])
    assert calls == ["train_begin", ("epoch_begin", 0), ("batch_begin", 0), ("batch_end", 0, ["accuracy", "loss"]),
                     ("batch_begin", 1), ("batch_end", 1, ["accuracy", "loss"]),
                     ("epoch_end", 0, ["accuracy", "loss"]), "train_end"]


def test_lambda_callback_epoch_only_trains_whole_epochs():
    ends = []
    callback = LambdaCallback(on_epoch_end=lambda epoch, logs: ends.append(logs["loss"]))
    x, y = small_data(rows=10)
    history = small_model().fit(x, y, epochs=2, batch_size=5, verbose=0, callbacks=[callback])
    assert ends == history.history["loss"]
    assert not callback._implements_train_batch_hooks()


def test_history_is_attached_to_the_model():
    x, y = small_data(rows=10)
    model = small_model()
    history = model.fit(x, y, epochs=2, verbose=0)
    assert model.history is history
    assert history.epoch == [0, 1]
    assert history.model is model


def test_callback_params_and_model_are_set():
    seen = {}

    class Peek(Callback):
        def on_train_begin(self, logs=None):
            seen["params"] = dict(self.params)
            seen["model"] = self.model

    x, y = small_data(rows=10)
    model = small_model()
    model.fit(x, y, epochs=4, batch_size=3, verbose=0, callbacks=[Peek()])
    assert seen["model"] is model
    assert seen["params"] == {"verbose": 0, "epochs": 4, "steps": 4}


def test_callback_may_call_model_methods():
    results = []

    class UsesModel(Callback):
        def on_epoch_end(self, epoch, logs=None):
            results.append((flatten(self.model.predict(x[:2], verbose=0)), self.model.evaluate(x, y, verbose=0),
                            self.model.optimizer.learning_rate))

    x, y = small_data(rows=10)
    small_model().fit(x, y, epochs=2, verbose=0, callbacks=[UsesModel()])
    assert len(results) == 2 and len(results[0][0]) == 2
