"""Metrics: Keras's metric names, functions and classes, for ``compile(metrics=[...])``.

The library accumulates every metric over the epoch as Keras's stateful metrics do (updated each batch,
read at the end; see ``Sources/Anneal/Metric.swift``), under the name Keras logs: the string given
(``"mae"`` logs ``mae``), or the object's ``name`` (``MeanAbsoluteError()`` logs ``mean_absolute_error``,
``AUC()`` logs ``auc``), with ``val_`` in front for validation.

    binary_accuracy(threshold=0.5)   mean of [(p > threshold) == y] over a sample's outputs
    categorical_accuracy             argmax(p) == argmax(y)
    sparse_categorical_accuracy      argmax(p) == y
    top_k_categorical_accuracy(k=5)  the labelled class among the k largest outputs
    RootMeanSquaredError             sqrt(mean((p - y)^2)) over every output of the epoch
    Precision, Recall (thresholds)   TP / (TP + FP), TP / (TP + FN), predicted positive when p > threshold
    AUC(num_thresholds=200, curve)   area under the ROC (mid-point Riemann sum) or PR curve (interpolated)
      (summation_method, thresholds, from_logits)   minoring / majoring Riemann sums, an explicit threshold
                                     list, the sigmoid of the outputs first
    any loss                         its per-sample value (mae, mse, mape, msle, binary_crossentropy, ...)
    CosineSimilarity                 sum(y / ||y|| * p / ||p||)

The functions (``binary_accuracy(y_true, y_pred)``...) compute a metric's per-sample values in Python.

Every class is also a metric on its own, as in Keras, computed by the library with the formulas ``fit`` logs::

    m = metrics.AUC()
    m.update_state(y_true, y_pred)            # once per batch; sample_weight=... weighs the rows
    m.result()                                # over every batch since the last reset
    m.reset_state()
    m(y_true, y_pred)                         # update_state, then result

``y_pred`` is samples x outputs, ``y_true`` the same or one class index per sample for the sparse metrics;
numpy arrays (a C-ordered float32 array without a copy) or nested lists.
"""

import ctypes
import math
import numbers
import weakref

from . import _arrays, _codes, _lib, _missing, _names, losses as _losses
from .losses import (  # noqa: F401  Keras's metrics module exports the loss functions too
    binary_crossentropy, categorical_crossentropy, categorical_hinge, hinge, kl_divergence, kld, log_cosh,
    logcosh, mae, mape, mean_absolute_error, mean_absolute_percentage_error, mean_squared_error,
    mean_squared_logarithmic_error, mse, msle, poisson, sparse_categorical_crossentropy, squared_hinge,
)

__all__ = [
    "Metric", "MeanAbsoluteError", "MeanSquaredError", "MeanAbsolutePercentageError",
    "MeanSquaredLogarithmicError", "RootMeanSquaredError", "BinaryAccuracy", "CategoricalAccuracy",
    "SparseCategoricalAccuracy", "TopKCategoricalAccuracy", "SparseTopKCategoricalAccuracy", "AUC", "Precision",
    "Recall", "BinaryCrossentropy", "CategoricalCrossentropy", "SparseCategoricalCrossentropy", "Hinge",
    "SquaredHinge", "CategoricalHinge", "KLDivergence", "Poisson", "LogCoshError", "CosineSimilarity",
    "binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy", "top_k_categorical_accuracy",
    "sparse_top_k_categorical_accuracy", "cosine_similarity",
    "mean_squared_error", "mean_absolute_error", "mean_absolute_percentage_error",
    "mean_squared_logarithmic_error", "mse", "mae", "mape", "msle", "binary_crossentropy",
    "categorical_crossentropy", "sparse_categorical_crossentropy", "hinge", "squared_hinge", "categorical_hinge",
    "kl_divergence", "kld", "poisson", "log_cosh", "logcosh", "get",
]

