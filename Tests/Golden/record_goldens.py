#!/usr/bin/env python3
"""Records Anneal's reference runs from real Keras 2 (tf_keras, legacy optimizers).

Usage (in a throwaway virtual environment with `tensorflow` and `tf_keras` of the same version; never a
test dependency of Anneal):

    python Tests/Golden/record_goldens.py OUTDIR                 # the new runs
    python Tests/Golden/record_goldens.py OUTDIR --existing      # also the six runs of shared/golden
    python Tests/Golden/record_goldens.py OUTDIR --existing --compare /path/to/shared/golden
    python Tests/Golden/record_goldens.py OUTDIR --only adamax,losses
    python Tests/Golden/record_goldens.py OUTDIR --existing --perturb 1 --compare Tests/AnnealTests/Fixtures/golden

Every training run uses the ionosphere data in file order (`shuffle=False`), batch 28, 50 epochs and
`validation_split=0.33` (235 training rows, the last 116 validating) unless its file says otherwise, so any
implementation of the same semantics started from `initial_weights` must follow the same trajectory.
Initial kernels are drawn by `numpy.random.RandomState(11).normal(0, 0.1, shape)` in layer order, rounded to
float32; biases start at zero. The tutorial's runs (`time`, `step`, `base`) were started from Keras's own
`RandomNormal(0, 0.05)` draws, whose TensorFlow seed was not kept: their initial weights are read back from
the recorded files (`--initial-from`).

Floats are written with 9 significant digits, which round-trips float32 exactly.
"""

import argparse
import contextlib
import io
import json
import math
import os
import re
import sys
import tempfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import tf_keras as keras  # noqa: E402
from tf_keras.optimizers import legacy  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
DEFAULT_DATA = os.path.join(REPO, "examples", "data", "ionosphere.csv")
DEFAULT_INITIAL = os.path.join(REPO, "Tests", "AnnealTests", "Fixtures")

SEED = 11
STDDEV = 0.1
EPOCHS = 50
BATCH = 28
SPLIT = 0.33
SOURCE = (f"tf_keras {keras.__version__} (legacy optimizers) on TensorFlow {tf.__version__}, "
          "CPU, float32")
INITIAL_RULE = (f"numpy.random.RandomState({SEED}).normal(0, {STDDEV}, kernel_shape) for each Dense kernel "
                "in layer order, cast to float32; biases zero")


# ---------------------------------------------------------------------------------------------------------
# Numbers

def r9(x):
    """A float32 (or float64) value written with 9 significant digits: float32 round-trips exactly."""
    x = float(x)
    if math.isnan(x) or math.isinf(x):
        return str(x)
    return float(f"{x:.9g}")


def nested(a):
    """An array as nested lists of 9-digit floats."""
    a = np.asarray(a)
    if a.ndim == 0:
        return r9(a)
    return [nested(v) for v in a]


def numbers(a):
    return nested(np.asarray(a, dtype=np.float64))


def plain(v):
    """A configuration value as JSON: numpy scalars become Python numbers, floats get 9 digits."""
    if isinstance(v, np.generic):
        v = v.item()
    return r9(v) if isinstance(v, float) else v


# ---------------------------------------------------------------------------------------------------------
# Data

def load_ionosphere(path):
    """The 351 rows: features float32 [351, 34], labels encoded like sklearn's LabelEncoder (sorted names)."""
    with open(path) as f:
        rows = [line.strip().split(",") for line in f if line.strip()]
    x = np.array([[float(v) for v in r[:-1]] for r in rows], dtype=np.float32)
    classes = sorted({r[-1] for r in rows})
    y = np.array([classes.index(r[-1]) for r in rows], dtype=np.float32)
    return x, y, classes


# ---------------------------------------------------------------------------------------------------------
# Models

def dense(units, activation):
    return {"layer": "Dense", "units": units, "activation": activation}


def build(layers, input_dim):
    """A Sequential model of the spec's layers (Dense kernels 'normal', overwritten by set_weights)."""
    model = keras.Sequential()
    model.add(keras.Input(shape=(input_dim,)))
    for spec in layers:
        if spec["layer"] == "Dense":
            model.add(keras.layers.Dense(spec["units"], activation=spec["activation"],
                                         kernel_initializer="normal"))
        else:
            model.add(keras.layers.Dropout(spec["rate"]))
    return model


def layer_record(model):
    out = []
    for layer in model.layers:
        if isinstance(layer, keras.layers.Dense):
            out.append({"units": layer.units, "activation": keras.activations.serialize(layer.activation),
                        "kernel_initializer": type(layer.kernel_initializer).__name__})
        else:
            out.append({"layer": "Dropout", "rate": layer.rate})
    return out


def numpy_weights(layers, input_dim):
    """`[kernel_0, bias_0, ...]`: kernels from RandomState(SEED).normal(0, STDDEV), biases zero."""
    rs = np.random.RandomState(SEED)
    weights, fan_in = [], input_dim
    for spec in layers:
        if spec["layer"] != "Dense":
            continue
        weights.append(rs.normal(0.0, STDDEV, (fan_in, spec["units"])).astype(np.float32))
        weights.append(np.zeros(spec["units"], dtype=np.float32))
        fan_in = spec["units"]
    return weights


def perturbed(weights, seed):
    """Every kernel moved one float32 step up or down (signs from RandomState(seed)); biases unchanged.

    Recording a run again from such weights shows how far float32 rounding alone can move it: a run that
    stays within a few 1e-8 is a sharp test at 1e-5, one that jumps has a branch point (see the README).
    """
    rs = np.random.RandomState(seed)
    out = []
    for i, w in enumerate(weights):
        if i % 2 == 0:
            up = rs.randint(0, 2, w.shape).astype(bool)
            w = np.where(up, np.nextafter(w, np.float32(np.inf)), np.nextafter(w, np.float32(-np.inf)))
        out.append(w.astype(np.float32))
    return out


def recorded_weights(directory, name):
    with open(os.path.join(directory, name + ".json")) as f:
        return [np.array(w, dtype=np.float32) for w in json.load(f)["initial_weights"]]


