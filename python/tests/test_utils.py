"""anneal.utils.to_categorical and normalize: Keras's results at hand-worked points, with and without numpy
(the list path gives numpy's bits for float64 data)."""

import helpers  # noqa: F401  first: puts python/ on sys.path whatever runs the tests

import math
import random

import pytest

from anneal.utils import normalize, to_categorical
from helpers import np, without_numpy


def both_paths(function, *args, **kwargs):
    """function's result with numpy (as lists, when numpy is installed) and without it."""
    with without_numpy():
        plain = function(*args, **kwargs)
    if np is None:
        return plain, plain
    return function(*args, **kwargs).tolist(), plain


def test_to_categorical_at_hand_worked_points():
    for with_numpy, plain in [both_paths(to_categorical, [0, 2, 1])]:
        assert with_numpy == plain == [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.0, 1.0, 0.0]]
    # A trailing dimension of 1 is dropped; num_classes widens the rows.
    with_numpy, plain = both_paths(to_categorical, [[1], [0]], num_classes=3)
    assert with_numpy == plain == [[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]]
    # A scalar gives one row; floats truncate; a negative label counts from the end (numpy indexing).
    assert both_paths(to_categorical, 2, 4)[1] == [0.0, 0.0, 1.0, 0.0]
    with_numpy, plain = both_paths(to_categorical, [-1, 1.7], 3)
    assert with_numpy == plain == [[0.0, 0.0, 1.0], [0.0, 1.0, 0.0]]
    # 2-D labels keep their shape and gain the class axis.
    with_numpy, plain = both_paths(to_categorical, [[0, 1], [1, 0]])
    assert with_numpy == plain == [[[1.0, 0.0], [0.0, 1.0]], [[0.0, 1.0], [1.0, 0.0]]]


def test_to_categorical_dtype():
    with without_numpy():
        assert to_categorical([1, 0], dtype="int32") == [[0, 1], [1, 0]]
        assert isinstance(to_categorical([1])[0][0], float)
        with pytest.raises(ValueError, match="dtype"):
            to_categorical([1], dtype="complex64")
    if np is not None:
        result = to_categorical(np.array([1, 0]))
        assert isinstance(result, np.ndarray) and result.dtype == np.float32 and result.shape == (2, 2)
        assert to_categorical([1, 0], dtype="int32").dtype == np.int32


def test_to_categorical_errors_without_numpy():
    with without_numpy():
        with pytest.raises(IndexError, match="out of bounds"):
            to_categorical([0, 5], num_classes=3)
        with pytest.raises(ValueError, match="integer class labels"):
            to_categorical([0, None])
        with pytest.raises(ValueError, match="zero-size"):
            to_categorical([])
        with pytest.raises(ValueError, match="ragged"):
            to_categorical([[0, 1], [1]])


def test_normalize_at_hand_worked_points():
    with_numpy, plain = both_paths(normalize, [[3.0, 4.0], [0.0, 0.0]])
    assert with_numpy == plain == [[0.6, 0.8], [0.0, 0.0]]  # a row of zeros stays zeros
    with_numpy, plain = both_paths(normalize, [[3.0, 4.0], [6.0, 8.0]], axis=0)
    assert with_numpy == plain == [[3 / math.sqrt(45), 4 / math.sqrt(80)], [6 / math.sqrt(45), 8 / math.sqrt(80)]]
    with_numpy, plain = both_paths(normalize, [1.0, -3.0], order=1)
    assert with_numpy == plain == [[0.25, -0.75]]  # Keras broadcasts a vector to one row
    with_numpy, plain = both_paths(normalize, [[1.0, -4.0]], order=math.inf)
    assert with_numpy == plain == [[0.25, -1.0]]


def test_normalize_matches_numpy_bit_for_bit():
    if np is None:
        pytest.skip("numpy not installed")
    generator = random.Random(5)
    for columns in (3, 8, 13, 129, 300):  # numpy's pairwise sum changes its grouping at 8 and 128
        rows = [[generator.uniform(-3, 3) for _ in range(columns)] for _ in range(4)]
        for axis in (-1, 0):
            for order in (2, 1, math.inf, -math.inf, 0, 0.5):
                with without_numpy():
                    plain = normalize(rows, axis=axis, order=order)
                assert normalize(np.array(rows), axis=axis, order=order).tolist() == plain, (columns, axis, order)


def test_normalize_errors_without_numpy():
    with without_numpy():
        with pytest.raises(ValueError, match="out of bounds"):
            normalize([[1.0, 2.0]], axis=2)
        with pytest.raises(ValueError, match="numbers"):
            normalize([["a", 1.0]])
        with pytest.raises(ValueError, match="ragged"):
            normalize([[1.0, 2.0], [1.0]])
