"""Bad input raises the right exception class, with a message naming the problem, and never crashes; the
exception classes of anneal.errors also inherit the matching builtins."""

import helpers  # noqa: F401  first: puts python/ on sys.path whatever runs the tests

import math
import os
import re
import tempfile

import pytest

import anneal
from anneal import errors
from anneal.layers import Dense
from anneal.models import Sequential
from anneal.optimizers import SGD
from helpers import all_finite, assert_close, np, small_data, small_model


def test_every_error_class_inherits_anneal_error_and_a_builtin():
    builtins = {
        "InvalidArgumentError": ValueError, "NullPointerError": ValueError, "InvalidHandleError": ValueError,
        "ShapeMismatchError": ValueError, "InvalidStateError": RuntimeError, "NonFiniteError": ValueError,
        "AnnealIOError": OSError, "ParseError": ValueError, "CorruptFileError": ValueError,
        "BufferTooSmallError": ValueError, "BusyError": RuntimeError, "AnnealMemoryError": MemoryError,
        "CallbackAbortedError": RuntimeError, "InternalError": RuntimeError,
    }
    assert sorted(builtins) == sorted(name for name in errors.__all__ if name != "AnnealError")
    for name, builtin in builtins.items():
        cls = getattr(errors, name)
        assert issubclass(cls, anneal.AnnealError) and issubclass(cls, builtin), name
    assert anneal.AnnealError is errors.AnnealError
    assert sorted(errors.BY_STATUS) == list(range(1, 15))


def test_check_maps_statuses_and_uses_the_status_text_without_a_message():
    from anneal import _lib
    _lib.check(0)
    for status, cls in errors.BY_STATUS.items():
        with pytest.raises(cls) as info:
            _lib.check(status)
        assert str(info.value)
    with pytest.raises(errors.InternalError):
        _lib.check(999)


def test_a_layer_no_machine_can_hold_raises_memory_error_and_is_not_added():
    model = Sequential()
    # 2^31 - 1 squared floats: more bytes than an address can count, refused before any allocation.
    # In the Python user's words: the call they made, not the C function behind it.
    with pytest.raises(MemoryError, match=r"^model\.add\(Dense\(\.\.\.\)\): the kernel of layer 0") as info:
        model.add(Dense(2**31 - 1, input_dim=2**31 - 1))
    assert isinstance(info.value, errors.AnnealMemoryError)
    assert model.layers == []
    model.add(Dense(2, input_dim=3))
    assert model.built


# --- Layers, compile, optimizer -------------------------------------------------------------------------------

@pytest.mark.parametrize("units", [0, -1, 2.5, "3", None, True])
def test_bad_units(units):
    with pytest.raises(ValueError, match="units"):
        Dense(units)


def test_unknown_names():
    with pytest.raises(ValueError, match="mish"):
        Dense(3, activation="mish")
    with pytest.raises(ValueError, match="orthogonal.*kernel_initializer"):
        Dense(3, kernel_initializer="orthogonal")
    with pytest.raises(ValueError, match="foo.*bias_initializer"):
        Dense(3, bias_initializer="foo")
    model = Sequential([Dense(2, input_dim=3)])
    with pytest.raises(ValueError, match="focal"):
        model.compile(loss="focal", optimizer=SGD())
    with pytest.raises(ValueError, match="loss"):
        model.compile(optimizer=SGD())
    with pytest.raises(ValueError, match="f1_score"):
        model.compile(loss="mse", optimizer=SGD(), metrics=["f1_score"])
    with pytest.raises(ValueError, match="ftrl"):
        model.compile(loss="mse", optimizer="ftrl")


@pytest.mark.parametrize("kwargs, pattern", [
    ({"learning_rate": -0.1}, "learning_rate.*-0.1"),
    ({"lr": -1}, "learning_rate"),
    ({"learning_rate": float("nan")}, "learning_rate"),
    ({"learning_rate": float("inf")}, "learning_rate"),
    ({"learning_rate": "a"}, "learning_rate"),
    ({"decay": -0.1}, "decay.*-0.1"),
    ({"momentum": 1.5}, r"`momentum` must be between \[0, 1\]. Received: momentum=1.5"),
    ({"momentum": -0.1}, "momentum"),
])
def test_bad_optimizer_arguments(kwargs, pattern):
    with pytest.raises(ValueError, match=pattern):
        SGD(**kwargs)


