"""Losses: Keras's loss functions and classes, for ``compile(loss=...)``.

Training computes every loss in the library (float32, Keras's reductions and clipping; see
``Sources/Anneal/Loss.swift``). The functions here also compute a loss's per-sample values in Python, in
float64, as Keras's functions do: ``mean_absolute_error(y_true, y_pred)`` gives one value per sample (the
mean over its last axis, or the sum where Keras sums); a loss object called as ``loss(y_true, y_pred)``
gives the batch's value, the mean of those. With ``y`` the labels, ``p`` the predictions and ``eps = 1e-7``:

    mean_squared_error              mean((p - y)^2)
    mean_absolute_error             mean(|p - y|)
    mean_absolute_percentage_error  100 mean(|y - p| / max(|y|, eps))
    mean_squared_logarithmic_error  mean((log(max(p, eps) + 1) - log(max(y, eps) + 1))^2)
    huber                           mean(|e| <= delta ? e^2 / 2 : delta |e| - delta^2 / 2),  e = p - y
    log_cosh                        mean(log(cosh(p - y)))
    hinge                           mean(max(1 - y p, 0))      (labels all 0 or 1 become -1 or 1)
    squared_hinge                   mean(max(1 - y p, 0)^2)    (the same)
    categorical_hinge               max(max((1 - y) p) - sum(y p) + 1, 0)
    kl_divergence                   sum(y log(y / p)), y and p clipped to [eps, 1]
    poisson                         mean(p - y log(p + eps))
    cosine_similarity               -sum(y / ||y|| * p / ||p||)
    binary_crossentropy             mean(-(y log(p + eps) + (1 - y) log(1 - p + eps))), p clipped to [eps, 1 - eps]
    categorical_crossentropy        -sum(y log(p)), p normalised then clipped to [eps, 1 - eps]
    sparse_categorical_crossentropy -log(p[y]), p clipped then normalised
"""

import math
import numbers

from . import _missing, _names

try:
    import numpy
except ImportError:  # numpy is optional
    numpy = None

__all__ = [
    "Loss", "BinaryCrossentropy", "CategoricalCrossentropy", "SparseCategoricalCrossentropy", "MeanSquaredError",
    "MeanAbsoluteError", "MeanAbsolutePercentageError", "MeanSquaredLogarithmicError", "Huber", "LogCosh",
    "Hinge", "SquaredHinge", "CategoricalHinge", "KLDivergence", "Poisson", "CosineSimilarity",
    "binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy", "mean_squared_error",
    "mean_absolute_error", "mean_absolute_percentage_error", "mean_squared_logarithmic_error", "huber",
    "log_cosh", "hinge", "squared_hinge", "categorical_hinge", "kl_divergence", "poisson", "cosine_similarity",
    "mse", "mae", "mape", "msle", "kld", "logcosh", "bce", "get",
]

_EPSILON = 1e-7


# --- Helpers ------------------------------------------------------------------------------------------------
def _rows(values, name):
    """``values`` as a list of rows of floats, and whether it was one sample (1-D)."""
    if numpy is not None and hasattr(values, "shape"):
        values = numpy.asarray(values, dtype=numpy.float64).tolist()
    if isinstance(values, numbers.Real):
        return [[float(values)]], True
    values = list(values)
    if values and all(isinstance(v, numbers.Real) for v in values):
        return [[float(v) for v in values]], True
    rows = [[float(v) for v in row] for row in values]
    return rows, False


def _per_sample(function, y_true, y_pred):
    """Applies ``function(y_row, p_row)`` to each sample: a float for one sample, else one value per sample
    (a numpy array when numpy is installed)."""
    ys, single = _rows(y_true, "y_true")
    ps, _ = _rows(y_pred, "y_pred")
    if len(ys) != len(ps) or any(len(y) != len(p) for y, p in zip(ys, ps)):
        raise ValueError(f"y_true and y_pred must have the same shape. Received: {len(ys)} and {len(ps)} samples")
    values = [function(y, p) for y, p in zip(ys, ps)]
    if single:
        return values[0]
    return numpy.asarray(values) if numpy is not None else values


