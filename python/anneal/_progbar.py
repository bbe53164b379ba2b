"""Keras 2's progress bar (``tf_keras.utils.Progbar``), text for text.

``verbose=2`` prints one line per epoch::

    9/9 - 0s - loss: 0.6740 - accuracy: 0.7234 - val_loss: 0.6051 - val_accuracy: 0.8448 - 31ms/epoch - 3ms/step

``verbose=1`` redraws a 30-character bar after each batch and ends the epoch with::

    9/9 [==============================] - 0s 2ms/step - loss: 0.6740 - accuracy: 0.7234 - ...
"""

import math
import sys
import time


def _format_value(value, absolute):
    magnitude = abs(value) if absolute else value
    return f" {value:.4f}" if magnitude > 1e-3 else f" {value:.4e}"


def format_time(seconds, unit):
    """Keras's ``_format_time``: whole seconds, milliseconds or microseconds per unit."""
    if seconds >= 1 or seconds == 0:
        return f" {seconds:.0f}s/{unit}"
    if seconds >= 1e-3:
        return f" {seconds * 1000.0:.0f}ms/{unit}"
    return f" {seconds * 1000000.0:.0f}us/{unit}"


class Progbar:
    """One epoch's progress display; values are shown as given (Keras treats fit's metrics as stateful)."""

    def __init__(self, target, verbose=1, width=30, interval=0.05, stream=None):
        self.target = target
        self.verbose = verbose
        self.width = width
        self.interval = interval
        self.stream = stream
        self._total_width = 0
        self._start = time.time()
        self._last_update = 0.0
        self._time_after_first_step = None

    def _write(self, text):
        stream = self.stream or sys.stdout
        stream.write(text)
        stream.flush()

    def update(self, current, values, finalize=False):
        now = time.time()
        info = f" - {now - self._start:.0f}s"
        digits = int(math.log10(self.target)) + 1 if self.target > 0 else 1
        if self.verbose == 1:
            if now - self._last_update < self.interval and not finalize:
                return
            previous_width = self._total_width
            message = "\b" * previous_width + "\r"
            bar = ("%" + str(digits) + "d/%d [") % (current, self.target)
            progress_width = int(self.width * current / self.target) if self.target else self.width
            if progress_width > 0:
                bar += "=" * (progress_width - 1) + (">" if current < self.target else "=")
            bar += "." * (self.width - progress_width) + "]"
            self._total_width = len(bar)
            message += bar
            per_step = self._estimate_step_duration(current, now)
            if finalize:
                info += format_time(per_step, "step")
            else:
                eta = per_step * (self.target - current)
                if eta > 3600:
                    eta_text = "%d:%02d:%02d" % (eta // 3600, (eta % 3600) // 60, eta % 60)
                elif eta > 60:
                    eta_text = "%d:%02d" % (eta // 60, eta % 60)
                else:
                    eta_text = "%ds" % eta
                info = f" - ETA: {eta_text}"
            for key, value in values:
                info += f" - {key}:" + _format_value(value, absolute=True)
            self._total_width += len(info)
            if previous_width > self._total_width:
                info += " " * (previous_width - self._total_width)
            if finalize:
                info += "\n"
            self._write(message + info)
        elif self.verbose == 2 and finalize:
            line = ("%" + str(digits) + "d/%d") % (current, self.target) + info
            for key, value in values:
                line += f" - {key}:" + _format_value(value, absolute=False)
            epoch_time = now - self._start
            line += " -" + format_time(epoch_time, "epoch")
            line += " -" + format_time(epoch_time / max(self.target, 1), "step")
            self._write(line + "\n")
        self._last_update = now

    def _estimate_step_duration(self, current, now):
        if not current:
            return 0
        if self._time_after_first_step is not None and current > 1:
            per_step = (now - self._time_after_first_step) / (current - 1)
        else:
            per_step = (now - self._start) / current
        if current == 1:
            self._time_after_first_step = now
        return per_step
