"""Optimizers: Keras 2's (legacy) ``SGD``."""

import ctypes
import math
import numbers
import weakref

from .. import _lib
from . import schedules
from .schedules import LearningRateSchedule

__all__ = ["SGD", "schedules", "get"]


def _check_number(value, name, low=0.0, high=None):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"`{name}` must be a number. Received: {name}={value!r} (of type {type(value)})")
    value = float(value)
    if math.isnan(value) or math.isinf(value) or value < low or (high is not None and value > high):
        bounds = f"between [{low:g}, {high:g}]" if high is not None else "a non-negative finite number"
        raise ValueError(f"`{name}` must be {bounds}. Received: {name}={value} (of type {type(value)})")
    return value


class SGD:
    """Gradient descent with momentum, exactly as Keras 2's legacy ``SGD``.

    Before every update the rate in force is ``lr_t = lr / (1 + decay * iterations)`` (float32), then::

        momentum == 0:  w = w - lr_t * g
        momentum  > 0:  v = momentum * v - lr_t * g;  w = w + v
        nesterov:       v = momentum * v - lr_t * g;  w = w + momentum * v - lr_t * g

    ``decay`` is Keras's time-based decay, not weight decay; ``iterations`` counts updates and is never reset.

    Args:
        learning_rate: a float >= 0, or a per-update schedule from ``anneal.optimizers.schedules``.
        momentum: float in [0, 1].
        nesterov: whether to apply Nesterov momentum.
        decay: Keras 2's time-based decay per update, >= 0.
        lr: Keras 2's alias of ``learning_rate``; when both are given, ``lr`` wins (as in Keras 2).
    """

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, name="SGD", decay=0.0, **kwargs):
        if "lr" in kwargs:
            learning_rate = kwargs.pop("lr")
        if kwargs:
            raise TypeError(f"SGD got unsupported keyword arguments: {sorted(kwargs)}")
        if not isinstance(learning_rate, LearningRateSchedule):
            learning_rate = _check_number(learning_rate, "learning_rate")
        self._initial_learning_rate = learning_rate
        self.momentum = _check_number(momentum, "momentum", 0.0, 1.0)
        self.nesterov = bool(nesterov)
        self.decay = _check_number(decay, "decay")
        self.name = name
        self._model = None  # the model this optimizer was compiled into

    # --- The C description used at compile ---------------------------------------------------------------
    def _create_description(self):
        handle = ctypes.c_void_p()
        if isinstance(self._initial_learning_rate, LearningRateSchedule):
            _lib.check(_lib.anneal_sgd_create_scheduled(
                self._initial_learning_rate._handle, self.momentum, self.decay, self.nesterov, ctypes.byref(handle)))
        else:
            _lib.check(_lib.anneal_sgd_create(
                self._initial_learning_rate, self.momentum, self.decay, self.nesterov, ctypes.byref(handle)))
        return handle

    def _attach(self, model):
        if self._model is not None and self._model() is not None and self._model() is not model:
            raise ValueError("This SGD instance is already used by another model (it holds that model's "
                             "iterations and velocities); create one optimizer per model.")
        self._model = weakref.ref(model)

    def _handle(self):
        model = self._model() if self._model is not None else None
        return model._live_handle() if model is not None else None

    # --- State read from and written to the model's optimizer ---------------------------------------------
    @property
    def learning_rate(self):
        """The base rate (float32 as the optimizer holds it); setting it replaces any schedule."""
        handle = self._handle()
        if handle is None:
            if isinstance(self._initial_learning_rate, LearningRateSchedule):
                return self._initial_learning_rate(0)
            return self._initial_learning_rate
        rate = ctypes.c_double()
        _lib.check(_lib.anneal_model_learning_rate(handle, ctypes.byref(rate)))
        return rate.value

    @learning_rate.setter
    def learning_rate(self, value):
        value = _check_number(value, "learning_rate")
        handle = self._handle()
        if handle is None:
            self._initial_learning_rate = value
            return
        _lib.check(_lib.anneal_model_set_learning_rate(handle, value))

    lr = learning_rate

    @property
    def effective_learning_rate(self):
        """The rate the next update will use: ``lr / (1 + decay * iterations)``."""
        handle = self._handle()
        if handle is None:
            return self.learning_rate
        rate = ctypes.c_double()
        _lib.check(_lib.anneal_model_effective_learning_rate(handle, ctypes.byref(rate)))
        return rate.value

    @property
    def iterations(self):
        """Updates done so far; never reset."""
        handle = self._handle()
        if handle is None:
            return 0
        count = ctypes.c_int64()
        _lib.check(_lib.anneal_model_iterations(handle, ctypes.byref(count)))
        return count.value

    def get_config(self):
        return {"name": self.name, "learning_rate": self.learning_rate, "decay": self.decay,
                "momentum": self.momentum, "nesterov": self.nesterov}

    def __repr__(self):
        return (f"SGD(learning_rate={self.learning_rate!r}, momentum={self.momentum!r}, "
                f"nesterov={self.nesterov!r}, decay={self.decay!r})")


def get(identifier):
    """An optimizer from an instance or a name (``"sgd"``)."""
    if isinstance(identifier, SGD):
        return identifier
    if isinstance(identifier, str) and identifier.lower() == "sgd":
        return SGD()
    raise ValueError(f"Could not interpret optimizer identifier: {identifier!r}. Anneal provides SGD.")
