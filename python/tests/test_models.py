"""Sequential: add / compile / fit / evaluate / predict, History keys, verbose output, weights in memory and
on disk, summary, close and `with`, Input and input_shape."""

import helpers  # noqa: F401  first: puts python/ on sys.path whatever runs the tests

import math
import os
import re

import pytest

import anneal
from anneal.callbacks import LearningRateScheduler
from anneal.layers import Dense, Input
from anneal.models import Sequential
from anneal.optimizers import SGD
from helpers import (assert_close, captured_stdout, flatten, golden, ionosphere, np, small_data, small_model, to_list,
                     tutorial_model, without_numpy)

TIMING = r"\d+(ms|us|s)"
NUMBER = r"\d+\.\d{4}(e[-+]\d+)?"


def test_sequential_workflow():
    x, y = small_data(rows=40)
    anneal.utils.set_random_seed(4)
    model = Sequential()
    model.add(Dense(8, input_dim=3, activation="relu"))
    model.add(Dense(1, activation="sigmoid"))
    assert model.built and len(model.layers) == 2
    model.compile(loss="binary_crossentropy", optimizer=SGD(learning_rate=0.5, momentum=0.9), metrics=["accuracy"])
    assert model.metrics_names == []  # Keras lists the metrics once they have seen data
    history = model.fit(x, y, epochs=30, batch_size=8, verbose=0)
    assert model.metrics_names == ["loss", "accuracy"]
    assert history.history["loss"][-1] < history.history["loss"][0]
    loss, accuracy = model.evaluate(x, y, verbose=0)
    assert accuracy >= 0.9 and math.isfinite(loss)
    predictions = to_list(model.predict(x, verbose=0))
    assert len(predictions) == 40 and all(len(row) == 1 and 0 <= row[0] <= 1 for row in predictions)


def test_layers_in_the_constructor_and_default_compile():
    model = Sequential([Dense(2, input_dim=3), Dense(1)], name="mine")
    assert model.name == "mine"
    model.compile(loss="mse")
    assert isinstance(model.optimizer, SGD) and model.optimizer.learning_rate == pytest.approx(0.01)


def test_build_and_input_width_from_data():
    model = Sequential([Dense(3, activation="tanh"), Dense(2, activation="softmax")])
    assert not model.built
    assert model.get_weights() == []
    output = to_list(model.predict([[1.0, 2.0, 3.0, 4.0]], verbose=0))
    assert model.built and len(output[0]) == 2 and sum(output[0]) == pytest.approx(1.0, abs=1e-6)
    shapes = [tuple(len(w) for w in [weight]) for weight in model.get_weights()]
    assert len(shapes) == 4
    built = Sequential([Dense(3)])
    built.build((None, 5))
    assert [len(to_list(w)) for w in built.get_weights()] == [5, 3]


def test_input_layer_and_input_shape():
    first = Sequential([Input(shape=(6,)), Dense(2)])
    second = Sequential([Dense(2, input_shape=(6,))])
    third = Sequential()
    third.add(anneal.layers.InputLayer(input_shape=(6,)))
    third.add(Dense(2))
    for model in (first, second, third):
        assert model.built and len(to_list(model.get_weights()[0])) == 6
    with pytest.raises(ValueError, match="before the first layer"):
        second.add(Input(shape=(2,)))
    with pytest.raises(ValueError, match="1-D"):
        Dense(2, input_shape=(6, 2))


def test_history_keys_in_keras_order():
    x, y = small_data(rows=20)
    assert list(small_model().fit(x, y, epochs=2, verbose=0).history) == ["loss", "accuracy"]
    assert list(small_model().fit(x, y, epochs=2, verbose=0, validation_split=0.25).history) == [
        "loss", "accuracy", "val_loss", "val_accuracy"]
    assert list(small_model(metrics=["acc"]).fit(x, y, epochs=2, verbose=0, validation_split=0.25).history) == [
        "loss", "acc", "val_loss", "val_acc"]
    assert list(small_model(metrics=()).fit(x, y, epochs=2, verbose=0).history) == ["loss"]
    history = small_model(decay=0.01).fit(x, y, epochs=2, verbose=0, validation_split=0.25,
                                          callbacks=[LearningRateScheduler(lambda e: 0.1)])
    assert list(history.history) == ["loss", "accuracy", "val_loss", "val_accuracy", "effective_lr", "lr"]
    assert all(len(values) == 2 for values in history.history.values())


