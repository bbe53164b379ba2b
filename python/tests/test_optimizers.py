"""anneal.optimizers.SGD: Keras 2's arguments, the lr alias, the update rules, learning-rate state."""

import helpers  # noqa: F401  first: puts python/ on sys.path whatever runs the tests

import pytest

import anneal
from anneal.layers import Dense
from anneal.models import Sequential
from anneal.optimizers import SGD, get
from helpers import RATE_TOLERANCE, assert_close, flatten, small_data, small_model


def test_defaults_and_config():
    sgd = SGD()
    assert (sgd.learning_rate, sgd.momentum, sgd.nesterov, sgd.decay) == (0.01, 0.0, False, 0.0)
    assert sgd.get_config() == {"name": "SGD", "learning_rate": 0.01, "decay": 0.0, "momentum": 0.0,
                                "nesterov": False}
    assert "momentum=0.0" in repr(sgd)
    assert sgd.iterations == 0 and sgd.effective_learning_rate == 0.01


def test_lr_alias_wins_over_learning_rate():
    assert SGD(lr=0.3).learning_rate == 0.3
    assert SGD(0.2, lr=0.3).learning_rate == 0.3
    assert SGD(learning_rate=0.2, lr=0.3).learning_rate == 0.3
    with pytest.raises(TypeError, match="clipnorm"):
        SGD(clipnorm=1.0)


def test_boundaries_are_accepted():
    SGD(learning_rate=0.0, momentum=0.0, decay=0.0)
    SGD(momentum=1.0)


def test_get():
    sgd = SGD()
    assert get(sgd) is sgd
    assert isinstance(get("SGD"), SGD)
    with pytest.raises(ValueError, match="Could not interpret optimizer identifier: 'ftrl'"):
        get("ftrl")


def _one_layer(momentum=0.0, nesterov=False, lr=0.1, decay=0.0):
    model = Sequential([Dense(1, input_dim=1, use_bias=False, kernel_initializer="ones")])
    model.compile(loss="mse", optimizer=SGD(learning_rate=lr, momentum=momentum, nesterov=nesterov, decay=decay))
    return model


def _train_steps(model, steps):
    kernels = []
    for _ in range(steps):
        model.fit([[1.0]], [[0.0]], epochs=1, batch_size=1, verbose=0)
        kernels.append(flatten(model.get_weights())[0])
    return kernels


def _reference(steps, momentum=0.0, nesterov=False, lr=0.1, decay=0.0):
    """The update rules of Keras 2's SGD, on loss (w * 1 - 0)^2 (gradient 2w)."""
    w, v, out = 1.0, 0.0, []
    for iteration in range(steps):
        rate = lr / (1 + decay * iteration)
        g = 2 * w
        if momentum == 0:
            w = w - rate * g
        else:
            v = momentum * v - rate * g
            w = w + (momentum * v - rate * g if nesterov else v)
        out.append(w)
    return out


@pytest.mark.parametrize("momentum, nesterov, decay", [(0.0, False, 0.0), (0.9, False, 0.0), (0.9, True, 0.0),
                                                        (0.8, False, 0.05), (0.5, True, 0.1)])
def test_update_rules(momentum, nesterov, decay):
    model = _one_layer(momentum=momentum, nesterov=nesterov, decay=decay)
    assert_close(_train_steps(model, 6), _reference(6, momentum, nesterov, decay=decay), 1e-6, "kernel")
    assert model.optimizer.iterations == 6


def test_learning_rate_lives_inside_the_velocity():
    model = _one_layer(momentum=0.9)
    _train_steps(model, 1)
    model.optimizer.learning_rate = 0.0
    w_before = flatten(model.get_weights())[0]
    w_after = _train_steps(model, 1)[0]
    assert w_after != w_before  # the old velocity keeps moving the weight at rate 0


def test_learning_rate_state_on_the_model():
    x, y = small_data(rows=10)
    model = small_model(lr=0.1, decay=0.5)
    sgd = model.optimizer
    assert sgd.learning_rate == pytest.approx(0.1) and sgd.iterations == 0
    model.fit(x, y, epochs=1, batch_size=5, verbose=0)
    assert sgd.iterations == 2
    assert sgd.effective_learning_rate == pytest.approx(0.1 / (1 + 0.5 * 2), rel=1e-6)
    sgd.learning_rate = 0.2
    assert sgd.learning_rate == pytest.approx(0.2) and sgd.lr == pytest.approx(0.2)
    assert sgd.effective_learning_rate == pytest.approx(0.2 / 2, rel=1e-6)
    with pytest.raises(ValueError, match="learning_rate"):
        sgd.learning_rate = -1.0
    with pytest.raises(ValueError, match="learning_rate"):
        sgd.learning_rate = float("nan")
    assert sgd.learning_rate == pytest.approx(0.2)
    assert isinstance(sgd.learning_rate, float)


def test_learning_rate_before_compile_is_kept():
    sgd = SGD(0.1)
    sgd.learning_rate = 0.3
    model = Sequential([Dense(1, input_dim=2)])
    model.compile(loss="mse", optimizer=sgd)
    assert sgd.learning_rate == pytest.approx(0.3)


def test_recompile_resets_the_optimizer_state():
    x, y = small_data(rows=10)
    model = small_model()
    model.fit(x, y, epochs=1, batch_size=5, verbose=0)
    assert model.optimizer.iterations == 2
    model.compile(loss="binary_crossentropy", optimizer=SGD(0.1))
    assert model.optimizer.iterations == 0


def test_float32_rate():
    model = _one_layer(lr=0.1)
    assert model.optimizer.learning_rate == pytest.approx(0.1, abs=RATE_TOLERANCE)
    assert model.optimizer.learning_rate != 0.1  # float32, widened
