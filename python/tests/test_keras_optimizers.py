"""anneal.optimizers.Adam, RMSprop, Adagrad, Adadelta, Adamax, Nadam: Keras 2's (legacy) names, defaults and
argument checks, each update rule against a float64 reference, the shared rate, decay and schedules, the
rate callbacks, ``get`` and ``compile`` by name, and the ``legacy`` alias module."""

import helpers  # noqa: F401  first: puts python/ on sys.path whatever runs the tests

import math

import pytest

from anneal import optimizers
from anneal.callbacks import LearningRateScheduler, ReduceLROnPlateau
from anneal.layers import Dense
from anneal.models import Sequential
from anneal.optimizers import Adadelta, Adagrad, Adam, Adamax, Nadam, RMSprop, get
from helpers import assert_close, flatten, small_data

ALL = [Adam, RMSprop, Adagrad, Adadelta, Adamax, Nadam]


def test_defaults_are_keras_legacy_ones():
    assert Adam().get_config() == {"name": "Adam", "learning_rate": 0.001, "decay": 0.0, "beta_1": 0.9,
                                   "beta_2": 0.999, "epsilon": 1e-7, "amsgrad": False}
    assert RMSprop().get_config() == {"name": "RMSprop", "learning_rate": 0.001, "decay": 0.0, "rho": 0.9,
                                      "momentum": 0.0, "epsilon": 1e-7, "centered": False}
    assert Adagrad().get_config() == {"name": "Adagrad", "learning_rate": 0.001, "decay": 0.0,
                                      "initial_accumulator_value": 0.1, "epsilon": 1e-7}
    assert Adadelta().get_config() == {"name": "Adadelta", "learning_rate": 0.001, "decay": 0.0, "rho": 0.95,
                                       "epsilon": 1e-7}
    assert Adamax().get_config()["learning_rate"] == 0.001
    assert Nadam().get_config()["schedule_decay"] == 0.004
    assert "amsgrad=False" in repr(Adam())
    # Keras's `epsilon or backend.epsilon()`
    assert Adam(epsilon=None).epsilon == 1e-7 and RMSprop(epsilon=0).epsilon == 1e-7


@pytest.mark.parametrize("cls", ALL)
def test_lr_alias_and_unknown_arguments(cls):
    assert cls(lr=0.3).learning_rate == 0.3
    assert cls(learning_rate=0.2, lr=0.3).learning_rate == 0.3
    with pytest.raises(TypeError, match="clipnorm"):
        cls(clipnorm=1.0)
    with pytest.raises(ValueError, match="learning_rate"):
        cls(learning_rate=-0.1)


def test_argument_checks_name_the_argument():
    with pytest.raises(ValueError, match="beta_1"):
        Adam(beta_1=1.0)
    with pytest.raises(ValueError, match="rho"):
        RMSprop(rho=float("nan"))
    with pytest.raises(ValueError, match="momentum"):
        RMSprop(momentum=1.5)
    with pytest.raises(ValueError, match="initial_accumulator_value must be non-negative: -1"):
        Adagrad(initial_accumulator_value=-1)
    with pytest.raises(ValueError, match="epsilon"):
        Adamax(epsilon=-1e-7)
    with pytest.raises(ValueError, match="decay"):
        Adam(decay=-0.1)
    with pytest.raises(ValueError, match="does not support"):
        Nadam(learning_rate=optimizers.schedules.ExponentialDecay(0.1, 10, 0.5))
    # Keras 2's Nadam replaces `decay` with schedule_decay: the rate is never decayed.
    assert Nadam(decay=0.5).decay == 0.0


def test_get_and_compile_by_name():
    for name in ["sgd", "adam", "rmsprop", "adagrad", "adadelta", "adamax", "nadam", "Adam", "RMSprop", "NAdam"]:
        optimizer = get(name)
        assert type(optimizer).__name__.lower() == name.lower()
        model = Sequential([Dense(1, input_dim=3, activation="sigmoid")])
        model.compile(loss="binary_crossentropy", optimizer=name, metrics=["accuracy"])
        assert type(model.optimizer).__name__.lower() == name.lower()
    adam = get({"class_name": "Adam", "config": {"learning_rate": 0.01, "amsgrad": True}})
    assert adam.learning_rate == 0.01 and adam.amsgrad
    with pytest.raises(ValueError, match="Could not interpret optimizer identifier"):
        get("ftrl")


