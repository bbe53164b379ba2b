"""Keras's model files, through h5py (an optional dependency: ``pip install anneal[h5]``).

Reads a Keras 2 ``.h5`` file (``model_config``, ``training_config``, ``model_weights``, ``optimizer_weights``
of a legacy optimizer), a Keras ``.keras`` archive (``config.json``, ``metadata.json``, ``model.weights.h5``)
and Keras's weights files (``.weights.h5``, ``.h5``); writes a Keras 2 ``.h5`` file that tf_keras loads.

A Keras model becomes an Anneal model through Anneal's own model file: this module writes one (a description
and the tensors, the format documented in the Swift ``ModelFile``) and the library loads it, so the weights,
the optimizer's arguments and its state arrive exactly as the library's own loader sets them. In the other
direction the library saves the model to its own file and this module reads that file back.

Layers: ``Dense``; ``Dropout`` (its ``rate`` and ``seed``, read and written as Keras's config has them, with
``noise_shape`` None: Anneal draws one mask value per input value); ``InputLayer`` (the input width); and
``Activation`` directly after a linear ``Dense``, folded into it. A Dropout's masks come from Anneal's own
generator: a model loaded from a Keras file predicts as Keras's does, but trains with other masks.
"""

import inspect
import io
import json
import os
import re
import struct
import tempfile
import zipfile
import zlib

try:
    import h5py
    import numpy as np
except ImportError as error:  # pragma: no cover - exercised where h5py is missing
    raise ImportError(
        f"Reading and writing Keras files needs h5py and numpy ({error}); install them with "
        "`pip install anneal[h5]` (or `pip install h5py`).") from error

from . import _logs, _model_file, _names, utils
from .errors import CorruptFileError

KERAS_VERSION = "2.21.0"  # what tf_keras wrote the reference files with; tf_keras checks only its presence

# Keras's legacy slot names in optimizer_weights are Anneal's state names.
_OPTIMIZER_FIELDS = {
    "SGD": (("momentum", 0.0), ("nesterov", False)),
    "Adam": (("beta_1", 0.9), ("beta_2", 0.999), ("epsilon", 1e-7), ("amsgrad", False)),
    "RMSprop": (("rho", 0.9), ("momentum", 0.0), ("epsilon", 1e-7), ("centered", False)),
    "Adagrad": (("initial_accumulator_value", 0.1), ("epsilon", 1e-7)),
    "Adadelta": (("rho", 0.95), ("epsilon", 1e-7)),
    "Adamax": (("beta_1", 0.9), ("beta_2", 0.999), ("epsilon", 1e-7)),
    "Nadam": (("beta_1", 0.9), ("beta_2", 0.999), ("epsilon", 1e-7)),
}


def _text(value):
    """A description field: Swift reads `true`/`false`, integers and shortest round-trip numbers."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _snake(name):
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _strings(value):
    """An HDF5 string-list attribute as a list of str (Keras writes bytes or str, possibly an empty float array)."""
    if isinstance(value, (str, bytes)):
        value = [value]
    return [item.decode("utf8") if isinstance(item, bytes) else str(item) for item in np.asarray(value).ravel()
            if isinstance(item, (str, bytes, np.str_, np.bytes_))]


# --- The Keras config as Anneal records ---------------------------------------------------------------------

def _initializer(config):
    if config is None:
        return "zeros"
    if isinstance(config, str):
        return _names.INITIALIZERS.name(config) or config
    kind = config.get("class_name", "")
    arguments = config.get("config") or {}
    if kind in ("RandomNormal", "TruncatedNormal"):
        name = "normal" if kind == "RandomNormal" else "truncated_normal"
        return f"{name}({float(arguments.get('mean', 0.0))!r},{float(arguments.get('stddev', 0.05))!r})"
    if kind == "RandomUniform":
        return f"uniform({float(arguments.get('minval', -0.05))!r},{float(arguments.get('maxval', 0.05))!r})"
    if kind == "Constant":
        return f"constant({float(arguments.get('value', 0.0))!r})"
    name = _names.INITIALIZERS.name(kind)
    if name is None:
        raise ValueError(f"Anneal has no initializer {kind!r} (in the Keras file)")
    return name


def _dropout(config, path):
    """A Keras Dropout config as Anneal's: rate and seed (None, or an integer kept modulo 2**64)."""
    if config.get("noise_shape") is not None:
        raise ValueError(f"{path}: Anneal's Dropout draws one mask value per input value; the layer "
                         f"{config.get('name')!r} has noise_shape={config['noise_shape']!r}")
    seed = config.get("seed")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        raise ValueError(f"{path}: the Dropout layer {config.get('name')!r} has seed={seed!r}, not an integer")
    return {"class": "Dropout", "name": config.get("name"), "rate": float(config["rate"]),
            "seed": None if seed is None else seed % 2**64}