def test_fit_and_evaluate_before_compile():
    x, y = small_data(rows=10)
    model = Sequential([Dense(2, input_dim=3), Dense(1, activation="sigmoid")])
    with pytest.raises(errors.InvalidStateError, match="compile"):
        model.fit(x, y, verbose=0)
    with pytest.raises(RuntimeError, match="compile"):
        model.evaluate(x, y, verbose=0)
    assert len(model.predict(x, verbose=0)) == 10  # predict works before compile, as in Keras


def test_compile_without_layers():
    with pytest.raises(errors.InvalidStateError, match="layers"):
        Sequential().compile(loss="mse", optimizer=SGD())


def test_add_errors():
    model = small_model()
    with pytest.raises(errors.InvalidStateError, match="compiled"):
        model.add(Dense(2))
    with pytest.raises(TypeError, match="Dense"):
        Sequential().add("dense")
    model = Sequential()
    model.add(Dense(2, input_dim=3))
    with pytest.raises(errors.ShapeMismatchError, match="5"):
        model.add(Dense(2, input_dim=5))


# --- Data ------------------------------------------------------------------------------------------------

def test_feature_count_mismatch():
    x, y = small_data(rows=10, features=3)
    model = small_model(features=3)
    with pytest.raises(errors.ShapeMismatchError, match="3 input features, received 2"):
        model.fit([row[:2] for row in x], y, verbose=0)
    with pytest.raises(errors.ShapeMismatchError, match="received 2"):
        model.predict([row[:2] for row in x], verbose=0)
    with pytest.raises(ValueError, match="received 2"):
        model.evaluate([row[:2] for row in x], y, verbose=0)


def test_row_count_mismatch():
    x, y = small_data(rows=10)
    model = small_model()
    before = model.get_weights()
    for labels in (y[:9], y + [1.0]):
        with pytest.raises(errors.ShapeMismatchError, match="10 samples but y has"):
            model.fit(x, labels, verbose=0)
        with pytest.raises(ValueError, match="Data cardinality"):
            model.evaluate(x, labels, verbose=0)
    with pytest.raises(ValueError, match="validation"):
        model.fit(x, y, verbose=0, validation_data=(x, y[:3]))
    assert_close(model.get_weights(), before, 0.0, "weights")
    assert model.optimizer.iterations == 0


def test_label_column_mismatch():
    x, y = small_data(rows=10)
    with pytest.raises(errors.ShapeMismatchError, match="2 columns"):
        small_model().fit(x, [[v, 1 - v] for v in y], verbose=0)


def test_rank_mismatch():
    x, y = small_data(rows=10)
    model = small_model()
    with pytest.raises(ValueError, match="2-D"):
        model.fit([[[v] for v in row] for row in x], y, verbose=0)
    with pytest.raises(ValueError, match="2-D"):
        model.predict([[[v] for v in row] for row in x], verbose=0)


def test_rank_mismatch_numpy():
    if np is None:
        pytest.skip("numpy not installed")
    model = small_model()
    with pytest.raises(ValueError, match=r"2-D.*\(10, 3, 1\)"):
        model.fit(np.zeros((10, 3, 1)), np.zeros(10), verbose=0)
    with pytest.raises(ValueError, match="2-D"):
        model.predict(np.float32(1.0), verbose=0)


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")])
def test_non_finite_inputs(bad):
    x, y = small_data(rows=10)
    model = small_model()
    x_bad = [list(row) for row in x]
    x_bad[4][1] = bad
    with pytest.raises(errors.NonFiniteError, match="row 4, column 1"):
        model.fit(x_bad, y, verbose=0)
    y_bad = list(y)
    y_bad[7] = bad
    with pytest.raises(errors.NonFiniteError, match="row 7"):
        model.fit(x, y_bad, verbose=0)
    with pytest.raises(ValueError, match="row 4"):
        model.predict(x_bad, verbose=0)
    with pytest.raises(ValueError):
        model.evaluate(x, y_bad, verbose=0)
    assert all_finite(model.get_weights()) and model.optimizer.iterations == 0