def _mean(values):
    return sum(values) / len(values)


def _softplus(x):
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


def _convert_hinge_labels(y):
    return [2 * v - 1 for v in y] if all(v in (0.0, 1.0) for v in y) else y


def _sigmoid(x):
    return 1 / (1 + math.exp(-x)) if x >= 0 else math.exp(x) / (1 + math.exp(x))


# --- Functions ----------------------------------------------------------------------------------------------
def mean_squared_error(y_true, y_pred):
    """Per sample: ``mean((y_pred - y_true)^2)`` over the last axis."""
    return _per_sample(lambda y, p: _mean([(b - a) ** 2 for a, b in zip(y, p)]), y_true, y_pred)


def mean_absolute_error(y_true, y_pred):
    """Per sample: ``mean(|y_pred - y_true|)``."""
    return _per_sample(lambda y, p: _mean([abs(b - a) for a, b in zip(y, p)]), y_true, y_pred)


def mean_absolute_percentage_error(y_true, y_pred):
    """Per sample: ``100 * mean(|y_true - y_pred| / max(|y_true|, 1e-7))``."""
    return _per_sample(lambda y, p: 100 * _mean([abs((a - b) / max(abs(a), _EPSILON)) for a, b in zip(y, p)]),
                       y_true, y_pred)


def mean_squared_logarithmic_error(y_true, y_pred):
    """Per sample: ``mean((log(max(y_pred, 1e-7) + 1) - log(max(y_true, 1e-7) + 1))^2)``."""
    return _per_sample(lambda y, p: _mean([(math.log(max(b, _EPSILON) + 1) - math.log(max(a, _EPSILON) + 1)) ** 2
                                           for a, b in zip(y, p)]), y_true, y_pred)


def huber(y_true, y_pred, delta=1.0):
    """Per sample: ``mean(e^2 / 2 if |e| <= delta else delta * |e| - delta^2 / 2)``, ``e = y_pred - y_true``."""
    def value(y, p):
        return _mean([0.5 * (b - a) ** 2 if abs(b - a) <= delta else delta * abs(b - a) - 0.5 * delta ** 2
                      for a, b in zip(y, p)])
    return _per_sample(value, y_true, y_pred)


def log_cosh(y_true, y_pred):
    """Per sample: ``mean(log(cosh(y_pred - y_true)))``, computed as ``e + softplus(-2 e) - log(2)``."""
    return _per_sample(lambda y, p: _mean([(b - a) + _softplus(-2 * (b - a)) - math.log(2) for a, b in zip(y, p)]),
                       y_true, y_pred)


def hinge(y_true, y_pred):
    """Per sample: ``mean(max(1 - y_true * y_pred, 0))``; labels that are all 0 or 1 become -1 or 1 first."""
    return _hinge(y_true, y_pred, squared=False)


def squared_hinge(y_true, y_pred):
    """Per sample: ``mean(max(1 - y_true * y_pred, 0)^2)``; labels all 0 or 1 become -1 or 1 first."""
    return _hinge(y_true, y_pred, squared=True)


def _hinge(y_true, y_pred, squared):
    ys, _ = _rows(y_true, "y_true")
    # Keras converts when every label of the batch is 0 or 1.
    binary = all(v in (0.0, 1.0) for row in ys for v in row)

    def value(y, p):
        labels = [2 * v - 1 for v in y] if binary else y
        margins = [max(1 - a * b, 0.0) for a, b in zip(labels, p)]
        return _mean([m * m for m in margins] if squared else margins)
    return _per_sample(value, y_true, y_pred)


def categorical_hinge(y_true, y_pred):
    """Per sample: ``max(max((1 - y_true) * y_pred) - sum(y_true * y_pred) + 1, 0)``."""
    def value(y, p):
        positive = sum(a * b for a, b in zip(y, p))
        negative = max((1 - a) * b for a, b in zip(y, p))
        return max(negative - positive + 1, 0.0)
    return _per_sample(value, y_true, y_pred)


