"""anneal.layers: Dense's arguments, defaults, names and initializers."""

import helpers  # noqa: F401  first: puts python/ on sys.path whatever runs the tests

import math
import statistics

import pytest

import anneal
from anneal.layers import Dense, Input, InputLayer
from anneal.models import Sequential
from helpers import flatten


def test_defaults():
    layer = Dense(5)
    assert (layer.units, layer.activation, layer.use_bias) == (5, "linear", True)
    assert (layer.kernel_initializer, layer.bias_initializer) == ("glorot_uniform", "zeros")
    assert layer.input_dim is None
    assert layer.get_config()["units"] == 5
    assert repr(layer) == "Dense(5, activation='linear')"


@pytest.mark.parametrize("given, name", [(None, "linear"), ("linear", "linear"), ("RELU", "relu"),
                                         ("sigmoid", "sigmoid"), ("tanh", "tanh"), ("softmax", "softmax"),
                                         ("elu", "elu"), ("selu", "selu"), ("softplus", "softplus"),
                                         ("softsign", "softsign"), ("swish", "swish"), ("silu", "swish"),
                                         ("gelu", "gelu"), ("Hard_Sigmoid", "hard_sigmoid"),
                                         ("exponential", "exponential"), ("leaky_relu", "leaky_relu"),
                                         ("gelu_approximate", "gelu_approximate")])
def test_activation_names(given, name):
    assert Dense(2, activation=given).activation == name


def test_activation_functions_by_name():
    def relu(x):
        return x

    assert Dense(2, activation=relu).activation == "relu"

    def mish(x):
        return x

    with pytest.raises(ValueError, match="mish"):
        Dense(2, activation=mish)


def test_gelu_approximate_as_keras_2_reaches_it():
    # Keras 2 has no name for gelu(x, approximate=True): a partial, or a function calling it.
    import functools

    from anneal import activations
    from anneal.layers import Activation

    assert Dense(2, activation=functools.partial(activations.gelu, approximate=True)).activation == "gelu_approximate"
    assert Dense(2, activation=functools.partial(activations.gelu, approximate=False)).activation == "gelu"
    assert Dense(2, activation=lambda x: anneal.activations.gelu(x, approximate=True)).activation == "gelu_approximate"
    assert Activation(lambda x: activations.gelu(x, approximate=True)).activation == "gelu_approximate"
    assert Dense(2, activation=activations.gelu).activation == "gelu"
    assert Dense(2, activation=activations.silu).activation == "swish"
    with pytest.raises(ValueError, match="Unknown activation function"):
        Dense(2, activation=lambda x: 2 * x)
    with pytest.raises(ValueError, match="Unknown activation function"):
        Dense(2, activation=functools.partial(activations.gelu, approximate=True, extra=1))
    # tf_keras's docstring values, and the formula at hand-worked points.
    for value, keras in zip(activations.gelu([-3.0, -1.0, 0.0, 1.0, 3.0], approximate=True),
                            [-0.00363752, -0.15880796, 0.0, 0.841192, 2.9963627]):
        assert value == pytest.approx(keras, abs=1e-6)
    assert activations.gelu(1.0, approximate=True) == pytest.approx(
        0.5 * (1 + math.tanh(math.sqrt(2 / math.pi) * 1.044715)), abs=1e-12)
    assert activations.get("gelu_approximate")(1.0) == activations.gelu(1.0, approximate=True)
    assert activations.serialize(functools.partial(activations.gelu, approximate=True)) == "gelu_approximate"


def test_gelu_approximate_layer_computes_keras_values():
    model = Sequential()
    model.add(Dense(1, input_dim=1, use_bias=False, activation="gelu_approximate"))
    model.set_weights([[[1.0]]])
    got = flatten(model.predict([[-5.0], [-1.0], [0.5], [1.0], [5.0]], verbose=0))
    # activations.json (tf_keras 2.21): TensorFlow's tanh saturates at -5 and 5.
    for value, keras in zip(got, [0.0, -0.158807993, 0.345714003, 0.841192007, 5.0]):
        assert value == pytest.approx(keras, abs=1e-6)


@pytest.mark.parametrize("given, name", [
    ("normal", "normal"), ("random_normal", "normal"), ("RandomNormal", "normal"), ("uniform", "uniform"),
    ("random_uniform", "uniform"), ("glorot_uniform", "glorot_uniform"), ("GlorotNormal", "glorot_normal"),
    ("he_normal", "he_normal"), ("HeUniform", "he_uniform"), ("lecun_normal", "lecun_normal"),
    ("lecun_uniform", "lecun_uniform"), ("zeros", "zeros"), ("ones", "ones"), ("truncated_normal", "truncated_normal"),
])
def test_initializer_names(given, name):
    assert Dense(2, kernel_initializer=given).kernel_initializer == name


def test_initializer_objects_by_class_name():
    class RandomNormal:
        pass

    assert Dense(2, kernel_initializer=RandomNormal()).kernel_initializer == "normal"


def test_unknown_keyword():
    with pytest.raises(TypeError, match="kernel_regularizer"):
        Dense(2, kernel_regularizer="l2")


def _kernel(initializer, fan_in=40, units=50, seed=1):
    anneal.utils.set_random_seed(seed)
    model = Sequential([Dense(units, input_dim=fan_in, kernel_initializer=initializer, bias_initializer="zeros")])
    kernel, bias = model.get_weights()
    assert flatten(bias) == [0.0] * units
    return flatten(kernel)


def test_initializer_distributions():
    normal = _kernel("normal")
    assert abs(statistics.mean(normal)) < 0.005 and statistics.pstdev(normal) == pytest.approx(0.05, rel=0.05)
    uniform = _kernel("uniform")
    assert max(abs(v) for v in uniform) <= 0.05 and statistics.pstdev(uniform) == pytest.approx(0.05 / 3 ** 0.5,
                                                                                                rel=0.05)
    limit = math.sqrt(6 / (40 + 50))
    glorot = _kernel("glorot_uniform")
    assert max(abs(v) for v in glorot) <= limit and max(abs(v) for v in glorot) > 0.9 * limit
    truncated = _kernel("truncated_normal")
    assert max(abs(v) for v in truncated) <= 0.1 + 1e-7
    he = _kernel("he_normal")
    # Keras's VarianceScaling: the truncated normal's stddev is sqrt(2 / fan_in) / 0.8796..., cut at 2 stddev
    stddev = math.sqrt(2 / 40) / 0.87962566103423978
    assert max(abs(v) for v in he) <= 2 * stddev + 1e-6
    assert statistics.pstdev(he) == pytest.approx(math.sqrt(2 / 40), rel=0.06)
    assert set(_kernel("zeros")) == {0.0} and set(_kernel("ones")) == {1.0}


def test_bias_initializer():
    model = Sequential([Dense(3, input_dim=2, bias_initializer="ones")])
    assert flatten(model.get_weights()[1]) == [1.0, 1.0, 1.0]


def test_input_layer():
    assert Input(shape=(7,)).input_dim == 7
    assert InputLayer(input_shape=[3]).input_dim == 3
    for shape in (None, (3, 4), (0,)):
        with pytest.raises(ValueError):
            Input(shape=shape)
    with pytest.raises(ValueError, match="input_dim"):
        Dense(2, input_dim=0)
