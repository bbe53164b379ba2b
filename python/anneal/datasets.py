"""Data loading: CSV files and the shipped ionosphere data set."""

import ctypes
import os

from . import _arrays, _lib, _missing
from ._codes import ANNEAL_CSV_HEADER_ABSENT, ANNEAL_CSV_HEADER_AUTO, ANNEAL_CSV_HEADER_PRESENT

__all__ = ["load_csv", "ionosphere", "ionosphere_path"]

_HEADERS = {"auto": ANNEAL_CSV_HEADER_AUTO, True: ANNEAL_CSV_HEADER_PRESENT, "present": ANNEAL_CSV_HEADER_PRESENT,
            False: ANNEAL_CSV_HEADER_ABSENT, None: ANNEAL_CSV_HEADER_ABSENT, "absent": ANNEAL_CSV_HEADER_ABSENT}


def load_csv(path, label_column=-1, header="auto"):
    """Loads a CSV of numeric feature columns and one label column.

    String labels are encoded as sorted class names, like sklearn's ``LabelEncoder`` (ionosphere: ``b`` -> 0,
    ``g`` -> 1); numeric labels are kept. CRLF, blank lines, spaces around cells and a UTF-8 BOM are handled;
    every problem raises an error naming the file, line and column.

    Args:
        path: the CSV file.
        label_column: index of the label column (negative counts from the end; default the last).
        header: ``"auto"`` (detect), ``True``/``"present"`` or ``False``/``"absent"``. ``"auto"`` takes the first
            row for a header when none of its feature cells is a number (and the second row's all are), for
            data when all are numbers, and raises ``anneal.errors.ParseError`` when it mixes both (most often a
            data row with a typo): pass ``header=True`` or ``False`` to load such a file.

    Returns:
        ``(x, y, class_names)``: features (rows x features, float32 numpy array, or nested lists without
        numpy), labels (a vector), and the class names (None for numeric labels).
    """
    if header not in _HEADERS:
        raise ValueError(f"header must be 'auto', True or False. Received: header={header!r}")
    handle = ctypes.c_void_p()
    _lib.check(_lib.anneal_dataset_load_csv(os.fsencode(path), int(label_column), _HEADERS[header],
                                            ctypes.byref(handle)))
    try:
        rows = ctypes.c_int64()
        features = ctypes.c_int32()
        classes = ctypes.c_int32()
        _lib.check(_lib.anneal_dataset_rows(handle, ctypes.byref(rows)))
        _lib.check(_lib.anneal_dataset_features(handle, ctypes.byref(features)))
        _lib.check(_lib.anneal_dataset_class_count(handle, ctypes.byref(classes)))
        x, x_pointer = _arrays.float_buffer(rows.value * features.value)
        y, y_pointer = _arrays.float_buffer(rows.value)
        _lib.check(_lib.anneal_dataset_copy_features(handle, x_pointer, rows.value * features.value))
        _lib.check(_lib.anneal_dataset_copy_labels(handle, y_pointer, rows.value))
        names = _lib.read_strings(_lib.anneal_dataset_class_name, handle, count=classes.value)
    finally:
        _lib.anneal_dataset_free(handle)
    return _arrays.shaped(x, (rows.value, features.value)), _arrays.shaped(y, (rows.value,)), (names or None)


def ionosphere_path():
    """Path of the shipped ionosphere CSV (UCI, CC BY 4.0): inside the installed package, or the repository's
    ``examples/data``."""
    here = os.path.dirname(os.path.abspath(__file__))
    for candidate in (os.path.join(here, "data", "ionosphere.csv"),
                      os.path.join(os.path.dirname(os.path.dirname(here)), "examples", "data", "ionosphere.csv")):
        if os.path.exists(candidate):
            return candidate
    raise FileNotFoundError("the shipped ionosphere.csv was not found inside the package or the repository")


def ionosphere():
    """The ionosphere data set: 351 rows x 34 features, labels 0 (``b``) / 1 (``g``); ``(x, y, class_names)``."""
    return load_csv(ionosphere_path())


def __getattr__(name):
    raise _missing.missing("anneal.datasets", name, __all__)
