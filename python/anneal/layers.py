"""Layers: ``Dense``, ``Activation`` and ``LeakyReLU``, with Keras's arguments, defaults and checks.

An ``Activation`` or ``LeakyReLU`` layer is applied by the ``Dense`` before it: it must follow a Dense whose
own activation is linear (the library folds the two into one layer; ``model.layers`` and ``summary()`` still
list it as a layer of its own, with no weights).
"""

import math
import numbers

__all__ = ["Activation", "Dense", "Input", "InputLayer", "LeakyReLU"]

_ACTIVATIONS = ("linear", "relu", "sigmoid", "tanh", "softmax", "elu", "selu", "softplus", "softsign", "swish",
                "gelu", "hard_sigmoid", "exponential", "leaky_relu")
# Other names tf_keras resolves to the same function.
_ACTIVATION_ALIASES = {"silu": "swish"}

_INITIALIZERS = {
    "normal": "normal", "random_normal": "normal", "randomnormal": "normal",
    "uniform": "uniform", "random_uniform": "uniform", "randomuniform": "uniform",
    "truncated_normal": "truncated_normal", "truncatednormal": "truncated_normal",
    "glorot_uniform": "glorot_uniform", "glorotuniform": "glorot_uniform",
    "glorot_normal": "glorot_normal", "glorotnormal": "glorot_normal",
    "he_normal": "he_normal", "henormal": "he_normal",
    "he_uniform": "he_uniform", "heuniform": "he_uniform",
    "lecun_normal": "lecun_normal", "lecunnormal": "lecun_normal",
    "lecun_uniform": "lecun_uniform", "lecununiform": "lecun_uniform",
    "zeros": "zeros", "zero": "zeros", "ones": "ones", "one": "ones",
}


def _activation_name(activation):
    if activation is None:
        return "linear"
    name = activation.lower() if isinstance(activation, str) else None
    if name is None and callable(activation) and isinstance(getattr(activation, "__name__", None), str):
        name = activation.__name__
    name = _ACTIVATION_ALIASES.get(name, name)
    if name in _ACTIVATIONS:
        return name
    raise ValueError(f"Unknown activation function: '{activation}'. Expected one of: {', '.join(_ACTIVATIONS)}, silu")


def _initializer_name(initializer, argument):
    if isinstance(initializer, str):
        key = initializer.lower()
        if key in _INITIALIZERS:
            return _INITIALIZERS[key]
        key = key.replace("_", "")
        if key in _INITIALIZERS:
            return _INITIALIZERS[key]
    elif initializer is not None:
        key = type(initializer).__name__.lower()
        if key in _INITIALIZERS:
            return _INITIALIZERS[key]
    raise ValueError(
        f"Unknown initializer: '{initializer}' for `{argument}`. Expected one of: "
        + ", ".join(sorted(set(_INITIALIZERS.values()))))


def _positive_int(value, name):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value <= 0:
        raise ValueError(f"Received an invalid value for `{name}`, expected a positive integer. Received: {name}={value!r}")
    return int(value)


class Dense:
    """A densely connected layer: ``output = activation(dot(input, kernel) + bias)``.

    Args:
        units: positive integer, the output width.
        activation: ``"linear"`` (or None), ``"relu"``, ``"sigmoid"``, ``"tanh"``, ``"softmax"``, ``"elu"``,
            ``"selu"``, ``"softplus"``, ``"softsign"``, ``"swish"`` / ``"silu"``, ``"gelu"`` (exact),
            ``"hard_sigmoid"`` (``clip(0.2 x + 0.5, 0, 1)``), ``"exponential"`` or ``"leaky_relu"`` (alpha 0.2).
        use_bias: whether the layer adds a bias vector.
        kernel_initializer: Keras initializer name (default ``"glorot_uniform"``).
        bias_initializer: Keras initializer name (default ``"zeros"``).
        input_dim / input_shape: the input width, on the first layer (``input_shape=(34,)``).
    """

    def __init__(self, units, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", input_dim=None, input_shape=None, name=None, **kwargs):
        unsupported = sorted(kwargs)
        if unsupported:
            raise TypeError(f"Dense got unsupported keyword arguments: {unsupported}")
        self.units = _positive_int(units, "units")
        self.activation = _activation_name(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = _initializer_name(kernel_initializer, "kernel_initializer")
        self.bias_initializer = _initializer_name(bias_initializer, "bias_initializer")
        if input_shape is not None:
            shape = tuple(input_shape)
            if len(shape) != 1:
                raise ValueError(f"Dense expects a 1-D input_shape like (34,). Received: input_shape={input_shape!r}")
            input_dim = shape[0]
        self.input_dim = None if input_dim is None else _positive_int(input_dim, "input_dim")
        self.name = name

    def get_config(self):
        return {
            "units": self.units, "activation": self.activation, "use_bias": self.use_bias,
            "kernel_initializer": self.kernel_initializer, "bias_initializer": self.bias_initializer,
            "input_dim": self.input_dim, "name": self.name,
        }

    def __repr__(self):
        return f"Dense({self.units}, activation={self.activation!r})"


class Activation:
    """Applies an activation function to the previous layer's output: ``Activation("relu")``.

    It must follow a ``Dense`` with a linear activation, into which it is folded.
    """

    def __init__(self, activation, name=None, **kwargs):
        unsupported = sorted(kwargs)
        if unsupported:
            raise TypeError(f"Activation got unsupported keyword arguments: {unsupported}")
        self.activation = _activation_name(activation)
        self.alpha = 0.2  # the "leaky_relu" name's slope
        self.name = name

    def get_config(self):
        return {"activation": self.activation, "name": self.name}

    def __repr__(self):
        return f"Activation({self.activation!r})"


class LeakyReLU:
    """Leaky ReLU: ``x if x > 0 else alpha * x``, with Keras's default ``alpha=0.3``.

    It must follow a ``Dense`` with a linear activation, into which it is folded.
    """

    def __init__(self, alpha=0.3, name=None, **kwargs):
        unsupported = sorted(kwargs)
        if unsupported:
            raise TypeError(f"LeakyReLU got unsupported keyword arguments: {unsupported}")
        if alpha is None:
            raise ValueError("The alpha value of a Leaky ReLU layer cannot be None. Expecting a float. "
                             "Received: alpha=None")
        if isinstance(alpha, bool) or not isinstance(alpha, numbers.Real) or not math.isfinite(alpha):
            raise ValueError(f"The alpha value of a Leaky ReLU layer must be a finite float. Received: alpha={alpha!r}")
        self.alpha = float(alpha)
        self.activation = "leaky_relu"
        self.name = name

    def get_config(self):
        return {"alpha": self.alpha, "name": self.name}

    def __repr__(self):
        return f"LeakyReLU(alpha={self.alpha!r})"


class InputLayer:
    """Declares the input width of a Sequential model: ``Input(shape=(34,))``."""

    def __init__(self, shape=None, input_shape=None, **kwargs):
        shape = shape if shape is not None else input_shape
        if shape is None or len(tuple(shape)) != 1:
            raise ValueError(f"Anneal's Input takes a 1-D shape like (34,). Received: shape={shape!r}")
        self.input_dim = _positive_int(tuple(shape)[0], "shape[0]")


def Input(shape=None, **kwargs):
    return InputLayer(shape=shape, **kwargs)
