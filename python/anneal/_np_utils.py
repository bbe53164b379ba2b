"""Keras's array helpers ``to_categorical`` and ``normalize`` (tf_keras ``utils/np_utils.py``), with and
without numpy.

With numpy they run Keras's own numpy code and return numpy arrays. Without numpy they take nested lists (or
tuples) and return nested lists of the same values: Python floats are doubles, and the sums of ``normalize``
are taken in numpy's order (pairwise along the last axis, one after the other along any other), so both paths
give the same bits for float64 data.
"""

import math
import numbers

from . import _arrays

__all__ = ["to_categorical", "normalize"]


# --- Nested lists as (flat values, shape) -----------------------------------------------------------------------
def _flatten(data, name):
    """A nested list (or a scalar) as its values in C order and its shape; raises ValueError if ragged."""
    if not isinstance(data, (list, tuple)):
        return [data], ()
    shape = []
    level = data
    while isinstance(level, (list, tuple)):
        shape.append(len(level))
        if not level:
            break
        level = level[0]
    values = []

    def walk(item, depth):
        if depth == len(shape):
            if isinstance(item, (list, tuple)):
                raise ValueError(f"`{name}` is ragged: a sequence where a number was expected")
            values.append(item)
            return
        if not isinstance(item, (list, tuple)) or len(item) != shape[depth]:
            raise ValueError(f"`{name}` is ragged: every row must have the same length (expected {shape[depth]} "
                             f"at depth {depth})")
        for element in item:
            walk(element, depth + 1)

    walk(data, 0)
    return values, tuple(shape)


def _nest(values, shape):
    """Flat values in C order as nested lists of ``shape``."""
    if not shape:
        return values[0]
    if len(shape) == 1:
        return list(values)
    step = len(values) // shape[0] if shape[0] else 0
    return [_nest(values[i * step:(i + 1) * step], shape[1:]) for i in range(shape[0])]


# --- to_categorical -------------------------------------------------------------------------------------------
def to_categorical(y, num_classes=None, dtype="float32"):
    """Converts a class vector (integers) to a binary class matrix, as Keras's ``to_categorical``.

    ``y`` is cast to integers (floats truncate toward zero); a trailing dimension of 1 is dropped; each label
    ``c`` becomes a row of ``num_classes`` zeros with a one at ``c`` (a negative label counts from the end, as
    numpy indexing does in Keras). ``num_classes`` defaults to ``max(y) + 1``.

    Returns a numpy array of ``dtype`` (shape ``y.shape + (num_classes,)``) when numpy is installed, else
    nested lists (floats, or ints for an integer ``dtype``).

    Example: ``to_categorical([0, 2, 1])`` gives ``[[1, 0, 0], [0, 0, 1], [0, 1, 0]]``.
    """
    numpy = _arrays.numpy
    if numpy is not None:
        # tf_keras's code, line for line.
        y = numpy.array(y, dtype="int")
        input_shape = y.shape
        if input_shape and input_shape[-1] == 1 and len(input_shape) > 1:
            input_shape = tuple(input_shape[:-1])
        y = y.reshape(-1)
        if not num_classes:
            num_classes = numpy.max(y) + 1
        n = y.shape[0]
        categorical = numpy.zeros((n, num_classes), dtype=dtype)
        categorical[numpy.arange(n), y] = 1
        output_shape = input_shape + (num_classes,)
        return numpy.reshape(categorical, output_shape)
    values, shape = _flatten(y, "y")
    labels = []
    for value in values:
        if isinstance(value, bool) or not isinstance(value, (numbers.Real, str)):
            raise ValueError(f"to_categorical expects integer class labels. Received: {value!r}")
        try:
            labels.append(int(value))
        except (TypeError, ValueError, OverflowError):
            raise ValueError(f"to_categorical expects integer class labels. Received: {value!r}") from None
    if shape and shape[-1] == 1 and len(shape) > 1:
        shape = shape[:-1]
    if not num_classes:
        if not labels:
            raise ValueError("zero-size array to reduction operation maximum which has no identity")
        num_classes = max(labels) + 1
    if isinstance(num_classes, bool) or not isinstance(num_classes, numbers.Integral) or num_classes < 0:
        raise ValueError(f"`num_classes` must be a positive integer. Received: num_classes={num_classes!r}")
    num_classes = int(num_classes)
    one, zero = _unit(dtype)
    rows = []
    for index, label in enumerate(labels):
        if not -num_classes <= label < num_classes:
            raise IndexError(f"index {label} is out of bounds for axis 1 with size {num_classes} "
                             f"(label {index} of `y`)")
        row = [zero] * num_classes
        row[label] = one
        rows.extend(row)
    return _nest(rows, shape + (num_classes,))


