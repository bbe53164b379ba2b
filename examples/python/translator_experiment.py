"""Does time-based decay make the late training curves smoother? Four groups, 20 seeds each, on the
ionosphere data with the tutorial's model: learning rate 0.2 for 300 epochs, decay 0 or lr / epochs, momentum
0.8 or 0.

    python3 examples/python/translator_experiment.py [--quick] [--backend processes|threads|serial]
                                                     [--workers N] [--out DIR]

Draws the loss and accuracy curves of each group (median over seeds with the quartiles) to
DIR/translator_loss.png and DIR/translator_accuracy.png, and the smoothness of each group, the mean absolute
epoch-to-epoch change of val_loss over the last 100 epochs per seed, to DIR/translator_smoothness.png
(figures skipped, with a message, without matplotlib); prints those numbers. ``--quick``: 3 seeds, 30 epochs,
the last 10 (the tests use it).
"""

import argparse
import os
import statistics
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "..", "python"))  # the repository's package, when not installed

from anneal import sweep  # noqa: E402
from anneal.datasets import ionosphere  # noqa: E402
from anneal.layers import Dense  # noqa: E402
from anneal.models import Sequential  # noqa: E402
from anneal.optimizers import SGD  # noqa: E402

LEARNING_RATE = 0.2


def build(config):
    """The tutorial's model, SGD with the group's decay and momentum (module level: workers import it)."""
    model = Sequential()
    model.add(Dense(34, input_dim=34, kernel_initializer="normal", activation="relu"))
    model.add(Dense(1, kernel_initializer="normal", activation="sigmoid"))
    model.compile(loss="binary_crossentropy", metrics=["accuracy"],
                  optimizer=SGD(learning_rate=LEARNING_RATE, momentum=config["momentum"], decay=config["decay"]))
    return model


def roughness(values, last):
    """The mean absolute epoch-to-epoch change over the last ``last`` epochs: lower is smoother."""
    tail = values[-(last + 1):]
    return statistics.fmean(abs(b - a) for a, b in zip(tail, tail[1:]))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 seeds, 30 epochs, smoothness over the last 10")
    parser.add_argument("--backend", default="processes", choices=["processes", "threads", "serial"])
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--out", default=os.path.join(here, "..", "..", "out"), help="where the figures go")
    options = parser.parse_args(argv)
    epochs, last, seeds = (30, 10, range(1, 4)) if options.quick else (300, 100, range(1, 21))

    x, y, _ = ionosphere()
    groups = sweep.grid(decay=[0.0, LEARNING_RATE / epochs], momentum=[0.8, 0.0])
    result = sweep.run(build, groups, x, y, seeds=seeds, backend=options.backend, workers=options.workers,
                       epochs=epochs, batch_size=28, validation_split=0.33)
    print(result.summary("val_accuracy"))

    print(f"\nmean |val_loss(e) - val_loss(e-1)| over the last {last} epochs (lower is smoother), over seeds:")
    print(f"{'decay':>10} {'momentum':>9} {'median':>9} {'mean':>9} {'min':>9} {'max':>9}")
    smoothness = []
    for group in groups:
        values = [roughness(record["history"]["val_loss"], last) for record in result.records
                  if "error" not in record and (record["decay"], record["momentum"]) == (group["decay"],
                                                                                         group["momentum"])]
        smoothness.append((group, values))
        print(f"{group['decay']:>10.6g} {group['momentum']:>9g} {statistics.median(values):>9.5f} "
              f"{statistics.fmean(values):>9.5f} {min(values):>9.5f} {max(values):>9.5f}")
    for momentum in (0.8, 0.0):
        with_decay, without = (statistics.median(values) for group, values in sorted(
            smoothness, key=lambda item: -item[0]["decay"]) if group["momentum"] == momentum)
        verdict = "smoother" if with_decay < without else "not smoother"
        print(f"momentum {momentum:g}: with decay the late val_loss is {verdict} "
              f"(median {with_decay:.5f} against {without:.5f} without)")

    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        print("\nno figures: matplotlib is not installed (pip install matplotlib)")
        return result
    os.makedirs(options.out, exist_ok=True)
    for metric, name in (("val_loss", "translator_loss.png"), ("val_accuracy", "translator_accuracy.png")):
        result.plot(os.path.join(options.out, name), metric=metric)
    figure = Figure(figsize=(7, 4.5))
    FigureCanvasAgg(figure)
    axes = figure.add_subplot(1, 1, 1)
    labels = [f"decay={group['decay']:.4g}\nmomentum={group['momentum']:g}" for group, _ in smoothness]
    axes.boxplot([values for _, values in smoothness])
    axes.set_xticks(range(1, len(labels) + 1), labels)
    axes.set(title=f"val_loss roughness over the last {last} epochs ({len(seeds)} seeds per group)",
             ylabel="mean |change| per epoch")
    figure.tight_layout()
    figure.savefig(os.path.join(options.out, "translator_smoothness.png"))
    print(f"\nfigures: {os.path.normpath(options.out)}/translator_{{loss,accuracy,smoothness}}.png")
    return result


if __name__ == "__main__":
    main()