class LrAfterEpoch(keras.callbacks.Callback):
    """The rate the next update would use, `schedule(iterations) / (1 + decay * iterations)`, per epoch."""

    def __init__(self):
        super().__init__()
        self.values = []

    def on_epoch_end(self, epoch, logs=None):
        self.values.append(float(self.model.optimizer._decayed_lr(tf.float32).numpy()))


# ---------------------------------------------------------------------------------------------------------
# Training runs

ION = dict(layers=[dense(34, "relu"), dense(1, "sigmoid")], loss="binary_crossentropy",
           metrics=["accuracy"])


def train(name, ctx, *, layers, optimizer, optimizer_args, loss, metrics, initial="numpy",
          x=None, y=None, data=None, fit_extra=None, fit_record_extra=None, scheduler=None,
          lr_after=False, validation=None, epochs=EPOCHS, weighted_metrics=None, after=None):
    """Trains one model exactly as described and returns its JSON record.

    `optimizer` is a zero-argument factory (so metric and optimizer objects are made after the session
    is cleared and get Keras's default names); `metrics` and `weighted_metrics` likewise may be factories.
    `after(model)`, when given, runs once the record is complete and returns fields to add to it.
    """
    keras.backend.clear_session()
    keras.utils.set_random_seed(SEED)
    x = ctx["x"] if x is None else x
    y = ctx["y"] if y is None else y
    model = build(layers, x.shape[1])
    if initial == "numpy":
        weights = numpy_weights(layers, x.shape[1])
    else:
        weights = recorded_weights(ctx["initial_from"], initial)
    if ctx.get("perturb") is not None:
        weights = perturbed(weights, ctx["perturb"])
    model.set_weights(weights)
    opt = optimizer()
    loss_obj = loss() if callable(loss) else loss
    metric_objs = metrics() if callable(metrics) else metrics
    weighted_objs = weighted_metrics() if callable(weighted_metrics) else weighted_metrics
    model.compile(optimizer=opt, loss=loss_obj, metrics=metric_objs, weighted_metrics=weighted_objs)

    callbacks = []
    if scheduler is not None:
        callbacks.append(keras.callbacks.LearningRateScheduler(scheduler))
    lr_cb = LrAfterEpoch()
    callbacks.append(lr_cb)
    fit_kwargs = dict(epochs=epochs, batch_size=BATCH, shuffle=False, verbose=0, callbacks=callbacks)
    if validation is None:
        fit_kwargs["validation_split"] = SPLIT
        split = int(math.floor(len(x) * (1 - SPLIT)))
        x_val = x[split:]
    else:
        fit_kwargs["validation_data"] = validation
        x_val = validation[0]
    fit_kwargs.update(fit_extra or {})
    history = model.fit(x, y, **fit_kwargs)

    fit_record = {"epochs": epochs, "batch_size": BATCH}
    if validation is None:
        fit_record["validation_split"] = SPLIT
    fit_record["shuffle"] = False
    fit_record["callbacks"] = ["LearningRateScheduler"] if scheduler is not None else []
    fit_record.update(fit_record_extra or {})

    preds = model.predict(x_val[:5], verbose=0)
    record = {
        "source": SOURCE,
        "experiment": name,
        "data": data or "ionosphere.csv",
        "classes": ctx["classes"],
        "layers": layer_record(model),
        "optimizer": dict(optimizer_args, name=type(opt).__name__),
        "optimizer_config": {k: plain(v) for k, v in opt.get_config().items() if not isinstance(v, dict)},
        "loss": loss_name(loss_obj),
        "metrics": [metric_name(m) for m in metric_objs],
        **({} if weighted_objs is None else {"weighted_metrics": [metric_name(m) for m in weighted_objs],
                                             "metrics_names": list(model.metrics_names)}),
        "fit": fit_record,
        "initial_weights_rule": (INITIAL_RULE if initial == "numpy" else
                                 f"read from {initial}.json (Keras's RandomNormal(0, 0.05), TensorFlow seed "
                                 "not recorded)") + ("" if ctx.get("perturb") is None else
                                                     f"; kernels perturbed (--perturb {ctx['perturb']})"),
        "initial_weights": [numbers(w) for w in weights],
        "history": {k: numbers(v) for k, v in history.history.items()},
    }
    if lr_after:
        record["lr_after_epoch"] = numbers(lr_cb.values)
    record["final_weights"] = [numbers(w) for w in model.get_weights()]
    record["first_val_predictions"] = numbers(preds[:, 0] if preds.shape[1] == 1 else preds)
    if after is not None:
        record.update(after(model))
    return record


def loss_name(loss):
    if isinstance(loss, str):
        return loss
    cfg = {k: v for k, v in loss.get_config().items() if k not in ("name", "reduction")}
    return {"class": type(loss).__name__, **cfg}


def metric_name(m):
    if isinstance(m, str):
        return m
    cfg = m.get_config()
    keep = {k: v for k, v in cfg.items()
            if k in ("k", "curve", "num_thresholds", "summation_method", "thresholds", "threshold", "top_k", "class_id",
                     "multi_label", "label_weights")
            and v is not None}
    if "label_weights" in keep:
        keep["label_weights"] = [float(w) for w in np.asarray(keep["label_weights"]).ravel()]
    if cfg.get("from_logits"):
        keep["from_logits"] = True  # only when given, as the files recorded before it was kept
    if "thresholds" in keep and isinstance(m, keras.metrics.AUC):
        keep["thresholds"] = [float(t) for t in keep["thresholds"]]
        del keep["num_thresholds"]  # their count + 2
    if not keep.get("multi_label", True):
        del keep["multi_label"]  # Keras's default, as the files recorded before it was kept
    return {"class": type(m).__name__, "name": m.name, **keep}


def step_decay(epoch):
    return 0.1 * math.pow(0.5, math.floor((1 + epoch) / 10))


