"""Keras 2's activation functions by name, for ``Dense(activation=...)`` and ``Activation(...)``.

Each function computes its Keras formula elementwise on a number, a (nested) list or a numpy array (returned
as float32), so that code written for ``keras.activations`` runs; a layer given one of them (or its name)
applies the library's own float32 kernel. ``gelu(x, approximate=True)`` (the tanh form), which Keras reaches
only through a callable, is taken as ``functools.partial(gelu, approximate=True)`` or a function calling it
(``lambda x: gelu(x, approximate=True)``, recognised by its values); its name in Anneal's model files is ``"gelu_approximate"``.
"""

import math

from . import _missing

__all__ = ["elu", "exponential", "gelu", "get", "hard_sigmoid", "leaky_relu", "linear", "relu", "selu",
           "serialize", "sigmoid", "silu", "softmax", "softplus", "softsign", "swish", "tanh"]

_SELU_SCALE = 1.0507009873554805
_SELU_ALPHA = 1.6732632423543772


def _map(function, x):
    """``function`` elementwise over ``x``: a number, a (nested) list or tuple, or a numpy array."""
    if isinstance(x, (list, tuple)):
        return [_map(function, v) for v in x]
    if hasattr(x, "shape") and hasattr(x, "tolist"):  # numpy, without importing it
        import numpy as np
        return np.asarray(_map(function, x.tolist()), dtype=np.float32)
    return function(float(x))


def _sigmoid(v):
    if v >= 0:
        return 1.0 / (1.0 + math.exp(-v))
    e = math.exp(v)
    return e / (1.0 + e)


def linear(x):
    """``x``."""
    return _map(lambda v: v, x)


def relu(x):
    """``max(x, 0)``."""
    return _map(lambda v: max(v, 0.0), x)


def sigmoid(x):
    """``1 / (1 + exp(-x))``."""
    return _map(_sigmoid, x)


def tanh(x):
    """``tanh(x)``."""
    return _map(math.tanh, x)


def elu(x):
    """``x`` if ``x > 0``, else ``exp(x) - 1``."""
    return _map(lambda v: v if v > 0 else math.expm1(v), x)


def selu(x):
    """``1.0507 * x`` if ``x > 0``, else ``1.0507 * 1.6733 * (exp(x) - 1)``."""
    return _map(lambda v: _SELU_SCALE * (v if v > 0 else _SELU_ALPHA * math.expm1(v)), x)


def softplus(x):
    """``log(1 + exp(x))``."""
    return _map(lambda v: max(v, 0.0) + math.log1p(math.exp(-abs(v))), x)


def softsign(x):
    """``x / (1 + |x|)``."""
    return _map(lambda v: v / (1.0 + abs(v)), x)


def swish(x):
    """``x * sigmoid(x)``."""
    return _map(lambda v: v * _sigmoid(v), x)


silu = swish


def gelu(x, approximate=False):
    """``0.5 x (1 + erf(x / sqrt 2))``; with ``approximate=True``,
    ``0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3)))``."""
    if approximate:
        c = math.sqrt(2.0 / math.pi)
        return _map(lambda v: 0.5 * v * (1.0 + math.tanh(c * (v + 0.044715 * v ** 3))), x)
    return _map(lambda v: 0.5 * v * (1.0 + math.erf(v / math.sqrt(2.0))), x)


def hard_sigmoid(x):
    """``clip(0.2 x + 0.5, 0, 1)`` (tf_keras 2's)."""
    return _map(lambda v: min(max(0.2 * v + 0.5, 0.0), 1.0), x)


def exponential(x):
    """``exp(x)``."""
    return _map(math.exp, x)


def leaky_relu(x, alpha=0.2):
    """``x`` if ``x > 0``, else ``alpha * x`` (``tf.nn.leaky_relu``)."""
    return _map(lambda v: v if v > 0 else alpha * v, x)


def softmax(x, axis=-1):
    """``exp(x) / sum(exp(x))`` over the last axis."""
    if axis != -1:
        raise ValueError(f"Anneal's softmax is over the last axis only. Received: axis={axis!r}")

    def rows(value):
        if isinstance(value, (list, tuple)) and value and isinstance(value[0], (list, tuple)):
            return [rows(v) for v in value]
        values = [float(v) for v in value]
        top = max(values)
        e = [math.exp(v - top) for v in values]
        total = sum(e)
        return [v / total for v in e]

    if hasattr(x, "shape") and hasattr(x, "tolist"):
        import numpy as np
        return np.asarray(rows(x.tolist()), dtype=np.float32)
    return rows(x)


# Probe points for telling a callable's activation from its values (`_name_of`): both signs, both sides of
# every kink and saturation, where no two activations agree.
_PROBE = [-6.0, -3.0, -1.3, -0.5, -0.01, 0.0, 0.01, 0.7, 1.9, 4.0, 6.0]
_BY_VALUES = (("linear", linear), ("relu", relu), ("sigmoid", sigmoid), ("tanh", tanh), ("elu", elu),
              ("selu", selu), ("softplus", softplus), ("softsign", softsign), ("swish", swish), ("gelu", gelu),
              ("gelu_approximate", lambda x: gelu(x, approximate=True)), ("hard_sigmoid", hard_sigmoid),
              ("exponential", exponential), ("leaky_relu", leaky_relu))


def _name_of(function):
    """The library's name for a callable without a Keras ``__name__``: ``functools.partial(gelu,
    approximate=...)``, or a lambda whose values at probe points are one activation's (``lambda x: gelu(x,
    approximate=True)``); None when it is neither."""
    import functools

    if isinstance(function, functools.partial) and getattr(function.func, "__name__", None) == "gelu":
        arguments = dict(zip(("approximate",), function.args[1:] if function.args else ()), **function.keywords)
        if set(arguments) <= {"approximate"} and not function.args[:1]:
            return "gelu_approximate" if arguments.get("approximate", False) else "gelu"
        return None
    if getattr(function, "__name__", None) != "<lambda>":
        return None  # a named function of another name is an activation Anneal does not have
    try:
        values = [float(v) for v in function(list(_PROBE))]
    except Exception:  # noqa: BLE001 - any failure means "not an activation Anneal knows"
        return None
    if len(values) != len(_PROBE):
        return None
    for name, known in _BY_VALUES:
        expected = known(list(_PROBE))
        if all(abs(a - b) <= 1e-9 * max(1.0, abs(b)) for a, b in zip(values, expected)):
            return name
    return None


def serialize(activation):
    """The Keras name of an activation function of this module (``"gelu_approximate"`` for the tanh form)."""
    from .layers import _activation_name

    return _activation_name(activation)


def get(identifier):
    """The function of this module for a name (``"relu"``, ``"silu"``), a function, or None (linear)."""
    if identifier is None:
        return linear
    if callable(identifier):
        return identifier
    if isinstance(identifier, str):
        from .layers import _activation_name

        name = _activation_name(identifier)
        if name == "gelu_approximate":
            import functools
            return functools.partial(gelu, approximate=True)
        return globals()[name]
    raise TypeError(f"Could not interpret activation function identifier: {identifier!r}")


def __getattr__(name):
    raise _missing.missing("anneal.activations", name, __all__,
                           "Give a layer its activation by name (activation='relu') or as one of these functions.")
