"""The Keras surface a tutorial's script uses: ``import anneal as keras``, helpful errors for the names Anneal
does not provide, Keras's automatic names and clear_session, per-layer shapes and weights, train_on_batch /
test_on_batch / predict_on_batch / model(x), metrics_names, unknown keywords, progress bars and summary()."""

import helpers  # noqa: F401  first: puts python/ on sys.path whatever runs the tests

import importlib
import math
import re
import sys

import pytest

import anneal
import anneal as keras
from anneal.layers import Dense, Input
from anneal.models import Sequential
from anneal.optimizers import SGD
from helpers import assert_close, captured_stdout, flatten, small_data, small_model, to_list, without_numpy

TIMING = r"\d+(ms|us|s)"


# --- The namespace ------------------------------------------------------------------------------------------

def test_keras_top_level_names():
    assert keras.Sequential is keras.models.Sequential
    assert keras.Input is keras.layers.Input
    for module in ("layers", "optimizers", "losses", "metrics", "callbacks", "utils", "models", "backend",
                   "datasets", "saving"):
        assert getattr(keras, module).__name__ == f"anneal.{module}"
        assert module in dir(keras)
    assert keras.optimizers.SGD is SGD and keras.callbacks.History is anneal.callbacks.History
    assert keras.utils.to_categorical is anneal.utils.to_categorical
    assert re.match(r"^\d+\.\d+\.\d+$", keras.__version__)
    assert keras.losses.get("binary_crossentropy") is keras.losses.get("BCE") is keras.losses.binary_crossentropy
    assert keras.metrics.get("acc") == "acc"
    with pytest.raises(ValueError, match="Unknown loss function: 'focal'"):
        keras.losses.get("focal")
    with pytest.raises(ValueError, match="Unknown metric function: 'f1_score'"):
        keras.metrics.get("f1_score")


def test_import_is_lazy():
    """``import anneal`` loads neither the submodules nor the library; they load on first use (errors, and the
    header's constants they take their statuses from, are plain Python)."""
    saved = {name: module for name, module in sys.modules.items() if name.split(".")[0] == "anneal"}
    try:
        for name in saved:
            del sys.modules[name]
        importlib.import_module("anneal")
        assert sorted(name for name in sys.modules if name.split(".")[0] == "anneal") == [
            "anneal", "anneal._codes", "anneal._missing", "anneal.errors"]
    finally:
        for name in [name for name in sys.modules if name.split(".")[0] == "anneal"]:
            del sys.modules[name]
        sys.modules.update(saved)


def test_a_name_anneal_lacks_says_what_it_provides():
    with pytest.raises(AttributeError, match=r"Anneal has no `Model`.*provides: .*Sequential"):
        keras.Model  # noqa: B018
    with pytest.raises(AttributeError, match=r"`anneal.layers` has no `BatchNormalization`.*provides: Activation, Dense, Dropout"):
        keras.layers.BatchNormalization  # noqa: B018
    with pytest.raises(AttributeError, match=r"`anneal.losses` has no `BinaryFocalCrossentropy`.*Huber.*loss='mae'"):
        keras.losses.BinaryFocalCrossentropy  # noqa: B018
    with pytest.raises(AttributeError, match="clear_session"):
        keras.backend.floatx  # noqa: B018
    with pytest.raises(AttributeError, match=r"`anneal.callbacks` has no `TensorBoard`.*EarlyStopping"):
        keras.callbacks.TensorBoard  # noqa: B018
    with pytest.raises(AttributeError, match=r"`anneal.utils` has no `plot_model`.*to_categorical"):
        keras.utils.plot_model  # noqa: B018
    with pytest.raises(AttributeError, match=r"`anneal.datasets` has no `mnist`.*ionosphere"):
        keras.datasets.mnist  # noqa: B018
    assert not hasattr(keras.layers, "Conv2D") and getattr(keras.models, "clone_model", None) is None
    # `from ... import` turns the attribute error into an ImportError; the message survives.
    with pytest.raises(ImportError, match=r"`anneal.layers` has no `BatchNormalization`.*provides"):
        from anneal.layers import BatchNormalization  # noqa: F401
    with pytest.raises(ImportError, match=r"Anneal has no `applications`.*provides"):
        from anneal import applications  # noqa: F401
    with pytest.raises(ImportError, match=r"`anneal.models` has no `Model`"):
        from anneal.models import Model  # noqa: F401
    with pytest.raises(ImportError, match=r"`anneal.saving` has no `save_weights`.*provides: load_model, save_model"):
        from anneal.saving import save_weights  # noqa: F401
    assert keras.models.load_model is keras.saving.load_model


