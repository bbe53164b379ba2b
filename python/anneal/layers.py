"""Layers: ``Dense``, ``Dropout``, ``Activation``, ``LeakyReLU`` and ``Input``, with Keras's arguments,
defaults, checks and automatic names.

A layer added to a ``Sequential`` reads its shapes and weights from that model: ``input_shape``,
``output_shape``, ``get_weights()``, ``set_weights()`` and ``count_params()`` work once the model is built.

An ``Activation`` or ``LeakyReLU`` layer is applied by the ``Dense`` before it: it must follow a Dense whose
own activation is linear (the library folds the two into one layer; ``model.layers`` and ``summary()`` still
list it as a layer of its own, with no weights).
"""

import math
import numbers
import weakref

from . import _missing, _names, _naming

__all__ = ["Activation", "Dense", "Dropout", "Input", "InputLayer", "LeakyReLU"]

# The names that Keras refuses but the library (for C callers) reads as linear.
_NOT_KERAS_ACTIVATIONS = ("", "None")


def _activation_name(activation):
    """The Keras name of an activation given as None, a name (``"relu"``, ``"silu"``) or a function with
    Keras's ``__name__``; the library looks the name up."""
    if activation is None:
        return "linear"
    name = activation if isinstance(activation, str) else None
    if name is None and callable(activation) and isinstance(getattr(activation, "__name__", None), str):
        name = activation.__name__
    found = None if name in _NOT_KERAS_ACTIVATIONS else _names.ACTIVATIONS.name(name)
    if found is None and callable(activation) and not isinstance(activation, str):
        # gelu(x, approximate=True) has no name: a functools.partial or a lambda calling it.
        from .activations import _name_of

        found = _name_of(activation)
    if found is not None:
        return found
    raise ValueError(f"Unknown activation function: '{activation}'. Expected one of: "
                     f"{', '.join(_names.ACTIVATIONS.names.values())}, silu")


def _initializer_name(initializer, argument):
    """The Keras name of an initializer given by name (``"he_normal"``, ``"RandomNormal"``) or as an object
    whose class Keras names so; the library looks the name up."""
    name = initializer if isinstance(initializer, str) else (
        None if initializer is None else type(initializer).__name__)
    found = _names.INITIALIZERS.name(name)
    if found is not None:
        return found
    raise ValueError(
        f"Unknown initializer: '{initializer}' for `{argument}`. Expected one of: "
        + ", ".join(sorted(_names.INITIALIZERS.names.values())))


def _positive_int(value, name):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value <= 0:
        raise ValueError(f"Received an invalid value for `{name}`, expected a positive integer. "
                         f"Received: {name}={value!r}")
    return int(value)


def _input_dim(input_dim, input_shape, layer):
    """A first layer's input width from ``input_dim`` or a 1-D ``input_shape`` (which wins), or None."""
    if input_shape is not None:
        shape = tuple(input_shape)
        if len(shape) != 1:
            raise ValueError(f"{layer} expects a 1-D input_shape like (34,). Received: input_shape={input_shape!r}")
        input_dim = shape[0]
    return None if input_dim is None else _positive_int(input_dim, "input_dim")


def _layer_name(name, prefix):
    """Keras's ``_init_set_name``: the given name, or the next automatic one for ``prefix``."""
    if name is None:
        return _naming.unique_object_name(prefix)
    if not isinstance(name, str):
        raise TypeError(f"Expected `name` argument to be a string, but got: {name!r}")
    return name


class _Layer:
    """What every layer added to a ``Sequential`` shares: its model (held weakly), its position there, and the
    shapes read from that model once it is built."""

    def _init_layer(self, name, prefix):
        self.name = _layer_name(name, prefix)
        self.trainable = True
        self._model = None  # weak reference to the Sequential this layer was added to
        self._position = None  # its index in that model's layers

    # --- The model this layer belongs to ---------------------------------------------------------------------
    def _attach(self, model, position):
        owner = self._model() if self._model is not None else None
        if owner is not None and owner is not model:
            raise ValueError(f'The layer "{self.name}" is already in the model "{owner.name}": Anneal cannot share '
                             f"a layer between models. Create a new {type(self).__name__} for this model.")
        self._model = weakref.ref(model)
        self._position = position

    def _detach(self):
        self._model = None
        self._position = None

    def _owner(self):
        """The model holding this layer's weights, or None while it has none (not added, or not built)."""
        model = self._model() if self._model is not None else None
        return model if model is not None and model.built else None

    @property
    def built(self):
        return self._owner() is not None

    @property
    def input_shape(self):
        """``(None, input width)`` once the model is built."""
        model = self._owner()
        if model is None:
            raise AttributeError(f'The layer "{self.name}" has never been called and thus has no defined input '
                                 "shape.")
        return model._layer_input_shape(self._position)


