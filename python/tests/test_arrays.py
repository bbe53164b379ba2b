"""anneal._arrays: numpy input of any float dtype and order without needless copies, plain lists, array.array,
and the list path taken when numpy is missing."""

import helpers  # noqa: F401  first: puts python/ on sys.path whatever runs the tests

import array

import pytest

from anneal import _arrays
from helpers import assert_close, flatten, np, small_data, small_model, to_list, without_numpy


def _require_numpy():
    if np is None:
        pytest.skip("numpy not installed")


def test_c_contiguous_float32_is_passed_without_a_copy():
    _require_numpy()
    a = np.arange(12, dtype=np.float32).reshape(4, 3)
    matrix = _arrays.as_matrix(a, "x")
    assert matrix.owner is a
    assert (matrix.rows, matrix.columns) == (4, 3)
    assert matrix.pointer[5] == 5.0


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64", "int32", "int64", "uint8", "bool"])
def test_any_real_dtype(dtype):
    _require_numpy()
    a = (np.arange(12).reshape(4, 3) % 2).astype(dtype)
    matrix = _arrays.as_matrix(a, "x")
    assert matrix.owner.dtype == np.float32 and matrix.owner.flags["C_CONTIGUOUS"]
    assert [matrix.pointer[i] for i in range(12)] == [float(v) for v in a.ravel()]


def test_fortran_order_and_views_are_copied_in_c_order():
    _require_numpy()
    base = np.arange(24, dtype=np.float32).reshape(4, 6)
    for a in (np.asfortranarray(base), base[:, ::2], base.T):
        matrix = _arrays.as_matrix(a, "x")
        assert matrix.owner is not a
        assert [matrix.pointer[i] for i in range(a.size)] == a.ravel(order="C").tolist()


def test_one_dimensional_labels_are_one_column():
    _require_numpy()
    matrix = _arrays.as_matrix(np.array([0, 1, 1], dtype=np.float32), "y")
    assert (matrix.rows, matrix.columns) == (3, 1)
    matrix = _arrays.as_matrix(np.array([[0], [1], [1]]), "y")
    assert (matrix.rows, matrix.columns) == (3, 1)


def test_numpy_orders_and_dtypes_train_identically():
    _require_numpy()
    x, y = small_data(rows=24)
    reference = small_model(seed=8).fit(x, y, epochs=3, batch_size=6, verbose=0, shuffle=False).history["loss"]
    xa = np.array(x, dtype=np.float64)
    for features, labels in ((np.asfortranarray(xa), np.array(y)), (xa.astype(np.float32), np.array(y)[:, None]),
                             (xa, np.array(y, dtype=np.int64))):
        history = small_model(seed=8).fit(features, labels, epochs=3, batch_size=6, verbose=0, shuffle=False)
        assert_close(history.history["loss"], reference, 1e-7, "loss")


def test_object_and_string_arrays_are_refused():
    _require_numpy()
    with pytest.raises(ValueError, match="`x` must hold numbers"):
        _arrays.as_matrix(np.array([["a", "b"]]), "x")
    with pytest.raises(ValueError, match="2-D"):
        _arrays.as_matrix(np.zeros((2, 2, 2)), "x")


def test_pandas_like_objects():
    _require_numpy()

    class Frame:
        def __init__(self, values):
            self.values = values

        def to_numpy(self):
            return self.values

    a = np.ones((3, 2), dtype=np.float32)
    assert _arrays.as_matrix(Frame(a), "x").owner is a


def test_lists_tuples_and_array_module():
    for data in ([[1, 2.5], [3, 4]], ((1, 2.5), (3, 4)), [array.array("d", [1, 2.5]), array.array("f", [3, 4])]):
        for mode in ("with numpy", "without numpy"):
            if mode == "with numpy" and np is None:
                continue
            if mode == "without numpy":
                with without_numpy():
                    matrix = _arrays.as_matrix(data, "x")
            else:
                matrix = _arrays.as_matrix(data, "x")
            assert (matrix.rows, matrix.columns) == (2, 2)
            assert [matrix.pointer[i] for i in range(4)] == [1.0, 2.5, 3.0, 4.0]


def test_list_path_flat_lists_and_errors():
    with without_numpy():
        matrix = _arrays.as_matrix([1, 0, 1], "y")
        assert (matrix.rows, matrix.columns) == (3, 1)
        matrix = _arrays.as_matrix(array.array("f", [1, 0]), "y")
        assert (matrix.rows, matrix.columns) == (2, 1)
        with pytest.raises(ValueError, match="`x` row 1 has 1 values; row 0 has 2"):
            _arrays.as_matrix([[1, 2], [3]], "x")
        with pytest.raises(ValueError, match="row 0, column 1 is 'a'"):
            _arrays.as_matrix([[1, "a"]], "x")
        with pytest.raises(ValueError, match="True"):
            _arrays.as_matrix([[1, True]], "x")
        with pytest.raises(ValueError, match="`x` must be a list of rows"):
            _arrays.as_matrix(5, "x")
        with pytest.raises(ValueError, match="required"):
            _arrays.as_matrix(None, "x")
        with pytest.raises(ValueError, match="typecode"):
            _arrays.as_matrix(array.array("u", "ab"), "x")
        matrix = _arrays.as_matrix(range(3), "y")
        assert matrix.rows == 3


def test_buffers_and_shapes_without_numpy():
    with without_numpy():
        values, pointer = _arrays.float_buffer(6)
        for i in range(6):
            pointer[i] = i
        assert _arrays.shaped(values, (2, 3)) == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]
        assert _arrays.shaped(values, (6,)) == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]
        owner, pointer, shape = _arrays.as_weight([[1, 2], [3, 4]], "w")
        assert shape == (2, 2) and [pointer[i] for i in range(4)] == [1.0, 2.0, 3.0, 4.0]
        owner, pointer, shape = _arrays.as_weight([1, 2, 3], "w")
        assert shape == (3,)


def test_weights_from_numpy_any_dtype():
    _require_numpy()
    model = small_model()
    weights = [w.astype(np.float64) * 2 for w in model.get_weights()]
    model.set_weights(weights)
    assert_close(model.get_weights(), weights, 1e-6, "weights")
    with pytest.raises(ValueError, match="weight 0"):
        model.set_weights([np.array([["a"] * 4] * 3)] + weights[1:])


def test_whole_workflow_without_numpy_matches_numpy():
    x, y = small_data(rows=24)
    with without_numpy():
        model = small_model(seed=12)
        history = model.fit(x, y, epochs=4, batch_size=5, verbose=0, validation_split=0.25)
        predictions = model.predict(x, verbose=0)
        evaluation = model.evaluate(x, y, verbose=0)
        assert isinstance(predictions, list)
    again = small_model(seed=12)
    history_again = again.fit(x, y, epochs=4, batch_size=5, verbose=0, validation_split=0.25)
    assert history_again.history == history.history
    assert_close(again.predict(x, verbose=0), predictions, 0.0, "predictions")
    assert again.evaluate(x, y, verbose=0) == evaluation
    assert len(to_list(predictions)) == 24 and len(flatten(predictions)) == 24
