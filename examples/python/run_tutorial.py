"""The Keras learning-rate tutorial end to end on Anneal, through its Python package.

    python3 examples/python/run_tutorial.py

Runs the tutorial's three scripts as they are (Keras-style verbose=2 logs), then each experiment over seeds
1..20, and compares the final validation accuracies with the tutorial's 99.14 / 99.14 / 95.69 %. The figures
(learning rate over 100 epochs, accuracy and loss curves) are drawn by plot_figures.py when matplotlib is
installed.
"""

import io
import math
import os
import runpy
import statistics
import sys
from contextlib import redirect_stdout

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "..", "python"))  # the repository's package, when not installed

from anneal.callbacks import LearningRateScheduler  # noqa: E402
from anneal.datasets import ionosphere  # noqa: E402
from anneal.layers import Dense  # noqa: E402
from anneal.models import Sequential  # noqa: E402
from anneal.optimizers import SGD  # noqa: E402
from anneal.utils import set_random_seed  # noqa: E402

EXPERIMENTS = [
    ("time-based decay", "time_based_decay.py", 99.14),
    ("step decay", "step_decay.py", 99.14),
    ("baseline", "baseline.py", 95.69),
]


def step_decay(epoch):
    return 0.1 * math.pow(0.5, math.floor((1 + epoch) / 10.0))


def correct_rows(name, seed, X, Y):
    """Trains one experiment with `seed` (shuffling on) and returns validation rows correct of 116."""
    set_random_seed(seed)
    with Sequential() as model:
        model.add(Dense(34, input_dim=34, kernel_initializer="normal", activation="relu"))
        model.add(Dense(1, kernel_initializer="normal", activation="sigmoid"))
        callbacks = []
        if name == "time-based decay":
            optimizer = SGD(lr=0.1, momentum=0.8, decay=0.1 / 50)
        elif name == "step decay":
            optimizer = SGD(lr=0.0, momentum=0.9)
            callbacks = [LearningRateScheduler(step_decay)]
        else:
            optimizer = SGD(lr=0.1)
        model.compile(loss="binary_crossentropy", optimizer=optimizer, metrics=["accuracy"])
        history = model.fit(X, Y, validation_split=0.33, epochs=50, batch_size=28, callbacks=callbacks, verbose=0)
    return round(history.history["val_accuracy"][-1] * 116)


def main():
    finals = []
    for name, script, reported in EXPERIMENTS:
        print(f"\n=== {name}: examples/python/{script} (seed 7) ===", flush=True)
        namespace = runpy.run_path(os.path.join(here, script), run_name="__main__")
        finals.append((name, namespace["model"].history.history["val_accuracy"][-1] * 100, reported))

    X, Y, _ = ionosphere()
    print("\n=== over seeds 1..20, shuffled (validation rows correct of 116) ===")
    print(f"{'experiment':<18}{'median':>8}{'mean %':>9}   range   (real Keras: medians 115 / 115 / 111)")
    for name, _, _ in EXPERIMENTS:
        correct = [correct_rows(name, seed, X, Y) for seed in range(1, 21)]
        mean = statistics.mean(correct) / 116 * 100
        print(f"{name:<18}{statistics.median(correct):>8.1f}{mean:>9.2f}   {min(correct)}-{max(correct)}")

    print("\n=== summary: final validation accuracy, seed 7, Anneal vs the tutorial ===")
    for name, accuracy, reported in finals:
        print(f"{name:<18} Anneal {accuracy:6.2f} %   tutorial {reported:6.2f} %")


if __name__ == "__main__":
    main()