class Dense(_Layer):
    """A densely connected layer: ``output = activation(dot(input, kernel) + bias)``.

    Args:
        units: positive integer, the output width.
        activation: ``"linear"`` (or None), ``"relu"``, ``"sigmoid"``, ``"tanh"``, ``"softmax"``, ``"elu"``,
            ``"selu"``, ``"softplus"``, ``"softsign"``, ``"swish"`` / ``"silu"``, ``"gelu"`` (exact), gelu's tanh
            form (``functools.partial(activations.gelu, approximate=True)``, or ``"gelu_approximate"``),
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
        # Named before the arguments are checked, as in Keras: a Dense refused for its units still uses a name.
        self._init_layer(name, "dense")
        self.units = _positive_int(units, "units")
        self.activation = _activation_name(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = _initializer_name(kernel_initializer, "kernel_initializer")
        self.bias_initializer = _initializer_name(bias_initializer, "bias_initializer")
        self.input_dim = _input_dim(input_dim, input_shape, "Dense")

    @property
    def output_shape(self):
        """``(None, units)`` once the model is built."""
        if self._owner() is None:
            raise AttributeError(f'The layer "{self.name}" has never been called and thus has no defined output '
                                 "shape.")
        return (None, self.units)

    # --- Weights -------------------------------------------------------------------------------------------
    def get_weights(self):
        """``[kernel, bias]`` (kernel inputs x units; no bias without ``use_bias``); ``[]`` before building."""
        model = self._owner()
        return [] if model is None else model._layer_weights(self._position)

    def set_weights(self, weights):
        """Replaces the kernel (and bias); the list must match ``get_weights()`` in length and shapes."""
        model = self._owner()
        expected = 0 if model is None else (2 if self.use_bias else 1)
        weights = list(weights)
        if len(weights) != expected:
            raise ValueError(f'You called `set_weights(weights)` on layer "{self.name}" with a weight list of '
                             f"length {len(weights)}, but the layer was expecting {expected} weights. Provided "
                             f"weights: {str(weights)[:50]}...")
        if expected:
            model._set_layer_weights(self._position, weights)

    def count_params(self):
        """The number of weights (kernel and bias values) of a built layer."""
        model = self._owner()
        if model is None:
            raise ValueError(f"You tried to call `count_params` on layer {self.name}, but the layer isn't built. "
                             "Build the model first by calling `build()` or by calling the model on a batch of "
                             "data.")
        shape = model._layer_input_shape(self._position)
        return shape[1] * self.units + (self.units if self.use_bias else 0)

    def get_config(self):
        return {
            "units": self.units, "activation": self.activation, "use_bias": self.use_bias,
            "kernel_initializer": self.kernel_initializer, "bias_initializer": self.bias_initializer,
            "input_dim": self.input_dim, "name": self.name,
        }

    def __repr__(self):
        return f"Dense({self.units}, activation={self.activation!r})"


class _WeightlessLayer(_Layer):
    """A layer with no weights whose output is as wide as its input (activations, Dropout)."""

    @property
    def output_shape(self):
        """``(None, width)``, the input's, once the model is built."""
        if self._owner() is None:
            raise AttributeError(f'The layer "{self.name}" has never been called and thus has no defined output '
                                 "shape.")
        return self.input_shape

    def get_weights(self):
        return []

    def set_weights(self, weights):
        weights = list(weights)
        if weights:
            raise ValueError(f'You called `set_weights(weights)` on layer "{self.name}" with a weight list of '
                             f"length {len(weights)}, but the layer was expecting 0 weights. Provided weights: "
                             f"{str(weights)[:50]}...")

    def count_params(self):
        if self._owner() is None:
            raise ValueError(f"You tried to call `count_params` on layer {self.name}, but the layer isn't built. "
                             "Build the model first by calling `build()` or by calling the model on a batch of "
                             "data.")
        return 0


class _FoldedActivation(_WeightlessLayer):
    """An activation layer: the model folds it into the linear ``Dense`` before it."""


class Activation(_FoldedActivation):
    """Applies an activation function to the previous layer's output: ``Activation("relu")``.

    It must follow a ``Dense`` with a linear activation, into which it is folded. Named ``activation``,
    ``activation_1``, ... as Keras names it.
    """

    def __init__(self, activation, name=None, **kwargs):
        unsupported = sorted(kwargs)
        if unsupported:
            raise TypeError(f"Activation got unsupported keyword arguments: {unsupported}")
        self._init_layer(name, "activation")
        self.activation = _activation_name(activation)
        self.alpha = 0.2  # the "leaky_relu" name's slope

    def get_config(self):
        return {"activation": self.activation, "name": self.name}

    def __repr__(self):
        return f"Activation({self.activation!r})"


