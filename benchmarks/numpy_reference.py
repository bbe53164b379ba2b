"""The benchmark workloads written directly in numpy: the same math Anneal (and Keras 2) do, for comparison.

Tutorial: Dense(34, relu) -> Dense(1, sigmoid), weights ~ N(0, 0.05), zero biases; binary cross-entropy
from the logits; SGD(lr=0.1, momentum=0.8, decay=0.1/50): ``lr_t = lr / (1 + decay * t)``,
``v = momentum * v - lr_t * g``, ``w += v``; batch 28 over the first 235 rows (shuffled each epoch), the last
116 rows validated (loss and accuracy) after each epoch; 50 epochs.

Big network: 784-256-256-10, relu, relu, softmax; sparse categorical cross-entropy; SGD(lr=0.01,
momentum=0.9); batch 128 over random inputs; samples per second in a steady (not the first) epoch.

Run as a script it prints one JSON line (``--workload tutorial|big``). Set OPENBLAS_NUM_THREADS (or
OMP_NUM_THREADS) before starting it to choose numpy's threads; benchmarks/run.py does.
"""
import argparse
import json
import statistics
import time

import numpy as np


def _dense_init(rng, inputs, units, std=0.05):
    return rng.normal(0.0, std, (inputs, units)).astype(np.float32), np.zeros(units, np.float32)


def tutorial_run(x, y, seed, epochs=50, batch=28, validation_split=0.33):
    """One time-based-decay training run; returns the last epoch's validation accuracy."""
    rng = np.random.default_rng(seed)
    split = int(len(x) * (1 - validation_split))
    xt, yt, xv, yv = x[:split], y[:split], x[split:], y[split:]
    params = [*_dense_init(rng, x.shape[1], 34), *_dense_init(rng, 34, 1)]
    velocity = [np.zeros_like(p) for p in params]
    lr, momentum, decay = np.float32(0.1), np.float32(0.8), np.float32(0.1 / 50)
    iterations = 0
    order = np.arange(split)
    accuracy = 0.0
    for _ in range(epochs):
        rng.shuffle(order)
        for start in range(0, split, batch):
            idx = order[start:start + batch]
            xb, yb = xt[idx], yt[idx]
            w1, b1, w2, b2 = params
            z1 = xb @ w1 + b1
            a1 = np.maximum(z1, 0)
            z2 = a1 @ w2 + b2
            p = 1 / (1 + np.exp(-z2))
            d2 = (p - yb) / len(xb)
            g_w2 = a1.T @ d2
            g_b2 = d2.sum(0)
            d1 = (d2 @ w2.T) * (z1 > 0)
            g_w1 = xb.T @ d1
            g_b1 = d1.sum(0)
            rate = lr / (1 + decay * np.float32(iterations))
            for p_, v_, g_ in zip(params, velocity, (g_w1, g_b1, g_w2, g_b2)):
                v_ *= momentum
                v_ -= rate * g_
                p_ += v_
            iterations += 1
        w1, b1, w2, b2 = params
        z2 = np.maximum(xv @ w1 + b1, 0) @ w2 + b2
        _val_loss = np.mean(np.maximum(z2, 0) - z2 * yv + np.log1p(np.exp(-np.abs(z2))))
        accuracy = float(np.mean((z2 > 0) == (yv > 0.5)))
    return accuracy


def big_network_epoch_rates(x, labels, epochs=2, batch=128, seed=0):
    """Trains the big network for `epochs` epochs; returns samples per second of each epoch."""
    rng = np.random.default_rng(seed)
    params = [*_dense_init(rng, 784, 256), *_dense_init(rng, 256, 256), *_dense_init(rng, 256, 10)]
    velocity = [np.zeros_like(p) for p in params]
    lr, momentum = np.float32(0.01), np.float32(0.9)
    rates = []
    n = len(x)
    for _ in range(epochs):
        order = rng.permutation(n)
        start_time = time.perf_counter()
        for start in range(0, n, batch):
            idx = order[start:start + batch]
            xb, yb = x[idx], labels[idx]
            w1, b1, w2, b2, w3, b3 = params
            z1 = xb @ w1 + b1
            a1 = np.maximum(z1, 0)
            z2 = a1 @ w2 + b2
            a2 = np.maximum(z2, 0)
            z3 = a2 @ w3 + b3
            e = np.exp(z3 - z3.max(1, keepdims=True))
            d3 = e / e.sum(1, keepdims=True)
            d3[np.arange(len(xb)), yb] -= 1
            d3 /= len(xb)
            g_w3, g_b3 = a2.T @ d3, d3.sum(0)
            d2 = (d3 @ w3.T) * (z2 > 0)
            g_w2, g_b2 = a1.T @ d2, d2.sum(0)
            d1 = (d2 @ w2.T) * (z1 > 0)
            g_w1, g_b1 = xb.T @ d1, d1.sum(0)
            for p_, v_, g_ in zip(params, velocity, (g_w1, g_b1, g_w2, g_b2, g_w3, g_b3)):
                v_ *= momentum
                v_ -= lr * g_
                p_ += v_
        rates.append(n / (time.perf_counter() - start_time))
    return rates


def big_data(rows, seed=0):
    rng = np.random.default_rng(seed)
    return rng.random((rows, 784), dtype=np.float32), rng.integers(0, 10, rows)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--workload", choices=["tutorial", "big"], required=True)
    parser.add_argument("--csv", default="examples/data/ionosphere.csv")
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--rows", type=int, default=60000)
    args = parser.parse_args()
    if args.workload == "tutorial":
        x, y = load_ionosphere(args.csv)
        times = []
        for run in range(args.runs + 3):
            start = time.perf_counter()
            tutorial_run(x, y, seed=run)
            if run >= 3:
                times.append(time.perf_counter() - start)
        print(json.dumps({"median_ms": 1e3 * statistics.median(times), "runs": args.runs}))
    else:
        x, labels = big_data(args.rows)
        rates = big_network_epoch_rates(x, labels)
        print(json.dumps({"samples_per_second": rates[-1], "rows": args.rows}))


def load_ionosphere(path):
    """The ionosphere CSV: 34 float features, then the class (b -> 0, g -> 1, as LabelEncoder does)."""
    rows = [line.strip().split(",") for line in open(path) if line.strip()]
    x = np.array([[float(v) for v in row[:-1]] for row in rows], np.float32)
    y = np.array([[1.0 if row[-1] == "g" else 0.0] for row in rows], np.float32)
    return x, y


if __name__ == "__main__":
    main()
