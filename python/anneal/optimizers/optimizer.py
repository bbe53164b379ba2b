"""The base every Keras 2 (legacy) optimizer shares: the rate or its schedule, ``decay``, ``iterations``."""

import ctypes
import math
import numbers
import weakref

from .. import _lib
from .schedules import LearningRateSchedule

DEFAULT_EPSILON = 1e-7  # Keras's backend.epsilon()


def check_number(value, name, low=0.0, high=None, high_open=False):
    """``value`` as a float within [low, high] (or [low, high) when ``high_open``), or Keras's ValueError."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"`{name}` must be a number. Received: {name}={value!r} (of type {type(value)})")
    value = float(value)
    above = high is not None and (value >= high if high_open else value > high)
    if math.isnan(value) or math.isinf(value) or value < low or above:
        if high is None:
            bounds = "a non-negative finite number"
        else:
            bounds = f"between [{low:g}, {high:g}{')' if high_open else ']'}"
        raise ValueError(f"`{name}` must be {bounds}. Received: {name}={value} (of type {type(value)})")
    return value


def check_epsilon(epsilon):
    """Keras's ``epsilon or backend.epsilon()``: None or 0 means 1e-7."""
    if epsilon is None:
        return DEFAULT_EPSILON
    return check_number(epsilon, "epsilon") or DEFAULT_EPSILON


class Optimizer:
    """What every Keras 2 (legacy) optimizer shares.

    Before every update the rate in force is ``lr_t = lr / (1 + decay * iterations)`` (float32), ``lr`` being
    the fixed ``learning_rate`` or a per-update schedule's value at ``iterations``. ``decay`` is Keras's
    time-based decay, not weight decay; ``iterations`` counts updates and is never reset. An optimizer
    belongs to the one model it is compiled into: that model holds its state (moments, accumulators).
    """

    # The anneal_compile_options field that takes this optimizer's description, and the C function freeing it.
    _options_field = "optimizer"
    _free_function = "anneal_optimizer_free"

    def __init__(self, name, learning_rate, kwargs, allow_decay=True):
        if "lr" in kwargs:  # Keras 2: `lr` wins over `learning_rate`
            learning_rate = kwargs.pop("lr")
        decay = kwargs.pop("decay", 0.0) if allow_decay else 0.0
        if kwargs:
            raise TypeError(f"{type(self).__name__} got unsupported keyword arguments: {sorted(kwargs)}")
        if not isinstance(learning_rate, LearningRateSchedule):
            learning_rate = check_number(learning_rate, "learning_rate")
        self._initial_learning_rate = learning_rate
        self.decay = check_number(decay, "decay")
        self.name = name
        self._model = None  # the model this optimizer was compiled into

    # --- The C description used at compile ---------------------------------------------------------------
    def _describe(self, schedule, out):
        """Creates the C description into ``out`` (``schedule``: a schedule handle, or None)."""
        raise NotImplementedError(f"{type(self).__name__} has no C description")

    def _compile(self, model_handle, loss_code, names, count):
        """Compiles the model behind ``model_handle`` with a fresh copy of this optimizer's settings."""
        handle = ctypes.c_void_p()
        rate = self._initial_learning_rate
        schedule = rate._handle if isinstance(rate, LearningRateSchedule) else None
        _lib.check(self._describe(schedule, ctypes.byref(handle)))
        try:
            options = _lib.anneal_compile_options(struct_size=ctypes.sizeof(_lib.anneal_compile_options),
                                                  loss=loss_code, metric_names=names, metric_name_count=count)
            setattr(options, self._options_field, handle)
            _lib.check(_lib.anneal_model_compile(model_handle, ctypes.byref(options)))
        finally:
            getattr(_lib, self._free_function)(handle)

    @property
    def _fixed_rate(self):
        """The fixed rate for the C description (ignored when a schedule is given)."""
        rate = self._initial_learning_rate
        return 0.0 if isinstance(rate, LearningRateSchedule) else rate

    def _attach(self, model):
        if self._model is not None and self._model() is not None and self._model() is not model:
            raise ValueError(f"This {type(self).__name__} instance is already used by another model (it holds "
                             "that model's iterations and state); create one optimizer per model.")
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
        value = check_number(value, "learning_rate")
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

    def _settings(self):
        """This optimizer's own arguments, in Keras's order (for get_config and repr)."""
        return {}

    def get_config(self):
        return {"name": self.name, "learning_rate": self.learning_rate, "decay": self.decay, **self._settings()}

    def __repr__(self):
        arguments = {"learning_rate": self.learning_rate, **self._settings(), "decay": self.decay}
        return f"{type(self).__name__}(" + ", ".join(f"{k}={v!r}" for k, v in arguments.items()) + ")"
