"""Keras names of activations, initializers, losses and metrics, and the library's codes for them.

The library looks a name up (``anneal_activation_from_name`` and its twins), with Keras's aliases, class-name
forms and case rules, which live once, in the Swift core. A code's own name, the one ``get_config()`` and
``summary()`` show, is its header constant's suffix in lower case: ``ANNEAL_LOSS_KL_DIVERGENCE`` is
``"kl_divergence"`` (``python/tests/test_names.py`` checks that the library takes each back to its code).
"""

import ctypes

from . import _codes, _lib


def _c_string(name):
    """``name`` as the C string the library reads, or None where C would read another name (a NUL inside) or
    none at all (not a str, not encodable)."""
    if not isinstance(name, str) or "\0" in name:
        return None
    try:
        return name.encode("utf-8")
    except UnicodeEncodeError:
        return None


class _Family:
    """The names and codes of one header enumeration (``ANNEAL_<prefix>*``), looked up by the library."""

    def __init__(self, prefix, from_name):
        self.names = {value: constant[len(prefix):].lower() for constant, value in vars(_codes).items()
                      if constant.startswith(prefix)}  # {code: Keras name}, in the header's order
        self._from_name = from_name

    def code(self, name):
        """The code ``name`` (a Keras name, alias or class name) stands for, or None."""
        encoded = _c_string(name)
        if encoded is None:
            return None
        code = ctypes.c_int32()
        if self._from_name(encoded, ctypes.byref(code)) != _codes.ANNEAL_OK:
            return None
        return code.value

    def name(self, name):
        """The Keras name ``name`` stands for (``"silu"`` -> ``"swish"``, ``"mae"`` -> ``"mean_absolute_error"``),
        or None."""
        code = self.code(name)
        return None if code is None else self.names[code]


ACTIVATIONS = _Family("ANNEAL_ACTIVATION_", _lib.anneal_activation_from_name)
INITIALIZERS = _Family("ANNEAL_INITIALIZER_", _lib.anneal_initializer_from_name)
LOSSES = _Family("ANNEAL_LOSS_", _lib.anneal_loss_from_name)


def check_metric_name(name):
    """Raises ValueError, with the library's message in Keras's words, unless compile's metrics take ``name``
    (``"accuracy"``, ``"auc"``, a loss name...)."""
    encoded = _c_string(name)
    if encoded is None:
        raise ValueError(f"Unknown metric function: {name!r}")
    _lib.check(_lib.anneal_metric_check_name(encoded))  # InvalidArgumentError is a ValueError
