"""The C library's messages in a Keras user's words.

The library names its C functions (``anneal_model_add_dense: could not allocate ...``, ``call
anneal_model_compile before anneal_model_fit``); a Python user called ``model.add(Dense(...))`` or
``model.fit(x, y)`` and never saw those names. ``keras_words`` replaces each C function a message names with
the Keras call that reaches it; a name without a Keras counterpart is left as it is.
"""

import re

KERAS_CALLS = {
    "anneal_model_add_dense": "model.add(Dense(...))",
    "anneal_model_add_dropout": "model.add(Dropout(...))",
    "anneal_model_build": "model.build()",
    "anneal_model_compile": "model.compile()",
    "anneal_model_set_activation": "an Activation or LeakyReLU layer",
    "anneal_model_fit": "model.fit()",
    "anneal_model_fit_dataset": "model.fit()",
    "anneal_session_create": "model.fit()",
    "anneal_session_create_with_validation": "model.fit()",
    "anneal_session_fit": "model.fit()",
    "anneal_model_predict": "model.predict()",
    "anneal_model_predict_dataset": "model.predict()",
    "anneal_model_evaluate": "model.evaluate()",
    "anneal_model_evaluate_dataset": "model.evaluate()",
    "anneal_model_evaluate_weighted": "model.evaluate()",
    "anneal_model_get_weight": "model.get_weights()",
    "anneal_model_set_weight": "model.set_weights()",
    "anneal_model_save_weights": "model.save_weights()",
    "anneal_model_load_weights": "model.load_weights()",
    "anneal_model_save": "model.save()",
    "anneal_model_load": "load_model()",
    "anneal_model_set_learning_rate": "setting model.optimizer.learning_rate",
    "anneal_sgd_create_scheduled": "an optimizer's learning_rate",
    "anneal_dataset_load_csv": "load_csv()",
}

# C constants and argument phrases whose Python counterpart differs, as (pattern, replacement).
PHRASES = [
    (re.compile(r"\boptions->"), ""),  # a field of the C call's option struct is a Keras argument
    (re.compile(r"\bANNEAL_UNIT_UPDATE\b"), "unit='update'"),
    (re.compile(r"\bANNEAL_UNIT_EPOCH\b"), "unit='epoch'"),
    (re.compile(r"\brows must be at least 1\. Received: rows=(-?\d+)"), r"x must hold at least 1 row (sample). Received: \1 rows"),
]

_C_NAME = re.compile(r"\banneal_[a-z0-9_]+\b")
_ALTERNATIVES = re.compile(r"\b(anneal_[a-z0-9_]+) or (anneal_[a-z0-9_]+)\b")


def _keras_call(name):
    return KERAS_CALLS.get(name, name)


def _one_or_both(match):
    # Two C functions behind one Keras call ("anneal_model_fit or anneal_session_fit") are named once.
    first, second = _keras_call(match.group(1)), _keras_call(match.group(2))
    return first if first == second else f"{first} or {second}"


def keras_words(message):
    """``message`` with every C function it names replaced by the Keras call that reaches it, and the C
    constants and argument phrases of ``PHRASES`` by their Python counterparts."""
    text = _C_NAME.sub(lambda match: _keras_call(match.group(0)), _ALTERNATIVES.sub(_one_or_both, message))
    for pattern, replacement in PHRASES:
        text = pattern.sub(replacement, text)
    return text
