"""Whole-model save and load in Anneal's format: `model.save(path)` then `anneal.models.load_model(path)`
resumes training bit for bit with the uninterrupted run, for every optimizer and its stateful variants; the
loaded model's layers, optimizer, loss and metrics; errors naming the file."""

import helpers  # noqa: F401  first: puts python/ on sys.path whatever runs the tests

import os

import pytest

import anneal
from anneal.layers import Dense
from anneal.models import Sequential, load_model
from anneal.optimizers import SGD, Adadelta, Adagrad, Adam, Adamax, Nadam, RMSprop, schedules
from helpers import small_data, to_list

OPTIMIZERS = [
    ("sgd", lambda: SGD(learning_rate=0.1)),
    ("sgd_momentum", lambda: SGD(learning_rate=0.1, momentum=0.8, decay=0.002)),
    ("sgd_nesterov", lambda: SGD(learning_rate=0.05, momentum=0.9, nesterov=True)),
    ("sgd_schedule", lambda: SGD(learning_rate=schedules.ExponentialDecay(0.1, 5, 0.9), momentum=0.5)),
    ("adam", lambda: Adam(learning_rate=0.01)),
    ("adam_amsgrad", lambda: Adam(learning_rate=0.01, amsgrad=True, decay=0.01)),
    ("rmsprop", lambda: RMSprop(learning_rate=0.01)),
    ("rmsprop_centered_momentum", lambda: RMSprop(learning_rate=0.01, momentum=0.5, centered=True)),
    ("adagrad", lambda: Adagrad(learning_rate=0.05)),
    ("adadelta", lambda: Adadelta(learning_rate=1.0)),
    ("adamax", lambda: Adamax(learning_rate=0.02)),
    ("nadam", lambda: Nadam(learning_rate=0.01)),
]


def _model(optimizer):
    anneal.utils.set_random_seed(3)
    model = Sequential()
    model.add(Dense(6, input_dim=3, activation="tanh", kernel_initializer="normal"))
    model.add(Dense(1, activation="sigmoid"))
    model.compile(loss="binary_crossentropy", optimizer=optimizer, metrics=["accuracy"])
    return model


@pytest.mark.parametrize("name,make", OPTIMIZERS)
def test_save_load_resumes_bit_for_bit(tmp_path, name, make):
    x, y = small_data(rows=40)
    model = _model(make())
    model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    path = os.path.join(str(tmp_path), f"{name}.anneal")
    model.save(path)
    loaded = load_model(path)
    assert to_list(loaded.get_weights()) == to_list(model.get_weights())
    assert loaded.optimizer.iterations == model.optimizer.iterations
    assert type(loaded.optimizer) is type(model.optimizer)
    assert loaded.optimizer.get_config() == model.optimizer.get_config()
    expected = model.fit(x, y, epochs=2, batch_size=8, verbose=0).history
    resumed = loaded.fit(x, y, epochs=2, batch_size=8, verbose=0).history
    assert resumed == expected
    assert to_list(loaded.get_weights()) == to_list(model.get_weights())


def test_loaded_model_describes_itself(tmp_path):
    model = _model(Adam(learning_rate=0.003, beta_1=0.8))
    path = os.path.join(str(tmp_path), "m.anneal")
    model.save(path)
    loaded = load_model(path)
    assert [(layer.units, layer.activation, layer.kernel_initializer) for layer in loaded.layers] == \
        [(6, "tanh", "normal"), (1, "sigmoid", "glorot_uniform")]
    assert loaded.loss == "binary_crossentropy" and loaded.metrics_names == ["loss", "accuracy"]
    assert loaded.optimizer.beta_1 == 0.8 and loaded.optimizer.learning_rate == pytest.approx(0.003)
    # The layers belong to the loaded model: their weights are its weights.
    assert [to_list(layer.get_weights()) for layer in loaded.layers] == \
        [to_list(layer.get_weights()) for layer in model.layers]
    assert loaded.layers[0].input_shape == (None, 3) and loaded.count_params() == model.count_params()
    # An uncompiled model saves too.
    plain = Sequential([Dense(2, input_dim=4)])
    plain.save(path)
    again = load_model(path)
    assert again.optimizer is None and again.built and len(again.layers) == 1


