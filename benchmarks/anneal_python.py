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


def fit_big_network(rows, epochs, timer):
    """Fits the big network (784-256-256-10, batch 128) to `rows` random rows, `epochs` epochs, with `timer`."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from numpy_reference import big_data
    x, labels = big_data(rows)
    model = Sequential()
    model.add(Dense(256, input_dim=784, activation="relu"))
    model.add(Dense(256, activation="relu"))
    model.add(Dense(10, activation="softmax"))
    model.compile(loss="sparse_categorical_crossentropy", optimizer=SGD(lr=0.01, momentum=0.9))
    model.fit(x, labels.astype(np.float32).reshape(-1, 1), epochs=epochs, batch_size=128, verbose=0,
              callbacks=[timer])


def big_network_rates(rows, epochs=2):
    timer = EpochTimer()
    fit_big_network(rows, epochs, timer)
    return [rows / d for d in timer.durations]


class AlternatingThreads(Callback):
    """Trains even epochs on the calling thread alone and odd ones with the library's helper thread
    (anneal_calling_thread_set_threads 1 / 0), timing each: the ratio of two neighbouring epochs is measured a
    few tens of milliseconds apart, so that a host whose speed drifts (a shared VM) moves both alike."""

    def __init__(self):
        super().__init__()
        self.durations = {1: [], 2: []}

    def on_epoch_begin(self, epoch, logs=None):
        from anneal import _lib
        self._threads = 1 if epoch % 2 == 0 else 2
        _lib.check(_lib.anneal_calling_thread_set_threads(1 if self._threads == 1 else 0))
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.durations[self._threads].append(time.perf_counter() - self._start)


def big_network_thread_ratio(rows, epochs):
    """Samples per second on one thread and on two, and the median ratio of neighbouring epochs (one thread's
    time over two threads'), over `epochs` epochs of `rows` rows; the first pair (warm-up) is left out."""
    timer = AlternatingThreads()
    fit_big_network(rows, epochs, timer)
    one, two = timer.durations[1][1:], timer.durations[2][1:]
    return {"one_thread": rows / statistics.median(one), "two_threads": rows / statistics.median(two),
            "ratio": statistics.median(a / b for a, b in zip(one, two)), "pairs": len(one)}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--workload", choices=["tutorial", "big"], required=True)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--rows", type=int, default=60000)
    parser.add_argument("--alternate", type=int, default=0, metavar="EPOCHS",
                        help="big: EPOCHS epochs alternating one thread and two (one JSON line with both rates and "
                             "the median ratio of neighbouring epochs) instead of two epochs as the process's "
                             "setting has it")
    args = parser.parse_args()
    if args.workload == "tutorial":
        times = tutorial_times(args.runs)
        print(json.dumps({"median_ms": 1e3 * statistics.median(times), "runs": args.runs}))
    elif args.alternate:
        print(json.dumps(dict(big_network_thread_ratio(args.rows, args.alternate), rows=args.rows)))
    else:
        rates = big_network_rates(args.rows)
        print(json.dumps({"samples_per_second": rates[-1], "rows": args.rows}))


if __name__ == "__main__":
    main()