def _layers(model_config, path):
    """The layers of a Keras Sequential config, Dense and Dropout in order: a list of dicts (``class``,
    ``name``, then units, activation and initializers, or rate and seed), and the input width."""
    if model_config.get("class_name") != "Sequential":
        raise ValueError(f"{path}: Anneal reads Sequential models; this file holds a {model_config.get('class_name')}")
    input_dim = None
    found = []
    for layer in model_config["config"]["layers"]:
        kind, config = layer["class_name"], layer["config"]
        shape = config.get("batch_input_shape") or config.get("batch_shape")
        if shape and input_dim is None and not found:
            input_dim = int(shape[-1])
        if kind == "InputLayer":
            continue
        if kind == "Dropout":
            found.append(_dropout(config, path))
            continue
        if kind in ("Activation", "LeakyReLU") and found and found[-1]["class"] == "Dense" \
                and found[-1]["activation"] == "linear" and "folded" not in found[-1]:
            # Folded into the Dense before it, and kept as a layer of its own on the Python side.
            folded = {"class": kind, "name": _model_file.quote(config.get("name") or _snake(kind))}
            if kind == "LeakyReLU":
                alpha = float(config.get("alpha", config.get("negative_slope", 0.3)))
                found[-1].update(activation="leaky_relu", alpha=alpha)
                folded["alpha"] = _text(alpha)
            else:
                found[-1]["activation"] = folded["activation"] = config["activation"]
            found[-1]["folded"] = folded
            continue
        if kind != "Dense":
            raise ValueError(f"{path}: Anneal reads Dense, Dropout, Input layers, and Activation and LeakyReLU "
                             f"layers after a linear Dense; this model has a {kind} layer ({config.get('name')!r})")
        activation = config.get("activation") or "linear"
        found.append({
            "class": "Dense", "name": config.get("name"), "units": int(config["units"]), "activation": activation,
            "use_bias": bool(config.get("use_bias", True)),
            "kernel_initializer": _initializer(config.get("kernel_initializer", "glorot_uniform")),
            "bias_initializer": _initializer(config.get("bias_initializer", "zeros")),
        })
    if not any(layer["class"] == "Dense" for layer in found):
        raise ValueError(f"{path}: the model has no Dense layer")
    return found, input_dim


def _metric_records(metrics):
    """The ``metric`` records of a Keras compile config's metrics: a name as given (Keras's defaults), or a
    serialized metric object, rebuilt as the ``anneal.metrics`` class of that name so that its name and
    parameters (threshold, k, num_thresholds, curve) are kept."""
    from . import metrics as metrics_module

    records = []
    for item in metrics or []:
        if isinstance(item, list):
            records += _metric_records(item)
        elif isinstance(item, str):
            if not re.fullmatch(r"\w+", item):
                raise ValueError(f"Anneal cannot read this Keras metric: {item!r}")
            records.append(("metric", [("name", _model_file.quote(item)), ("kind", item)]))
        elif isinstance(item, dict):
            class_name = item.get("class_name", "")
            config = dict(item.get("config") or {})
            cls = getattr(metrics_module, class_name, None) if isinstance(class_name, str) else None
            if not (isinstance(cls, type) and issubclass(cls, metrics_module.Metric) and cls._metric):
                # tf_keras's MeanMetricWrapper of a function (how it saves metrics=["accuracy"]), or a class
                # Anneal knows by name only: the function's or class's name, at Keras's defaults.
                kind = config.get("fn") if class_name == "MeanMetricWrapper" else _snake(str(class_name))
                name = config.get("name") or kind
                if not isinstance(kind, str) or not re.fullmatch(r"\w+", kind) or not isinstance(name, str):
                    raise ValueError(f"Anneal cannot read this Keras metric: {item!r}")
                records.append(("metric", [("name", _model_file.quote(name)), ("kind", kind)]))
                continue
            config.setdefault("name", _snake(class_name))
            accepted = inspect.signature(cls.__init__).parameters
            metric = cls(**{key: value for key, value in config.items() if key in accepted})
            curves = {code: text for text, code in metrics_module._CURVES.items()}
            configurations = metric._configurations()
            for index, (threshold, k, num_thresholds, curve, *_) in enumerate(configurations):
                # A Precision or Recall of several thresholds: one metric per threshold, logged name[i] (_logs).
                name = metric.name if len(configurations) == 1 else _logs.element_key(metric.name, index)
                fields = [("name", _model_file.quote(name)), ("kind", metric._metric),
                          ("threshold", _text(float(threshold))), ("k", str(int(k))),
                          ("num_thresholds", str(int(num_thresholds))), ("curve", curves[curve])]
                records.append(("metric", fields + _metric_options(metric)))
    return records