def existing_runs(ctx):
    """The six runs of shared/golden, regenerated to show this script reproduces them."""
    runs = {}
    sgd = lambda **a: (lambda: legacy.SGD(**a), a)  # noqa: E731
    for name, (factory, args), sched in (
            ("time", sgd(learning_rate=0.1, momentum=0.8, decay=0.002, nesterov=False), None),
            ("step", sgd(learning_rate=0.0, momentum=0.9, decay=0.0, nesterov=False), step_decay),
            ("base", sgd(learning_rate=0.1, momentum=0.0, decay=0.0, nesterov=False), None)):
        runs[name] = lambda n=name, f=factory, a=args, s=sched: train(
            n, ctx, optimizer=f, optimizer_args=a, initial=n, scheduler=s, lr_after=True, **ION)
    for name, cls, lr in (("adam", legacy.Adam, 0.001), ("rmsprop", legacy.RMSprop, 0.001),
                          ("adagrad", legacy.Adagrad, 0.01)):
        runs[name] = lambda n=name, c=cls, lr=lr: train(
            n, ctx, optimizer=lambda: c(learning_rate=lr), optimizer_args={"learning_rate": lr}, **ION)
    return runs


def optimizer_runs(ctx):
    runs = {}
    # Adadelta(1.0) and Adamax(0.002) have branch points (epochs 30 and 42) where float32 rounding alone
    # picks the trajectory (see --perturb); these rates are clear of them.
    for name, cls, args, lr_after in (
            ("adadelta", legacy.Adadelta, {"learning_rate": 0.5}, False),
            ("adamax", legacy.Adamax, {"learning_rate": 0.001}, False),
            ("nadam", legacy.Nadam, {"learning_rate": 0.002}, False),
            ("adam_amsgrad", legacy.Adam, {"learning_rate": 0.001, "amsgrad": True}, False),
            ("rmsprop_momentum", legacy.RMSprop, {"learning_rate": 0.001, "momentum": 0.9}, False),
            ("rmsprop_centered", legacy.RMSprop, {"learning_rate": 0.001, "centered": True}, False),
            ("adam_decay", legacy.Adam, {"learning_rate": 0.001, "decay": 0.01}, True)):
        runs[name] = lambda n=name, c=cls, a=args, la=lr_after: train(
            n, ctx, optimizer=lambda: c(**a), optimizer_args=a, lr_after=la, **ION)

    schedule_args = {"initial_learning_rate": 0.01, "decay_steps": 10, "decay_rate": 0.9,
                     "staircase": False}
    runs["adam_expdecay"] = lambda: train(
        "adam_expdecay", ctx,
        optimizer=lambda: legacy.Adam(
            learning_rate=keras.optimizers.schedules.ExponentialDecay(**schedule_args)),
        optimizer_args={"learning_rate": {"class": "ExponentialDecay", **schedule_args}},
        lr_after=True, **ION)
    return runs


def regression_runs(ctx):
    """Column 2 (the 3rd feature) predicted from the other 33 features."""
    x_all = ctx["x"]
    features = [c for c in range(x_all.shape[1]) if c != 2]
    x = np.ascontiguousarray(x_all[:, features])
    target = x_all[:, 2:3].copy()
    layers = [dense(16, "relu"), dense(1, "linear")]
    sgd_args = {"learning_rate": 0.01, "momentum": 0.9}
    data = ("ionosphere.csv: x = feature columns 0, 1, 3..33 (33 features, 0-based, class column dropped); "
            "y = feature column 2 (the 3rd feature), shape [351, 1]")
    runs = {}
    runs["regression_mae"] = lambda: train(
        "regression_mae", ctx, x=x, y=target, data=data, layers=layers,
        optimizer=lambda: legacy.SGD(**sgd_args), optimizer_args=sgd_args,
        loss="mean_absolute_error", metrics=["mse", "mape"])
    shifted = target + np.float32(1.0)
    runs["regression_huber"] = lambda: train(
        "regression_huber", ctx, x=x, y=shifted,
        data=data.replace("y = feature column 2", "y = feature column 2 + 1.0 (float32; in [0, 2], 15 "
                                                   "rows exactly 0, where msle clips to 1e-7)"),
        layers=layers, optimizer=lambda: legacy.SGD(**sgd_args), optimizer_args=sgd_args,
        loss=lambda: keras.losses.Huber(delta=1.0), metrics=["mae", "msle"])
    return runs


