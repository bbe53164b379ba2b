"""Build functions for test_sweep.py, in a module of their own so that the sweep's worker processes (fresh
interpreters) can import them."""

import math
import os
import time

from anneal.callbacks import LearningRateScheduler
from anneal.layers import Dense
from anneal.models import Sequential
from anneal.optimizers import SGD, get as get_optimizer, schedules


def python_step_decay(epoch):
    return 0.1 * math.pow(0.5, math.floor((1 + epoch) / 3.0))


def build(config):
    """The tutorial's model with one of four ways to set the rate: SGD's decay, a Python function in a
    LearningRateScheduler, an Anneal epoch schedule in one, or an Anneal update schedule in SGD; with
    ``optimizer`` (``"adam"``...) the same rate, decay or schedule in that optimizer instead."""
    if config.get("fail"):
        raise ValueError(f"no model for {config['fail']}")
    if config.get("die") and os.environ.get("ANNEAL_SWEEP_WORKER"):  # set in a processes worker
        os._exit(3)  # a worker process crashing in the middle of a run
    if os.environ.get("SWEEP_TEST_PIDS"):  # the kill test: which processes trained
        with open(os.path.join(os.environ["SWEEP_TEST_PIDS"], str(os.getpid())), "w"):
            pass
        time.sleep(0.05)  # a sweep slow enough to be killed midway, even with a fast release library
    model = Sequential()
    model.add(Dense(8, input_dim=34, kernel_initializer="normal", activation="relu"))
    model.add(Dense(1, kernel_initializer="normal", activation="sigmoid"))
    rate, momentum, kind = config.get("learning_rate", 0.1), config.get("momentum", 0.0), config.get("kind", "time")
    callbacks = []
    if kind == "time":
        optimizer = SGD(learning_rate=rate, momentum=momentum, decay=rate / 5)
    elif kind == "python":
        optimizer = SGD(learning_rate=0.0, momentum=momentum)
        callbacks = [LearningRateScheduler(python_step_decay)]
    elif kind == "schedule":
        optimizer = SGD(learning_rate=0.0, momentum=momentum)
        callbacks = [LearningRateScheduler(schedules.StepDecay(rate, 0.5, 3.0))]
    else:
        optimizer = SGD(learning_rate=schedules.ExponentialDecay(rate, 10, 0.5), momentum=momentum)
    if config.get("optimizer", "sgd") != "sgd":  # the same rate, decay or schedule in another optimizer
        settings = {"learning_rate": optimizer._initial_learning_rate}
        if optimizer.decay:
            settings["decay"] = optimizer.decay  # Nadam ignores it, as Keras 2's does
        optimizer = get_optimizer({"class_name": config["optimizer"], "config": settings})
    model.compile(loss="binary_crossentropy", optimizer=optimizer, metrics=["accuracy"])
    return model, callbacks


def build_calls_counted(config):
    """``build``, counting its calls in this process (the resume test: runs already in the file are skipped)."""
    build_calls_counted.calls += 1
    return build(config)


build_calls_counted.calls = 0

