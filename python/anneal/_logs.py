"""Keras's logs from the library's, for a metric of several thresholds.

``Precision(thresholds=[0.3, 0.7])`` (or ``Recall``) is compiled as one library metric per threshold, named
``name[0]``, ``name[1]``, ...: the library's logs, histories and keys hold numbers only (``anneal.h``,
``anneal_model_set_metric``). Keras's logs hold the metric's float32 array under ``name`` (a list of floats
without numpy). The library's rule (``Logs.entries``): a run of two or more consecutive keys ``name[0]``,
..., ``name[n-1]`` is one entry ``name``; every other key is its own.
"""

import numbers

from . import _arrays


def element_key(name, index):
    """The library's key of value ``index`` of the metric ``name``."""
    return f"{name}[{index}]"


def _array(values):
    """The float32 array Keras's logs hold for a metric of several thresholds (a list without numpy)."""
    if _arrays.numpy is None:
        return [float(value) for value in values]
    return _arrays.numpy.array(values, dtype=_arrays.numpy.float32)


class Layout:
    """The Keras entries of a list of library keys: ``keys``, each with its ``(start, stop)`` in the list."""

    def __init__(self, library_keys):
        library_keys = list(library_keys)
        self.keys, self.spans = [], []
        index = 0
        while index < len(library_keys):
            key, run = library_keys[index], 1
            if len(key) > 3 and key.endswith("[0]"):
                name = key[:-3]
                while index + run < len(library_keys) and library_keys[index + run] == element_key(name, run):
                    run += 1
            if run > 1:
                key = name
            else:
                run = 1
            self.keys.append(key)
            self.spans.append((index, index + run))
            index += run
        self.plain = len(self.keys) == len(library_keys)

    def values(self, values):
        """Keras's values of one row of library values (or of its first ones: the running values are the
        training part of a row): a number, or an array per metric of several thresholds."""
        values = list(values)
        if self.plain:
            return values
        return [values[start] if stop - start == 1 else _array(values[start:stop]) for start, stop in self.spans
                if stop <= len(values)]

    def dict(self, values):
        """Keras's logs of one row of library values."""
        return dict(zip(self.keys, self.values(values)))

    def columns(self, columns):
        """Keras's History of the library's: ``columns`` holds each library key's values, epoch by epoch."""
        columns = list(columns)
        found = {}
        for key, (start, stop) in zip(self.keys, self.spans):
            found[key] = list(columns[start]) if stop - start == 1 else [_array(row) for row in zip(*columns[start:stop])]
        return found


def flattened(logs):
    """The library's ``(key, number)`` pairs of Keras's ``logs``: an array's values under ``name[i]``; values
    that are neither numbers nor arrays of numbers are left out, as the library takes only numbers."""
    pairs = []
    for key, value in (logs or {}).items():
        if isinstance(value, numbers.Real):
            pairs.append((key, float(value)))
            continue
        if isinstance(value, list) or _arrays.numpy is not None and isinstance(value, _arrays.numpy.ndarray) \
                and value.ndim == 1:
            items = list(value)
            if len(items) > 1 and all(isinstance(item, numbers.Real) for item in items):
                pairs += [(element_key(key, index), float(item)) for index, item in enumerate(items)]
    return pairs
