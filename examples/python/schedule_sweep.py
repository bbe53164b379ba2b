"""The tutorial's closing tip, done: search learning-rate schedules over exponentially spaced learning rates
and momenta, 20 seeds each, on the ionosphere data.

    python3 examples/python/schedule_sweep.py [--quick] [--backend processes|threads|serial] [--workers N]
                                              [--out DIR]

Schedules: Keras's time-based decay (SGD's decay = lr / epochs), the tutorial's step decay with several drops
and periods, and two of Keras's schedules run per epoch (ExponentialDecay, CosineDecay), each over learning
rates log_space(0.01, 0.3, 3) and momenta 0 / 0.8 / 0.9. Prints the summary of the final validation accuracy
over seeds (best first) and draws the curves of the ten best configurations to DIR/schedule_sweep.png
(skipped, with a message, without matplotlib). ``--quick`` runs a small version (the tests use it).
"""

import argparse
import os
import sys
import time

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "..", "python"))  # the repository's package, when not installed

from anneal import sweep  # noqa: E402
from anneal.callbacks import LearningRateScheduler  # noqa: E402
from anneal.datasets import ionosphere  # noqa: E402
from anneal.layers import Dense  # noqa: E402
from anneal.models import Sequential  # noqa: E402
from anneal.optimizers import SGD, schedules  # noqa: E402


def build(config):
    """The tutorial's model with the config's schedule (module level: worker processes import it)."""
    model = Sequential()
    model.add(Dense(34, input_dim=34, kernel_initializer="normal", activation="relu"))
    model.add(Dense(1, kernel_initializer="normal", activation="sigmoid"))
    rate, momentum, epochs = config["learning_rate"], config["momentum"], config["epochs"]
    callbacks = []
    if config["schedule"] == "time":
        optimizer = SGD(learning_rate=rate, momentum=momentum, decay=rate / epochs)
    else:
        optimizer = SGD(learning_rate=0.0, momentum=momentum)
        if config["schedule"] == "step":
            schedule = schedules.StepDecay(rate, config["drop"], config["epochs_drop"])
        elif config["schedule"] == "exponential":
            schedule = schedules.ExponentialDecay(rate, decay_steps=epochs, decay_rate=0.1, unit="epoch")
        else:
            schedule = schedules.CosineDecay(rate, decay_steps=epochs, alpha=0.01, unit="epoch")
        callbacks = [LearningRateScheduler(schedule)]  # an Anneal schedule: the whole run in one library call
    model.compile(loss="binary_crossentropy", optimizer=optimizer, metrics=["accuracy"])
    return model, callbacks


def configs(quick):
    epochs = 10 if quick else 50
    rates = sweep.log_space(0.01, 0.3, 2 if quick else 3)
    momenta = [0.0, 0.9] if quick else [0.0, 0.8, 0.9]
    common = dict(learning_rate=rates, momentum=momenta, epochs=[epochs])
    return (sweep.grid(schedule=["time"], **common)
            + sweep.grid(schedule=["step"], drop=[0.5, 0.25], epochs_drop=[3.0] if quick else [10.0, 20.0], **common)
            + sweep.grid(schedule=["exponential"], **common)
            + sweep.grid(schedule=["cosine"], **common))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small sweep (2 seeds, 10 epochs)")
    parser.add_argument("--backend", default="processes", choices=["processes", "threads", "serial"])
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--out", default=os.path.join(here, "..", "..", "out"), help="where the figure goes")
    options = parser.parse_args(argv)

    x, y, _ = ionosphere()
    grid = configs(options.quick)
    seeds = range(1, 3) if options.quick else range(1, 21)
    epochs = grid[0]["epochs"]
    print(f"{len(grid)} configurations x {len(seeds)} seeds, {epochs} epochs each, backend {options.backend}",
          flush=True)
    started = time.perf_counter()
    result = sweep.run(build, grid, x, y, seeds=seeds, backend=options.backend, workers=options.workers,
                       epochs=epochs, batch_size=28, validation_split=0.33)
    print(f"{len(result.records)} runs in {time.perf_counter() - started:.1f} s\n")
    summary = result.summary("val_accuracy")
    print(summary)
    best = result.best("val_accuracy")
    print("\nbest:", ", ".join(f"{key}={best[key]}" for key in summary.keys if key in best),
          f"-> mean val_accuracy {best['mean']:.4f} over {best['n']} seeds")

    top = [{key: row[key] for key in summary.keys if key in row} for row in summary[:10]]
    chosen = [record for record in result.records
              if {key: record[key] for key in summary.keys if key in record} in top]
    best_ten = sweep.SweepResult(chosen, [c for c in grid if c in top], result.seeds)
    path = os.path.join(options.out, "schedule_sweep.png")
    try:
        os.makedirs(options.out, exist_ok=True)
        best_ten.plot(path, metric="val_accuracy")
        print(f"\nfigure: {os.path.normpath(path)}")
    except ImportError as error:
        print(f"\nno figure: {error}")
    return result


if __name__ == "__main__":
    main()