def _metric_options(metric):
    """The ``metric`` record's fields beyond the four parameters every metric object has."""
    fields = []
    if metric._limits() is not None:
        fields += [(key, str(value)) for key, value in (("top_k", metric.top_k), ("class_id", metric.class_id))
                   if value is not None]
    if getattr(metric, "multi_label", False):
        fields.append(("multi_label", "true"))
    if getattr(metric, "label_weights", None) is not None:
        fields.append(("label_weights", ",".join(_text(float(w)) for w in metric.label_weights)))
    if metric._metric == "auc":
        if metric.summation_method != "interpolation":
            fields.append(("summation_method", metric.summation_method))
        if metric.thresholds_given is not None:
            fields.append(("thresholds", ",".join(_text(float(t)) for t in metric.thresholds_given)))
        if metric.from_logits:
            fields.append(("from_logits", "true"))
    return fields


def _compile_fields(loss, metrics, weighted_metrics=None):
    """The ``compile`` record's fields and the ``metric`` records of a Keras loss, metrics and weighted_metrics:
    the names given to compile, the indices of the weighted ones, and each metric under the name it logs."""
    records = _metric_records(metrics)
    given = [_model_file.unquote(dict(fields)["name"]) for _, fields in records]
    taken = set(given)
    weighted = []
    for kind, fields in _metric_records(weighted_metrics):
        fields = dict(fields)
        name = _model_file.unquote(fields["name"])
        # tf_keras's MetricsContainer logs a weighted metric whose name is taken as "weighted_" + name, and
        # writes a weighted metric object under that name: the name given to compile is the one without it.
        if name.startswith("weighted_") and name[len("weighted_"):] in taken:
            name = name[len("weighted_"):]
        logged = "weighted_" + name if name in taken else name
        fields["name"] = _model_file.quote(logged)
        taken.add(logged)
        weighted.append(len(given))
        given.append(name)
        records.append((kind, list(fields.items())))
    compile_fields = [("loss", _loss_name(loss)), ("metrics", ",".join(_model_file.quote(n) for n in given))]
    if weighted:
        compile_fields.append(("weighted", ",".join(str(i) for i in weighted)))
    return compile_fields, records


# The metric functions tf_keras's MeanMetricWrapper finds by name (its deserializer returns some others, such as
# kl_divergence, as bare strings).
_WRAPPED_FUNCTIONS = {
    "binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy", "top_k_categorical_accuracy",
    "sparse_top_k_categorical_accuracy", "mean_squared_error", "mean_absolute_error",
    "mean_absolute_percentage_error", "mean_squared_logarithmic_error", "binary_crossentropy",
    "categorical_crossentropy", "sparse_categorical_crossentropy", "hinge", "squared_hinge", "categorical_hinge",
    "poisson",
}


def _metric_runs(described, flagged):
    """``(name, start, stop)`` per Keras metric of a model file's ``metric`` records: a run of Precision or
    Recall records ``name[0]``, ``name[1]``... alike but for their threshold (weighted alike) is one metric of
    several thresholds (``_logs``); any other record is one of its own."""
    layout = _logs.Layout(_model_file.unquote(fields["name"]) for fields in described)
    runs = []
    for name, (start, stop) in zip(layout.keys, layout.spans):
        first = {key: value for key, value in described[start].items() if key not in ("name", "threshold")}
        if stop - start > 1 and first["kind"] in ("precision", "recall") and all(
                {key: value for key, value in fields.items() if key not in ("name", "threshold")} == first
                and (index in flagged) == (start in flagged)
                for index, fields in enumerate(described[start:stop], start)):
            runs.append((name, start, stop))
        else:
            runs += [(_model_file.unquote(described[index]["name"]), index, index + 1) for index in range(start, stop)]
    return runs