# --- Automatic names and clear_session ----------------------------------------------------------------------

def test_automatic_names_as_tf_keras_numbers_them():
    keras.backend.clear_session()
    first = keras.Sequential([keras.Input(shape=(3,)), Dense(4), Dense(1)])
    assert first.name == "sequential"
    assert [layer.name for layer in first.layers] == ["dense", "dense_1"]
    named = Dense(2, name="dense")  # an explicit name does not count
    second = keras.Sequential([Dense(4, input_dim=3), named], name="mine")
    assert [layer.name for layer in second.layers] == ["dense_2", "dense"] and second.name == "mine"
    assert keras.Sequential().name == "sequential_1"
    assert [keras.Input(shape=(2,)).name, keras.layers.InputLayer(input_shape=(2,)).name] == ["input_2", "input_3"]
    keras.backend.clear_session()
    assert (keras.Sequential().name, Dense(1).name, keras.Input(shape=(1,)).name) == ("sequential", "dense",
                                                                                      "input_1")
    keras.backend.clear_session()
    with pytest.raises(TypeError, match="bogus"):
        Dense(1, bogus=1)  # refused before it is named, as in Keras
    with pytest.raises(ValueError, match="units"):
        Dense(0)  # refused after it is named "dense", as in Keras
    with pytest.raises(ValueError, match="1-D"):
        keras.Input(shape=(2, 2))  # likewise named "input_1"
    assert (Dense(1).name, keras.Input(shape=(1,)).name) == ("dense_1", "input_2")
    with pytest.raises(TypeError, match="string"):
        Dense(1, name=3)
    with pytest.raises(TypeError, match="string"):
        keras.Sequential(name=3)


def test_clear_session_leaves_the_random_state_alone_as_tf_keras_does():
    keras.utils.set_random_seed(3)
    keras.backend.clear_session()
    first = keras.Sequential([Dense(2, input_dim=2)]).get_weights()
    keras.backend.clear_session()
    second = keras.Sequential([Dense(2, input_dim=2)]).get_weights()
    assert flatten(first) != flatten(second)
    keras.utils.set_random_seed(3)
    assert flatten(keras.Sequential([Dense(2, input_dim=2)]).get_weights()) == flatten(first)


def test_layer_names_are_unique_within_a_model_and_layers_are_not_shared():
    with pytest.raises(ValueError, match='unique names. Name "twin"'):
        Sequential([Dense(2, input_dim=3, name="twin"), Dense(1, name="twin")])
    layer = Dense(2, input_dim=3)
    owner = Sequential([layer])
    other = Sequential([Dense(3, input_dim=3)])
    with pytest.raises(ValueError, match=f'already in the model "{owner.name}"'):
        other.add(layer)
    assert len(other.layers) == 1 and other.count_params() == 12  # the refused layer changed nothing


# --- Input --------------------------------------------------------------------------------------------------

def test_input_first_or_added():
    first = Sequential([Input(shape=(34,)), Dense(2)])
    second = Sequential()
    second.add(Input(shape=(34,)))
    second.add(Dense(2))
    for model in (first, second):
        assert model.built and model.input_shape == (None, 34) and model.output_shape == (None, 2)
        assert len(model.layers) == 1  # as in Keras, the input is not one of the layers
    with pytest.raises(TypeError, match="sparse"):
        Input(shape=(3,), sparse=True)
    with pytest.raises(ValueError, match="float32"):
        Input(shape=(3,), dtype="int32")
    with pytest.raises(ValueError, match="1-D"):
        Input(shape=3)


