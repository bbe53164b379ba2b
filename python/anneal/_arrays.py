"""Turning user data into contiguous float32 buffers for the library, and results back into Python.

With numpy, arrays of any real dtype, either memory order, and pandas ``.values`` are accepted; a C-contiguous
float32 array is passed without a copy. Without numpy, nested lists (or tuples) of numbers work. A buffer
handed to C is referenced by the returned ``Matrix`` for as long as C may read it.
"""

import array
import ctypes
import numbers

try:
    import numpy
except ImportError:  # numpy is optional
    numpy = None

_c_float_p = ctypes.POINTER(ctypes.c_float)


class Matrix:
    """A rows x columns float32 buffer in C order, with the object that owns its memory."""

    __slots__ = ("rows", "columns", "owner", "pointer")

    def __init__(self, rows, columns, owner, pointer):
        self.rows = rows
        self.columns = columns
        self.owner = owner  # keeps the memory alive while C reads it
        self.pointer = pointer


def _is_numpy(value):
    return numpy is not None and isinstance(value, numpy.ndarray)


def as_matrix(data, name):
    """``data`` (2-D, or 1-D as one column) as a float32 ``Matrix``; raises ValueError naming ``name``. A
    ``Matrix`` (one made before, as ``anneal.sweep``'s worker processes get their data) is itself."""
    if isinstance(data, Matrix):
        return data
    if data is None:
        raise ValueError(f"`{name}` is required; received None")
    if hasattr(data, "to_numpy") and numpy is not None:  # pandas
        data = data.to_numpy()
    if numpy is not None:
        return _numpy_matrix(data, name)
    return _list_matrix(data, name)


def _numpy_matrix(data, name):
    try:
        values = numpy.asarray(data)
    except ValueError as error:  # ragged nested lists
        raise ValueError(f"`{name}` must be rectangular (every row the same length): {error}") from None
    if values.dtype.kind not in "fiub":
        try:
            values = values.astype(numpy.float32)
        except (TypeError, ValueError) as error:
            raise ValueError(f"`{name}` must hold numbers; it has dtype {values.dtype} ({error})") from None
    if values.ndim == 1:
        values = values.reshape(-1, 1)
    if values.ndim != 2:
        raise ValueError(f"`{name}` must be 2-D (samples x features); received shape {values.shape}")
    values = numpy.ascontiguousarray(values, dtype=numpy.float32)  # no copy when already C-order float32
    return Matrix(values.shape[0], values.shape[1], values, values.ctypes.data_as(_c_float_p))


def _list_matrix(data, name):
    if isinstance(data, array.array):
        if data.typecode not in "fdbBhHiIlLqQ":
            raise ValueError(f"`{name}` must hold numbers; it is an array of typecode {data.typecode!r}")
        rows = [[value] for value in data]
    else:
        try:
            rows = list(data)
        except TypeError:
            raise ValueError(f"`{name}` must be a list of rows or an array; received {type(data).__name__}") from None
    if rows and not isinstance(rows[0], (list, tuple, array.array)):
        rows = [[value] for value in rows]  # a flat list is one column
    width = len(rows[0]) if rows else 0
    flat = array.array("f")
    for index, row in enumerate(rows):
        if not isinstance(row, (list, tuple, array.array)) or len(row) != width:
            found = len(row) if isinstance(row, (list, tuple, array.array)) else type(row).__name__
            raise ValueError(f"`{name}` row {index} has {found} values; row 0 has {width}")
        for column, value in enumerate(row):
            if isinstance(value, (list, tuple, array.array)):
                raise ValueError(f"`{name}` must be 2-D (samples x features); row {index}, column {column} is a "
                                 f"sequence of {len(value)} values")
            if isinstance(value, bool) or not isinstance(value, numbers.Real):
                raise ValueError(f"`{name}` must hold numbers; row {index}, column {column} is {value!r}")
        flat.extend(float(value) for value in row)
    if not flat:
        return Matrix(len(rows), width, flat, ctypes.cast(ctypes.c_void_p(0), _c_float_p))
    address, _ = flat.buffer_info()
    return Matrix(len(rows), width, flat, ctypes.cast(ctypes.c_void_p(address), _c_float_p))


def matrix_from_bytes(rows, columns, data):
    """The ``Matrix`` of ``rows`` x ``columns`` float32 values in C order in ``data`` (bytes), held in an
    ``array.array`` (no numpy needed)."""
    values = array.array("f")
    values.frombytes(data)
    if len(values) != rows * columns:
        raise ValueError(f"{len(values)} float32 values for a {rows} x {columns} matrix")
    address = values.buffer_info()[0] if values else 0
    return Matrix(rows, columns, values, ctypes.cast(ctypes.c_void_p(address), _c_float_p))


def float_buffer(count):
    """A writable float32 buffer of ``count`` values, and its C pointer."""
    if numpy is not None:
        values = numpy.empty(count, dtype=numpy.float32)
        return values, values.ctypes.data_as(_c_float_p)
    values = array.array("f", bytes(4 * count))
    address, _ = values.buffer_info()
    return values, ctypes.cast(ctypes.c_void_p(address), _c_float_p)


def shaped(values, shape):
    """A filled buffer as the user expects it: a numpy array of ``shape``, or nested lists without numpy."""
    if _is_numpy(values):
        return values.reshape(shape)
    flat = values.tolist()
    if len(shape) == 1:
        return flat
    rows, columns = shape
    return [flat[row * columns:(row + 1) * columns] for row in range(rows)]


def as_weight(values, name):
    """One weight tensor as a flat float32 buffer with its shape."""
    if numpy is not None:
        try:
            array_ = numpy.ascontiguousarray(numpy.asarray(values), dtype=numpy.float32)
        except (TypeError, ValueError) as error:
            raise ValueError(f"{name} must be an array of numbers: {error}") from None
        return array_, array_.ctypes.data_as(_c_float_p), tuple(array_.shape)
    rows = list(values)
    if rows and isinstance(rows[0], (list, tuple)):
        matrix = _list_matrix(rows, name)
        return matrix.owner, matrix.pointer, (matrix.rows, matrix.columns)
    matrix = _list_matrix([[value] for value in rows], name)
    return matrix.owner, matrix.pointer, (matrix.rows,)