_CURVES = {"ROC": _codes.ANNEAL_CURVE_ROC, "PR": _codes.ANNEAL_CURVE_PR}
_SUMMATIONS = {"interpolation": _codes.ANNEAL_SUMMATION_INTERPOLATION, "minoring": _codes.ANNEAL_SUMMATION_MINORING,
               "majoring": _codes.ANNEAL_SUMMATION_MAJORING}


# --- Functions ----------------------------------------------------------------------------------------------
def _argmax(row):
    best = 0
    for i, value in enumerate(row):
        if value > row[best]:
            best = i
    return best


def binary_accuracy(y_true, y_pred, threshold=0.5):
    """Per sample: the fraction of outputs where ``(y_pred > threshold) == y_true``."""
    return _losses._per_sample(
        lambda y, p: sum(float(b > threshold) == a for a, b in zip(y, p)) / len(y), y_true, y_pred)


def categorical_accuracy(y_true, y_pred):
    """Per sample: 1 when ``argmax(y_pred) == argmax(y_true)`` (the first index on ties), else 0."""
    return _losses._per_sample(lambda y, p: float(_argmax(p) == _argmax(y)), y_true, y_pred)


def _in_top_k(p, target, k):
    if not all(math.isfinite(v) for v in p):
        return 0.0
    return float(sum(v > p[target] for v in p) < k)


def top_k_categorical_accuracy(y_true, y_pred, k=5):
    """Per sample: 1 when fewer than ``k`` outputs are strictly above the labelled class's (``in_top_k``)."""
    return _losses._per_sample(lambda y, p: _in_top_k(p, _argmax(y), k), y_true, y_pred)


def _sparse(function, y_true, y_pred):
    ps, single = _losses._rows(y_pred, "y_pred")
    classes, _ = _losses._rows(y_true, "y_true")
    labels = [int(v) for row in classes for v in row]
    values = [function(label, p) for label, p in zip(labels, ps)]
    if single:
        return values[0]
    return _losses.numpy.asarray(values) if _losses.numpy is not None else values


def sparse_categorical_accuracy(y_true, y_pred):
    """Per sample: 1 when ``argmax(y_pred)`` is the class index ``y_true``."""
    return _sparse(lambda label, p: float(_argmax(p) == label), y_true, y_pred)


def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5):
    """Per sample: 1 when the class index ``y_true`` is among the ``k`` largest outputs."""
    return _sparse(lambda label, p: _in_top_k(p, label, k), y_true, y_pred)


def cosine_similarity(y_true, y_pred, axis=-1):
    """Per sample: ``sum(l2_normalize(y_true) * l2_normalize(y_pred))`` (the loss's value negated)."""
    values = _losses.cosine_similarity(y_true, y_pred, axis)
    return -values if isinstance(values, numbers.Real) or _losses.numpy is not None else [-v for v in values]