def _keras_metric(fields, name, run):
    """A ``metric`` record (logged as ``name``) as tf_keras's compile config holds it: the name alone when that
    is what Keras takes at its defaults, else the serialized metric object; ``run`` is the record's run of
    Precision or Recall records ``name[0]``, ``name[1]``..., the one metric of their thresholds, or the
    record alone."""
    from . import metrics as metrics_module

    kind = fields["kind"]
    defaults = {"threshold": "0.5", "k": "5", "num_thresholds": "200", "curve": "ROC"}
    if kind == "mean":
        kind = fields["loss"]
        default = (fields.get("from_logits", "false"), fields.get("label_smoothing", "0.0"),
                   fields.get("delta", "1.0")) == ("false", "0.0", "1.0")
    else:
        default = len(run) == 1 and all(fields.get(key, value) == value for key, value in defaults.items()) \
            and not any(key in fields for key in ("top_k", "class_id", "multi_label", "label_weights",
                                                       "summation_method", "thresholds", "from_logits"))
    try:
        _names.check_metric_name(name)
        known = True
    except ValueError:
        known = False
    if default and kind in _WRAPPED_FUNCTIONS:
        # tf_keras's own form for a metric function (how it saves metrics=["accuracy", "mae"]): its
        # MeanMetricWrapper keeps the name the logs use, which a plain string would not ("mae" would come
        # back as mean_absolute_error).
        return {"class_name": "MeanMetricWrapper", "config": {"name": name, "dtype": "float32", "fn": kind}}
    if default and known:
        return name
    classes = {cls._metric: cls for cls in vars(metrics_module).values()
               if isinstance(cls, type) and issubclass(cls, metrics_module.Metric) and cls._metric}
    cls = classes.get(kind)
    if cls is None or not default and kind == "mean":
        raise ValueError(f"Keras has no metric object for Anneal's metric {name!r} ({kind})")
    config = {"name": name, "dtype": "float32"}
    if "threshold" in fields and kind == "binary_accuracy":
        config["threshold"] = float(fields["threshold"])
    elif "threshold" in fields and kind in ("precision", "recall"):
        # Keras's default with top_k is thresholds=None (-1e10), which its constructor takes only as None.
        threshold = float(fields["threshold"])
        if len(run) > 1:
            threshold = [float(each["threshold"]) for each in run]
        config.update({"thresholds": None if "top_k" in fields and len(run) == 1 and threshold <= -1e10 else threshold,
                       "top_k": int(fields["top_k"]) if "top_k" in fields else None,
                       "class_id": int(fields["class_id"]) if "class_id" in fields else None})
    elif "k" in fields:
        config["k"] = int(fields["k"])
    elif kind == "auc":
        config.update({"num_thresholds": int(fields["num_thresholds"]), "curve": fields["curve"],
                       "summation_method": fields.get("summation_method", "interpolation"),
                       "multi_label": fields.get("multi_label") == "true",
                       "num_labels": int(fields["num_labels"]) if "num_labels" in fields else None,
                       "label_weights": [float(w) for w in fields["label_weights"].split(",")]
                       if "label_weights" in fields else None, "from_logits": fields.get("from_logits") == "true"})
        if "thresholds" in fields:
            config["thresholds"] = [float(t) for t in fields["thresholds"].split(",")]
    return {"class_name": cls.__name__, "config": config}


def _loss_name(loss):
    if isinstance(loss, dict):
        loss = (loss.get("config") or {}).get("name") or _snake(loss.get("class_name", ""))
    if not isinstance(loss, str):
        raise ValueError(f"Anneal cannot read this Keras loss: {loss!r}")
    return loss


def _optimizer_record(config, path):
    kind = config.get("class_name")
    arguments = config.get("config") or {}
    if kind not in _OPTIMIZER_FIELDS:
        raise ValueError(f"{path}: Anneal has no optimizer {kind!r}; load it with compile=False")
    rate = arguments.get("learning_rate", arguments.get("lr", 0.001))
    if isinstance(rate, dict):
        raise ValueError(f"{path}: the optimizer's learning rate follows a Keras schedule ({rate.get('class_name')}), "
                         "which Anneal does not read from Keras files; load it with compile=False")
    fields = [("class", kind), ("learning_rate", _text(float(rate))), ("decay", _text(float(arguments.get("decay", 0.0))))]
    for key, default in _OPTIMIZER_FIELDS[kind]:
        value = arguments.get(key, default)
        fields.append((key, _text(bool(value) if isinstance(default, bool) else float(value))))
    if kind == "Nadam":
        fields.append(("schedule_decay", _text(float(arguments.get("schedule_decay", 0.004)))))
    return fields