def test_legacy_alias_module():
    from anneal.optimizers import legacy
    assert legacy.Adam is Adam and legacy.RMSprop is RMSprop and legacy.SGD is optimizers.SGD
    assert isinstance(legacy.get("adagrad"), Adagrad)


def _one_weight(optimizer):
    model = Sequential([Dense(1, input_dim=1, use_bias=False, kernel_initializer="ones")])
    model.compile(loss="mse", optimizer=optimizer)
    return model


def _train(model, steps):
    kernels = []
    for _ in range(steps):
        model.fit([[1.0]], [[0.0]], epochs=1, batch_size=1, verbose=0)
        kernels.append(flatten(model.get_weights())[0])
    return kernels


def _reference(rule, steps, lr, decay=0.0):
    """A float64 replay on loss (w - 0)^2 (gradient 2w) from w = 1: ``rule(t, lr_t, g, state)`` returns the step."""
    w, state, out = 1.0, {}, []
    for iteration in range(steps):
        w += rule(iteration + 1, lr / (1 + decay * iteration), 2 * w, state)
        out.append(w)
    return out


def _adam(amsgrad):
    def rule(t, lr, g, s):
        s["m"] = 0.9 * s.get("m", 0.0) + 0.1 * g
        s["v"] = 0.999 * s.get("v", 0.0) + 0.001 * g * g
        s["vhat"] = max(s.get("vhat", 0.0), s["v"])
        alpha = lr * math.sqrt(1 - 0.999 ** t) / (1 - 0.9 ** t)
        return -alpha * s["m"] / (math.sqrt(s["vhat"] if amsgrad else s["v"]) + 1e-7)
    return rule


def _rmsprop(momentum, centered):
    def rule(t, lr, g, s):
        s["ms"] = 0.9 * s.get("ms", 0.0) + 0.1 * g * g
        s["mg"] = 0.9 * s.get("mg", 0.0) + 0.1 * g
        ms = s["ms"] - s["mg"] ** 2 if centered else s["ms"]
        if momentum == 0:
            return -lr * g / (math.sqrt(ms) + 1e-7)
        s["mom"] = momentum * s.get("mom", 0.0) + lr * g / math.sqrt(ms + 1e-7)
        return -s["mom"]
    return rule


def _adagrad(t, lr, g, s):
    s["acc"] = s.get("acc", 0.1) + g * g
    return -lr * g / (math.sqrt(s["acc"]) + 1e-7)


def _adadelta(t, lr, g, s):
    s["acc"] = 0.95 * s.get("acc", 0.0) + 0.05 * g * g
    update = math.sqrt(s.get("acc_u", 0.0) + 1e-7) / math.sqrt(s["acc"] + 1e-7) * g
    s["acc_u"] = 0.95 * s.get("acc_u", 0.0) + 0.05 * update * update
    return -lr * update


def _adamax(t, lr, g, s):
    s["m"] = 0.9 * s.get("m", 0.0) + 0.1 * g
    s["u"] = max(0.999 * s.get("u", 0.0), abs(g))
    return -lr / (1 - 0.9 ** t) * s["m"] / (s["u"] + 1e-7)


def _nadam(t, lr, g, s):
    def mu(step):
        return 0.9 * (1 - 0.5 * 0.96 ** (0.004 * step))
    s["cache"] = s.get("cache", 1.0) * mu(t)
    following = s["cache"] * mu(t + 1)
    s["m"] = 0.9 * s.get("m", 0.0) + 0.1 * g
    s["v"] = 0.999 * s.get("v", 0.0) + 0.001 * g * g
    m_bar = (1 - mu(t)) * g / (1 - s["cache"]) + mu(t + 1) * s["m"] / (1 - following)
    return -lr * m_bar / (math.sqrt(s["v"] / (1 - 0.999 ** t)) + 1e-7)