# --- Layers -------------------------------------------------------------------------------------------------

def test_layer_shapes_weights_and_params():
    model = Sequential([Dense(4, input_dim=3, activation="relu"), Dense(1, activation="sigmoid", use_bias=False)])
    hidden, output = model.layers
    assert (hidden.units, hidden.activation, output.activation) == (4, "relu", "sigmoid")
    assert (hidden.input_shape, hidden.output_shape) == ((None, 3), (None, 4))
    assert (output.input_shape, output.output_shape) == ((None, 4), (None, 1))
    assert (hidden.count_params(), output.count_params(), model.count_params()) == (16, 4, 20)
    kernel, bias = hidden.get_weights()
    assert [len(to_list(kernel)), len(to_list(kernel)[0]), len(to_list(bias))] == [3, 4, 4]
    assert len(output.get_weights()) == 1
    assert_close(flatten(model.get_weights()), flatten(hidden.get_weights() + output.get_weights()), 0.0, "weights")
    new_kernel = [[0.5 * r - 0.25 * c for c in range(4)] for r in range(3)]
    hidden.set_weights([new_kernel, [0.125] * 4])
    assert_close(hidden.get_weights(), [new_kernel, [0.125] * 4], 0.0, "layer weights")
    assert_close(model.get_weights()[0], new_kernel, 0.0, "model's view of the layer")


def test_layer_weights_errors_change_nothing():
    model = Sequential([Dense(2, input_dim=3)])
    layer = model.layers[0]
    before = flatten(layer.get_weights())
    with pytest.raises(ValueError, match="expecting 2 weights"):
        layer.set_weights([[[0.0] * 2] * 3])
    with pytest.raises(ValueError, match=r"weight shape \(2,\) is not compatible with provided weight shape \(3,\)"):
        layer.set_weights([[[1.0] * 2] * 3, [1.0] * 3])
    assert flatten(layer.get_weights()) == before


def test_an_unbuilt_layer():
    layer = Dense(3)
    assert layer.get_weights() == [] and not layer.built
    with pytest.raises(AttributeError, match="never been called"):
        layer.input_shape  # noqa: B018
    with pytest.raises(AttributeError, match="never been called"):
        layer.output_shape  # noqa: B018
    with pytest.raises(ValueError, match="isn't built"):
        layer.count_params()
    model = Sequential([layer])
    assert not layer.built
    model.build((None, 5))
    assert layer.built and layer.input_shape == (None, 5)


# --- One batch at a time ------------------------------------------------------------------------------------

def test_train_on_batch_is_one_update_on_all_rows():
    x, y = small_data(rows=12)
    stepped, fitted = small_model(seed=5, momentum=0.9), small_model(seed=5, momentum=0.9)
    before = fitted.evaluate(x, y, verbose=0, batch_size=12)
    result = stepped.train_on_batch(x, y)
    assert_close(result, before, 1e-6, "train_on_batch's values (the weights before the update)")
    fitted.fit(x, y, epochs=1, batch_size=12, shuffle=False, seed=0, verbose=0)  # a seed: no draw
    assert_close(stepped.get_weights(), fitted.get_weights(), 0.0, "weights after one update")
    assert stepped.optimizer.iterations == 1
    # The model's shuffling is untouched: fits after train_on_batch shuffle as fits after fit do.
    stepped.fit(x, y, epochs=2, batch_size=4, verbose=0)
    fitted.fit(x, y, epochs=2, batch_size=4, verbose=0)
    assert_close(stepped.get_weights(), fitted.get_weights(), 0.0, "weights after shuffled fits")


def test_test_on_batch_predict_on_batch_and_call():
    x, y = small_data(rows=10)
    model = small_model()
    assert_close(model.test_on_batch(x, y), model.evaluate(x, y, batch_size=10, verbose=0), 0.0, "test_on_batch")
    assert model.test_on_batch(x, y, return_dict=True).keys() == {"loss", "accuracy"}
    expected = model.predict(x, verbose=0)
    assert_close(model.predict_on_batch(x), expected, 0.0, "predict_on_batch")
    assert_close(model(x), expected, 0.0, "model(x)")
    assert_close(model(x, training=False), expected, 0.0, "model(x, training=False)")
    loss_only = small_model(metrics=())
    assert isinstance(loss_only.train_on_batch(x, y), float) and isinstance(loss_only.test_on_batch(x, y), float)