def weighted_runs(ctx):
    sgd_args = {"learning_rate": 0.1, "momentum": 0.8}
    runs = {}
    class_weight = {0: 2.0, 1: 0.5}
    # With SGD(0.1, momentum=0.8) this run has a branch point at epoch 9 (float32 rounding alone moves
    # val_accuracy by one row, see --perturb); at half the rate it is as sharp as the others.
    class_args = {"learning_rate": 0.05, "momentum": 0.8}
    runs["weighted_class"] = lambda: train(
        "weighted_class", ctx, optimizer=lambda: legacy.SGD(**class_args), optimizer_args=class_args,
        fit_extra={"class_weight": class_weight},
        fit_record_extra={"class_weight": {str(k): v for k, v in class_weight.items()}}, **ION)

    x, y = ctx["x"], ctx["y"]
    w = (1.0 + np.arange(len(x)) % 3).astype(np.float32)
    split = len(x) - 116
    runs["weighted_sample"] = lambda: train(
        "weighted_sample", ctx, x=x[:split], y=y[:split],
        data=("ionosphere.csv: rows 0..234 train, rows 235..350 (the last 116) are validation_data; "
              "sample weight of row i (0-based, in the whole file) = 1 + (i % 3)"),
        optimizer=lambda: legacy.SGD(**sgd_args), optimizer_args=sgd_args,
        validation=(x[split:], y[split:], w[split:]),
        fit_extra={"sample_weight": w[:split]},
        fit_record_extra={"sample_weight": "1 + (row % 3) for rows 0..234",
                          "validation_data": "(x[235:], y[235:], 1 + (row % 3) for rows 235..350)"},
        **ION)

    # The same two runs with Keras's weighted_metrics: `metrics` are not weighted, `weighted_metrics` are (by
    # class_weight in training only; by sample_weight in training, validation_data's weights in validation).
    # "accuracy" in both lists logs `accuracy` and `weighted_accuracy`. The training follows the runs above.
    weighted_factory = lambda: ["accuracy", keras.metrics.AUC(), keras.metrics.Precision(),  # noqa: E731
                                keras.metrics.Recall(), keras.metrics.RootMeanSquaredError(), "mae",
                                "binary_crossentropy"]
    runs["weighted_metrics_class"] = lambda: train(
        "weighted_metrics_class", ctx, optimizer=lambda: legacy.SGD(**class_args), optimizer_args=class_args,
        layers=ION["layers"], loss=ION["loss"], metrics=["accuracy"], weighted_metrics=weighted_factory,
        fit_extra={"class_weight": class_weight},
        fit_record_extra={"class_weight": {str(k): v for k, v in class_weight.items()}})

    def batch_calls(model):
        """After fit: evaluate with the validation weights, then test_on_batch and train_on_batch (weights
        before its update) on the first 28 validation rows with their weights, then test_on_batch again."""
        xv, yv, wv = x[split:], y[split:], w[split:]
        out = {"after_fit": (
            "evaluate(x[235:], y[235:], sample_weight=w[235:], batch_size=28); then on rows 235..262 with their "
            "weights: test_on_batch, train_on_batch, test_on_batch (each return_dict=True)")}
        out["evaluate"] = {k: r9(v) for k, v in model.evaluate(xv, yv, sample_weight=wv, batch_size=BATCH, verbose=0,
                                                               return_dict=True).items()}
        xb, yb, wb = xv[:BATCH], yv[:BATCH], wv[:BATCH]
        out["test_on_batch"] = {k: r9(v) for k, v in model.test_on_batch(xb, yb, sample_weight=wb,
                                                                         return_dict=True).items()}
        out["train_on_batch"] = {k: r9(v) for k, v in model.train_on_batch(xb, yb, sample_weight=wb,
                                                                           return_dict=True).items()}
        out["test_on_batch_after_train"] = {k: r9(v) for k, v in model.test_on_batch(xb, yb, sample_weight=wb,
                                                                                     return_dict=True).items()}
        return out

    runs["weighted_metrics_sample"] = lambda: train(
        "weighted_metrics_sample", ctx, x=x[:split], y=y[:split],
        data=("ionosphere.csv: rows 0..234 train, rows 235..350 (the last 116) are validation_data; "
              "sample weight of row i (0-based, in the whole file) = 1 + (i % 3)"),
        optimizer=lambda: legacy.SGD(**sgd_args), optimizer_args=sgd_args,
        layers=ION["layers"], loss=ION["loss"], metrics=["accuracy"], weighted_metrics=weighted_factory,
        validation=(x[split:], y[split:], w[split:]),
        fit_extra={"sample_weight": w[:split]},
        fit_record_extra={"sample_weight": "1 + (row % 3) for rows 0..234",
                          "validation_data": "(x[235:], y[235:], 1 + (row % 3) for rows 235..350)"},
        after=batch_calls)
    return runs


