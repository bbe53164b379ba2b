"""The tutorial and the big network in real Keras, for comparison: tf_keras (Keras 2) or Keras 3, whichever
``--flavor`` names. benchmarks/run.py runs it only when that package is importable. Prints one JSON line.
"""
import argparse
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from numpy_reference import big_data, load_ionosphere  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--flavor", choices=["tf_keras", "keras"], required=True)
    parser.add_argument("--workload", choices=["tutorial", "big"], required=True)
    parser.add_argument("--csv", default="examples/data/ionosphere.csv")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--rows", type=int, default=60000)
    args = parser.parse_args()
    keras = __import__(args.flavor)
    layers, optimizers = keras.layers, keras.optimizers

    def sgd(**kwargs):
        if args.flavor == "tf_keras":
            return optimizers.legacy.SGD(**kwargs)
        decay = kwargs.pop("decay", 0.0)  # Keras 3: time-based decay as a schedule
        if decay:
            rate = kwargs.pop("learning_rate")
            kwargs["learning_rate"] = optimizers.schedules.InverseTimeDecay(rate, 1, decay)
        return optimizers.SGD(**kwargs)

    if args.workload == "tutorial":
        x, y = load_ionosphere(args.csv)
        times = []
        for _ in range(args.runs + 1):
            model = keras.Sequential([keras.Input((34,)),
                                      layers.Dense(34, activation="relu", kernel_initializer="normal"),
                                      layers.Dense(1, activation="sigmoid", kernel_initializer="normal")])
            model.compile(loss="binary_crossentropy", optimizer=sgd(learning_rate=0.1, momentum=0.8, decay=0.002),
                          metrics=["accuracy"])
            start = time.perf_counter()
            model.fit(x, y, validation_split=0.33, epochs=50, batch_size=28, verbose=0)
            times.append(time.perf_counter() - start)
        print(json.dumps({"median_ms": 1e3 * statistics.median(times[1:]), "runs": args.runs}))
    else:
        x, labels = big_data(args.rows)
        model = keras.Sequential([keras.Input((784,)), layers.Dense(256, activation="relu"),
                                  layers.Dense(256, activation="relu"), layers.Dense(10, activation="softmax")])
        model.compile(loss="sparse_categorical_crossentropy", optimizer=sgd(learning_rate=0.01, momentum=0.9))
        durations = []

        class Timer(keras.callbacks.Callback):
            def on_epoch_begin(self, epoch, logs=None):
                self.start = time.perf_counter()

            def on_epoch_end(self, epoch, logs=None):
                durations.append(time.perf_counter() - self.start)

        model.fit(x, labels, epochs=2, batch_size=128, verbose=0, callbacks=[Timer()])
        print(json.dumps({"samples_per_second": args.rows / durations[-1], "rows": args.rows}))


if __name__ == "__main__":
    main()
