"""Keras 2's callbacks, with Keras's names, defaults, hooks and logs.

Per ``fit``, hooks run in this order: ``on_train_begin``; for each epoch ``on_epoch_begin``, then for each
batch ``on_train_batch_begin`` / ``on_train_batch_end``, then validation, then ``on_epoch_end(epoch, logs)``;
finally ``on_train_end``. User callbacks run before the model's History and progress printer, so keys they
add to the epoch logs (``lr``) reach both. An exception raised in a hook comes out of ``fit`` unchanged.
"""

import csv
import inspect
import math
import numbers
import os
import sys

from . import _missing, _progbar

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

    def _record_epochs(self, epochs, names, values):
        """``on_epoch_end`` for several epochs at once, column by column (fit without callbacks, where building
        each epoch's dict cost more than training it): ``values`` holds each epoch's values for ``names``."""
        self.epoch.extend(epochs)
        width = len(names)
        for offset, name in enumerate(names):
            self.history.setdefault(name, []).extend(values[offset::width])
        self.model.history = self


class ProgbarLogger(Callback):
    """Prints Keras's progress output: ``Epoch i/N`` then a bar (verbose=1) or one line (verbose=2) per epoch."""

    def __init__(self, count_mode="steps", stream=None):
        super().__init__()
        if count_mode not in ("steps", "samples"):
            raise ValueError(f'Unknown `count_mode`: {count_mode}. Expected values are ["samples", "steps"]')
        self.stream = stream
        self.progbar = None

    def _implements_train_batch_hooks(self):
        return self.params.get("verbose") == 1

    def _print(self, text):
        stream = self.stream or sys.stdout
        stream.write(text + "\n")
        stream.flush()

    def on_epoch_begin(self, epoch, logs=None):
        verbose = self.params.get("verbose", 1)
        epochs = self.params.get("epochs", 1)
        if verbose and epochs > 1:
            self._print(f"Epoch {epoch + 1}/{epochs}")
        self.progbar = _progbar.Progbar(self.params.get("steps", 1), verbose=verbose, stream=self.stream)

    def on_train_batch_end(self, batch, logs=None):
        if self.progbar is not None and batch + 1 < self.progbar.target:
            self.progbar.update(batch + 1, _shown(logs))

    def on_epoch_end(self, epoch, logs=None):
        if self.progbar is not None:
            self.progbar.update(self.progbar.target, _shown(logs), finalize=True)


# Keys Anneal adds to the logs that Keras never logs: kept in History, left out of the printed lines so
# that they stay Keras's, text for text.
_NOT_PRINTED = ("effective_lr",)


def _shown(logs):
    return [(key, value) for key, value in (logs or {}).items() if key not in _NOT_PRINTED]


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


class LearningRateScheduler(Callback):
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
        self._takes_rate = _schedule_takes_rate(schedule)

    def on_epoch_begin(self, epoch, logs=None):
        optimizer = getattr(self.model, "optimizer", None)
        if optimizer is None or not hasattr(optimizer, "learning_rate"):
            raise ValueError('Optimizer must have a "lr" attribute.')
        if self._takes_rate:
            lr = self.schedule(epoch, float(optimizer.learning_rate))
        else:
            lr = self.schedule(epoch)
        lr = _checked_rate(lr, f'The output of the "schedule" function at epoch {epoch}')
        optimizer.learning_rate = lr
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to {lr}.")

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["lr"] = float(self.model.optimizer.learning_rate)


def _checked_rate(value, what):
    """A learning rate as float: a real float (Python or numpy), finite and non-negative."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or isinstance(value, numbers.Integral):
        raise ValueError(f"{what} should be float. Got: {value!r} (of type {type(value).__name__})")
    value = float(value)
    if math.isnan(value) or math.isinf(value) or value < 0:
        raise ValueError(f"{what} should be a non-negative finite float. Got: {value}")
    return value


def _monitor_op(mode, monitor, acc_rule):
    if mode not in ("auto", "min", "max"):
        raise ValueError(f"mode must be 'auto', 'min' or 'max'. Received: mode={mode!r}")
    if mode == "auto":
        return "max" if acc_rule(monitor) else "min"
    return mode


class ReduceLROnPlateau(Callback):
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
        if factor >= 1.0:
            raise ValueError(f"ReduceLROnPlateau does not support a factor >= 1.0. Got {factor}")
        self.monitor = monitor
        self.factor = factor
        self.patience = patience
        self.verbose = verbose
        self.min_delta = min_delta
        self.cooldown = cooldown
        self.min_lr = min_lr
        self.mode = _monitor_op(mode, monitor, lambda name: "acc" in name)
        self._reset()

    def _reset(self):
        self.best = -math.inf if self.mode == "max" else math.inf
        self.cooldown_counter = 0
        self.wait = 0

    def _improved(self, current):
        if self.mode == "max":
            return current > self.best + self.min_delta
        return current < self.best - self.min_delta

    def on_train_begin(self, logs=None):
        self._reset()

    def on_epoch_end(self, epoch, logs=None):
        logs = logs if logs is not None else {}
        optimizer = self.model.optimizer
        logs["lr"] = float(optimizer.learning_rate)
        current = logs.get(self.monitor)
        if current is None:
            return
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.wait = 0
        if self._improved(current):
            self.best = current
            self.wait = 0
        elif self.cooldown_counter == 0:
            self.wait += 1
            if self.wait >= self.patience:
                old_lr = float(optimizer.learning_rate)
                if old_lr > _float32(self.min_lr):
                    new_lr = max(old_lr * self.factor, self.min_lr)
                    optimizer.learning_rate = new_lr
                    if self.verbose > 0:
                        print(f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to {_float32(new_lr)}.")
                    self.cooldown_counter = self.cooldown
                    self.wait = 0


def _float32(value):
    """``value`` rounded to float32, as Keras's float32 variables hold it."""
    import struct

    return struct.unpack("f", struct.pack("f", value))[0]