def metric_runs(ctx):
    sgd_args = {"learning_rate": 0.1, "momentum": 0.8}
    runs = {}
    runs["metrics_binary"] = lambda: train(
        "metrics_binary", ctx, layers=ION["layers"], loss="binary_crossentropy",
        optimizer=lambda: legacy.SGD(**sgd_args), optimizer_args=sgd_args,
        metrics=lambda: ["accuracy", "binary_accuracy", "mae", "mse", keras.metrics.AUC(),
                         keras.metrics.AUC(curve="PR"), keras.metrics.Precision(), keras.metrics.Recall(),
                         "binary_crossentropy"])
    onehot = keras.utils.to_categorical(ctx["y"], 2).astype(np.float32)
    softmax_layers = [dense(34, "relu"), dense(2, "softmax")]
    runs["metrics_categorical"] = lambda: train(
        "metrics_categorical", ctx, y=onehot, layers=softmax_layers,
        data="ionosphere.csv, labels one-hot: to_categorical(encoded label, 2), b = [1, 0], g = [0, 1]",
        optimizer=lambda: legacy.SGD(**sgd_args), optimizer_args=sgd_args,
        loss="categorical_crossentropy",
        # tf_keras 2.21's metrics.get("kl_divergence") returns the string itself, so compile rejects it
        # ("'str' object is not callable"); the metric's long name resolves to the same function.
        metrics=lambda: ["categorical_accuracy", keras.metrics.TopKCategoricalAccuracy(k=1),
                         "kullback_leibler_divergence"])
    # Precision and Recall limited as tf_keras's update_confusion_matrix_variables does: top_k (with
    # Keras's default threshold, then -1e10) and class_id, alone and together, on the one-hot model.
    runs["metrics_confusion"] = lambda: train(
        "metrics_confusion", ctx, y=onehot, layers=softmax_layers,
        data="ionosphere.csv, labels one-hot: to_categorical(encoded label, 2), b = [1, 0], g = [0, 1]",
        optimizer=lambda: legacy.SGD(**sgd_args), optimizer_args=sgd_args,
        loss="categorical_crossentropy",
        metrics=lambda: [keras.metrics.Precision(top_k=1), keras.metrics.Recall(class_id=1),
                         keras.metrics.Precision(thresholds=0.7, class_id=0, name="precision_0_at_0.7"),
                         keras.metrics.Recall(top_k=1, class_id=0, name="recall_top_1_class_0")])
    # AUC over several outputs as tf_keras computes it: multi_label (each output's own counts, the mean of
    # their areas, weighted by label_weights) and label_weights weighing the outputs' counts.
    runs["metrics_auc_labels"] = lambda: train(
        "metrics_auc_labels", ctx, y=onehot, layers=softmax_layers,
        data="ionosphere.csv, labels one-hot: to_categorical(encoded label, 2), b = [1, 0], g = [0, 1]",
        optimizer=lambda: legacy.SGD(**sgd_args), optimizer_args=sgd_args,
        loss="categorical_crossentropy",
        metrics=lambda: [keras.metrics.AUC(multi_label=True),
                         keras.metrics.AUC(label_weights=[0.3, 0.7], name="auc_weighted"),
                         keras.metrics.AUC(multi_label=True, label_weights=[2.0, 1.0], curve="PR",
                                           num_thresholds=50, name="pr_auc_multi")])
    # The rest of tf_keras's AUC: summation_method minoring and majoring (ROC and PR), an explicit
    # thresholds list (uneven: unclipped counts at each value; evenly spaced: the bucketed counts), and
    # from_logits (the sigmoid of the softmax outputs), alone and with multi_label and label_weights.
    runs["metrics_auc_methods"] = lambda: train(
        "metrics_auc_methods", ctx, y=onehot, layers=softmax_layers,
        data="ionosphere.csv, labels one-hot: to_categorical(encoded label, 2), b = [1, 0], g = [0, 1]",
        optimizer=lambda: legacy.SGD(**sgd_args), optimizer_args=sgd_args,
        loss="categorical_crossentropy",
        metrics=lambda: [keras.metrics.AUC(summation_method="minoring", name="auc_minoring"),
                         keras.metrics.AUC(curve="PR", summation_method="majoring", num_thresholds=20,
                                           name="pr_auc_majoring"),
                         keras.metrics.AUC(thresholds=[0.9, 0.1, 0.42, 0.5, 0.73], name="auc_thresholds"),
                         keras.metrics.AUC(thresholds=[0.25, 0.5, 0.75], curve="PR", name="pr_auc_even"),
                         keras.metrics.AUC(curve="PR", thresholds=[0.3, 0.6], multi_label=True,
                                           summation_method="minoring", name="pr_auc_thresholds_multi"),
                         keras.metrics.AUC(from_logits=True, name="auc_logits"),
                         keras.metrics.AUC(from_logits=True, curve="PR", thresholds=[0.55, 0.6, 0.7],
                                           label_weights=[0.3, 0.7], summation_method="majoring",
                                           name="pr_auc_logits")])
    # Precision and Recall at a list of thresholds: the result is a float32 vector, one value per threshold;
    # History holds one array per epoch, evaluate returns the array in its place, the progress bar prints
    # the array's mean and CSVLogger writes it as "[a, b]". A one-value list logs a number, as one threshold.
    def threshold_outputs(model):
        """After fit: evaluate on the validation rows (list, dict, and the verbose=2 line without its
        timings), then two more epochs with a CSVLogger (its text)."""
        split = int(math.floor(len(ctx["x"]) * (1 - SPLIT)))
        xv, yv = ctx["x"][split:], ctx["y"][split:]
        out = {"after_fit": ("evaluate(x[235:], y[235:], batch_size=28) as a list, as a dict and its verbose=2 line "
                             "(timings cut); then fit(epochs=2, same arguments, callbacks=[CSVLogger]) and the "
                             "file's text")}
        out["evaluate"] = [numbers(v) for v in model.evaluate(xv, yv, batch_size=BATCH, verbose=0)]
        out["evaluate_dict"] = {k: numbers(v) for k, v in model.evaluate(xv, yv, batch_size=BATCH, verbose=0,
                                                                         return_dict=True).items()}
        text = io.StringIO()
        with contextlib.redirect_stdout(text):
            model.evaluate(xv, yv, batch_size=BATCH, verbose=2)
        line = re.sub(r" - \d+s - ", " - ", text.getvalue().strip())
        out["evaluate_line"] = re.sub(r" - \d+[mu]?s/epoch - \d+[mu]?s/step$", "", line)
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "log.csv")
            more = model.fit(ctx["x"], ctx["y"], epochs=2, batch_size=BATCH, shuffle=False, verbose=0,
                             validation_split=SPLIT, callbacks=[keras.callbacks.CSVLogger(path)])
            with open(path, newline="") as f:
                out["csv_text"] = f.read()
        out["csv_history"] = {k: numbers(v) for k, v in more.history.items()}
        return out

    runs["metrics_thresholds"] = lambda: train(
        "metrics_thresholds", ctx, layers=ION["layers"], loss="binary_crossentropy",
        optimizer=lambda: legacy.SGD(**sgd_args), optimizer_args=sgd_args,
        metrics=lambda: [keras.metrics.Precision(thresholds=[0.3, 0.7]),
                         keras.metrics.Recall(thresholds=[0.3, 0.5, 0.9], name="recall_3"),
                         keras.metrics.Precision(thresholds=[0.6], name="precision_one")],
        after=threshold_outputs)
    runs["metrics_sparse"] = lambda: train(
        "metrics_sparse", ctx, layers=softmax_layers,
        data="ionosphere.csv, labels as class indices (b = 0, g = 1), shape [351]",
        optimizer=lambda: legacy.SGD(**sgd_args), optimizer_args=sgd_args,
        loss="sparse_categorical_crossentropy", metrics=["sparse_categorical_accuracy"])
    return runs


# ---------------------------------------------------------------------------------------------------------
# Dropout at inference

def dropout_eval(ctx):
    """Dropout is the identity outside training: evaluate/predict agree with and without it."""
    keras.backend.clear_session()
    keras.utils.set_random_seed(SEED)
    x, y = ctx["x"], ctx["y"]
    with_dropout = [dense(34, "relu"), {"layer": "Dropout", "rate": 0.5}, dense(1, "sigmoid")]
    without = [dense(34, "relu"), dense(1, "sigmoid")]
    weights = numpy_weights(without, x.shape[1])
    out = {"source": SOURCE, "experiment": "dropout_eval", "data": "ionosphere.csv, all 351 rows",
           "classes": ctx["classes"], "initial_weights_rule": INITIAL_RULE,
           "weights": [numbers(w) for w in weights], "loss": "binary_crossentropy", "metrics": ["accuracy"],
           "evaluate": {"batch_size": BATCH}}
    results = {}
    for key, layers in (("with_dropout", with_dropout), ("without_dropout", without)):
        model = build(layers, x.shape[1])
        model.set_weights(weights)
        model.compile(optimizer=legacy.SGD(learning_rate=0.1), loss="binary_crossentropy",
                      metrics=["accuracy"])
        loss, acc = model.evaluate(x, y, batch_size=BATCH, verbose=0)
        pred = model.predict(x, batch_size=BATCH, verbose=0)[:, 0]
        results[key] = (layer_record(model), loss, acc, pred)
    (layers_d, loss_d, acc_d, pred_d), (_, loss_n, acc_n, pred_n) = (results["with_dropout"],
                                                                     results["without_dropout"])
    if loss_d != loss_n or acc_d != acc_n or not np.array_equal(pred_d, pred_n):
        raise SystemExit("dropout_eval: Keras's inference with Dropout differs from without it")
    out["layers"] = layers_d
    out["layers_without_dropout"] = results["without_dropout"][0]
    out["evaluate_loss"] = r9(loss_d)
    out["evaluate_accuracy"] = r9(acc_d)
    out["predictions"] = numbers(pred_d)
    out["identical_without_dropout"] = True
    return out