@pytest.mark.parametrize("make, rule, lr, decay", [
    (lambda: Adam(0.05, decay=0.1), _adam(False), 0.05, 0.1),
    (lambda: Adam(0.05, amsgrad=True), _adam(True), 0.05, 0.0),
    (lambda: RMSprop(0.01, decay=0.05), _rmsprop(0.0, False), 0.01, 0.05),
    (lambda: RMSprop(0.01, centered=True), _rmsprop(0.0, True), 0.01, 0.0),
    (lambda: RMSprop(0.01, momentum=0.9), _rmsprop(0.9, False), 0.01, 0.0),
    (lambda: RMSprop(0.01, momentum=0.5, centered=True), _rmsprop(0.5, True), 0.01, 0.0),
    (lambda: Adagrad(0.1, decay=0.2), _adagrad, 0.1, 0.2),
    (lambda: Adadelta(1.0), _adadelta, 1.0, 0.0),
    (lambda: Adamax(0.02, decay=0.1), _adamax, 0.02, 0.1),
    (lambda: Nadam(0.02), _nadam, 0.02, 0.0),
], ids=["adam", "amsgrad", "rmsprop", "rmsprop-centered", "rmsprop-momentum", "rmsprop-momentum-centered",
        "adagrad", "adadelta", "adamax", "nadam"])
def test_update_rules_follow_the_float64_reference(make, rule, lr, decay):
    model = _one_weight(make())
    assert_close(_train(model, 6), _reference(rule, 6, lr, decay), 2e-5, "kernel")
    assert model.optimizer.iterations == 6


@pytest.mark.parametrize("cls", [Adam, RMSprop, Adagrad, Adadelta, Adamax])
def test_schedule_and_decay_for_every_optimizer(cls):
    schedule = optimizers.schedules.ExponentialDecay(0.1, decay_steps=1, decay_rate=0.5)
    x, y = small_data(rows=8)
    model = Sequential([Dense(1, input_dim=3, activation="sigmoid")])
    model.compile(loss="binary_crossentropy", optimizer=cls(learning_rate=schedule, decay=0.5))
    history = model.fit(x, y, epochs=2, batch_size=4, verbose=0)
    # after 4 updates: 0.1 * 0.5^4 / (1 + 0.5 * 4), logged as effective_lr
    assert abs(history.history["effective_lr"][-1] - 0.1 * 0.5 ** 4 / 3) < 1e-8
    assert abs(model.optimizer.effective_learning_rate - 0.1 * 0.5 ** 4 / 3) < 1e-8


@pytest.mark.parametrize("cls", ALL)
def test_rate_callbacks_work_with_every_optimizer(cls):
    x, y = small_data(rows=8)
    model = Sequential([Dense(1, input_dim=3, activation="sigmoid")])
    model.compile(loss="binary_crossentropy", optimizer=cls())
    history = model.fit(x, y, epochs=3, batch_size=4, verbose=0,
                        callbacks=[LearningRateScheduler(lambda epoch: 0.05 / (epoch + 1))])
    assert_close(history.history["lr"], [0.05, 0.025, 0.05 / 3], 1e-8, "lr")
    model.compile(loss="binary_crossentropy", optimizer=cls(learning_rate=0.1))
    history = model.fit(x, y, epochs=3, batch_size=4, verbose=0,
                        callbacks=[ReduceLROnPlateau(monitor="loss", factor=0.5, patience=0, min_delta=10)])
    assert_close(history.history["lr"], [0.1, 0.1, 0.05], 1e-8, "lr")  # logged before each reduction


def test_one_optimizer_per_model():
    adam = Adam()
    first = _one_weight(adam)  # kept alive: the optimizer belongs to it
    with pytest.raises(ValueError, match="already used by another model"):
        _one_weight(adam)
    assert first.optimizer is adam
