"""Keras 2's callbacks, with Keras's names, defaults, hooks and logs.

Per ``fit``, hooks run in this order: ``on_train_begin``; for each epoch ``on_epoch_begin``, then for each
batch ``on_train_batch_begin`` / ``on_train_batch_end``, then validation, then ``on_epoch_end(epoch, logs)``;
finally ``on_train_end``. User callbacks run before the model's History and progress printer, so keys they
add to the epoch logs (``lr``) reach both. An exception raised in a hook comes out of ``fit`` unchanged.
"""

import ctypes
import inspect
import numbers
import os
import sys
import weakref

from . import _lib, _logs, _missing
from ._codes import ANNEAL_MODE_AUTO, ANNEAL_MODE_MAX, ANNEAL_MODE_MIN

__all__ = [
    "Callback",
    "History",
    "ProgbarLogger",
    "LearningRateScheduler",
    "ReduceLROnPlateau",
    "EarlyStopping",
    "ModelCheckpoint",
    "CSVLogger",
    "TerminateOnNaN",
    "LambdaCallback",
]


class Callback:
    """Base class for callbacks: override the hooks you need; ``self.model`` and ``self.params`` are set by fit."""

    def __init__(self):
        self.model = None
        self.params = {}

    def set_model(self, model):
        self.model = model

    def set_params(self, params):
        self.params = params

    def on_train_begin(self, logs=None):
        pass

    def on_train_end(self, logs=None):
        pass

    def on_epoch_begin(self, epoch, logs=None):
        pass

    def on_epoch_end(self, epoch, logs=None):
        pass

    def on_train_batch_begin(self, batch, logs=None):
        self.on_batch_begin(batch, logs=logs)

    def on_train_batch_end(self, batch, logs=None):
        self.on_batch_end(batch, logs=logs)

    def on_batch_begin(self, batch, logs=None):
        """Keras 1 name of ``on_train_batch_begin``."""

    def on_batch_end(self, batch, logs=None):
        """Keras 1 name of ``on_train_batch_end``."""

    def on_test_begin(self, logs=None):
        pass

    def on_test_end(self, logs=None):
        pass

    def on_predict_begin(self, logs=None):
        pass

    def on_predict_end(self, logs=None):
        pass

    def _implements_train_batch_hooks(self):
        """Whether fit must stop after every batch for this callback (Keras's same-named check)."""
        cls = type(self)
        return any(
            getattr(cls, name) is not getattr(Callback, name)
            for name in ("on_train_batch_begin", "on_train_batch_end", "on_batch_begin", "on_batch_end")
        )


class CallbackList:
    """Runs a list of callbacks in order (internal to fit)."""

    def __init__(self, callbacks, model, params):
        self.callbacks = list(callbacks)
        for callback in self.callbacks:
            callback.set_model(model)
            callback.set_params(params)

    @property
    def wants_batch_hooks(self):
        return any(callback._implements_train_batch_hooks() for callback in self.callbacks)

    def call(self, hook, *args):
        for callback in self.callbacks:
            getattr(callback, hook)(*args)


class History(Callback):
    """Records every epoch's logs; ``fit`` returns it. ``history.history["loss"]`` is the list of epoch losses."""

    def __init__(self):
        super().__init__()
        self.history = {}
        self.epoch = []

    def on_train_begin(self, logs=None):
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        self.epoch.append(epoch)
        for key, value in logs.items():
            self.history.setdefault(key, []).append(value)
        self.model.history = self