def test_reset_metrics_false_accumulates_row_weighted_means():
    x, y = small_data(rows=10)
    model = small_model(lr=0.0)  # no learning, so each batch's values are fixed
    first = model.test_on_batch(x[:4], y[:4])
    second = model.test_on_batch(x[4:], y[4:])
    assert model.test_on_batch(x[:4], y[:4], reset_metrics=False) == first
    combined = model.test_on_batch(x[4:], y[4:])  # returns the accumulated means, then resets
    assert_close(combined, [(4 * a + 6 * b) / 10 for a, b in zip(first, second)], 1e-12, "accumulated means")
    assert model.test_on_batch(x[4:], y[4:]) == second


def test_one_batch_methods_without_numpy():
    x, y = small_data(rows=6)
    x, y = to_list(x), flatten(y)
    with without_numpy():
        model = small_model()
        loss, accuracy = model.train_on_batch(x, y)
        assert math.isfinite(loss) and 0 <= accuracy <= 1
        assert isinstance(model.predict_on_batch(x), list) and len(model(x)) == 6


def test_one_batch_methods_check_their_input():
    model = small_model()
    with pytest.raises(ValueError, match="cardinality"):
        model.train_on_batch([[0.0] * 3] * 4, [0.0] * 3)
    with pytest.raises(anneal.errors.InvalidStateError, match="compile"):
        Sequential([Dense(1, input_dim=3)]).train_on_batch([[0.0] * 3], [0.0])


# --- metrics_names --------------------------------------------------------------------------------------------

def test_metrics_names_as_keras_fills_them():
    x, y = small_data(rows=8)
    model = Sequential([Dense(1, input_dim=3, activation="sigmoid")])
    assert model.metrics_names == []
    model.compile(loss="binary_crossentropy", metrics=["accuracy"])
    assert model.metrics_names == []  # Keras: only after the model has seen data
    model.predict(x, verbose=0)
    assert model.metrics_names == []
    model.evaluate(x, y, verbose=0)
    assert model.metrics_names == ["loss", "accuracy"]
    model.compile(loss="binary_crossentropy", metrics=["acc"])
    assert model.metrics_names == []
    model.train_on_batch(x, y)
    assert model.metrics_names == ["loss", "acc"]


# --- Keywords -------------------------------------------------------------------------------------------------

def test_every_method_names_the_keywords_it_does_not_know():
    x, y = small_data(rows=8)
    model = small_model()
    calls = [
        ("evaluate", lambda: model.evaluate(x, y, verbose=0, bogus=1)),
        ("predict", lambda: model.predict(x, verbose=0, bogus=1)),
        ("train_on_batch", lambda: model.train_on_batch(x, y, bogus=1)),
        ("test_on_batch", lambda: model.test_on_batch(x, y, bogus=1)),
        ("fit", lambda: model.fit(x, y, verbose=0, bogus=1)),
        ("compile", lambda: model.compile(loss="mse", bogus=1)),
        ("save_weights", lambda: model.save_weights("unused.anneal", bogus=1)),
        ("load_weights", lambda: model.load_weights("unused.anneal", bogus=1)),
        ("save", lambda: model.save("unused.anneal", bogus=1)),
        ("save_model", lambda: keras.models.save_model(model, "unused.anneal", bogus=1)),
        ("load_model", lambda: keras.models.load_model("unused.anneal", bogus=1)),
        ("Sequential.__call__", lambda: model(x, bogus=1)),
    ]
    for method, call in calls:
        with pytest.raises(TypeError, match=re.escape(f"{method}() got unsupported keyword arguments: ['bogus']")):
            call()
    with pytest.raises(TypeError, match=re.escape("['steps']")):
        model.predict(x, verbose=0, steps=2)
    # Keras ignores the generator-only arguments for arrays; so does Anneal.
    model.predict(x, verbose=0, workers=4, use_multiprocessing=True, max_queue_size=3)
    model.evaluate(x, y, verbose=0, workers=4)
    model.fit(x, y, verbose=0, validation_freq=1)  # Keras's default
    with pytest.raises(TypeError, match=re.escape("['validation_freq']")):
        model.fit(x, y, verbose=0, validation_freq=2)