class LeakyReLU(_FoldedActivation):
    """Leaky ReLU: ``x if x > 0 else alpha * x``, with Keras's default ``alpha=0.3``.

    It must follow a ``Dense`` with a linear activation, into which it is folded. Named ``leaky_re_lu``,
    ``leaky_re_lu_1``, ... as tf_keras names it.
    """

    def __init__(self, alpha=0.3, name=None, **kwargs):
        unsupported = sorted(kwargs)
        if unsupported:
            raise TypeError(f"LeakyReLU got unsupported keyword arguments: {unsupported}")
        self._init_layer(name, "leaky_re_lu")
        if alpha is None:
            raise ValueError("The alpha value of a Leaky ReLU layer cannot be None. Expecting a float. "
                             "Received: alpha=None")
        if isinstance(alpha, bool) or not isinstance(alpha, numbers.Real) or not math.isfinite(alpha):
            raise ValueError(f"The alpha value of a Leaky ReLU layer must be a finite float. Received: alpha={alpha!r}")
        self.alpha = float(alpha)
        self.activation = "leaky_relu"

    def get_config(self):
        return {"alpha": self.alpha, "name": self.name}

    def __repr__(self):
        return f"LeakyReLU(alpha={self.alpha!r})"


class Dropout(_WeightlessLayer):
    """Keras 2's ``Dropout``: while training (``fit``, ``train_on_batch``) each input value is kept with
    probability ``1 - rate`` and scaled by ``1 / (1 - rate)``, or set to 0; ``evaluate``, ``predict`` and
    validation pass values through unchanged.

    Args:
        rate: float in [0, 1), the fraction of the input values to drop.
        noise_shape: only None (a mask value per input value); broadcast masks are not supported.
        seed: integer seeding this layer's masks; None derives it from the model's seed (itself drawn from
            numpy's global generator, so ``anneal.utils.set_random_seed`` makes runs reproducible).
        input_shape: the input width, when the Dropout is the model's first layer (``input_shape=(34,)``).

    The masks come from Anneal's own generator, not TensorFlow's: the same seeds give the same masks on every
    run, but not Keras's masks.
    """

    def __init__(self, rate, noise_shape=None, seed=None, name=None, input_shape=None, input_dim=None, **kwargs):
        for key in ("trainable", "dtype"):
            kwargs.pop(key, None)
        unsupported = sorted(kwargs)
        if unsupported:
            raise TypeError(f"Dropout got unsupported keyword arguments: {unsupported}")
        self._init_layer(name, "dropout")
        if isinstance(rate, bool) or not isinstance(rate, numbers.Real) or not 0 <= rate <= 1:
            raise ValueError("Invalid value received for argument `rate`. Expected a float value between 0 and 1. "
                             f"Received: rate={rate}")
        self.rate = float(rate)
        if noise_shape is not None:
            raise ValueError("Anneal's Dropout draws one mask value per input value: only noise_shape=None is "
                             f"supported. Received: noise_shape={noise_shape!r}")
        self.noise_shape = None
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, numbers.Integral)):
            raise TypeError(f"Expected `seed` argument to be an integer or None. Received: seed={seed!r}")
        self.seed = None if seed is None else int(seed)
        self.input_dim = _input_dim(input_dim, input_shape, "Dropout")
        self.supports_masking = True

    def get_config(self):
        return {"name": self.name, "trainable": self.trainable, "rate": self.rate, "noise_shape": self.noise_shape,
                "seed": self.seed}

    def __repr__(self):
        return f"Dropout({self.rate})"


class InputLayer:
    """Declares the input width of a Sequential model: ``Input(shape=(34,))`` as its first element or
    ``model.add(Input(shape=(34,)))``. Named ``input_1``, ``input_2``, ... as Keras names its inputs."""

    def __init__(self, shape=None, input_shape=None, name=None, dtype=None, batch_size=None, **kwargs):
        unsupported = sorted(key for key, value in kwargs.items() if value is not None)
        if unsupported:
            raise TypeError(f"Input got unsupported keyword arguments: {unsupported}")
        if dtype not in (None, "float32"):
            raise ValueError(f"Anneal's inputs are float32. Received: dtype={dtype!r}")
        if batch_size is not None:
            raise ValueError("Anneal's Input takes no batch_size (every batch size works). "
                             f"Received: batch_size={batch_size!r}")
        given = shape if shape is not None else input_shape
        if given is None:
            raise ValueError("Please provide to Input a `shape` argument, like Input(shape=(34,)).")
        if name is not None and not isinstance(name, str):
            raise TypeError(f"Expected `name` argument to be a string, but got: {name!r}")
        # Named before the shape is checked, as in Keras.
        self.name = name if name else f"input_{_naming.get_uid('input')}"
        try:
            shape = tuple(given)
        except TypeError:
            shape = ()
        if len(shape) != 1:
            raise ValueError(f"Anneal's Input takes a 1-D shape like (34,). Received: shape={given!r}")
        self.input_dim = _positive_int(shape[0], "shape[0]")
        self.shape = (None, self.input_dim)

    def __repr__(self):
        return f"Input(shape=({self.input_dim},), name={self.name!r})"


def Input(shape=None, batch_size=None, name=None, dtype=None, **kwargs):
    """Keras's ``Input``: the input of a model, ``Input(shape=(34,))``."""
    return InputLayer(shape=shape, name=name, dtype=dtype, batch_size=batch_size, **kwargs)


def __getattr__(name):
    raise _missing.missing("anneal.layers", name, __all__)