class EarlyStopping(Callback):
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
        self.mode = _monitor_op(
            mode, monitor, lambda name: name.endswith("acc") or name.endswith("accuracy") or name.endswith("auc"))
        self.wait = 0
        self.stopped_epoch = 0
        self.best = None
        self.best_weights = None
        self.best_epoch = 0

    def _is_improvement(self, value, reference):
        if self.mode == "max":
            return value - self.min_delta > reference
        return value + self.min_delta < reference

    def on_train_begin(self, logs=None):
        self.wait = 0
        self.stopped_epoch = 0
        self.best = -math.inf if self.mode == "max" else math.inf
        self.best_weights = None
        self.best_epoch = 0

    def on_epoch_end(self, epoch, logs=None):
        current = (logs or {}).get(self.monitor)
        if current is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights = self.model.get_weights()
            self.best_epoch = epoch
        self.wait += 1
        if self._is_improvement(current, self.best):
            self.best = current
            self.best_epoch = epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            if self.baseline is None or self._is_improvement(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose > 0:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                print(f"Restoring model weights from the end of the best epoch: {self.best_epoch + 1}.")
            self.model.set_weights(self.best_weights)


class ModelCheckpoint(Callback):
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
        self.mode = _monitor_op(mode, monitor, lambda name: "acc" in name or name.startswith("fmeasure"))
        if initial_value_threshold is not None:
            self.best = initial_value_threshold
        else:
            self.best = -math.inf if self.mode == "max" else math.inf

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        filepath = self.filepath.format(epoch=epoch + 1, **logs)
        if self.save_best_only:
            current = logs.get(self.monitor)
            if current is None:
                return
            improved = current > self.best if self.mode == "max" else current < self.best
            if improved:
                if self.verbose > 0:
                    print(f"\nEpoch {epoch + 1}: {self.monitor} improved from {self.best:.5f} to {current:.5f}, "
                          f"saving model to {filepath}")
                self.best = current
                self.model.save_weights(filepath)
            elif self.verbose > 0:
                print(f"\nEpoch {epoch + 1}: {self.monitor} did not improve from {self.best:.5f}")
        else:
            if self.verbose > 0:
                print(f"\nEpoch {epoch + 1}: saving model to {filepath}")
            self.model.save_weights(filepath)


class CSVLogger(Callback):
    """Streams epoch results to a CSV file: header ``epoch`` + sorted log keys, one flushed row per epoch."""

    def __init__(self, filename, separator=",", append=False):
        super().__init__()
        self.filename = os.fspath(filename)
        self.sep = separator
        self.append = append
        self.keys = None
        self.writer = None
        self.csv_file = None
        self.append_header = True

    def on_train_begin(self, logs=None):
        if self.append:
            if os.path.exists(self.filename):
                with open(self.filename) as existing:
                    self.append_header = not bool(len(existing.readline()))
            mode = "a"
        else:
            mode = "w"
        self.csv_file = open(self.filename, mode, newline="")
        self.writer = None
        self.keys = None

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.keys is None:
            self.keys = sorted(logs.keys())
        if self.writer is None:
            class Dialect(csv.excel):
                delimiter = self.sep

            self.writer = csv.DictWriter(self.csv_file, fieldnames=["epoch"] + self.keys, dialect=Dialect)
            if self.append_header:
                self.writer.writeheader()
        row = {"epoch": epoch}
        row.update((key, logs.get(key, "NA")) for key in self.keys)
        self.writer.writerow(row)
        self.csv_file.flush()

    def on_train_end(self, logs=None):
        if self.csv_file is not None:
            self.csv_file.close()
        self.csv_file = None
        self.writer = None


class TerminateOnNaN(Callback):
    """Stops training when a batch's loss is NaN or infinite."""

    def on_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and (math.isnan(loss) or math.isinf(loss)):
            print(f"Batch {batch}: Invalid loss, terminating training")
            self.model.stop_training = True


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
