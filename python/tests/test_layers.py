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
                                         ("exponential", "exponential"), ("leaky_relu", "leaky_relu")])
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
