"""Metrics: the names ``compile(metrics=[...])`` accepts, Keras's.

``"accuracy"`` (or ``"acc"``, which then names the logs ``acc``) is resolved as Keras does from the loss and
the output width: binary, categorical or sparse categorical accuracy.
"""

from . import _missing

__all__ = ["get", "NAMES"]

NAMES = ("accuracy", "acc", "binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy")


def get(identifier):
    """The metric's name, given by name or by an object with that ``__name__``; raises ValueError with Keras's
    message for any other."""
    name = identifier if isinstance(identifier, str) else getattr(identifier, "__name__", None)
    if name in NAMES:
        return name
    raise ValueError(f"Unknown metric function: '{identifier}'. Expected one of: " + ", ".join(NAMES))


def __getattr__(name):
    raise _missing.missing("anneal.metrics", name, __all__,
                           "Give compile() the metrics by name: metrics=['" + "', '".join(NAMES) + "'].")
