"""10,000 (or argv[1]) cycles of create / compile / train one epoch / free through the Python package,
printing the resident set size every 1,000 cycles. Run by benchmarks/leaks/run.sh (ANNEAL_LIBRARY set)."""

import gc
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python"))

import anneal  # noqa: E402
from anneal.layers import Dense  # noqa: E402
from anneal.models import Sequential  # noqa: E402
from anneal.optimizers import SGD  # noqa: E402


def resident_kb():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


def main():
    cycles = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    x, y, _ = anneal.datasets.load_csv(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                                    "examples", "data", "ionosphere.csv"))
    first = None
    for cycle in range(cycles + 1):
        if cycle % 1000 == 0:
            gc.collect()
            kb = resident_kb()
            first = kb if first is None else first
            print(f"cycle {cycle:6d}  RSS {kb:7d} kB  ({kb - first:+d} kB)", flush=True)
        if cycle == cycles:
            break
        anneal.utils.set_random_seed(cycle)
        model = Sequential()
        model.add(Dense(34, input_dim=34, kernel_initializer="normal", activation="relu"))
        model.add(Dense(1, kernel_initializer="normal", activation="sigmoid"))
        model.compile(loss="binary_crossentropy", optimizer=SGD(learning_rate=0.1, momentum=0.9), metrics=["accuracy"])
        model.fit(x, y, validation_split=0.33, epochs=1, batch_size=28, verbose=0)
        model.close()


if __name__ == "__main__":
    main()