def kl_divergence(y_true, y_pred):
    """Per sample: ``sum(y log(y / p))`` with both clipped to ``[1e-7, 1]``."""
    def value(y, p):
        total = 0.0
        for a, b in zip(y, p):
            a = min(max(a, _EPSILON), 1.0)
            total += a * math.log(a / min(max(b, _EPSILON), 1.0))
        return total
    return _per_sample(value, y_true, y_pred)


def poisson(y_true, y_pred):
    """Per sample: ``mean(y_pred - y_true * log(y_pred + 1e-7))``."""
    return _per_sample(lambda y, p: _mean([b - a * math.log(b + _EPSILON) for a, b in zip(y, p)]), y_true, y_pred)


def cosine_similarity(y_true, y_pred, axis=-1):
    """Per sample: ``-sum(l2_normalize(y_true) * l2_normalize(y_pred))`` (a loss: -1 is the best)."""
    if axis != -1:
        raise ValueError(f"Anneal computes cosine_similarity over the last axis. Received: axis={axis}")

    def value(y, p):
        ny = math.sqrt(max(sum(a * a for a in y), 1e-12))
        np_ = math.sqrt(max(sum(b * b for b in p), 1e-12))
        return -sum(a / ny * b / np_ for a, b in zip(y, p))
    return _per_sample(value, y_true, y_pred)


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Per sample: the mean over outputs of ``-(y log(p + eps) + (1 - y) log(1 - p + eps))``, p clipped to
    ``[eps, 1 - eps]``; from logits ``l``: ``max(l, 0) - l y + log(1 + exp(-|l|))``. Labels are smoothed to
    ``y (1 - s) + s / 2`` first."""
    _check_axis(axis)

    def value(y, p):
        total = 0.0
        for a, b in zip(y, p):
            a = a * (1 - label_smoothing) + 0.5 * label_smoothing
            if from_logits:
                total += max(b, 0.0) - b * a + math.log1p(math.exp(-abs(b)))
            else:
                b = min(max(b, _EPSILON), 1 - _EPSILON)
                total -= a * math.log(b + _EPSILON) + (1 - a) * math.log(1 - b + _EPSILON)
        return total / len(y)
    return _per_sample(value, y_true, y_pred)


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Per sample: ``-sum(y log(p))`` with ``p`` normalised to sum 1 and clipped to ``[eps, 1 - eps]``; from
    logits, ``logsumexp(l) sum(y) - sum(y l)``. Labels are smoothed to ``y (1 - s) + s / classes`` first."""
    _check_axis(axis)

    def value(y, p):
        labels = [a * (1 - label_smoothing) + label_smoothing / len(y) for a in y]
        if from_logits:
            largest = max(p)
            log_sum = largest + math.log(sum(math.exp(b - largest) for b in p))
            return sum(a * (log_sum - b) for a, b in zip(labels, p))
        total = sum(p)
        return -sum(a * math.log(min(max(b / total, _EPSILON), 1 - _EPSILON)) for a, b in zip(labels, p))
    return _per_sample(value, y_true, y_pred)


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, axis=-1):
    """Per sample: ``-log(p[y])`` for the class index ``y``; probabilities are clipped to ``[eps, 1 - eps]``
    then normalised (``log(sum(p)) - log(p[y])``), logits go through log-softmax."""
    _check_axis(axis)
    ps, single = _rows(y_pred, "y_pred")
    classes, _ = _rows(y_true, "y_true")
    labels = [int(v) for row in classes for v in row]  # (n,) or (n, 1) class indices

    def value(label, p):
        if from_logits:
            largest = max(p)
            return largest + math.log(sum(math.exp(b - largest) for b in p)) - p[label]
        clipped = [min(max(b, _EPSILON), 1 - _EPSILON) for b in p]
        return math.log(sum(clipped)) - math.log(clipped[label])
    values = [value(label, p) for label, p in zip(labels, ps)]
    if single:
        return values[0]
    return numpy.asarray(values) if numpy is not None else values


def _check_axis(axis):
    if axis != -1:
        raise ValueError(f"Anneal computes losses over the last axis. Received: axis={axis}")


# Keras's aliases.
mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kullback_leibler_divergence = kl_divergence
logcosh = log_cosh
huber_loss = huber
bce = BCE = binary_crossentropy