# --- Anneal's model file, written and read here ----------------------------------------------------------------

def _weights_file(tensors):
    parts = [b"ANNEALW\0", struct.pack("<II", 1, len(tensors))]
    for array in tensors:
        array = np.ascontiguousarray(array, dtype="<f4")
        parts.append(struct.pack("<I", array.ndim) + struct.pack(f"<{array.ndim}Q", *array.shape))
        parts.append(array.tobytes())
    body = b"".join(parts)
    return body + struct.pack("<I", zlib.crc32(body))


def _tensors(weights):
    """The tensors of a weights file's bytes (checked by the library when it wrote them)."""
    (count,) = struct.unpack_from("<I", weights, 12)
    position, tensors = 16, []
    for _ in range(count):
        (rank,) = struct.unpack_from("<I", weights, position)
        shape = struct.unpack_from(f"<{rank}Q", weights, position + 4)
        position += 4 + 8 * rank
        size = int(np.prod(shape)) if rank else 1
        tensors.append(np.frombuffer(weights, dtype="<f4", count=size, offset=position).reshape(shape).copy())
        position += 4 * size
    return tensors


def _generator_state():
    """A fresh generator state for the model file (four words, never all zero), from Anneal's seed stream."""
    return ",".join(str(utils._draw_model_seed() | 1) for _ in range(4))


def _build(path, found, input_dim, weights, compile_fields=None, optimizer_fields=None, iterations=0, slots=()):
    """An Anneal model from Keras's pieces (``found``: the layers ``_layers`` read), through a temporary
    Anneal model file."""
    from .saving import _load_anneal

    records = [("anneal-model", [("version", "1")]), ("generator", [("state", _generator_state())])]
    dense_count = 0
    for layer in found:
        if layer["class"] == "Dropout":
            fields = [("rate", _text(layer["rate"])), ("seed", "none" if layer["seed"] is None else str(layer["seed"])),
                      ("name", _model_file.quote(layer["name"] or "dropout"))]
            if layer["seed"] is None and layer["rate"] > 0:
                # Keras's unseeded Dropout draws fresh masks in every process: a fresh stream here too.
                fields.append(("state", _generator_state()))
            records.append(("dropout", fields))
            continue
        fields = [(key, _text(layer[key])) for key in
                  ("units", "activation", "use_bias", "kernel_initializer", "bias_initializer")]
        fields.append(("name", _model_file.quote(layer["name"] or f"dense_{dense_count}")))
        if "alpha" in layer:
            fields.append(("alpha", _text(layer["alpha"])))
        if dense_count == 0 and input_dim:
            fields.append(("input_dim", str(input_dim)))
        records.append(("layer", fields))
        if "folded" in layer:
            records.append(("activation", layer["folded"]))
        dense_count += 1
    if input_dim is None:
        input_dim = weights[0].shape[0] if weights else None
    if input_dim is None:
        raise ValueError(f"{path}: the file gives no input width and no weights")
    records.append(("built", [("input_dim", str(input_dim))]))
    tensors = list(weights)
    if compile_fields is not None:
        buffers = [(name, values) for name, values in slots if name != "momentum_cache"]
        state = [("iterations", str(int(iterations))), ("slots", ",".join(name for name, _ in buffers))]
        if optimizer_fields[0][1] == "Nadam":
            state.append(("momentum_cache", _text(float(dict(slots).get("momentum_cache", 1.0)))))
        fields, metric_records = compile_fields
        records += [("compile", fields)] + metric_records + [("optimizer", optimizer_fields), ("state", state)]
        tensors += [values for _, values in buffers]
    with tempfile.TemporaryDirectory(prefix="anneal-keras-") as scratch:
        converted = os.path.join(scratch, os.path.basename(path) + ".anneal")
        with open(converted, "wb") as file:
            file.write(_model_file.join(_model_file.text(records), _weights_file(tensors)))
        try:
            model = _load_anneal(converted)
        except Exception as error:
            raise type(error)(str(error).replace(converted, path)) from None
    return model


# --- Reading ---------------------------------------------------------------------------------------------------

def _h5_layer_weights(group, layer_names):
    """Keras 2's h5 weights: for each layer in order, its arrays in weight_names order."""
    arrays = []
    for name in layer_names:
        layer = group[name]
        for weight in _strings(layer.attrs.get("weight_names", [])):
            arrays.append(np.asarray(layer[weight], dtype=np.float32))
    return arrays