def test_load_model_errors_name_the_file(tmp_path):
    missing = os.path.join(str(tmp_path), "missing.anneal")
    with pytest.raises(OSError, match="missing.anneal"):
        load_model(missing)
    path = os.path.join(str(tmp_path), "m.anneal")
    _model(SGD()).save(path)
    with open(path, "rb") as handle:
        data = bytearray(handle.read())
    data[30] ^= 0xFF
    with open(path, "wb") as handle:
        handle.write(bytes(data))
    with pytest.raises(anneal.errors.CorruptFileError, match="m.anneal"):
        load_model(path)
    with open(path, "wb") as handle:
        handle.write(b"hello")
    with pytest.raises(anneal.errors.CorruptFileError, match="m.anneal"):
        load_model(path)
    # load_weights reads a whole-model file's weights.
    model = _model(SGD())
    model.save(path)
    other = _model(Adam())
    other.set_weights([w * 0 for w in other.get_weights()] if helpers.np is not None else other.get_weights())
    other.load_weights(path)
    assert to_list(other.get_weights()) == to_list(model.get_weights())


def test_layer_names_and_folded_activation_layers_come_back(tmp_path):
    # The library folds Activation and LeakyReLU layers into the Dense before them; the file keeps them (and
    # every layer's name, whatever characters it holds) so that the loaded model lists the same layers.
    from anneal.layers import Activation, Dropout, LeakyReLU

    x, y = small_data(rows=40)
    anneal.utils.set_random_seed(8)
    model = Sequential([Dense(6, input_dim=3, name="hidden layer=1"), LeakyReLU(alpha=0.1, name="leaky"),
                        Dropout(0.25, name="drop%"), Dense(1), Activation("sigmoid", name="probability")])
    model.compile(loss="binary_crossentropy", optimizer=Adam(learning_rate=0.01))
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    path = os.path.join(str(tmp_path), "named.anneal")
    model.save(path)
    loaded = load_model(path)
    assert [(type(layer).__name__, layer.name) for layer in loaded.layers] == \
        [(type(layer).__name__, layer.name) for layer in model.layers]
    assert loaded.layers[1].alpha == 0.1 and loaded.layers[4].activation == "sigmoid"
    assert loaded.layers[0].activation == "linear" and loaded.layers[3].activation == "linear"
    assert to_list(loaded.predict(x, verbose=0)) == to_list(model.predict(x, verbose=0))
    expected = model.fit(x, y, epochs=1, batch_size=8, verbose=0).history
    assert loaded.fit(x, y, epochs=1, batch_size=8, verbose=0).history == expected
    # Saved again from the loaded model: the same description.
    again = os.path.join(str(tmp_path), "again.anneal")
    loaded.save(again)
    assert [(type(layer).__name__, layer.name) for layer in load_model(again).layers] == \
        [(type(layer).__name__, layer.name) for layer in model.layers]


def test_a_file_the_library_wrote_gives_leaky_relu_its_alpha_back(tmp_path):
    # Written by the C library alone (no activation records): a leaky_relu Dense of another slope than
    # Keras's 0.2 can only come from a LeakyReLU layer, which the loaded model lists again.
    from anneal import _lib
    from anneal.layers import LeakyReLU

    model = Sequential([Dense(4, input_dim=3), LeakyReLU(alpha=0.05), Dense(2, activation="leaky_relu")])
    path = os.path.join(str(tmp_path), "c.anneal")
    _lib.check(_lib.anneal_model_save(model._live_handle(), path.encode()))
    loaded = load_model(path)
    assert [type(layer).__name__ for layer in loaded.layers] == ["Dense", "LeakyReLU", "Dense"]
    assert loaded.layers[1].alpha == pytest.approx(0.05) and loaded.layers[2].activation == "leaky_relu"
    x, _ = small_data(rows=10)
    assert to_list(loaded.predict(x, verbose=0)) == to_list(model.predict(x, verbose=0))


def test_gelu_approximate_layers_come_back(tmp_path):
    import functools

    from anneal.layers import Activation

    anneal.backend.clear_session()
    x, y = small_data()
    model = Sequential([Dense(4, input_dim=3, activation=functools.partial(anneal.activations.gelu, approximate=True)),
                        Dense(1), Activation(lambda v: anneal.activations.gelu(v, approximate=True))])
    model.compile(loss="mse", optimizer="adam")
    model.fit(x, y, epochs=1, batch_size=8, verbose=0, shuffle=False)
    path = str(tmp_path / "gelu.anneal")
    model.save(path)
    loaded = load_model(path)
    assert [(type(layer).__name__, layer.activation) for layer in loaded.layers] == [
        ("Dense", "gelu_approximate"), ("Dense", "linear"), ("Activation", "gelu_approximate")]
    assert to_list(loaded.predict(x, verbose=0)) == to_list(model.predict(x, verbose=0))