# ---------------------------------------------------------------------------------------------------------
# Activations at hand points

def activations(ctx):
    rs = np.random.RandomState(SEED)
    points = [-5.0, -1.0, -0.5, 0.0, 0.5, 1.0, 5.0] + [float(np.float32(v)) for v in rs.uniform(-3, 3, 2)]
    x = tf.constant(points, dtype=tf.float32)
    A = keras.activations
    table = [
        ("elu", "elu", A.elu), ("selu", "selu", A.selu), ("softplus", "softplus", A.softplus),
        ("softsign", "softsign", A.softsign), ("swish", "swish", A.swish),
        ("gelu", "gelu(approximate=False)", lambda t: A.gelu(t, approximate=False)),
        ("gelu_approximate", "gelu(approximate=True)", lambda t: A.gelu(t, approximate=True)),
        ("hard_sigmoid", "hard_sigmoid", A.hard_sigmoid), ("exponential", "exponential", A.exponential),
        ("leaky_relu_0.3", "layers.LeakyReLU(alpha=0.3)", keras.layers.LeakyReLU(alpha=0.3)),
        ("leaky_relu_0.1", "layers.LeakyReLU(alpha=0.1)", keras.layers.LeakyReLU(alpha=0.1)),
        ("relu", "relu", A.relu), ("sigmoid", "sigmoid", A.sigmoid), ("tanh", "tanh", A.tanh),
        ("linear", "linear", A.linear)]
    out = {"source": SOURCE, "experiment": "activations", "x": numbers(points),
           "gradient": "d f(x) / d x elementwise (tf.GradientTape of sum(f(x)))", "activations": {}}
    for name, keras_name, fn in table:
        with tf.GradientTape() as tape:
            tape.watch(x)
            value = fn(x)
        grad = tape.gradient(value, x)
        out["activations"][name] = {"keras": keras_name, "value": numbers(value.numpy()),
                                    "gradient": numbers(grad.numpy())}
    # softmax over the last axis of a 3 x 3 input: its Jacobian per row, since the gradient of the sum of a
    # softmax row is zero.
    m = tf.constant(np.array(points, dtype=np.float32).reshape(3, 3))
    with tf.GradientTape() as tape:
        tape.watch(m)
        value = A.softmax(m)
    jac = tape.batch_jacobian(value, m)
    out["softmax"] = {"keras": "softmax(axis=-1)", "x": numbers(m.numpy()), "value": numbers(value.numpy()),
                      "jacobian": numbers(jac.numpy()),
                      "jacobian_layout": "[row][output j][input k] = d softmax(x)[row, j] / d x[row, k]"}
    return out


# ---------------------------------------------------------------------------------------------------------
# Losses and metrics at hand points

def hand_batches():
    """Two batches (`a` for the first update_state, `b` for the second) per kind of target."""
    rs = np.random.RandomState(SEED)
    f32 = lambda a: np.asarray(a, dtype=np.float32)  # noqa: E731

    def softmax(z):
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    batches = {}
    for tag in ("a", "b"):
        batches["positive_" + tag] = {
            "y_true": f32(rs.uniform(0.1, 3.0, (4, 3))), "y_pred": f32(rs.uniform(0.1, 3.0, (4, 3))),
            "about": "regression, every value > 0"}
        batches["signed_" + tag] = {
            "y_true": f32(rs.uniform(-2.0, 2.0, (4, 3))), "y_pred": f32(rs.uniform(-2.0, 2.0, (4, 3))),
            "about": "regression, values of both signs (msle, poisson and mape clip)"}
        labels = rs.randint(0, 2, (4, 2))
        batches["binary_" + tag] = {
            "y_true": f32(labels), "y_pred": f32(rs.uniform(0.02, 0.98, (4, 2))),
            "about": "labels 0/1, predictions probabilities"}
        batches["binary_logits_" + tag] = {
            "y_true": f32(labels), "y_pred": f32(rs.uniform(-4.0, 4.0, (4, 2))),
            "about": "labels 0/1, predictions logits"}
        batches["hinge_" + tag] = {
            "y_true": f32(rs.choice([-1.0, 1.0], (4, 3))), "y_pred": f32(rs.uniform(-2.0, 2.0, (4, 3))),
            "about": "labels -1/1, predictions real"}
        classes = rs.randint(0, 3, 4)
        logits = f32(rs.uniform(-3.0, 3.0, (4, 3)))
        batches["categorical_" + tag] = {
            "y_true": f32(np.eye(3)[classes]), "y_pred": f32(softmax(logits.astype(np.float64))),
            "about": "one-hot labels, predictions rows of probabilities (softmax of logits)"}
        batches["categorical_logits_" + tag] = {
            "y_true": f32(np.eye(3)[classes]), "y_pred": logits, "about": "one-hot labels, logits"}
        batches["sparse_" + tag] = {
            "y_true": f32(classes), "y_pred": batches["categorical_" + tag]["y_pred"],
            "about": "class indices, predictions rows of probabilities"}
        batches["sparse_logits_" + tag] = {
            "y_true": f32(classes), "y_pred": logits, "about": "class indices, logits"}
        # AUC, precision and recall need enough points to tell curves apart.
        scores = f32(rs.uniform(0.0, 1.0, (8, 1)))
        batches["scores_" + tag] = {
            "y_true": f32(rs.randint(0, 2, (8, 1))), "y_pred": scores,
            "about": "labels 0/1 with probability scores, 8 rows"}
        batches["topk_" + tag] = {
            "y_true": f32(np.eye(4)[rs.randint(0, 4, 5)]), "y_pred": f32(softmax(rs.uniform(-2, 2, (5, 4)))),
            "about": "one-hot labels over 4 classes, probabilities"}
    weights = {4: np.array([1.5, 0.5, 2.0, 0.0], dtype=np.float32),
               5: np.array([1.0, 0.0, 2.5, 0.5, 1.5], dtype=np.float32),
               8: np.array([1.0, 2.0, 0.5, 0.0, 1.5, 1.0, 3.0, 0.25], dtype=np.float32)}
    for b in batches.values():
        b["sample_weight"] = weights[len(b["y_true"])]
    return batches


