"""Draws the tutorial's figures to PNG files with matplotlib (`pip install "./python[plot]"`):

- learning rate over 100 epochs for time-based decay (Keras's per-update rate at each epoch's start, and the
  tutorial's printed compounding table) and for step decay;
- validation accuracy and loss over 50 epochs for the three experiments (seed 7).

    python3 examples/python/plot_figures.py [output-folder]   (default: the current folder)
"""

import math
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "..", "python"))  # the repository's package, when not installed

try:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
except ImportError:
    sys.exit("plot_figures.py needs matplotlib: pip install \"./python[plot]\" (or pip install matplotlib)")

from anneal.callbacks import LearningRateScheduler  # noqa: E402
from anneal.datasets import ionosphere  # noqa: E402
from anneal.layers import Dense  # noqa: E402
from anneal.models import Sequential  # noqa: E402
from anneal.optimizers import SGD  # noqa: E402
from anneal.optimizers.schedules import StepDecay, TimeDecay, TutorialCompoundingDecay  # noqa: E402
from anneal.utils import set_random_seed  # noqa: E402


def step_decay(epoch):
    return 0.1 * math.pow(0.5, math.floor((1 + epoch) / 10.0))


def train(experiment, X, Y):
    set_random_seed(7)
    model = Sequential()
    model.add(Dense(34, input_dim=34, kernel_initializer="normal", activation="relu"))
    model.add(Dense(1, kernel_initializer="normal", activation="sigmoid"))
    callbacks = []
    if experiment == "time-based decay":
        optimizer = SGD(lr=0.1, momentum=0.8, decay=0.1 / 50)
    elif experiment == "step decay":
        optimizer = SGD(lr=0.0, momentum=0.9)
        callbacks = [LearningRateScheduler(step_decay)]
    else:
        optimizer = SGD(lr=0.1)
    model.compile(loss="binary_crossentropy", optimizer=optimizer, metrics=["accuracy"])
    return model.fit(X, Y, validation_split=0.33, epochs=50, batch_size=28, verbose=0, callbacks=callbacks).history


def main(folder):
    os.makedirs(folder, exist_ok=True)
    epochs = list(range(100))
    updates_per_epoch = 9  # ceil(235 / 28)
    keras_time = TimeDecay(0.1, 0.1 / 50)
    table = TutorialCompoundingDecay(0.1, 0.1 / 50)
    steps = StepDecay(0.1, 0.5, 10)

    figure, axes = plt.subplots(1, 2, figsize=(11, 4))
    axes[0].plot(epochs, [keras_time(e * updates_per_epoch) for e in epochs], label="Keras: lr / (1 + decay * iterations)")
    axes[0].plot(epochs, [table(e) for e in epochs], "--", label="tutorial's table (compounding)")
    axes[0].set(title="Time-based decay (lr 0.1, decay 0.002)", xlabel="epoch", ylabel="learning rate")
    axes[0].legend()
    axes[1].step(epochs, [steps(e) for e in epochs], where="post")
    axes[1].set(title="Step decay (drop 0.5 every 10 epochs)", xlabel="epoch", ylabel="learning rate")
    figure.tight_layout()
    rates = os.path.join(folder, "learning_rates.png")
    figure.savefig(rates, dpi=100)

    X, Y, _ = ionosphere()
    histories = {name: train(name, X, Y) for name in ("time-based decay", "step decay", "baseline")}
    figure, axes = plt.subplots(1, 2, figsize=(11, 4))
    for name, history in histories.items():
        axes[0].plot(history["val_accuracy"], label=name)
        axes[1].plot(history["val_loss"], label=name)
    axes[0].set(title="Validation accuracy (seed 7)", xlabel="epoch", ylabel="accuracy")
    axes[1].set(title="Validation loss (seed 7)", xlabel="epoch", ylabel="loss")
    axes[0].legend()
    figure.tight_layout()
    curves = os.path.join(folder, "accuracy_and_loss.png")
    figure.savefig(curves, dpi=100)
    print(f"wrote {rates} and {curves}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".")