def test_fit_without_callbacks_matches_the_epoch_by_epoch_loop():
    # Without callbacks, fit trains many epochs per library call; any callback makes it call once per epoch.
    x, y = small_data(rows=30)
    fast = small_model(seed=4, decay=0.01)
    slow = small_model(seed=4, decay=0.01)
    a = fast.fit(x, y, epochs=6, initial_epoch=1, batch_size=7, verbose=0, validation_split=0.2, seed=5)
    b = slow.fit(x, y, epochs=6, initial_epoch=1, batch_size=7, verbose=0, validation_split=0.2, seed=5,
                 callbacks=[anneal.callbacks.Callback()])
    assert list(a.history) == ["loss", "accuracy", "val_loss", "val_accuracy", "effective_lr"]
    assert a.history == b.history and a.epoch == b.epoch == [1, 2, 3, 4, 5]
    assert fast.history is a and fast.optimizer.iterations == slow.optimizer.iterations == 20
    assert to_list(fast.get_weights()) == to_list(slow.get_weights())
    assert small_model().fit(x, y, epochs=0, verbose=0).history == {}


def test_validation_data_is_used_instead_of_a_split():
    x, y = small_data(rows=20)
    model = small_model()
    history = model.fit(x[:15], y[:15], epochs=2, verbose=0, validation_data=(x[15:], y[15:]),
                        validation_split=0.5)
    assert history.history["val_loss"][-1] == pytest.approx(model.evaluate(x[15:], y[15:], verbose=0)[0], abs=1e-6)


def test_validation_split_takes_the_last_rows_before_shuffling():
    x, y = small_data(rows=20)
    model = small_model()
    history = model.fit(x, y, epochs=1, batch_size=3, verbose=0, validation_split=0.25)
    assert model.optimizer.iterations == 5  # 15 training rows in batches of 3
    loss, accuracy = model.evaluate(x[15:], y[15:], verbose=0)
    assert history.history["val_loss"][0] == pytest.approx(loss, abs=1e-6)
    assert history.history["val_accuracy"][0] == pytest.approx(accuracy, abs=1e-6)


def test_shuffle_false_follows_file_order_and_seeded_shuffle_is_reproducible():
    x, y = small_data(rows=30)
    runs = [small_model(seed=3).fit(x, y, epochs=3, batch_size=4, verbose=0, shuffle=False).history["loss"]
            for _ in range(2)]
    assert runs[0] == runs[1]
    shuffled = [small_model(seed=3).fit(x, y, epochs=3, batch_size=4, verbose=0, seed=21).history["loss"]
                for _ in range(2)]
    assert shuffled[0] == shuffled[1] and shuffled[0] != runs[0]


def test_iterations_count_every_batch_across_fits():
    x, y = small_data(rows=23)
    model = small_model()
    model.fit(x, y, epochs=2, batch_size=5, verbose=0)
    assert model.optimizer.iterations == 10  # ceil(23 / 5) = 5 per epoch, the short batch counts
    model.fit(x, y, epochs=1, batch_size=23, verbose=0)
    assert model.optimizer.iterations == 11


def test_initial_epoch():
    x, y = small_data(rows=20)
    seen = []
    history = small_model().fit(x, y, epochs=5, initial_epoch=3, verbose=0,
                                callbacks=[LearningRateScheduler(lambda e: seen.append(e) or 0.1)])
    assert seen == [3, 4] and history.epoch == [3, 4]


def test_evaluate_return_forms():
    x, y = small_data(rows=20)
    model = small_model()
    values = model.evaluate(x, y, verbose=0)
    assert isinstance(values, list) and len(values) == 2
    as_dict = model.evaluate(x, y, return_dict=True, verbose=0)
    assert list(as_dict) == ["loss", "accuracy"] and as_dict["loss"] == values[0]
    plain = small_model(metrics=())
    loss = plain.evaluate(x, y, verbose=0)
    assert isinstance(loss, float)
    assert plain.evaluate(x, y, return_dict=True, verbose=0) == {"loss": loss}
    assert model.evaluate(x, y, batch_size=3, verbose=0)[0] == pytest.approx(values[0], abs=1e-6)


