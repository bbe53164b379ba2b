"""The tutorial's numbers through the Python API: its decay table, Keras's actual per-update rates, the step
decay curve over 100 epochs, and the accuracy distribution over seeds 1..20."""

import helpers  # noqa: F401  first: puts python/ on sys.path whatever runs the tests

import os
import runpy
import statistics

import pytest

import anneal
from anneal.callbacks import LearningRateScheduler

from anneal.optimizers.schedules import StepDecay, TimeDecay, TutorialCompoundingDecay
from helpers import (REPO, RATE_TOLERANCE, assert_close, captured_stdout, ionosphere, small_data, small_model,
                     step_decay, tutorial_callbacks, tutorial_model, validation_correct)

TUTORIAL_TABLE = [0.1, 0.0999000999, 0.0997006985, 0.09940249103, 0.09900646517]
KERAS_PER_UPDATE = [0.1, 0.0999000999, 0.0998003992, 0.0997008973, 0.0996015936]


def test_tutorial_compounding_table():
    schedule = TutorialCompoundingDecay(0.1, 0.001)
    assert schedule.unit == "epoch"
    assert_close([schedule(epoch) for epoch in range(5)], TUTORIAL_TABLE, 1e-10, "tutorial table")


def test_keras_per_update_rates_through_time_decay():
    schedule = TimeDecay(0.1, 0.001)
    assert schedule.unit == "update"
    assert_close([schedule(step) for step in range(5)], KERAS_PER_UPDATE, RATE_TOLERANCE, "TimeDecay (float32)")


def test_keras_per_update_rates_through_sgd_effective_learning_rate():
    x, y = small_data(rows=5, features=3)
    model = small_model(features=3, lr=0.1, decay=0.001)
    rates = [model.optimizer.effective_learning_rate]
    for _ in range(4):
        model.fit(x, y, batch_size=5, epochs=1, verbose=0)  # one update per fit
        rates.append(model.optimizer.effective_learning_rate)
    assert model.optimizer.iterations == 4
    assert_close(rates, KERAS_PER_UPDATE, RATE_TOLERANCE, "SGD(lr=0.1, decay=0.001) effective rates")


def test_the_two_tables_differ_from_the_third_epoch():
    assert abs(TutorialCompoundingDecay(0.1, 0.001)(2) - TimeDecay(0.1, 0.001)(2)) > 1e-5


def _expected_step_curve(epochs):
    return [0.1 * 0.5 ** ((1 + epoch) // 10) for epoch in range(epochs)]


def test_step_decay_over_100_epochs_from_history():
    x, y = small_data(rows=8, features=3)
    model = small_model(features=3, lr=0.0, momentum=0.9)
    history = model.fit(x, y, epochs=100, batch_size=8, verbose=0, callbacks=[LearningRateScheduler(step_decay)])
    lr = history.history["lr"]
    assert len(lr) == 100
    assert_close(lr, _expected_step_curve(100), RATE_TOLERANCE, "lr")
    assert all(rate == pytest.approx(0.1) for rate in lr[:9])  # 0.1 until epoch 8
    drops = [epoch for epoch in range(1, 100) if lr[epoch] < lr[epoch - 1]]
    assert drops == [9, 19, 29, 39, 49, 59, 69, 79, 89, 99]
    for epoch in drops:
        assert lr[epoch] == pytest.approx(lr[epoch - 1] / 2)


def test_step_decay_schedule_class_is_the_tutorial_function():
    schedule = StepDecay(0.1, 0.5, 10.0)
    assert schedule.unit == "epoch"
    assert_close([schedule(e) for e in range(100)], [step_decay(e) for e in range(100)], 1e-15, "StepDecay")
    x, y = small_data(rows=8, features=3)
    model = small_model(features=3, lr=0.0, momentum=0.9)
    history = model.fit(x, y, epochs=30, batch_size=8, verbose=0, callbacks=[LearningRateScheduler(schedule)])
    assert_close(history.history["lr"], _expected_step_curve(30), RATE_TOLERANCE, "lr")


def _median_correct(kind):
    x, y, _ = ionosphere()
    correct = []
    for seed in range(1, 21):
        anneal.utils.set_random_seed(seed)
        model = tutorial_model(kind)
        model.fit(x, y, validation_split=0.33, epochs=50, batch_size=28, verbose=0,
                  callbacks=tutorial_callbacks(kind))
        correct.append(validation_correct(model, x, y))
        model.close()
    return statistics.median(correct), correct


def test_seed_distribution_time_based():
    median, correct = _median_correct("time")
    assert median == 115, correct


def test_seed_distribution_step_decay():
    median, correct = _median_correct("step")
    assert median == 115, correct


def test_seed_distribution_baseline():
    median, correct = _median_correct("base")
    assert 110 <= median <= 112, correct


def test_seed_7_reaches_the_tutorial_accuracy():
    x, y, _ = ionosphere()
    anneal.utils.set_random_seed(7)
    model = tutorial_model("time")
    history = model.fit(x, y, validation_split=0.33, epochs=50, batch_size=28, verbose=0)
    assert history.history["val_accuracy"][-1] >= 112 / 116
    assert validation_correct(model, x, y) >= 112


@pytest.mark.parametrize("script", ["time_based_decay.py", "step_decay.py"])
def test_tutorial_example_scripts_print_keras_lines(script):
    path = os.path.join(REPO, "examples", "python", script)
    if not os.path.exists(path):
        pytest.skip(f"{path} not present")
    _, output = captured_stdout(runpy.run_path, path, run_name="__main__")
    lines = output.splitlines()
    assert "Epoch 1/50" in lines and "Epoch 50/50" in lines
    assert sum(1 for line in lines if line.startswith("9/9 - ")) == 50