def losses_and_metrics(ctx):
    L, M = keras.losses, keras.metrics
    batches = hand_batches()
    loss_table = [
        ("mae", "losses.MeanAbsoluteError()", L.MeanAbsoluteError, ["positive", "signed"]),
        ("mape", "losses.MeanAbsolutePercentageError()", L.MeanAbsolutePercentageError, ["positive", "signed"]),
        ("msle", "losses.MeanSquaredLogarithmicError()", L.MeanSquaredLogarithmicError, ["positive", "signed"]),
        ("mse", "losses.MeanSquaredError()", L.MeanSquaredError, ["positive", "signed"]),
        ("huber_1", "losses.Huber(delta=1.0)", lambda: L.Huber(delta=1.0), ["positive", "signed"]),
        ("huber_0.5", "losses.Huber(delta=0.5)", lambda: L.Huber(delta=0.5), ["positive", "signed"]),
        ("log_cosh", "losses.LogCosh()", L.LogCosh, ["positive", "signed"]),
        # Poisson takes log(y_pred + 1e-7): defined for positive predictions only.
        ("poisson", "losses.Poisson()", L.Poisson, ["positive"]),
        ("cosine_similarity", "losses.CosineSimilarity(axis=-1)", lambda: L.CosineSimilarity(axis=-1),
         ["positive", "signed"]),
        ("kl_divergence", "losses.KLDivergence()", L.KLDivergence, ["categorical"]),
        ("hinge", "losses.Hinge()", L.Hinge, ["hinge", "binary_logits"]),
        ("squared_hinge", "losses.SquaredHinge()", L.SquaredHinge, ["hinge", "binary_logits"]),
        ("categorical_hinge", "losses.CategoricalHinge()", L.CategoricalHinge, ["categorical_logits"]),
        ("binary_crossentropy", "losses.BinaryCrossentropy()", L.BinaryCrossentropy, ["binary"]),
        ("binary_crossentropy_smoothing", "losses.BinaryCrossentropy(label_smoothing=0.1)",
         lambda: L.BinaryCrossentropy(label_smoothing=0.1), ["binary"]),
        ("binary_crossentropy_logits", "losses.BinaryCrossentropy(from_logits=True)",
         lambda: L.BinaryCrossentropy(from_logits=True), ["binary_logits"]),
        ("binary_crossentropy_logits_smoothing",
         "losses.BinaryCrossentropy(from_logits=True, label_smoothing=0.1)",
         lambda: L.BinaryCrossentropy(from_logits=True, label_smoothing=0.1), ["binary_logits"]),
        ("categorical_crossentropy", "losses.CategoricalCrossentropy()", L.CategoricalCrossentropy,
         ["categorical"]),
        ("categorical_crossentropy_logits", "losses.CategoricalCrossentropy(from_logits=True)",
         lambda: L.CategoricalCrossentropy(from_logits=True), ["categorical_logits"]),
        ("sparse_categorical_crossentropy", "losses.SparseCategoricalCrossentropy()",
         L.SparseCategoricalCrossentropy, ["sparse"]),
        ("sparse_categorical_crossentropy_logits", "losses.SparseCategoricalCrossentropy(from_logits=True)",
         lambda: L.SparseCategoricalCrossentropy(from_logits=True), ["sparse_logits"]),
    ]
    metric_table = [
        ("mae", "metrics.MeanAbsoluteError()", M.MeanAbsoluteError, "positive"),
        ("mae_signed", "metrics.MeanAbsoluteError()", M.MeanAbsoluteError, "signed"),
        ("mse", "metrics.MeanSquaredError()", M.MeanSquaredError, "signed"),
        ("mape", "metrics.MeanAbsolutePercentageError()", M.MeanAbsolutePercentageError, "positive"),
        ("msle", "metrics.MeanSquaredLogarithmicError()", M.MeanSquaredLogarithmicError, "positive"),
        ("rmse", "metrics.RootMeanSquaredError()", M.RootMeanSquaredError, "signed"),
        ("binary_accuracy", "metrics.BinaryAccuracy(threshold=0.5)", M.BinaryAccuracy, "binary"),
        ("binary_accuracy_0.7", "metrics.BinaryAccuracy(threshold=0.7)",
         lambda: M.BinaryAccuracy(threshold=0.7), "binary"),
        ("categorical_accuracy", "metrics.CategoricalAccuracy()", M.CategoricalAccuracy, "categorical"),
        ("sparse_categorical_accuracy", "metrics.SparseCategoricalAccuracy()", M.SparseCategoricalAccuracy,
         "sparse"),
        ("top_k_categorical_accuracy_2", "metrics.TopKCategoricalAccuracy(k=2)",
         lambda: M.TopKCategoricalAccuracy(k=2), "topk"),
        ("auc_roc", "metrics.AUC(num_thresholds=200, curve='ROC')", lambda: M.AUC(num_thresholds=200),
         "scores"),
        ("auc_pr", "metrics.AUC(num_thresholds=200, curve='PR')",
         lambda: M.AUC(num_thresholds=200, curve="PR"), "scores"),
        ("precision", "metrics.Precision()", M.Precision, "scores"),
        ("recall", "metrics.Recall()", M.Recall, "scores"),
    ]
    out = {"source": SOURCE, "experiment": "losses",
           "about": ("Loss objects with the default reduction sum_over_batch_size: value and gradient with "
                     "respect to y_pred (tf.GradientTape), without and with a per-row sample_weight. Inputs are "
                     "plain tensors, so BinaryCrossentropy / CategoricalCrossentropy without from_logits take "
                     "Keras's clipping path (p clipped to [1e-7, 1 - 1e-7]). Metrics: a fresh object, "
                     "update_state on batch KIND_a, then on KIND_b, then result(); weighted passes each "
                     "batch's sample_weight."),
           "batches": {k: {"about": b["about"], "y_true": numbers(b["y_true"]), "y_pred": numbers(b["y_pred"]),
                           "sample_weight": numbers(b["sample_weight"])} for k, b in batches.items()},
           "losses": [], "metrics": []}
    for name, keras_name, make, kinds in loss_table:
        for kind in kinds:
            for tag in ("a", "b"):
                b = batches[f"{kind}_{tag}"]
                entry = {"name": name, "keras": keras_name, "batch": f"{kind}_{tag}"}
                for key, sw in (("", None), ("weighted_", b["sample_weight"])):
                    y_pred = tf.constant(b["y_pred"])
                    with tf.GradientTape() as tape:
                        tape.watch(y_pred)
                        value = make()(tf.constant(b["y_true"]), y_pred,
                                       sample_weight=None if sw is None else tf.constant(sw))
                    entry[key + "value"] = r9(value.numpy())
                    entry[key + "gradient"] = numbers(tape.gradient(value, y_pred).numpy())
                out["losses"].append(entry)
    for name, keras_name, make, kind in metric_table:
        entry = {"name": name, "keras": keras_name, "batches": [f"{kind}_a", f"{kind}_b"]}
        for key, weighted in (("result", False), ("weighted_result", True)):
            metric = make()
            for tag in ("a", "b"):
                b = batches[f"{kind}_{tag}"]
                metric.update_state(tf.constant(b["y_true"]), tf.constant(b["y_pred"]),
                                    sample_weight=tf.constant(b["sample_weight"]) if weighted else None)
            entry[key] = r9(metric.result().numpy())
        out["metrics"].append(entry)
    return out