@pytest.mark.parametrize("batch_size", [0, -3, 2.5, "8"])
def test_bad_batch_size(batch_size):
    x, y = small_data(rows=10)
    model = small_model()
    with pytest.raises(ValueError, match="batch_size"):
        model.fit(x, y, batch_size=batch_size, verbose=0)
    with pytest.raises(ValueError, match="batch_size"):
        model.predict(x, batch_size=batch_size, verbose=0)
    with pytest.raises(ValueError, match="batch_size"):
        model.evaluate(x, y, batch_size=batch_size, verbose=0)


@pytest.mark.parametrize("split", [1.0, 1.5, -0.1, float("nan"), "0.2", True])
def test_validation_split_outside_0_1(split):
    x, y = small_data(rows=10)
    with pytest.raises(ValueError, match="validation_split"):
        small_model().fit(x, y, validation_split=split, verbose=0)


def test_validation_split_leaving_no_training_rows():
    x, y = small_data(rows=10)
    with pytest.raises(errors.InvalidArgumentError, match="validation_split"):
        small_model().fit(x, y, validation_split=0.95, verbose=0)


def test_other_fit_arguments():
    x, y = small_data(rows=10)
    model = small_model()
    with pytest.raises(ValueError, match="epochs"):
        model.fit(x, y, epochs=-1, verbose=0)
    with pytest.raises(ValueError, match="verbose"):
        model.fit(x, y, verbose=3)
    with pytest.raises(TypeError, match="steps_per_epoch"):
        model.fit(x, y, verbose=0, steps_per_epoch=3)
    with pytest.raises(ValueError, match="validation_data"):
        model.fit(x, y, verbose=0, validation_data=(x,))
    with pytest.raises(ValueError, match="features"):
        model.fit(x, y, verbose=0, validation_data=([row[:2] for row in x], y))
    with pytest.raises(ValueError, match="`x` is required"):
        model.fit(None, y, verbose=0)
    with pytest.raises(ValueError, match="rows"):
        model.fit([], [], verbose=0)
    history = model.fit(x, y, epochs=0, verbose=0)
    assert history.history == {}


def test_ragged_and_non_numeric_data():
    model = small_model()
    with pytest.raises(ValueError, match="`x`"):
        model.fit([[1.0, 2.0, 3.0], [1.0, 2.0]], [1.0, 0.0], verbose=0)
    with pytest.raises(ValueError, match="`x` must hold numbers"):
        model.fit([["a", "b", "c"]], [1.0], verbose=0)
    with pytest.raises(ValueError, match="y"):  # None: not a number (lists) or NaN (numpy)
        model.fit([[1.0, 2.0, 3.0]], [None], verbose=0)


# --- Weights -------------------------------------------------------------------------------------------------

def test_set_weights_wrong_count_or_shape_keeps_the_weights():
    model = small_model()
    before = model.get_weights()
    with pytest.raises(ValueError, match="length 0, but the layer was expecting 4 weights"):
        model.set_weights([])
    bad_shape = [[[0.0] * 5] * 3, [0.0] * 4, [[0.0]] * 4, [0.0]]
    with pytest.raises(ValueError, match=r"shape \(3, 4\) is not compatible with provided weight shape \(3, 5\)"):
        model.set_weights(bad_shape)
    wrong_rank = [[0.0] * 12, [0.0] * 4, [[0.0]] * 4, [0.0]]
    with pytest.raises(ValueError, match="shape"):
        model.set_weights(wrong_rank)
    assert_close(model.get_weights(), before, 0.0, "weights")


def test_set_weights_non_finite_midway_restores_every_weight():
    model = small_model()
    before = model.get_weights()
    zeros = [[[0.0] * 4] * 3, [0.0] * 4, [[float("nan")]] * 4, [0.0]]  # the third tensor fails
    with pytest.raises(errors.NonFiniteError, match="nan"):
        model.set_weights(zeros)
    assert_close(model.get_weights(), before, 0.0, "weights")


