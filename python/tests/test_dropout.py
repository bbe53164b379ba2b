"""anneal.layers.Dropout: arguments, names and summary, identity outside training, seeded masks, and Keras's
predictions for its dropout_adam_softmax model."""

import helpers  # noqa: F401  first: puts python/ on sys.path whatever runs the tests

import json

import pytest

import anneal
from anneal.layers import Dense, Dropout, Input
from anneal.models import Sequential
from helpers import flatten


def _model(rate=0.4, seed=None, with_dropout=True):
    layers = [Input(shape=(5,)), Dense(6, activation="tanh")]
    if with_dropout:
        layers.append(Dropout(rate, seed=seed))
    layers.append(Dense(3, activation="softmax"))
    model = Sequential(layers)
    model.compile(optimizer=anneal.optimizers.Adam(learning_rate=0.01), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def _data(rows=48):
    x = [[((row * 5 + column) * 37 % 17) / 8.0 - 1.0 for column in range(5)] for row in range(rows)]
    y = [float(row * 7 % 3) for row in range(rows)]
    return x, y


def test_arguments_and_config():
    layer = Dropout(0.25, seed=3)
    assert (layer.rate, layer.noise_shape, layer.seed) == (0.25, None, 3)
    assert layer.get_config()["rate"] == 0.25
    assert layer.get_weights() == []
    for rate in (-0.1, 1.5):
        with pytest.raises(ValueError, match="Expected a float value between 0 and 1"):
            Dropout(rate)
    with pytest.raises(ValueError, match="noise_shape=None"):
        Dropout(0.5, noise_shape=(1, 6))
    with pytest.raises(TypeError, match="seed"):
        Dropout(0.5, seed="x")
    with pytest.raises(TypeError, match="unsupported"):
        Dropout(0.5, unknown=1)
    # Keras accepts rate=1 in the layer; TensorFlow refuses it at training: Anneal when it is added.
    with pytest.raises(anneal.errors.InvalidArgumentError, match=r"\[0, 1\)"):
        Sequential([Dense(3, input_dim=2), Dropout(1.0)])


def test_names_layers_and_summary():
    anneal.backend.clear_session()
    model = Sequential([Input(shape=(34,)), Dense(16, activation="tanh"), Dropout(0.25), Dense(8),
                        Dropout(0.1), Dense(2, activation="softmax")])
    assert [layer.name for layer in model.layers] == ["dense", "dropout", "dense_1", "dropout_1", "dense_2"]
    dropout = model.layers[1]
    assert dropout.input_shape == dropout.output_shape == (None, 16)
    assert dropout.count_params() == 0
    assert model.layers[2].input_shape == (None, 16)
    kernel, bias = model.layers[2].get_weights()  # lists without numpy, arrays with it
    assert (len(kernel), len(kernel[0]), len(bias)) == (16, 8, 8)
    lines = []
    model.summary(print_fn=lines.append)
    assert " dropout (Dropout)           (None, 16)                0         " in lines
    assert " dropout_1 (Dropout)         (None, 8)                 0         " in lines
    assert any(line.startswith("Total params: 714 (2.79 KB)") for line in lines)


def test_dropout_first_reads_the_inputs():
    model = Sequential([Dropout(0.2, input_shape=(4,)), Dense(2)])
    assert model.built and model.layers[0].output_shape == (None, 4)
    model.compile(optimizer="sgd", loss="mse")
    model.fit([[1.0, 2.0, 3.0, 4.0]] * 8, [[0.0, 1.0]] * 8, epochs=1, verbose=0)


def test_inference_is_identity():
    x, y = _data()
    anneal.utils.set_random_seed(3)
    dropping = _model()
    dropping.fit(x, y, epochs=2, batch_size=8, verbose=0)
    plain = _model(with_dropout=False)
    plain.set_weights(dropping.get_weights())
    assert flatten(dropping.predict(x, verbose=0)) == flatten(plain.predict(x, verbose=0))
    assert dropping.evaluate(x, y, verbose=0) == plain.evaluate(x, y, verbose=0)
    assert flatten(dropping(x)) == flatten(plain(x))
    with pytest.raises(ValueError, match="training=True"):
        dropping(x, training=True)


def test_training_drops_and_is_seeded():
    x, y = _data()

    def run(rate=0.4, seed=None, with_dropout=True):
        anneal.utils.set_random_seed(11)
        model = _model(rate, seed, with_dropout)
        model.fit(x, y, epochs=2, batch_size=8, verbose=0)
        model.train_on_batch(x[:8], y[:8])
        return flatten(model.get_weights())

    assert run() == run()  # same seeds, same bits
    assert run(seed=5) == run(seed=5)
    assert run(seed=5) != run(seed=6)
    assert run(rate=0.0) == run(with_dropout=False)  # rate 0 is the identity
    assert run() != run(with_dropout=False)


def test_keras_dropout_adam_softmax_predictions():
    with open(helpers.fixture_path("dropout_adam_softmax")) as handle:
        expected = json.load(handle)
    model = Sequential([Input(shape=(34,)), Dense(16, activation="tanh"), Dropout(0.25), Dense(8, activation="relu"),
                        Dense(2, activation="softmax")])
    model.set_weights(expected["weights"])
    x, _, _ = helpers.ionosphere(as_lists=True)
    predicted = model.predict(x[:8], verbose=0)
    helpers.assert_close(predicted, expected["predict_first_8_rows"], 1e-6, "predictions")


_SAME_BITS_SCRIPT = """
import sys
sys.path.insert(0, sys.argv[1])
import anneal
from anneal.layers import Dense, Dropout, Input
from anneal.models import Sequential
anneal.utils.set_random_seed(5)
model = Sequential([Input(shape=(300,)), Dropout(0.2), Dense(256, activation="relu"), Dropout(0.5),
                    Dense(10, activation="softmax")])
model.compile(optimizer=anneal.optimizers.SGD(learning_rate=0.01, momentum=0.9, nesterov=True),
              loss="sparse_categorical_crossentropy")
x = [[((row * 300 + column) * 7919 % 2003) / 1001.5 - 1.0 for column in range(300)] for row in range(256)]
y = [float(row % 10) for row in range(256)]
model.fit(x, y, epochs=2, batch_size=128, verbose=0)
weights = model.get_weights()
flat = []
def walk(value):
    if isinstance(value, (int, float)):
        flat.append(float(value).hex())
    else:
        for item in value:
            walk(item)
walk([w.tolist() if hasattr(w, "tolist") else w for w in weights])
print(" ".join(flat))
"""


def test_same_bits_on_every_kernel_level_and_thread_count():
    """A model big enough for the kernels' helper thread and the layer-by-layer update, trained with the widest
    kernels and two threads, and with the portable loops on one thread: the same masks, the same bits."""
    import os
    import subprocess
    import sys

    if not sys.executable or not os.path.basename(sys.executable).startswith("python"):
        pytest.skip("no Python executable to start (an embedded interpreter)")
    package = os.path.dirname(os.path.dirname(os.path.abspath(anneal.__file__)))

    def run(**settings):
        environment = dict(os.environ, **settings)
        done = subprocess.run([sys.executable, "-c", _SAME_BITS_SCRIPT, package], env=environment,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        return done.stdout

    default = run()
    assert default == run(ANNEAL_KERNELS="portable", ANNEAL_THREADS="1")
    assert len(default.split()) == 300 * 256 + 256 + 256 * 10 + 10


def test_with_activation_layers():
    """An Activation folded into a built model's Dense keeps the Dropout before it acting in training; an
    Activation must follow its Dense directly, so one after a Dropout is refused."""
    x, y = _data()

    def run(rate):
        anneal.utils.set_random_seed(11)
        model = Sequential([Input(shape=(5,)), Dense(6), anneal.layers.Activation("tanh"), Dropout(rate, seed=2),
                            Dense(3), anneal.layers.LeakyReLU(0.1), Dense(3, activation="softmax")])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        model.fit(x, y, epochs=1, batch_size=8, verbose=0)
        return model, flatten(model.get_weights())

    model, dropped = run(0.5)
    assert [type(layer).__name__ for layer in model.layers] == [
        "Dense", "Activation", "Dropout", "Dense", "LeakyReLU", "Dense"]
    assert model.layers[2].output_shape == (None, 6) and model.layers[2].count_params() == 0
    assert dropped != run(0.0)[1]
    model = Sequential([Input(shape=(5,)), Dense(6), Dropout(0.5)])
    with pytest.raises(ValueError, match=r"must directly follow a Dense.*It follows Dropout\(0.5\)"):
        model.add(anneal.layers.Activation("relu"))
    assert len(model.layers) == 2


def test_save_load_with_dropout_resumes_bit_for_bit(tmp_path):
    # The Dropout layers come back in order with their rates, seeds and names, and their mask streams go on
    # where they stood: the loaded model's next epochs are the uninterrupted run's.
    from anneal.models import load_model

    anneal.backend.clear_session()
    anneal.utils.set_random_seed(5)
    model = Sequential([Input(shape=(5,)), Dropout(0.2, seed=11), Dense(6, activation="tanh"), Dropout(0.4),
                        Dense(3, activation="softmax")])
    model.compile(optimizer=anneal.optimizers.Adam(learning_rate=0.01), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    x, y = _data()
    model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    path = str(tmp_path / "model.anneal")
    model.save(path)
    loaded = load_model(path)
    assert [(type(layer).__name__, layer.name) for layer in loaded.layers] == [
        ("Dropout", "dropout"), ("Dense", "dense"), ("Dropout", "dropout_1"), ("Dense", "dense_1")]
    assert [(layer.rate, layer.seed) for layer in loaded.layers if isinstance(layer, Dropout)] == [(0.2, 11), (0.4, None)]
    assert loaded.layers[2].input_shape == (None, 6)
    expected = model.fit(x, y, epochs=2, batch_size=8, verbose=0).history
    resumed = loaded.fit(x, y, epochs=2, batch_size=8, verbose=0).history
    assert resumed == expected
    assert flatten(loaded.get_weights()) == flatten(model.get_weights())