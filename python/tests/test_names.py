"""Keras names and the header's codes: the library looks names up for Python (anneal._names), and the
canonical name of each code is its header constant's suffix in lower case."""

import helpers  # noqa: F401  first: puts python/ on sys.path whatever runs the tests

import pytest

import c_header
from anneal import _codes, _names, layers, losses, metrics
from anneal.layers import Dense

FAMILIES = ((_names.ACTIVATIONS, "ANNEAL_ACTIVATION_"), (_names.INITIALIZERS, "ANNEAL_INITIALIZER_"),
            (_names.LOSSES, "ANNEAL_LOSS_"))


def test_every_header_code_has_its_name_and_the_library_takes_it_back():
    header = c_header.integer_constants()
    for family, prefix in FAMILIES:
        codes = {value for name, value in header.items() if name.startswith(prefix)}
        assert set(family.names) == codes, prefix
        for code, name in family.names.items():
            assert family.code(name) == code, (prefix, name)
            assert family.code(name.upper()) == code, (prefix, name)


def test_keras_aliases_and_class_names_resolve_in_the_library():
    assert _names.ACTIVATIONS.name("silu") == "swish"
    assert _names.ACTIVATIONS.name("ReLU") == "relu"
    assert _names.INITIALIZERS.name("RandomNormal") == "normal"
    assert _names.INITIALIZERS.name("random_uniform") == "uniform"
    assert _names.INITIALIZERS.name("GlorotUniform") == "glorot_uniform"
    assert _names.LOSSES.name("mae") == "mean_absolute_error"
    assert _names.LOSSES.name("kullback_leibler_divergence") == "kl_divergence"
    assert _names.LOSSES.name("Huber") == "huber"
    assert _names.LOSSES.code("logcosh") == _codes.ANNEAL_LOSS_LOG_COSH


def test_what_is_not_a_name_has_no_code():
    for family, _ in FAMILIES:
        for value in ("nope", "relu\0", "mae\0x", "\udcff", None, 3, b"relu"):
            assert family.code(value) is None, (family, value)


def test_layers_and_losses_take_the_library_names():
    dense = Dense(2, activation="SiLU", kernel_initializer="HeNormal", bias_initializer="ones")
    assert (dense.activation, dense.kernel_initializer, dense.bias_initializer) == ("swish", "he_normal", "ones")
    assert layers.Activation("Hard_Sigmoid").activation == "hard_sigmoid"
    assert losses.get("MSE") is losses.mean_squared_error
    assert losses._resolve("kld")[0] == "kl_divergence"


def test_unknown_names_raise_in_keras_words():
    with pytest.raises(ValueError, match="Unknown activation function: 'mish'. Expected one of: linear, relu"):
        Dense(1, activation="mish")
    for refused in ("", "None", "relu\0"):  # Keras refuses them; the C door reads "" and "None" as linear
        with pytest.raises(ValueError, match="Unknown activation function"):
            Dense(1, activation=refused)
    with pytest.raises(ValueError, match="Unknown initializer: 'orthogonal' for `kernel_initializer`. Expected one "
                                         "of: glorot_normal, glorot_uniform"):
        Dense(1, kernel_initializer="orthogonal")
    with pytest.raises(ValueError, match="Unknown loss function: 'focal'. Expected one of: binary_crossentropy"):
        losses.get("focal")
    with pytest.raises(ValueError, match="Unknown metric function: 'f1_score'. Expected one of: accuracy, acc"):
        metrics.get("f1_score")
    for refused in ("acc\0", "\udcff"):
        with pytest.raises(ValueError, match="Unknown metric function"):
            metrics.get(refused)


def test_metric_names_are_the_library_s():
    for name in ("accuracy", "acc", "AUC", "rmse", "precision", "TopKCategoricalAccuracy", "mae", "Huber", "kld"):
        assert metrics.get(name) == name
