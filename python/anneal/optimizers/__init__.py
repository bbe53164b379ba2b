"""Optimizers: Keras 2's (legacy) ``SGD``, ``Adam``, ``RMSprop``, ``Adagrad``, ``Adadelta``, ``Adamax`` and
``Nadam``, with Keras's names, defaults and ``lr`` alias. ``anneal.optimizers.legacy`` names the same classes
(Keras 2.11+ scripts import them from ``tf.keras.optimizers.legacy``)."""

from . import schedules
from .adadelta import Adadelta
from .adagrad import Adagrad
from .adam import Adam
from .adamax import Adamax
from .nadam import Nadam
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = ["Optimizer", "SGD", "Adam", "RMSprop", "Adagrad", "Adadelta", "Adamax", "Nadam", "schedules", "get",
           "legacy"]

_BY_NAME = {cls.__name__.lower(): cls for cls in (SGD, Adam, RMSprop, Adagrad, Adadelta, Adamax, Nadam)}


def get(identifier):
    """An optimizer from an instance, a name (``"adam"``, ``"RMSprop"``; any case, as Keras) or a config
    ``{"class_name": "Adam", "config": {...}}``."""
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, str) and identifier.lower() in _BY_NAME:
        return _BY_NAME[identifier.lower()]()
    if isinstance(identifier, dict) and isinstance(identifier.get("class_name"), str):
        cls = _BY_NAME.get(identifier["class_name"].lower())
        if cls is not None:
            config = dict(identifier.get("config") or {})
            config.pop("name", None)
            return cls(**config)
    raise ValueError(f"Could not interpret optimizer identifier: {identifier!r}. Anneal provides "
                     + ", ".join(cls.__name__ for cls in _BY_NAME.values()) + ".")


from . import legacy  # noqa: E402  (after get: it re-exports it)
