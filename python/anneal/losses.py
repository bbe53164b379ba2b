"""Losses: the names ``compile(loss=...)`` accepts, Keras's, with their aliases.

``compile`` takes a loss by name (``loss="binary_crossentropy"``) or by anything whose ``__name__`` is one
(Keras's loss functions). Each name maps to the library's loss code (``anneal_loss_from_name``'s numbering).
"""

from . import _missing

__all__ = ["get", "NAMES"]

# Name or alias -> the library's loss code.
_CODES = {
    "binary_crossentropy": 0, "bce": 0,
    "categorical_crossentropy": 1, "cce": 1,
    "sparse_categorical_crossentropy": 2,
    "mean_squared_error": 3, "mse": 3,
}
NAMES = tuple(sorted(_CODES))


def get(identifier):
    """The library's code for a loss given by name (any case) or by an object with that ``__name__``; raises
    ValueError with Keras's message for any other."""
    name = identifier if isinstance(identifier, str) else getattr(identifier, "__name__", None)
    if isinstance(name, str) and name.lower() in _CODES:
        return _CODES[name.lower()]
    raise ValueError(f"Unknown loss function: '{identifier}'. Expected one of: " + ", ".join(NAMES))


def __getattr__(name):
    raise _missing.missing("anneal.losses", name, __all__,
                           "Give compile() the loss by name: loss='" + "', '".join(NAMES) + "'.")