def test_load_weights_errors_keep_the_weights(tmp_path):
    model = small_model()
    before = model.get_weights()
    good = str(tmp_path / "good.anneal")
    model.save_weights(good)
    with open(good, "rb") as handle:
        data = handle.read()
    (tmp_path / "garbage").write_bytes(b"hello world, not weights" * 5)
    (tmp_path / "empty").write_bytes(b"")
    for length in (len(data) // 2, len(data) - 1, 8, 3):
        truncated = tmp_path / f"truncated{length}"
        truncated.write_bytes(data[:length])
        with pytest.raises(errors.CorruptFileError):
            model.load_weights(str(truncated))
    flipped = bytearray(data)
    flipped[-3] ^= 0xFF
    (tmp_path / "flipped").write_bytes(bytes(flipped))
    with pytest.raises(errors.AnnealIOError, match="missing"):
        model.load_weights(str(tmp_path / "missing"))
    with pytest.raises(errors.CorruptFileError, match="not an Anneal weights file"):
        model.load_weights(str(tmp_path / "garbage"))
    with pytest.raises(ValueError):
        model.load_weights(str(tmp_path / "empty"))
    with pytest.raises(errors.AnnealError):
        model.load_weights(str(tmp_path / "flipped"))
    other = small_model(features=5)
    other.save_weights(str(tmp_path / "other"))
    with pytest.raises(errors.ShapeMismatchError, match="shape"):
        model.load_weights(str(tmp_path / "other"))
    assert_close(model.get_weights(), before, 0.0, "weights")


def test_load_weights_of_another_model_names_the_file_and_both_counts(tmp_path):
    model = small_model()  # 4 weights
    before = model.get_weights()
    deeper = Sequential([Dense(4, input_dim=3, activation="relu"), Dense(2), Dense(1, activation="sigmoid")])
    deeper.compile(loss="binary_crossentropy", optimizer=SGD(learning_rate=0.1, momentum=0.9))
    weights_file, model_file = str(tmp_path / "deeper.anneal"), str(tmp_path / "deeper.model")
    deeper.save_weights(weights_file)
    deeper.save(model_file)  # with the optimizer's velocities after the weights
    for path, kind in ((weights_file, "weights file"), (model_file, "model file")):
        with pytest.raises(errors.ShapeMismatchError) as raised:
            model.load_weights(path)
        message = str(raised.value)
        assert message.startswith(f"{path}: the {kind} holds 6 weights"), message
        assert "the model has 4 weights" in message, message
    # Every other load error names its file too.
    for name, content in (("missing", None), ("garbage", b"not weights" * 9), ("empty", b"")):
        path = str(tmp_path / name)
        if content is not None:
            with open(path, "wb") as handle:
                handle.write(content)
        with pytest.raises(errors.AnnealError, match=re.escape(path)):
            model.load_weights(path)
    assert_close(model.get_weights(), before, 0.0, "weights")


# --- Closed models and shared optimizers ---------------------------------------------------------------

def test_closed_model_raises_a_clear_error():
    x, y = small_data(rows=10)
    model = small_model()
    model.close()
    never = os.path.join(tempfile.mkdtemp(), "never-written")
    for call in (lambda: model.predict(x, verbose=0), lambda: model.fit(x, y, verbose=0), lambda: model.get_weights(),
                 lambda: model.evaluate(x, y, verbose=0), lambda: model.save_weights(never)):
        with pytest.raises(errors.InvalidStateError, match="closed"):
            call()
    model.close()  # closing twice is harmless
    assert not os.path.exists(never)
    with Sequential([Dense(2, input_dim=3)]) as empty:
        pass
    with pytest.raises(errors.InvalidStateError, match="closed"):
        empty.add(Dense(1))


def test_one_optimizer_cannot_serve_two_models():
    optimizer = SGD()
    first = Sequential([Dense(2, input_dim=3), Dense(1)])
    second = Sequential([Dense(2, input_dim=3), Dense(1)])
    first.compile(loss="mse", optimizer=optimizer)
    with pytest.raises(ValueError, match="another model"):
        second.compile(loss="mse", optimizer=optimizer)
    first.compile(loss="mse", optimizer=optimizer)  # recompiling the same model is fine


def test_no_error_leaks_into_the_next_call():
    model = small_model()
    x, y = small_data(rows=10)
    with pytest.raises(ValueError):
        model.predict([[1.0]], verbose=0)
    assert math.isfinite(model.evaluate(x, y, verbose=0)[0])