def test_losses_and_activations_train():
    x, y = small_data(rows=30)
    for loss, last, labels in (("mse", "linear", y), ("binary_crossentropy", "sigmoid", y),
                               ("categorical_crossentropy", "softmax", [[1 - v, v] for v in y]),
                               ("sparse_categorical_crossentropy", "softmax", y)):
        anneal.utils.set_random_seed(1)
        units = 2 if last == "softmax" else 1
        model = Sequential([Dense(4, input_dim=3, activation="tanh"), Dense(units, activation=last)])
        model.compile(loss=loss, optimizer=SGD(0.1))
        history = model.fit(x, labels, epochs=5, verbose=0)
        assert all(math.isfinite(v) for v in history.history["loss"]), loss


# --- verbose ------------------------------------------------------------------------------------------------

def test_verbose_2_prints_keras_lines():
    x, y = small_data(rows=20)
    _, output = captured_stdout(small_model().fit, x, y, epochs=3, batch_size=5, verbose=2, validation_split=0.25)
    lines = output.splitlines()
    assert lines[0::2] == ["Epoch 1/3", "Epoch 2/3", "Epoch 3/3"]
    pattern = (rf"^3/3 - \d+s - loss: {NUMBER} - accuracy: {NUMBER} - val_loss: {NUMBER} - "
               rf"val_accuracy: {NUMBER} - {TIMING}/epoch - {TIMING}/step$")
    for line in lines[1::2]:
        assert re.match(pattern, line), line


def test_verbose_2_tutorial_time_based_line_is_keras():
    run = golden("time")
    x, y, _ = ionosphere()
    model = tutorial_model("time")
    model.set_weights(run["initial_weights"])
    history, output = captured_stdout(model.fit, x, y, validation_split=0.33, epochs=2, batch_size=28, verbose=2,
                                      shuffle=False)
    lines = output.splitlines()
    assert lines[0] == "Epoch 1/2"
    values = [run["history"][key][0] for key in ("loss", "accuracy", "val_loss", "val_accuracy")]
    expected = ("9/9 - 0s - loss: {:.4f} - accuracy: {:.4f} - val_loss: {:.4f} - val_accuracy: {:.4f} - "
                .format(*values))
    assert lines[1].startswith(expected), lines[1]
    assert re.match(rf"^{TIMING}/epoch - {TIMING}/step$", lines[1][len(expected):]), lines[1]
    assert "effective_lr" in history.history  # kept in History, not printed (Keras never logs it)


def test_verbose_2_prints_lr_before_the_timings_and_small_values_in_e_notation():
    x, y = small_data(rows=20)
    _, output = captured_stdout(small_model().fit, x, y, epochs=1, batch_size=20, verbose=2,
                                callbacks=[LearningRateScheduler(lambda e: 0.0005)])
    assert "Epoch" not in output  # one epoch: no "Epoch 1/1" line
    assert re.match(rf"^1/1 - \d+s - loss: {NUMBER} - accuracy: {NUMBER} - lr: 5\.0000e-04 - {TIMING}/epoch - "
                    rf"{TIMING}/step\n$", output), output


def test_verbose_1_progress_bar():
    x, y = small_data(rows=20)
    _, output = captured_stdout(small_model().fit, x, y, epochs=2, batch_size=5, verbose=1)
    assert output.startswith("Epoch 1/2\n")
    finals = re.findall(rf"4/4 \[={{30}}\] - \d+s {TIMING}/step - loss: {NUMBER} - accuracy: {NUMBER}\n", output)
    assert len(finals) == 2, output
    assert "Epoch 2/2\n" in output
    _, default = captured_stdout(small_model().fit, x, y, epochs=1, batch_size=5)  # verbose="auto" is 1
    assert "[==============================]" in default


def test_verbose_0_prints_nothing():
    x, y = small_data(rows=20)
    model = small_model()
    _, output = captured_stdout(model.fit, x, y, epochs=3, verbose=0, validation_split=0.25)
    assert output == ""
    _, output = captured_stdout(model.predict, x, verbose=0)
    assert output == ""
    _, output = captured_stdout(model.evaluate, x, y, verbose=0)
    assert output == ""


# --- weights ------------------------------------------------------------------------------------------------

def test_get_set_weights_round_trip():
    model = small_model()
    weights = model.get_weights()
    assert [len(flatten(w)) for w in weights] == [12, 4, 4, 1]
    assert [len(to_list(w)) for w in weights] == [3, 4, 4, 1]  # kernels are inputs x units
    new = [[[0.1 * (r + c) for c in range(4)] for r in range(3)], [0.5] * 4, [[0.25]] * 4, [-0.5]]
    model.set_weights(new)
    assert_close(model.get_weights(), new, 1e-7, "weights")
    model.set_weights(weights)
    assert_close(model.get_weights(), weights, 0.0, "weights")
    model.set_weights(tuple(tuple(w) if isinstance(w, list) else w for w in to_list(weights)))