class _LibraryCallback(Callback):
    """A built-in callback whose behaviour and text are the library's (an ``anneal_callback`` handle, as a
    schedule is an ``anneal_schedule``): each hook hands the library the event with its logs, copies back
    the keys it adds (``lr``), sets ``model.stop_training`` when it asks to stop, and prints its text
    through ``sys.stdout`` as it comes (so that Jupyter and redirections capture it)."""

    _batch_hooks = False  # whether fit must stop after every batch for this callback
    _flush = False  # whether to flush the stream after each text (the progress bar's redraws)

    def __init__(self):
        super().__init__()
        self._handle = None
        self._error = None
        self._stream = None

    def _create(self, constructor, *args):
        if self._handle is not None:
            self._finalizer()
        handle = ctypes.c_void_p()
        _lib.check(constructor(*args, ctypes.byref(handle)))
        self._handle = handle
        self._finalizer = weakref.finalize(self, _lib.anneal_callback_free, handle)
        self._writer = _lib.anneal_write_callback(self._write)
        _lib.check(_lib.anneal_callback_set_output(handle, self._writer, None))

    def _write(self, _user_data, text):
        try:
            stream = self._stream or sys.stdout
            stream.write(text.decode("utf-8"))
            if self._flush:
                stream.flush()
        except BaseException as error:  # raised again when the library call returns
            self._error = self._error or error

    def _call(self, function, *args):
        self._error = None
        status = function(self._handle, self.model._live_handle(), *args)
        error, self._error = self._error, None
        if error is not None:
            raise error
        _lib.check(status)

    def _open(self):
        """Makes the handle ready for a fit once ``params`` are set (the progress bar's needs them)."""

    def _state(self, name):
        value = ctypes.c_double()
        _lib.check(_lib.anneal_callback_state(self._handle, name.encode(), ctypes.byref(value)))
        return value.value

    def _state_mode(self):
        return "max" if self._state("mode") == ANNEAL_MODE_MAX else "min"

    def _implements_train_batch_hooks(self):
        return self._batch_hooks

    def on_train_begin(self, logs=None):
        self._call(_lib.anneal_callback_train_begin)

    def on_epoch_begin(self, epoch, logs=None):
        stop = ctypes.c_bool()
        self._call(_lib.anneal_callback_epoch_begin, epoch, ctypes.byref(stop))
        if stop.value:
            self.model.stop_training = True

    def on_train_batch_end(self, batch, logs=None):
        if not self._implements_train_batch_hooks():
            return
        stop = ctypes.c_bool()
        self._call(_lib.anneal_callback_batch_end, batch, *_c_logs(logs), ctypes.byref(stop))
        if stop.value:
            self.model.stop_training = True

    def on_epoch_end(self, epoch, logs=None):
        stop = ctypes.c_bool()
        keys, values, count = _c_logs(logs)
        self._call(_lib.anneal_callback_epoch_end, epoch, keys, values, count, ctypes.byref(stop))
        if logs is not None:
            self._copy_added_logs(keys, values, count, logs)
        if stop.value:
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        self._call(_lib.anneal_callback_train_end, *_c_logs(logs))

    def _copy_added_logs(self, keys, values, count, logs):
        """Writes into ``logs`` what the library's callback changed or added: it keeps the keys it was given, in
        order, and appends the ones it adds."""
        total = ctypes.c_int32()
        _lib.check(_lib.anneal_callback_log_count(self._handle, ctypes.byref(total)))
        after = (ctypes.c_double * max(total.value, 1))()
        _lib.check(_lib.anneal_callback_log_values(self._handle, after, total.value, ctypes.byref(total)))
        for index in range(total.value):
            if index < count:
                # A changed number (never one of an array's values, which keys name[i] that logs lack).
                if after[index] != values[index] and keys[index].decode() in logs:
                    logs[keys[index].decode()] = after[index]
            else:
                logs[_lib.read_string(_lib.anneal_callback_log_key, self._handle, index)] = after[index]


def _c_logs(logs):
    """The numeric entries of ``logs`` as the library's keys, values and count (an array's values under
    ``name[i]``, the library's keys)."""
    pairs = [(key.encode(), value) for key, value in _logs.flattened(logs)]
    keys = (ctypes.c_char_p * max(len(pairs), 1))(*[key for key, _ in pairs])
    values = (ctypes.c_double * max(len(pairs), 1))(*[value for _, value in pairs])
    return keys, values, len(pairs)


def _integer(value, name):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"`{name}` must be an integer. Received: {name}={value!r}")
    return int(value)


def _mode_code(mode):
    if mode not in _MODES:
        raise ValueError(f"mode must be 'auto', 'min' or 'max'. Received: mode={mode!r}")
    return _MODES[mode]


_MODES = {"auto": ANNEAL_MODE_AUTO, "min": ANNEAL_MODE_MIN, "max": ANNEAL_MODE_MAX}


def _optional(value):
    """An optional number as the library's optional pointer."""
    return None if value is None else ctypes.byref(ctypes.c_double(float(value)))


class ProgbarLogger(_LibraryCallback):
    """Prints Keras's progress output: ``Epoch i/N`` then a bar (verbose=1) or one line (verbose=2) per epoch."""

    def __init__(self, count_mode="steps", stream=None):
        super().__init__()
        if count_mode not in ("steps", "samples"):
            raise ValueError(f'Unknown `count_mode`: {count_mode}. Expected values are ["samples", "steps"]')
        self._stream = stream

    _flush = True

    @property
    def _batch_hooks(self):
        return self.params.get("verbose") == 1

    def _open(self):
        verbose = self.params.get("verbose", 1)
        if verbose:
            self._create(_lib.anneal_callback_progress_logger, verbose, self.params.get("epochs", 1),
                         self.params.get("steps", 1))

    def on_train_begin(self, logs=None):
        self._open()
        super().on_train_begin(logs)

    def _call(self, function, *args):
        if self._handle is not None:
            super()._call(function, *args)

    def _copy_added_logs(self, keys, values, count, logs):
        pass  # it adds nothing


