"""Messages reach a Python user in Keras's words: the C library's function names, constants and argument
phrases are translated (anneal._messages.keras_words) before an exception is raised."""

import helpers  # noqa: F401  first: puts python/ on sys.path whatever runs the tests

import re

import pytest

from anneal._messages import keras_words
from anneal.layers import Dense
from anneal.models import Sequential
from anneal.optimizers import SGD
from anneal.optimizers import schedules as S
from helpers import small_data, small_model

C_WORDS = re.compile(r"\banneal_[a-z0-9_]+|\bANNEAL_[A-Z0-9_]+|\brows=|\bcols\b|\by_cols\b")


def test_c_functions_become_keras_calls():
    assert keras_words("anneal_model_add_dense: could not allocate 8 bytes") == \
        "model.add(Dense(...)): could not allocate 8 bytes"
    assert keras_words("the model is not compiled: call anneal_model_compile before anneal_model_fit") == \
        "the model is not compiled: call model.compile() before model.fit()"
    # Two C functions behind one Keras call are named once; others are kept as they are.
    assert keras_words("pass it to anneal_model_fit or anneal_session_fit") == "pass it to model.fit()"
    assert keras_words("call anneal_model_save or anneal_model_load") == "call model.save() or load_model()"
    assert keras_words("anneal_no_such_function") == "anneal_no_such_function"


def test_c_constants_and_arguments_become_python_ones():
    assert keras_words("create it with ANNEAL_UNIT_UPDATE") == "create it with unit='update'"
    assert keras_words("rows must be at least 1. Received: rows=0") == \
        "x must hold at least 1 row (sample). Received: 0 rows"
    assert keras_words("no C words here") == "no C words here"


def test_a_layer_too_big_names_the_python_call():
    with pytest.raises(MemoryError) as info:
        Sequential().add(Dense(2**31 - 1, input_dim=2**31 - 1))
    assert str(info.value).startswith("model.add(Dense(...)): ")
    assert not C_WORDS.search(str(info.value)), str(info.value)


def test_an_epoch_schedule_given_to_sgd_speaks_python():
    x, y = small_data(rows=20, features=3)
    model = small_model(features=3)
    with pytest.raises(ValueError) as info:
        model.compile(loss="binary_crossentropy", optimizer=SGD(learning_rate=S.StepLR(0.1, 3)))
        model.fit(x, y, epochs=1, verbose=0)
    assert "unit='update'" in str(info.value) and "model.fit()" in str(info.value)
    assert not C_WORDS.search(str(info.value)), str(info.value)


def test_fitting_no_rows_speaks_python():
    model = small_model(features=3)
    with pytest.raises(ValueError) as info:
        model.fit([], [], verbose=0)
    assert not C_WORDS.search(str(info.value)), str(info.value)


@pytest.mark.parametrize("make, words", [
    (lambda: S.PiecewiseConstantDecay([1, 2], [1.0]), "The length of boundaries should be 1 less"),
    (lambda: S.SequentialLR([S.StepLR(0.1, 5), S.StepLR(0.1, 5)], [3, 4]), "milestones must have one element"),
])
def test_list_lengths_are_checked_in_python_words(make, words):
    with pytest.raises(ValueError, match=words) as info:
        make()
    assert not C_WORDS.search(str(info.value)), str(info.value)
