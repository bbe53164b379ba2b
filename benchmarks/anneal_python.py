"""Anneal through its Python API, in-process: the tutorial's time-based run and the big network.

Run as a script it prints one JSON line (``--workload tutorial|big``); benchmarks/run.py runs it with
ANNEAL_LIBRARY pointing at the libanneal.so it measures. The workloads are those of numpy_reference.py.
"""
import argparse
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))

import numpy as np  # noqa: E402

from anneal.callbacks import Callback  # noqa: E402
from anneal.datasets import ionosphere  # noqa: E402
from anneal.layers import Dense  # noqa: E402
from anneal.models import Sequential  # noqa: E402
from anneal.optimizers import SGD  # noqa: E402


def tutorial_times(runs, warmup=5):
    x, y, _ = ionosphere()
    times = []
    for run in range(runs + warmup):
        model = Sequential()
        model.add(Dense(34, input_dim=34, kernel_initializer="normal", activation="relu"))
        model.add(Dense(1, kernel_initializer="normal", activation="sigmoid"))
        model.compile(loss="binary_crossentropy", optimizer=SGD(lr=0.1, momentum=0.8, decay=0.1 / 50),
                      metrics=["accuracy"])
        start = time.perf_counter()
        model.fit(x, y, validation_split=0.33, epochs=50, batch_size=28, verbose=0, seed=run)
        if run >= warmup:
            times.append(time.perf_counter() - start)
    return times


class EpochTimer(Callback):
    def __init__(self):
        super().__init__()
        self.durations = []

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.durations.append(time.perf_counter() - self._start)


def big_network_rates(rows, epochs=2):
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from numpy_reference import big_data
    x, labels = big_data(rows)
    model = Sequential()
    model.add(Dense(256, input_dim=784, activation="relu"))
    model.add(Dense(256, activation="relu"))
    model.add(Dense(10, activation="softmax"))
    model.compile(loss="sparse_categorical_crossentropy", optimizer=SGD(lr=0.01, momentum=0.9))
    timer = EpochTimer()
    model.fit(x, labels.astype(np.float32).reshape(-1, 1), epochs=epochs, batch_size=128, verbose=0,
              callbacks=[timer])
    return [rows / d for d in timer.durations]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--workload", choices=["tutorial", "big"], required=True)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--rows", type=int, default=60000)
    args = parser.parse_args()
    if args.workload == "tutorial":
        times = tutorial_times(args.runs)
        print(json.dumps({"median_ms": 1e3 * statistics.median(times), "runs": args.runs}))
    else:
        rates = big_network_rates(args.rows)
        print(json.dumps({"samples_per_second": rates[-1], "rows": args.rows}))


if __name__ == "__main__":
    main()