def _v3_layer_weights(group):
    """The Keras 3 / .keras weights (``layers/<name>/vars/<i>``), Dense layers in order."""
    layers = group["layers"]

    def order(name):
        match = re.fullmatch(r"([a-z_]+?)(?:_(\d+))?", name)
        return (int(match.group(2) or 0) if match else 0, name)

    arrays = []
    for name in sorted(layers.keys(), key=order):
        variables = layers[name].get("vars")
        if variables is None:
            continue
        for index in sorted(variables.keys(), key=int):
            arrays.append(np.asarray(variables[index], dtype=np.float32))
    return arrays


def read_weights(path):
    """The weights of a Keras weights or model file (``.weights.h5``, ``.h5``), in get_weights order."""
    try:
        with h5py.File(path, "r") as file:
            if "layers" in file:
                return _v3_layer_weights(file)
            group = file["model_weights"] if "model_weights" in file else file
            return _h5_layer_weights(group, _strings(group.attrs.get("layer_names", [])))
    except (OSError, KeyError) as error:
        raise CorruptFileError(f"{path}: not a Keras weights file Anneal reads ({error})") from None


def _optimizer_slots(group, found):
    """Keras 2's legacy optimizer_weights as Anneal's state: iterations and each slot, flat over the
    parameters in Anneal's order (each layer's kernel, then its bias)."""
    names = _strings(group.attrs.get("weight_names", []))
    iterations = 0
    by_slot = {}
    for name in names:
        value = np.asarray(group[name])
        short = name.split("/", 1)[1] if "/" in name else name
        short = short.rsplit(":", 1)[0]
        if short == "iter":
            iterations = int(value)
            continue
        if short == "momentum_cache":
            by_slot["momentum_cache"] = float(value)
            continue
        variable, slot = short.rsplit("/", 1)
        by_slot.setdefault(slot, {})[variable] = value.astype(np.float32).ravel()
    slots = []
    order = []
    for layer in (layer for layer in found if layer["class"] == "Dense"):
        order.append(f"{layer['name']}/kernel")
        if layer["use_bias"]:
            order.append(f"{layer['name']}/bias")
    for slot, variables in by_slot.items():
        if slot == "momentum_cache":
            slots.append((slot, variables))
            continue
        missing = [name for name in order if name not in variables]
        if missing:
            raise ValueError(f"optimizer_weights has no {slot} for {missing[0]}")
        slots.append((slot, np.concatenate([variables[name] for name in order])))
    return iterations, slots


def _load_h5(path, compile):
    with h5py.File(path, "r") as file:
        if "model_config" not in file.attrs:
            raise CorruptFileError(f"{path}: not a Keras model file (no model_config; a weights-only file is read "
                                   "by model.load_weights)")
        raw = file.attrs["model_config"]
        model_config = json.loads(raw.decode() if isinstance(raw, bytes) else raw)
        found, input_dim = _layers(model_config, path)
        group = file["model_weights"]
        weights = _h5_layer_weights(group, _strings(group.attrs.get("layer_names", [])))
        raw = file.attrs.get("training_config")
        if not compile or raw is None:
            return _build(path, found, input_dim, weights)
        training = json.loads(raw.decode() if isinstance(raw, bytes) else raw)
        optimizer_fields = _optimizer_record(training["optimizer_config"], path)
        compile_fields = _compile_fields(training["loss"], training.get("metrics"), training.get("weighted_metrics"))
        iterations, slots = 0, []
        if "optimizer_weights" in file:
            iterations, slots = _optimizer_slots(file["optimizer_weights"], found)
        return _build(path, found, input_dim, weights, compile_fields, optimizer_fields, iterations, slots)


def _load_keras(path, compile):
    with zipfile.ZipFile(path) as archive:
        config = json.loads(archive.read("config.json"))
        weights_bytes = archive.read("model.weights.h5")
    found, input_dim = _layers(config, path)
    if input_dim is None:
        shape = (config.get("build_config") or {}).get("input_shape")
        input_dim = int(shape[-1]) if shape else None
    with h5py.File(io.BytesIO(weights_bytes), "r") as file:
        weights = _v3_layer_weights(file)
    compile_config = config.get("compile_config")
    if not compile or not compile_config:
        return _build(path, found, input_dim, weights)
    optimizer_fields = _optimizer_record(compile_config["optimizer"], path)
    compile_fields = _compile_fields(compile_config["loss"], compile_config.get("metrics"),
                                     compile_config.get("weighted_metrics"))
    # A .keras archive does not keep a legacy optimizer's state: the optimizer starts afresh, as in Keras.
    return _build(path, found, input_dim, weights, compile_fields, optimizer_fields)