def _progress_line(model, verbose, steps):
    """The progress line of ``evaluate`` / ``predict`` (verbose 1 or 2) over ``steps`` batches, begun now:
    call the result with the logs once done."""
    logger = ProgbarLogger()
    logger.set_model(model)
    logger.set_params({"verbose": verbose, "epochs": 1, "steps": steps})
    logger.on_train_begin()
    logger.on_epoch_begin(0)
    return lambda logs: logger.on_epoch_end(0, dict(logs))


def _schedule_takes_rate(schedule):
    """Whether ``schedule`` is called as ``schedule(epoch, lr)``, decided once from its signature."""
    try:
        signature = inspect.signature(schedule)
    except (TypeError, ValueError):  # builtins without a signature: the one-argument form
        return False
    try:
        signature.bind(0, 0.1)
        return True
    except TypeError:
        return False


class LearningRateScheduler(_LibraryCallback):
    """Sets the optimizer's learning rate at the start of every epoch from ``schedule``.

    ``schedule(epoch)`` or ``schedule(epoch, lr)`` (decided once from its signature) returns the new base
    rate as a float; the optimizer's ``decay`` still applies on top of it. The rate is logged as ``lr``.

    Args:
        schedule: a function of the 0-based epoch index (and the current rate), or a schedule from
            ``anneal.optimizers.schedules``.
        verbose: 0 quiet, 1 prints ``Epoch N: LearningRateScheduler setting learning rate to X.``
    """

    def __init__(self, schedule, verbose=0):
        super().__init__()
        if not callable(schedule):
            raise TypeError(f"`schedule` must be callable. Received: schedule={schedule!r}")
        self.schedule = schedule
        self.verbose = verbose
        from .optimizers.schedules import LearningRateSchedule

        if isinstance(schedule, LearningRateSchedule) and schedule.unit == "epoch":
            self._create(_lib.anneal_callback_learning_rate_scheduler, schedule._handle, _integer(verbose, "verbose"))
        else:
            self._takes_rate = _schedule_takes_rate(schedule)
            self._rate = _lib.anneal_rate_callback(self._rate_at)
            self._create(_lib.anneal_callback_learning_rate_function, self._rate, None, _integer(verbose, "verbose"))

    def _rate_at(self, _user_data, epoch, current, out_rate):
        """The library's question to ``schedule``; an exception is kept and raised again by the hook."""
        try:
            rate = self.schedule(epoch, current) if self._takes_rate else self.schedule(epoch)
            out_rate[0] = _checked_float(rate, f'The output of the "schedule" function at epoch {epoch}')
            return 0
        except BaseException as error:
            self._error = error
            return 1