# --- Classes ------------------------------------------------------------------------------------------------
class Metric:
    """A metric for ``compile``: what the library computes (``_metric``), the name logs use, and its
    parameters."""

    _metric = None

    def __init__(self, name=None, dtype=None):
        self.name = name or self._metric
        if not isinstance(self.name, str) or not self.name:
            raise ValueError(f"A metric's name must be a non-empty string. Received: name={name!r}")
        self.dtype = dtype

    def _parameters(self):
        """``(threshold, k, num_thresholds, curve)`` for the library (each metric reads its own)."""
        return 0.5, 5, 200, 0

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}

    def __repr__(self):
        return f"{type(self).__name__}(name={self.name!r})"

    # --- On its own, as Keras's metric objects (the library's anneal_metric) ------------------------------------
    def _configurations(self):
        """One ``(threshold, k, num_thresholds, curve)`` per library metric this object is (a Precision or
        Recall has one per threshold)."""
        return [self._parameters()]

    def _limits(self):
        """``(top_k or 0, class_id or -1)`` for a Precision or Recall that has them, else None."""
        return None

    def _configure(self, handle):
        """Gives the library's metric object what ``anneal_metric_create`` does not take."""

    def _compiled(self, model_handle, index):
        """Gives a model's compiled metric ``index`` what ``anneal_model_set_metric`` does not take."""

    def _states(self):
        """The library's metric handles (one per threshold), made at the first update."""
        handles = self.__dict__.get("_handles")
        if handles is None:
            handles = []
            try:
                for threshold, k, num_thresholds, curve, *_ in self._configurations():
                    handle = ctypes.c_void_p()
                    _lib.check(_lib.anneal_metric_create(self._metric.encode(), threshold, k, num_thresholds, curve,
                                                         ctypes.byref(handle)))
                    handles.append(handle)
                    self._configure(handle)
            except BaseException:
                for handle in handles:
                    _lib.anneal_metric_free(handle)
                raise
            self._handles = handles
            self._finalizer = weakref.finalize(self, _free_all, list(handles))
        return handles

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Adds a batch: ``y_pred`` (samples x outputs), ``y_true`` (the same shape, or one class index per
        sample for the sparse metrics) and optional per-sample weights (a number weighs every sample)."""
        predictions = _arrays.as_matrix(y_pred, "y_pred")
        if predictions.rows == 0:
            return
        handles = self._states()
        columns = ctypes.c_int32()
        _lib.check(_lib.anneal_metric_label_columns(handles[0], predictions.columns, ctypes.byref(columns)))
        labels = _arrays.as_matrix(y_true, "y_true")
        if labels.rows != predictions.rows or labels.columns != columns.value:
            expected = "one class index per sample" if columns.value == 1 and predictions.columns > 1 else \
                f"{columns.value} label column{'s' if columns.value > 1 else ''} per sample"
            raise ValueError(f"{self.name}: y_true has shape ({labels.rows}, {labels.columns}) and y_pred "
                             f"({predictions.rows}, {predictions.columns}); expected {predictions.rows} rows of "
                             f"{expected}")
        weights = None
        if sample_weight is not None:
            if isinstance(sample_weight, numbers.Real) and not isinstance(sample_weight, bool):
                sample_weight = [float(sample_weight)] * predictions.rows
            weights = _arrays.as_matrix(sample_weight, "sample_weight")
            if weights.columns != 1 or weights.rows != predictions.rows:
                raise ValueError(f"{self.name}: sample_weight must hold one weight per sample ({predictions.rows}); "
                                 f"it has shape ({weights.rows}, {weights.columns})")
        for handle in handles:
            _lib.check(_lib.anneal_metric_update(handle, labels.pointer, predictions.pointer, predictions.rows,
                                                 predictions.columns, None if weights is None else weights.pointer))

    def result(self):
        """The metric over every sample since the last reset (0.0 before any), as ``fit`` logs it; a list of
        values, one per threshold, for a Precision or Recall of several thresholds (as Keras's tensor)."""
        values = []
        for handle in self._states():
            value = ctypes.c_double()
            _lib.check(_lib.anneal_metric_result(handle, ctypes.byref(value)))
            values.append(_Value(value.value))
        return values[0] if len(values) == 1 else values

    def reset_state(self):
        """Forgets every update."""
        for handle in self.__dict__.get("_handles") or []:
            _lib.check(_lib.anneal_metric_reset(handle))

    def reset_states(self):
        """Keras's older name of ``reset_state``."""
        self.reset_state()

    def merge_state(self, metrics):
        """Adds the state of each of ``metrics`` (the same class with the same parameters) to this one's."""
        for other in metrics:
            if not isinstance(other, Metric):
                raise ValueError(f"merge_state takes a list of metrics. Received: {other!r}")
            if type(other) is not type(self) or other._configurations() != self._configurations() \
                    or other._limits() != self._limits():
                raise ValueError(f"Cannot merge {other!r} into {self!r}: merge the same metric with the same "
                                 "parameters")
            for mine, theirs in zip(self._states(), other._states()):
                _lib.check(_lib.anneal_metric_merge(mine, theirs))

    def __call__(self, y_true, y_pred, sample_weight=None):
        """``update_state(y_true, y_pred, sample_weight)``, then ``result()``."""
        self.update_state(y_true, y_pred, sample_weight)
        return self.result()

    def __getstate__(self):
        # The library's state does not travel (a copy starts afresh, as a Keras metric before its first update).
        return {k: v for k, v in self.__dict__.items() if k not in ("_handles", "_finalizer")}


def _free_all(handles):
    for handle in handles:
        _lib.anneal_metric_free(handle)


class _Value(float):
    """A metric's result: a float, with Keras's ``.numpy()`` for code written against tensors."""

    def numpy(self):
        return _losses.numpy.float32(self) if _losses.numpy is not None else float(self)


def _simple(class_name, metric, default_name, doc):
    def __init__(self, name=default_name, dtype=None):
        Metric.__init__(self, name, dtype)
    return type(class_name, (Metric,), {"__init__": __init__, "_metric": metric, "__doc__": doc})


MeanAbsoluteError = _simple("MeanAbsoluteError", "mean_absolute_error", "mean_absolute_error",
                            "The mean of ``|y_pred - y_true|`` over the epoch.")
MeanSquaredError = _simple("MeanSquaredError", "mean_squared_error", "mean_squared_error",
                           "The mean of ``(y_pred - y_true)^2`` over the epoch.")
MeanAbsolutePercentageError = _simple("MeanAbsolutePercentageError", "mean_absolute_percentage_error",
                                      "mean_absolute_percentage_error", "mape over the epoch.")
MeanSquaredLogarithmicError = _simple("MeanSquaredLogarithmicError", "mean_squared_logarithmic_error",
                                      "mean_squared_logarithmic_error", "msle over the epoch.")
RootMeanSquaredError = _simple("RootMeanSquaredError", "root_mean_squared_error", "root_mean_squared_error",
                               "``sqrt(mean((y_pred - y_true)^2))`` over every output of the epoch.")
CategoricalAccuracy = _simple("CategoricalAccuracy", "categorical_accuracy", "categorical_accuracy",
                              "How often ``argmax(y_pred) == argmax(y_true)``.")
SparseCategoricalAccuracy = _simple("SparseCategoricalAccuracy", "sparse_categorical_accuracy",
                                    "sparse_categorical_accuracy", "How often ``argmax(y_pred)`` is the class index.")
BinaryCrossentropy = _simple("BinaryCrossentropy", "binary_crossentropy", "binary_crossentropy",
                             "The binary cross-entropy's mean over the epoch.")
CategoricalCrossentropy = _simple("CategoricalCrossentropy", "categorical_crossentropy", "categorical_crossentropy",
                                  "The categorical cross-entropy's mean over the epoch.")
SparseCategoricalCrossentropy = _simple("SparseCategoricalCrossentropy", "sparse_categorical_crossentropy",
                                        "sparse_categorical_crossentropy",
                                        "The sparse categorical cross-entropy's mean over the epoch.")
Hinge = _simple("Hinge", "hinge", "hinge", "The hinge loss's mean over the epoch.")
SquaredHinge = _simple("SquaredHinge", "squared_hinge", "squared_hinge", "The squared hinge loss's mean.")
CategoricalHinge = _simple("CategoricalHinge", "categorical_hinge", "categorical_hinge",
                           "The categorical hinge loss's mean.")
KLDivergence = _simple("KLDivergence", "kl_divergence", "kullback_leibler_divergence",
                       "The Kullback-Leibler divergence's mean.")
Poisson = _simple("Poisson", "poisson", "poisson", "The Poisson loss's mean.")
LogCoshError = _simple("LogCoshError", "log_cosh", "logcosh", "The mean of ``log(cosh(y_pred - y_true))``.")
CosineSimilarity = _simple("CosineSimilarity", "cosine_similarity", "cosine_similarity",
                           "The mean cosine similarity of labels and predictions (1 is the best).")


def _threshold(value, name):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise ValueError(f"`{name}` must be a finite number. Received: {name}={value!r}")
    return float(value)


def _positive(value, name):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value <= 0:
        raise ValueError(f"`{name}` must be a positive integer. Received: {name}={value!r}")
    return int(value)


class BinaryAccuracy(Metric):
    """How often ``(y_pred > threshold) == y_true``."""

    _metric = "binary_accuracy"

    def __init__(self, name="binary_accuracy", dtype=None, threshold=0.5):
        super().__init__(name, dtype)
        self.threshold = _threshold(threshold, "threshold")

    def _parameters(self):
        return self.threshold, 5, 200, 0


class TopKCategoricalAccuracy(Metric):
    """How often the labelled class is among the ``k`` largest outputs."""

    _metric = "top_k_categorical_accuracy"

    def __init__(self, k=5, name="top_k_categorical_accuracy", dtype=None):
        super().__init__(name, dtype)
        self.k = _positive(k, "k")

    def _parameters(self):
        return 0.5, self.k, 200, 0


class SparseTopKCategoricalAccuracy(TopKCategoricalAccuracy):
    """How often the class index is among the ``k`` largest outputs."""

    _metric = "sparse_top_k_categorical_accuracy"

    def __init__(self, k=5, name="sparse_top_k_categorical_accuracy", dtype=None):
        super().__init__(k, name, dtype)


class _Thresholded(Metric):
    """Keras's top_k (only each sample's k largest outputs can be positive; ties to the lower index) and
    class_id (only that output and its label), as ``tf_keras``'s ``update_confusion_matrix_variables``. With
    top_k and no thresholds, every output of the top k is positive (Keras's threshold -1e10). A list of
    thresholds gives one value per threshold: ``result()`` returns the list, and in ``compile`` the logs,
    History and ``evaluate`` hold the metric's float32 array (a list without numpy), the progress bar prints
    its mean and CSVLogger writes it as ``"[a, b]"``, as Keras's. The library keeps one metric per threshold,
    logged ``name[0]``, ``name[1]``... (what a C program reads)."""

    _NEG_INF = -1e10  # Keras's metrics_utils.NEG_INF

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        super().__init__(name, dtype)
        self.init_thresholds = thresholds
        self.top_k = None if top_k is None else _positive(top_k, "top_k")
        if class_id is not None and (isinstance(class_id, bool) or not isinstance(class_id, numbers.Integral)
                                     or class_id < 0):
            raise ValueError(f"`class_id` must be a non-negative integer. Received: class_id={class_id!r}")
        self.class_id = None if class_id is None else int(class_id)
        if thresholds is None:
            values = [0.5 if top_k is None else self._NEG_INF]
        elif isinstance(thresholds, (list, tuple)):
            if not thresholds:
                raise ValueError(f"`thresholds` must hold at least one value. Received: thresholds={thresholds!r}")
            values = [_threshold(value, "thresholds") for value in thresholds]
        else:
            values = [_threshold(thresholds, "thresholds")]
        self._threshold_list = values
        self.thresholds = values[0] if len(values) == 1 else list(values)

    def _configurations(self):
        return [(threshold, 5, 200, 0) for threshold in self._threshold_list]

    def _limits(self):
        if self.top_k is None and self.class_id is None:
            return None
        return (self.top_k or 0, -1 if self.class_id is None else self.class_id)

    def _configure(self, handle):
        if self._limits() is not None:
            _lib.check(_lib.anneal_metric_set_top_k(handle, *self._limits()))

    def _compiled(self, model_handle, index):
        if self._limits() is not None:
            _lib.check(_lib.anneal_model_set_metric_top_k(model_handle, index, *self._limits()))

    def get_config(self):
        return {**super().get_config(), "thresholds": self.init_thresholds, "top_k": self.top_k,
                "class_id": self.class_id}


class Precision(_Thresholded):
    """``TP / (TP + FP)`` over the epoch; a prediction is positive when above ``thresholds`` (0.5)."""

    _metric = "precision"


class Recall(_Thresholded):
    """``TP / (TP + FN)`` over the epoch; a prediction is positive when above ``thresholds`` (0.5)."""

    _metric = "recall"


class AUC(Metric):
    """The area under the ROC or PR curve, from counts at ``num_thresholds`` evenly spaced thresholds.

    ROC: ``sum((FPR_i - FPR_i+1) * (TPR_i + TPR_i+1) / 2)``; PR: Davis & Goadrich's interpolation, as Keras's
    ``summation_method='interpolation'``; ``'minoring'`` / ``'majoring'`` take the lower / higher of each
    interval's two heights (PR: precision over recall). Predictions are clipped to [0, 1]; labels are positive
    when non-zero. An explicit ``thresholds`` list counts at -1e-7, its sorted values and 1 + 1e-7
    (``num_thresholds`` becomes its length + 2), predictions unclipped unless the values are evenly spaced, as
    Keras; ``from_logits=True`` applies the sigmoid to the predictions first.
    """

    _metric = "auc"

    def __init__(self, num_thresholds=200, curve="ROC", summation_method="interpolation", name=None, dtype=None,
                 thresholds=None, multi_label=False, num_labels=None, label_weights=None, from_logits=False):
        super().__init__(name, dtype)
        if isinstance(num_thresholds, bool) or not isinstance(num_thresholds, numbers.Integral) or num_thresholds <= 1:
            raise ValueError("Argument `num_thresholds` must be an integer > 1. "
                             f"Received: num_thresholds={num_thresholds!r}")
        key = curve.upper() if isinstance(curve, str) else None
        if key not in _CURVES:
            raise ValueError(f'Invalid AUC curve value: "{curve}". Expected values are ["ROC", "PR"]')
        summation = summation_method.lower() if isinstance(summation_method, str) else None
        if summation not in _SUMMATIONS or summation_method not in (summation, summation.capitalize()):
            raise ValueError(f'Invalid AUC summation method value: "{summation_method}". '
                             'Expected values are ["interpolation", "majoring", "minoring"]')
        if thresholds is not None:
            if isinstance(thresholds, (str, bytes)) or not hasattr(thresholds, "__iter__"):
                raise ValueError(f"`thresholds` must be a list of numbers. Received: thresholds={thresholds!r}")
            thresholds = [_threshold(value, "thresholds") for value in thresholds]
            if not thresholds:
                raise ValueError(f"`thresholds` must hold at least one value. Received: thresholds={thresholds!r}")
            thresholds = sorted(thresholds)
            num_thresholds = len(thresholds) + 2
        if num_labels is not None:
            if not multi_label:
                raise ValueError("`num_labels` is needed only when `multi_label` is True.")
            num_labels = _positive(num_labels, "num_labels")
        if label_weights is not None:
            try:
                label_weights = [float(w) for w in label_weights]
            except (TypeError, ValueError):
                raise ValueError(f"`label_weights` must be a list of numbers. Received: {label_weights!r}") from None
            if not label_weights or not all(math.isfinite(w) and w >= 0 for w in label_weights):
                raise ValueError(f"All values of `label_weights` must be non-negative. Received: {label_weights!r}")
        self.num_thresholds = int(num_thresholds)
        self.curve = key
        self.summation_method = summation
        self.thresholds_given = thresholds
        self.from_logits = bool(from_logits)
        self.multi_label = bool(multi_label)
        self.num_labels = num_labels
        self.label_weights = label_weights

    def _weights_buffer(self):
        if self.label_weights is None:
            return None, 0
        values = (ctypes.c_float * len(self.label_weights))(*self.label_weights)
        return values, len(self.label_weights)

    @property
    def thresholds(self):
        """The thresholds counted at, as Keras's: -1e-7, the evenly spaced or given values, 1 + 1e-7."""
        inner = self.thresholds_given
        if inner is None:
            inner = [(i + 1) * 1.0 / (self.num_thresholds - 1) for i in range(self.num_thresholds - 2)]
        return [0.0 - 1e-7] + list(inner) + [1.0 + 1e-7]

    def _method(self):
        """``(summation code, thresholds buffer, count, from_logits)`` for the library, or None at the defaults."""
        if self.summation_method == "interpolation" and self.thresholds_given is None and not self.from_logits:
            return None
        values = self.thresholds_given or []
        buffer = (ctypes.c_float * len(values))(*values) if values else None
        return _SUMMATIONS[self.summation_method], buffer, len(values), self.from_logits

    def _configure(self, handle):
        if self.multi_label or self.label_weights is not None:
            weights, count = self._weights_buffer()
            _lib.check(_lib.anneal_metric_set_auc_labels(handle, self.multi_label, self.num_labels or 0, weights,
                                                         count))
        method = self._method()
        if method is not None:
            _lib.check(_lib.anneal_metric_set_auc_method(handle, *method))

    def _compiled(self, model_handle, index):
        if self.multi_label or self.label_weights is not None:
            weights, count = self._weights_buffer()
            _lib.check(_lib.anneal_model_set_metric_auc_labels(model_handle, index, self.multi_label, weights, count))
        method = self._method()
        if method is not None:
            _lib.check(_lib.anneal_model_set_metric_auc_method(model_handle, index, *method))

    def _configurations(self):
        return [self._parameters() + (self.multi_label, self.num_labels, tuple(self.label_weights or ()),
                                      self.summation_method, tuple(self.thresholds_given or ()), self.from_logits)]

    def get_config(self):
        config = {**super().get_config(), "num_thresholds": self.num_thresholds, "curve": self.curve,
                  "summation_method": self.summation_method, "multi_label": self.multi_label,
                  "num_labels": self.num_labels, "label_weights": self.label_weights,
                  "from_logits": self.from_logits}
        if self.thresholds_given is not None:
            config["thresholds"] = list(self.thresholds_given)
        return config

    def _parameters(self):
        return 0.5, 5, self.num_thresholds, _CURVES[self.curve]


_FUNCTIONS = {
    "binary_accuracy": binary_accuracy, "categorical_accuracy": categorical_accuracy,
    "sparse_categorical_accuracy": sparse_categorical_accuracy,
    "top_k_categorical_accuracy": top_k_categorical_accuracy,
    "sparse_top_k_categorical_accuracy": sparse_top_k_categorical_accuracy, "cosine_similarity": cosine_similarity,
}


def _resolve(identifier):
    """``(metric, log_name, parameters or None)`` for compile: the library's metric name, the log name, and
    the object's parameters, one ``(threshold, k, num_thresholds, curve)`` per library metric it is (a
    Precision or Recall of several thresholds is one per threshold); None for a name or function, which take
    Keras's defaults."""
    if isinstance(identifier, Metric):
        return identifier._metric, identifier.name, [tuple(c[:4]) for c in identifier._configurations()]
    if isinstance(identifier, _losses.Loss):
        return identifier._function_name, identifier.name, None
    if isinstance(identifier, str):
        return identifier, identifier, None
    name = getattr(identifier, "__name__", None)
    if callable(identifier) and isinstance(name, str) and (
            name in _FUNCTIONS or _losses._function_name(name) is not None):
        return name, name, None
    raise ValueError(f"Unknown metric function: {identifier!r}. Pass a name ('accuracy', 'mae', 'auc'...), an "
                     "anneal.metrics function or an anneal.metrics object.")


def get(identifier):
    """A metric given by name (returned as the name, which keys the logs), by an ``anneal.metrics`` or
    ``anneal.losses`` function, or as a ``Metric`` or ``Loss`` object (returned as is); ValueError with
    Keras's message for anything else."""
    if isinstance(identifier, str):
        _names.check_metric_name(identifier)  # the library knows the names
        return identifier
    _resolve(identifier)
    return identifier


def __getattr__(name):
    raise _missing.missing("anneal.metrics", name, __all__,
                           "Give compile() metrics by name (metrics=['accuracy', 'auc']), as functions or as "
                           "these classes.")