# --- Progress bars ------------------------------------------------------------------------------------------

def test_predict_and_evaluate_progress_bars():
    x, y = small_data(rows=40)
    model = small_model()
    _, printed = captured_stdout(model.predict, x, batch_size=16)  # verbose='auto' is 1, as in Keras
    assert re.fullmatch(rf"\r3/3 \[=+\] - 0s {TIMING}/step\n", printed), printed
    _, printed = captured_stdout(model.evaluate, x, y)
    assert re.fullmatch(rf"\r2/2 \[=+\] - 0s {TIMING}/step - loss: \d\.\d{{4}} - accuracy: \d\.\d{{4}}\n",
                        printed), printed
    _, printed = captured_stdout(model.predict, x, verbose=2)
    assert re.fullmatch(rf"2/2 - 0s - {TIMING}/epoch - {TIMING}/step\n", printed), printed
    _, printed = captured_stdout(model.evaluate, x, y, verbose=2)
    assert re.fullmatch(rf"2/2 - 0s - loss: \d\.\d{{4}} - accuracy: \d\.\d{{4}} - {TIMING}/epoch - {TIMING}/step\n",
                        printed), printed
    with pytest.raises(ValueError, match="verbose"):
        model.predict(x, verbose=3)


# --- summary ------------------------------------------------------------------------------------------------

EXPECTED_SUMMARY = """\
Model: "sequential"
_________________________________________________________________
 Layer (type)                Output Shape              Param #   
=================================================================
 dense (Dense)               (None, 34)                1190      
                                                                 
 dense_1 (Dense)             (None, 1)                 35        
                                                                 
=================================================================
Total params: 1225 (4.79 KB)
Trainable params: 1225 (4.79 KB)
Non-trainable params: 0 (0.00 Byte)
_________________________________________________________________
"""


def test_summary_as_tf_keras_prints_it():
    keras.backend.clear_session()
    model = keras.Sequential([keras.Input(shape=(34,)), Dense(34, activation="relu"),
                              Dense(1, activation="sigmoid")])
    _, printed = captured_stdout(model.summary)
    assert printed == EXPECTED_SUMMARY
    lines = []
    model.summary(print_fn=lines.append)
    assert "\n".join(lines) + "\n" == EXPECTED_SUMMARY


def test_summary_options_and_long_names():
    model = Sequential([Dense(3, input_dim=2, name="a_rather_long_layer_name_that_wraps"), Dense(1, name="out")],
                       name="wide")
    lines = []
    model.summary(print_fn=lines.append, show_trainable=True)
    assert lines[0] == 'Model: "wide"' and len(lines[1]) == 76
    assert lines[2] == " Layer (type)                Output Shape              Param #   Trainable  "
    # A name longer than its column continues on the next line, as Keras prints it.
    assert lines[4] == " a_rather_long_layer_name_t  (None, 3)                 9         Y          "
    assert lines[5].startswith(" hat_wraps (Dense)")
    lines = []
    model.summary(print_fn=lines.append, layer_range=["out", "out"])
    assert [line.split()[0] for line in lines[4:5]] == ["out"] and "Total params: 13 (52.00 Byte)" in lines
    with pytest.raises(ValueError, match="not yet been built"):
        Sequential([Dense(1)]).summary()


def test_readable_memory_size():
    from anneal._summary import readable_memory_size

    assert [readable_memory_size(size) for size in (0, 1023, 1024, 4900, 5 * 1024 ** 2)] == [
        "0.00 Byte", "1023.00 Byte", "1.00 KB", "4.79 KB", "5.00 MB"]