# ---------------------------------------------------------------------------------------------------------
# Comparison with recorded files

def max_difference(a, b, path=""):
    """The largest difference between two records' numbers (keys of `b` that `a` lacks count)."""
    if isinstance(a, dict) and isinstance(b, dict):
        worst = (0.0, path)
        for k in b:
            if k in ("source", "initial_weights_rule"):
                continue
            if k not in a:
                return (math.inf, f"{path}.{k} missing")
            worst = max(worst, max_difference(a[k], b[k], f"{path}.{k}"), key=lambda t: t[0])
        return worst
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return (math.inf, f"{path} length {len(a)} != {len(b)}")
        worst = (0.0, path)
        for i, (u, v) in enumerate(zip(a, b)):
            worst = max(worst, max_difference(u, v, f"{path}[{i}]"), key=lambda t: t[0])
        return worst
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        # Relative above 1 in magnitude (mape reaches millions), absolute below.
        return (abs(float(a) - float(b)) / max(1.0, abs(float(b))), path)
    return (0.0, path) if a == b else (math.inf, f"{path}: {a!r} != {b!r}")


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("outdir")
    parser.add_argument("--data", default=DEFAULT_DATA, help="ionosphere.csv")
    parser.add_argument("--initial-from", default=DEFAULT_INITIAL,
                        help="folder with time.json, step.json, base.json (their initial weights)")
    parser.add_argument("--existing", action="store_true",
                        help="also regenerate the six runs of shared/golden (time, step, base, adam, rmsprop, "
                             "adagrad)")
    parser.add_argument("--compare", help="folder of recorded files to compare the written ones with")
    parser.add_argument("--only", help="comma-separated experiment names")
    parser.add_argument("--perturb", type=int, metavar="SEED",
                        help="start every training run from its initial kernels moved one float32 step up or "
                             "down at random (a sensitivity check; compare with the unperturbed files)")
    args = parser.parse_args(argv)

    tf.config.threading.set_inter_op_parallelism_threads(1)
    tf.config.threading.set_intra_op_parallelism_threads(1)
    tf.config.experimental.enable_op_determinism()

    x, y, classes = load_ionosphere(args.data)
    ctx = {"x": x, "y": y, "classes": classes, "initial_from": args.initial_from, "perturb": args.perturb}
    runs = {}
    if args.existing:
        runs.update(existing_runs(ctx))
    for group in (optimizer_runs, regression_runs, weighted_runs, metric_runs):
        runs.update(group(ctx))
    runs["dropout_eval"] = lambda: dropout_eval(ctx)
    runs["activations"] = lambda: activations(ctx)
    runs["losses"] = lambda: losses_and_metrics(ctx)
    if args.only:
        wanted = args.only.split(",")
        unknown = [n for n in wanted if n not in runs]
        if unknown:
            parser.error(f"unknown experiments {unknown}; known: {sorted(runs)}")
        runs = {n: runs[n] for n in wanted}

    os.makedirs(args.outdir, exist_ok=True)
    failed = False
    for name, run in runs.items():
        record = run()
        path = os.path.join(args.outdir, name + ".json")
        with open(path, "w") as f:
            json.dump(record, f, separators=(", ", ": "))
            f.write("\n")
        line = f"{name}: {os.path.getsize(path)} bytes"
        if args.compare and os.path.exists(os.path.join(args.compare, name + ".json")):
            with open(os.path.join(args.compare, name + ".json")) as f:
                recorded = json.load(f)
            diff, where = max_difference(record, recorded)
            line += f"; max difference from {args.compare}: {diff:.3g} at {where}"
            failed |= not diff <= 1e-6
        print(line, flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
