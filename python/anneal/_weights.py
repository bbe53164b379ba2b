"""Keras 2's per-sample loss weights: ``sample_weight`` checked and flattened, ``class_weight`` turned into one
weight per row from the labels (tf_keras ``data_adapter._make_class_weight_map_fn``).

A weighted batch loss is ``sum(w_i * loss_i) / rows``: the weights scale each row's loss, and the sum is
divided by the number of rows, not by the sum of the weights."""

import ctypes
import math
import numbers

from . import _arrays
from .errors import NonFiniteError, ShapeMismatchError


def sample_weights(value, rows, name="sample_weight"):
    """``value`` (1-D, or one column) as a list of ``rows`` finite floats; None stays None."""
    if value is None:
        return None
    matrix = _arrays.as_matrix(value, name)
    if matrix.columns != 1:
        raise ValueError(f"`{name}` must be 1-D (one weight per sample); received {matrix.rows} x {matrix.columns}")
    if matrix.rows != rows:
        raise ShapeMismatchError(
            f"Data cardinality is ambiguous: x has {rows} samples but {name} has {matrix.rows}. Make sure all "
            "arrays contain the same number of samples.")
    weights = list(ctypes.cast(matrix.pointer, ctypes.POINTER(ctypes.c_float))[:rows])
    for index, weight in enumerate(weights):
        if not math.isfinite(weight):
            raise NonFiniteError(f"`{name}` holds {weight} at sample {index}; every sample weight must be finite")
    return weights


def class_weights(class_weight, labels):
    """One weight per row of ``labels`` (an ``_arrays.Matrix``): ``class_weight[c]`` for the row's class ``c``,
    the argmax of a one-hot row, or the integer part of a single-column label, as Keras reads them."""
    if not isinstance(class_weight, dict):
        raise ValueError(f"`class_weight` must be a dict mapping class indices to weights. Received: {class_weight!r}")
    integral = all(isinstance(key, numbers.Integral) and not isinstance(key, bool) for key in class_weight)
    if not integral or sorted(int(key) for key in class_weight) != list(range(len(class_weight))):
        raise ValueError("Expected `class_weight` to be a dict with keys from 0 to one less than the number of "
                         f"classes, found {class_weight}")
    table = []
    for key in range(len(class_weight)):
        weight = class_weight[key]
        if isinstance(weight, bool) or not isinstance(weight, numbers.Real) or not math.isfinite(weight):
            raise ValueError(f"`class_weight` values must be finite numbers; class {key} has {weight!r}")
        table.append(float(weight))
    values = ctypes.cast(labels.pointer, ctypes.POINTER(ctypes.c_float))[:labels.rows * labels.columns]
    weights = []
    for row in range(labels.rows):
        if labels.columns > 1:
            label_row = values[row * labels.columns:(row + 1) * labels.columns]
            label = max(range(labels.columns), key=lambda column: (label_row[column], -column))
        else:
            if not math.isfinite(values[row]):
                raise NonFiniteError(f"`y` holds {values[row]} at sample {row}; every label must be finite")
            label = int(values[row])
        if not 0 <= label < len(table):
            raise ValueError(f"`class_weight` has no weight for class {label} (sample {row}); it covers classes "
                             f"0 to {len(table) - 1}")
        weights.append(table[label])
    return weights