def test_set_weights_changes_predictions_like_keras():
    model = Sequential([Dense(1, input_dim=2, activation="sigmoid")])
    model.set_weights([[[1.0], [-2.0]], [0.5]])
    out = flatten(model.predict([[1.0, 1.0], [0.0, 0.0]], verbose=0))
    assert out == pytest.approx([1 / (1 + math.exp(0.5)), 1 / (1 + math.exp(-0.5))], abs=1e-6)


def test_use_bias_false_has_no_bias():
    model = Sequential([Dense(3, input_dim=2, use_bias=False), Dense(1)])
    assert [len(flatten(w)) for w in model.get_weights()] == [6, 3, 1]


def test_save_and_load_weights_round_trip(tmp_path):
    x, y = small_data(rows=20)
    model = small_model()
    model.fit(x, y, epochs=3, verbose=0)
    path = tmp_path / "weights.anneal"
    model.save_weights(path)  # a pathlib.Path works
    other = small_model(seed=42)
    assert flatten(other.get_weights()) != flatten(model.get_weights())
    other.load_weights(str(path))
    assert_close(other.get_weights(), model.get_weights(), 0.0, "loaded weights")
    assert_close(other.predict(x, verbose=0), model.predict(x, verbose=0), 0.0, "predictions")


def test_save_weights_overwrites_atomically(tmp_path):
    path = str(tmp_path / "w.anneal")
    first = small_model(seed=1)
    second = small_model(seed=2)
    first.save_weights(path)
    second.save_weights(path)
    assert sorted(os.listdir(str(tmp_path))) == ["w.anneal"]  # no temporary file left behind
    probe = small_model(seed=3)
    probe.load_weights(path)
    assert_close(probe.get_weights(), second.get_weights(), 0.0, "overwritten file")
    with pytest.raises(FileExistsError):
        first.save_weights(path, overwrite=False)
    with pytest.raises(OSError):
        first.save_weights(str(tmp_path / "no" / "such" / "dir" / "w.anneal"))
    probe.load_weights(path)
    assert_close(probe.get_weights(), second.get_weights(), 0.0, "file after refused writes")


def test_summary(tmp_path):
    anneal.backend.clear_session()  # so the automatic names start again at "sequential" and "dense"
    model = small_model()
    lines = []
    model.summary(print_fn=lines.append)
    text = "\n".join(lines)
    assert lines[0] == 'Model: "sequential"'
    assert re.search(r"dense \(Dense\)\s+\(None, 4\)\s+16", text)
    assert re.search(r"dense_1 \(Dense\)\s+\(None, 1\)\s+5", text)
    assert "Total params: 21" in text and "Trainable params: 21" in text
    assert model.count_params() == 21
    _, printed = captured_stdout(model.summary)
    assert printed.strip() == text.strip()


# --- close and with -----------------------------------------------------------------------------------------

def test_with_statement_closes_the_model():
    x, y = small_data(rows=10)
    with small_model() as model:
        model.fit(x, y, verbose=0)
    with pytest.raises(anneal.errors.InvalidStateError, match="closed"):
        model.predict(x, verbose=0)


def test_many_models_are_freed():
    x, y = small_data(rows=10)
    for seed in range(200):
        model = small_model(seed=seed)
        model.fit(x, y, epochs=1, verbose=0)
        if seed % 2:
            model.close()
    import gc
    gc.collect()


def test_list_outputs_without_numpy():
    x, y = small_data(rows=10)
    with without_numpy():
        model = small_model()
        model.fit(x, y, epochs=1, verbose=0)
        predictions = model.predict(x, verbose=0)
        weights = model.get_weights()
    assert isinstance(predictions, list) and isinstance(predictions[0], list) and isinstance(predictions[0][0], float)
    assert isinstance(weights[0], list) and isinstance(weights[1], list) and isinstance(weights[1][0], float)


def test_numpy_outputs_with_numpy():
    if np is None:
        pytest.skip("numpy not installed")
    x, y = small_data(rows=10)
    model = small_model()
    predictions = model.predict(np.array(x), verbose=0)
    assert isinstance(predictions, np.ndarray) and predictions.dtype == np.float32 and predictions.shape == (10, 1)
    assert [w.shape for w in model.get_weights()] == [(3, 4), (4,), (4, 1), (1,)]