def _unit(dtype):
    """The one and zero of ``dtype`` as Python numbers (ints for integer dtypes, floats otherwise)."""
    name = dtype if isinstance(dtype, str) else getattr(dtype, "__name__", str(dtype))
    if name in ("int", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "bool"):
        return (True, False) if name == "bool" else (1, 0)
    if name in ("float", "float16", "float32", "float64", "double"):
        return 1.0, 0.0
    raise ValueError(f"Unsupported `dtype` without numpy: {dtype!r}. Use 'float32', 'float64' or 'int32'.")


# --- normalize ------------------------------------------------------------------------------------------------
def normalize(x, axis=-1, order=2):
    """Normalizes ``x`` along ``axis`` by its ``order``-norm, as Keras's ``normalize``::

        x / max(norm(x, order, axis), where 0 -> 1)

    ``order`` is numpy's vector norm order (2 = Euclidean, 1, ``inf``, ``-inf``, 0 = count of non-zeros, or
    any other p: ``sum(|x|^p)^(1/p)``). Rows of zeros stay zeros; a vector comes back as one row, shape
    ``(1, n)``, as in Keras. Returns a numpy array when numpy is installed, else nested lists of floats: the
    same values for float64 data, bit for bit for the orders 2, 1, inf, -inf, 0 and 0.5 (for other p, numpy's
    ``pow`` may round the last bit differently).
    """
    numpy = _arrays.numpy
    if numpy is not None:
        # tf_keras's code, line for line.
        norm = numpy.atleast_1d(numpy.linalg.norm(x, order, axis))
        norm[norm == 0] = 1
        return x / numpy.expand_dims(norm, axis)
    values, shape = _flatten(x, "x")
    for value in values:
        if not isinstance(value, numbers.Real):
            raise ValueError(f"`x` must hold numbers. Received: {value!r}")
    values = [float(value) for value in values]
    if not shape:
        raise ValueError("`x` must have at least one dimension to normalize along an axis")
    if isinstance(axis, bool) or not isinstance(axis, numbers.Integral) or not -len(shape) <= axis < len(shape):
        raise ValueError(f"axis {axis!r} is out of bounds for an array of dimension {len(shape)}")
    axis = int(axis) % len(shape)
    if isinstance(order, bool) or not isinstance(order, numbers.Real):
        raise ValueError(f"Invalid norm order {order!r} for vectors")
    length = shape[axis]
    inner = math.prod(shape[axis + 1:])
    outer = math.prod(shape[:axis])
    result = list(values)
    for block in range(outer):
        for offset in range(inner):
            start = block * length * inner + offset
            indices = range(start, start + length * inner, inner)
            norm = _vector_norm([values[i] for i in indices], order, contiguous=inner == 1)
            if norm == 0:
                norm = 1.0
            for i in indices:
                result[i] = values[i] / norm
    if len(shape) == 1:
        # Keras's norm of a vector is made 1-D (atleast_1d) and then 2-D (expand_dims), so the division
        # broadcasts a vector of n values to shape (1, n).
        shape = (1,) + shape
    return _nest(result, shape)


def _vector_norm(vector, order, contiguous):
    """numpy.linalg.norm of one vector, with numpy's order of operations (see ``_sum``)."""
    if order == math.inf:
        return max((abs(v) for v in vector), default=0.0)
    if order == -math.inf:
        return min((abs(v) for v in vector), default=0.0)
    if order == 0:
        return float(sum(1 for v in vector if v != 0))
    if order == 1:
        return _sum([abs(v) for v in vector], contiguous)
    if order == 2:
        return math.sqrt(_sum([v * v for v in vector], contiguous))
    total = _sum([_power(abs(v), order) for v in vector], contiguous)
    return _power(total, 1.0 / order)


def _power(value, exponent):
    """``value ** exponent`` with numpy's fast paths for the exponents it special-cases (other exponents go to
    ``pow``, which numpy may evaluate with SIMD code that rounds differently in the last bit)."""
    if exponent == 0.5:
        return math.sqrt(value)
    if exponent == 2:
        return value * value
    if exponent == 1:
        return value
    if exponent == -1:
        return 1.0 / value
    return value ** exponent


def _sum(vector, contiguous):
    """numpy's ``add.reduce`` of one float64 vector: pairwise summation along a contiguous axis (numpy's
    ``pairwise_sum``, starting from the identity 0.0), a running sum along a strided one."""
    if not contiguous:
        total = 0.0
        for value in vector:
            total += value
        return total
    return 0.0 + _pairwise(vector, 0, len(vector))


def _pairwise(vector, start, count):
    if count < 8:
        total = 0.0
        for index in range(start, start + count):
            total += vector[index]
        return total
    if count <= 128:
        partial = vector[start:start + 8]
        index = 8
        while index < count - count % 8:
            for lane in range(8):
                partial[lane] += vector[start + index + lane]
            index += 8
        total = ((partial[0] + partial[1]) + (partial[2] + partial[3])) + \
            ((partial[4] + partial[5]) + (partial[6] + partial[7]))
        while index < count:
            total += vector[start + index]
            index += 1
        return total
    half = count // 2
    half -= half % 8
    return _pairwise(vector, start, half) + _pairwise(vector, start + half, count - half)