# --- Classes ------------------------------------------------------------------------------------------------
class Loss:
    """A loss for ``compile``: the function, its parameters, and Keras's reduction when called.

    ``loss(y_true, y_pred)`` returns the mean of the per-sample values (Keras's default
    ``SUM_OVER_BATCH_SIZE`` reduction).
    """

    _function_name = None  # the Keras function name, which the library resolves

    def __init__(self, reduction="auto", name=None):
        if reduction not in ("auto", "sum_over_batch_size"):
            raise ValueError(f"Anneal reduces every loss as Keras's default, 'sum_over_batch_size'. "
                             f"Received: reduction={reduction!r}")
        self.reduction = reduction
        self.name = name or self._function_name

    def _parameters(self):
        """``(from_logits, label_smoothing, delta)`` for the library."""
        return False, 0.0, 1.0

    def _values(self, y_true, y_pred):
        return globals()[self._function_name](y_true, y_pred)

    def __call__(self, y_true, y_pred, sample_weight=None):
        if sample_weight is not None:
            raise ValueError("Anneal's loss objects take no sample_weight")
        values = self._values(y_true, y_pred)
        if isinstance(values, numbers.Real):
            return float(values)
        values = list(values)
        return sum(values) / len(values)

    def get_config(self):
        return {"reduction": self.reduction, "name": self.name}

    def __repr__(self):
        return f"{type(self).__name__}(name={self.name!r})"


def _check_smoothing(label_smoothing):
    if isinstance(label_smoothing, bool) or not isinstance(label_smoothing, numbers.Real) \
            or not 0 <= label_smoothing <= 1:
        raise ValueError(f"`label_smoothing` must be a float in [0, 1]. Received: label_smoothing={label_smoothing!r}")
    return float(label_smoothing)


class _SmoothedCrossentropy(Loss):
    """A cross-entropy with Keras's ``from_logits`` and ``label_smoothing``; the subclass names its function."""

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1, reduction="auto", name=None):
        super().__init__(reduction, name)
        _check_axis(axis)
        self.from_logits = bool(from_logits)
        self.label_smoothing = _check_smoothing(label_smoothing)

    def _parameters(self):
        return self.from_logits, self.label_smoothing, 1.0

    def _values(self, y_true, y_pred):
        return globals()[self._function_name](y_true, y_pred, self.from_logits, self.label_smoothing)

    def get_config(self):
        return {**super().get_config(), "from_logits": self.from_logits, "label_smoothing": self.label_smoothing}


class BinaryCrossentropy(_SmoothedCrossentropy):
    """Binary cross-entropy (see ``binary_crossentropy``); ``from_logits=True`` reads the outputs as logits.
    Keras's signature: ``BinaryCrossentropy(from_logits=False, label_smoothing=0.0, axis=-1, reduction="auto",
    name="binary_crossentropy")``."""

    _function_name = "binary_crossentropy"


class CategoricalCrossentropy(_SmoothedCrossentropy):
    """Categorical cross-entropy on one-hot (or soft) labels (see ``categorical_crossentropy``), with Keras's
    signature ``CategoricalCrossentropy(from_logits=False, label_smoothing=0.0, axis=-1, reduction="auto",
    name="categorical_crossentropy")``."""

    _function_name = "categorical_crossentropy"


class SparseCategoricalCrossentropy(Loss):
    """Cross-entropy on class indices (see ``sparse_categorical_crossentropy``)."""

    _function_name = "sparse_categorical_crossentropy"

    def __init__(self, from_logits=False, ignore_class=None, reduction="auto",
                 name="sparse_categorical_crossentropy"):
        super().__init__(reduction, name)
        if ignore_class is not None:
            raise ValueError(f"Anneal does not support ignore_class. Received: ignore_class={ignore_class!r}")
        self.from_logits = bool(from_logits)

    def _parameters(self):
        return self.from_logits, 0.0, 1.0

    def _values(self, y_true, y_pred):
        return sparse_categorical_crossentropy(y_true, y_pred, self.from_logits)

    def get_config(self):
        return {**super().get_config(), "from_logits": self.from_logits}