def load_model(path, compile=True):
    """An Anneal model from a Keras ``.h5`` file or ``.keras`` archive."""
    try:
        if zipfile.is_zipfile(path):
            return _load_keras(path, compile)
        return _load_h5(path, compile)
    except (KeyError, json.JSONDecodeError, zipfile.BadZipFile) as error:
        raise CorruptFileError(f"{path}: not a Keras model file Anneal reads ({error!r})") from None
    except ValueError as error:
        # Every file error names its file: also what the file describes and Anneal cannot make (an
        # initializer, a loss, optimizer state), which the readers below report without the path.
        if str(error).startswith(f"{path}:"):
            raise
        raise type(error)(f"{path}: {error}") from None


# --- Writing ---------------------------------------------------------------------------------------------------

def _string_list(names):
    return np.array(names, dtype=h5py.string_dtype()) if names else np.array([], dtype=np.float64)


def save_h5(model, path):
    """Writes ``model`` as tf_keras's ``model.save(path, save_format="h5")`` does (legacy optimizer state)."""
    from .saving import described

    records, weights = described(model)
    tensors = _tensors(weights)
    by_kind = {}
    for kind, fields in records:
        by_kind.setdefault(kind, fields)
    # Every layer in order, as the Python model lists them: Dense (`layer`), Dropout, and the Activation and
    # LeakyReLU layers (`activation`) whose function the Dense before them applies.
    layers = [(kind, fields) for kind, fields in records if kind in ("layer", "dropout", "activation")]
    names = [_model_file.unquote(fields["name"]) for _, fields in layers]
    if any(fields.get("activation") == "gelu_approximate" for _, fields in layers):
        raise ValueError("Cannot save gelu(approximate=True) in a Keras file: Keras has no name for it (a Keras model "
                         "applies it through a callable, which its files do not hold). Save the model in Anneal's "
                         "own format (model.save('model.anneal')) instead.")
    if "built" not in by_kind:
        raise ValueError("Cannot save a model that has no weights yet: build it first (give the first layer an "
                         "input_dim, or call build / fit)")
    input_dim = int(by_kind["built"]["input_dim"])

    def initializer(text):
        match = re.fullmatch(r"(\w+)\((.*)\)", text)
        if not match:
            kind = "".join(part.capitalize() for part in text.split("_"))
            return {"module": "keras.initializers", "class_name": kind, "config": {} if kind in ("Zeros", "Ones")
                    else {"seed": None}, "registered_name": None}
        kind, arguments = match.group(1), [float(a) for a in match.group(2).split(",")]
        if kind in ("normal", "truncated_normal"):
            return {"module": "keras.initializers", "class_name": "RandomNormal" if kind == "normal" else "TruncatedNormal",
                    "config": {"mean": arguments[0], "stddev": arguments[1], "seed": None}, "registered_name": None}
        if kind == "uniform":
            return {"module": "keras.initializers", "class_name": "RandomUniform",
                    "config": {"minval": arguments[0], "maxval": arguments[1], "seed": None}, "registered_name": None}
        return {"module": "keras.initializers", "class_name": "Constant", "config": {"value": arguments[0]},
                "registered_name": None}

    keras_layers = [{"class_name": "InputLayer", "config": {
        "batch_input_shape": [None, input_dim], "dtype": "float32", "sparse": False, "ragged": False,
        "name": f"{names[0]}_input"}}]
    for index, ((kind, fields), name) in enumerate(zip(layers, names)):
        config = {"name": name, "trainable": True, "dtype": "float32"}
        if index == 0:
            config["batch_input_shape"] = [None, input_dim]
        if kind == "dropout":
            config.update({"rate": float(fields["rate"]), "noise_shape": None,
                           "seed": None if fields["seed"] == "none" else int(fields["seed"])})
            keras_layers.append({"class_name": "Dropout", "config": config})
            continue
        if kind == "activation":
            if fields["class"] == "LeakyReLU":
                config["alpha"] = float(fields["alpha"])
            else:
                config["activation"] = fields["activation"]
            keras_layers.append({"class_name": fields["class"], "config": config})
            continue
        folded = index + 1 < len(layers) and layers[index + 1][0] == "activation"
        config.update({
            "units": int(fields["units"]), "activation": "linear" if folded else fields["activation"],
            "use_bias": fields["use_bias"] == "true",
            "kernel_initializer": initializer(fields["kernel_initializer"]),
            "bias_initializer": initializer(fields["bias_initializer"]),
            "kernel_regularizer": None, "bias_regularizer": None, "activity_regularizer": None,
            "kernel_constraint": None, "bias_constraint": None})
        keras_layers.append({"class_name": "Dense", "config": config})
    model_config = {"class_name": "Sequential", "config": {"name": model.name, "layers": keras_layers}}

    # The tensors: each layer's kernel (reshaped to Keras's [inputs, units]) and bias, then the state slots.
    width = input_dim
    per_layer = []
    position = 0
    for kind, fields in layers:
        if kind != "layer":
            per_layer.append([])  # no weights: Keras writes an empty group
            continue
        units = int(fields["units"])
        arrays = [("kernel", tensors[position].reshape(width, units))]
        position += 1
        if fields["use_bias"] == "true":
            arrays.append(("bias", tensors[position].reshape(units)))
            position += 1
        per_layer.append(arrays)
        width = units

    with h5py.File(path, "w") as file:
        file.attrs["backend"] = "tensorflow"
        file.attrs["keras_version"] = KERAS_VERSION
        file.attrs["model_config"] = json.dumps(model_config)
        group = file.create_group("model_weights")
        group.attrs["backend"] = "tensorflow"
        group.attrs["keras_version"] = KERAS_VERSION
        group.attrs["layer_names"] = _string_list(names)
        for name, arrays in zip(names, per_layer):
            layer = group.create_group(name)
            layer.attrs["weight_names"] = _string_list([f"{name}/{kind}:0" for kind, _ in arrays])
            if not arrays:
                continue
            inner = layer.create_group(name)
            for kind, values in arrays:
                inner.create_dataset(f"{kind}:0", data=values.astype(np.float32))
        group.create_group("top_level_model_weights").attrs["weight_names"] = _string_list([])

        if "compile" in by_kind:
            optimizer = by_kind["optimizer"]
            kind = optimizer["class"]
            config = {"name": kind, "learning_rate": float(optimizer["learning_rate"])}
            if kind != "Nadam":
                config["decay"] = float(optimizer["decay"])
            for key, default in _OPTIMIZER_FIELDS[kind]:
                config[key] = (optimizer[key] == "true") if isinstance(default, bool) else float(optimizer[key])
            flagged = {int(i) for i in by_kind["compile"].get("weighted", "").split(",") if i}
            described_metrics = [fields for kind, fields in records if kind == "metric"]
            objects = [(start in flagged, _keras_metric(described_metrics[start], name, described_metrics[start:stop]))
                       for name, start, stop in _metric_runs(described_metrics, flagged)]
            metrics = [metric for is_weighted, metric in objects if not is_weighted]
            weighted = [metric for is_weighted, metric in objects if is_weighted]
            training = {"loss": by_kind["compile"]["loss"], "metrics": [metrics] if metrics else None,
                        "weighted_metrics": [weighted] if weighted else None, "loss_weights": None,
                        "optimizer_config": {"class_name": kind, "config": config}}
            file.attrs["training_config"] = json.dumps(training)
            state = by_kind.get("state", {})
            slot_names = [s for s in state.get("slots", "").split(",") if s]
            if slot_names:
                weights_group = file.create_group("optimizer_weights")
                weight_names = [f"{kind}/iter:0"]
                weights_group.create_dataset(f"{kind}/iter:0", data=np.int64(int(state["iterations"])))
                for slot_index, slot in enumerate(slot_names):
                    flat = tensors[position + slot_index].ravel()
                    offset = 0
                    for name, arrays in zip(names, per_layer):
                        for variable, values in arrays:
                            piece = flat[offset:offset + values.size].reshape(values.shape)
                            offset += values.size
                            dataset = f"{kind}/{name}/{variable}/{slot}:0"
                            weights_group.create_dataset(dataset, data=piece.astype(np.float32))
                            weight_names.append(dataset)
                if kind == "Nadam":
                    weights_group.create_dataset(f"{kind}/momentum_cache:0", data=np.float32(float(state["momentum_cache"])))
                    weight_names.insert(1, f"{kind}/momentum_cache:0")
                weights_group.attrs["weight_names"] = _string_list(weight_names)