def _checked_float(value, what):
    """A learning rate as float: a real float (Python or numpy); the library checks its value."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or isinstance(value, numbers.Integral):
        raise ValueError(f"{what} should be float. Got: {value!r} (of type {type(value).__name__})")
    return float(value)


class ReduceLROnPlateau(_LibraryCallback):
    """Reduces the learning rate when a monitored value has stopped improving (Keras 2 semantics).

    At each epoch end it logs the current ``lr``, then: in cooldown, counts down and resets ``wait``; on
    improvement (min mode: ``current < best - min_delta``) ``best = current, wait = 0``; otherwise
    ``wait += 1``, and when ``wait >= patience`` and ``lr > min_lr``: ``lr = max(lr * factor, min_lr)``,
    the cooldown restarts and ``wait = 0``.
    """

    def __init__(self, monitor="val_loss", factor=0.1, patience=10, verbose=0, mode="auto", min_delta=1e-4,
                 cooldown=0, min_lr=0, **kwargs):
        super().__init__()
        if "epsilon" in kwargs:
            min_delta = kwargs.pop("epsilon")
        if kwargs:
            raise TypeError(f"Unrecognized keyword arguments: {sorted(kwargs)}")
        self.monitor = monitor
        self.factor = factor
        self.patience = patience
        self.verbose = verbose
        self.min_delta = min_delta
        self.cooldown = cooldown
        self.min_lr = min_lr
        self._create(_lib.anneal_callback_reduce_lr_on_plateau, monitor.encode(), float(factor),
                     _integer(patience, "patience"), _integer(verbose, "verbose"), _mode_code(mode),
                     float(min_delta), _integer(cooldown, "cooldown"), float(min_lr))

    mode = property(_LibraryCallback._state_mode)
    best = property(lambda self: self._state("best"))
    wait = property(lambda self: int(self._state("wait")))
    cooldown_counter = property(lambda self: int(self._state("cooldown_counter")))


class EarlyStopping(_LibraryCallback):
    """Stops training when a monitored value has stopped improving (tf.keras 2.x semantics).

    With ``restore_best_weights`` the weights of the best epoch come back when training ends.
    """

    def __init__(self, monitor="val_loss", min_delta=0, patience=0, verbose=0, mode="auto", baseline=None,
                 restore_best_weights=False, start_from_epoch=0):
        super().__init__()
        self.monitor = monitor
        self.patience = patience
        self.verbose = verbose
        self.baseline = baseline
        self.min_delta = abs(min_delta)
        self.restore_best_weights = restore_best_weights
        self.start_from_epoch = start_from_epoch
        self._create(_lib.anneal_callback_early_stopping, monitor.encode(), float(min_delta),
                     _integer(patience, "patience"), _integer(verbose, "verbose"), _mode_code(mode),
                     _optional(baseline), bool(restore_best_weights), _integer(start_from_epoch, "start_from_epoch"))

    mode = property(_LibraryCallback._state_mode)
    best = property(lambda self: self._state("best"))
    wait = property(lambda self: int(self._state("wait")))
    stopped_epoch = property(lambda self: int(self._state("stopped_epoch")))
    best_epoch = property(lambda self: int(self._state("best_epoch")))


class ModelCheckpoint(_LibraryCallback):
    """Saves the model's weights after epochs; ``filepath`` is formatted with ``epoch`` (1-based) and the logs.

    Anneal has one file format, its weights file, so ``save_weights_only`` must stay True (a False raises,
    rather than silently writing something Keras users would not expect).
    """

    def __init__(self, filepath, monitor="val_loss", verbose=0, save_best_only=False, save_weights_only=True,
                 mode="auto", save_freq="epoch", initial_value_threshold=None):
        super().__init__()
        if not save_weights_only:
            raise NotImplementedError(
                "Anneal saves weights only (its own checksummed format); pass save_weights_only=True")
        if save_freq != "epoch":
            raise ValueError(f"Anneal saves checkpoints once per epoch. Received: save_freq={save_freq!r}")
        self.filepath = os.fspath(filepath)
        self.monitor = monitor
        self.verbose = verbose
        self.save_best_only = save_best_only
        self._create(_lib.anneal_callback_model_checkpoint, self.filepath.encode(), monitor.encode(),
                     _integer(verbose, "verbose"), bool(save_best_only), _mode_code(mode),
                     _optional(initial_value_threshold))

    mode = property(_LibraryCallback._state_mode)
    best = property(lambda self: self._state("best"))


class CSVLogger(_LibraryCallback):
    """Streams epoch results to a CSV file: header ``epoch`` + sorted log keys, one flushed row per epoch."""

    def __init__(self, filename, separator=",", append=False):
        super().__init__()
        self.filename = os.fspath(filename)
        self.sep = separator
        self.append = append
        self._create(_lib.anneal_callback_csv_logger, self.filename.encode(), separator.encode(), bool(append))


class TerminateOnNaN(_LibraryCallback):
    """Stops training when a batch's loss is NaN or infinite."""

    _batch_hooks = True

    def __init__(self):
        super().__init__()
        self._create(_lib.anneal_callback_terminate_on_nan)


class LambdaCallback(Callback):
    """A callback built from functions: ``on_epoch_begin(epoch, logs)``, ``on_epoch_end(epoch, logs)``,
    ``on_batch_begin(batch, logs)``, ``on_batch_end(batch, logs)``, ``on_train_begin(logs)``,
    ``on_train_end(logs)``."""

    def __init__(self, on_epoch_begin=None, on_epoch_end=None, on_batch_begin=None, on_batch_end=None,
                 on_train_begin=None, on_train_end=None, **kwargs):
        super().__init__()
        self.__dict__.update(kwargs)
        for name, function in (("on_epoch_begin", on_epoch_begin), ("on_epoch_end", on_epoch_end),
                               ("on_batch_begin", on_batch_begin), ("on_batch_end", on_batch_end),
                               ("on_train_begin", on_train_begin), ("on_train_end", on_train_end)):
            if function is not None:
                setattr(self, name, function)
        self._batch_hooks = on_batch_begin is not None or on_batch_end is not None

    def on_train_begin(self, logs=None):
        pass

    def _implements_train_batch_hooks(self):
        return self._batch_hooks


def __getattr__(name):
    raise _missing.missing("anneal.callbacks", name, __all__)