class Huber(Loss):
    """Huber loss: quadratic for errors within ``delta``, linear beyond (see ``huber``)."""

    _function_name = "huber"

    def __init__(self, delta=1.0, reduction="auto", name="huber_loss"):
        super().__init__(reduction, name)
        if isinstance(delta, bool) or not isinstance(delta, numbers.Real) or not math.isfinite(delta):
            raise ValueError(f"`delta` must be a finite number. Received: delta={delta!r}")
        self.delta = float(delta)

    def _parameters(self):
        return False, 0.0, self.delta

    def _values(self, y_true, y_pred):
        return huber(y_true, y_pred, self.delta)

    def get_config(self):
        return {**super().get_config(), "delta": self.delta}


def _simple(class_name, function_name, doc):
    def __init__(self, reduction="auto", name=function_name):
        Loss.__init__(self, reduction, name)
    return type(class_name, (Loss,), {"__init__": __init__, "_function_name": function_name, "__doc__": doc})


MeanSquaredError = _simple("MeanSquaredError", "mean_squared_error", "Mean squared error (see ``mean_squared_error``).")
MeanAbsoluteError = _simple("MeanAbsoluteError", "mean_absolute_error",
                            "Mean absolute error (see ``mean_absolute_error``).")
MeanAbsolutePercentageError = _simple("MeanAbsolutePercentageError", "mean_absolute_percentage_error",
                                      "Mean absolute percentage error (see ``mean_absolute_percentage_error``).")
MeanSquaredLogarithmicError = _simple("MeanSquaredLogarithmicError", "mean_squared_logarithmic_error",
                                      "Mean squared logarithmic error (see ``mean_squared_logarithmic_error``).")
LogCosh = _simple("LogCosh", "log_cosh", "Logarithm of the hyperbolic cosine of the error (see ``log_cosh``).")
Hinge = _simple("Hinge", "hinge", "Hinge loss (see ``hinge``).")
SquaredHinge = _simple("SquaredHinge", "squared_hinge", "Squared hinge loss (see ``squared_hinge``).")
CategoricalHinge = _simple("CategoricalHinge", "categorical_hinge", "Categorical hinge loss (see ``categorical_hinge``).")
KLDivergence = _simple("KLDivergence", "kl_divergence", "Kullback-Leibler divergence (see ``kl_divergence``).")
Poisson = _simple("Poisson", "poisson", "Poisson loss (see ``poisson``).")
CosineSimilarity = _simple("CosineSimilarity", "cosine_similarity", "Negated cosine similarity (see ``cosine_similarity``).")


def _function_name(identifier):
    """The Keras function name a loss name, alias or class name stands for (the library looks it up), or None."""
    return _names.LOSSES.name(identifier)


def _unknown(identifier):
    return ValueError(f"Unknown loss function: '{identifier}'. Expected one of: "
                      + ", ".join(sorted(_names.LOSSES.names.values())))


def get(identifier):
    """A loss from a name (``"mae"``, ``"Huber"``...), a loss function or a ``Loss`` object (returned as is)."""
    if isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, str):
        name = _function_name(identifier)
        if name is not None:
            return globals()[name]
    elif callable(identifier) and _function_name(getattr(identifier, "__name__", "")) is not None:
        return identifier
    raise _unknown(identifier)


def _resolve(identifier):
    """``(function_name, from_logits, label_smoothing, delta, display_name)`` for compile, or ValueError."""
    if isinstance(identifier, Loss):
        return (identifier._function_name, *identifier._parameters(), identifier.name)
    if isinstance(identifier, str):
        name = _function_name(identifier)
        display = identifier
    else:
        display = getattr(identifier, "__name__", None)
        name = _function_name(display) if isinstance(display, str) and callable(identifier) else None
    if name is None:
        raise _unknown(identifier)
    return name, False, 0.0, 1.0, display


def __getattr__(name):
    raise _missing.missing("anneal.losses", name, __all__,
                           "Give compile() a loss by name (loss='mae'), as a function or as one of these classes.")
