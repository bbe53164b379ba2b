"""Whole-model save and load: Anneal's own model file, and Keras's files (``.h5``, ``.keras``, ``.weights.h5``).

``model.save("m.anneal")`` writes Anneal's checksummed model file (architecture, weights, compile settings,
the optimizer's arguments and state, the model's random generator), written atomically; ``load_model`` reads
it back as a model that trains on exactly as the saved one would have. ``load_model`` also reads Keras 2's
``.h5`` files and Keras's ``.keras`` archives of a Sequential of Dense and Dropout layers (Input layers and
Activation layers after a linear Dense are accepted too), and ``model.save("m.h5")`` writes a Keras 2 ``.h5``
file that tf_keras loads. A Dropout keeps its rate and seed everywhere; Anneal's own file also keeps the state
of its mask stream, so that training resumes with the masks the saved model would have drawn. The Keras formats need h5py (``pip install anneal[h5]``).
"""

import ctypes
import os
import tempfile
import weakref

from . import _lib, _missing, _model_file, layers as layers_module, optimizers
from .errors import CorruptFileError, InvalidStateError
from .optimizers import schedules

__all__ = ["load_model", "save_model"]

_ANNEAL_MAGIC = _model_file.MAGIC
_HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"
_ZIP_MAGIC = b"PK\x03\x04"

_FOLDED = (layers_module.Activation, layers_module.LeakyReLU)
_OPTIMIZER_ARGUMENTS = {
    "SGD": ("momentum", "nesterov"),
    "Adam": ("beta_1", "beta_2", "epsilon", "amsgrad"),
    "RMSprop": ("rho", "momentum", "epsilon", "centered"),
    "Adagrad": ("initial_accumulator_value", "epsilon"),
    "Adadelta": ("rho", "epsilon"),
    "Adamax": ("beta_1", "beta_2", "epsilon"),
    "Nadam": ("beta_1", "beta_2", "epsilon"),
}


def _value(text):
    """A description field as a Python value: true/false, an int, a float, or the text."""
    if text in ("true", "false"):
        return text == "true"
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def _schedule(fields):
    """The Python schedule object a ``schedule`` record describes."""
    kind, unit = fields["class"], fields["unit"]
    number = {key: _value(value) for key, value in fields.items() if key not in ("class", "unit")}
    if kind == "ExponentialDecay":
        return schedules.ExponentialDecay(number["initial_rate"], number["decay_steps"], number["decay_rate"],
                                          number["staircase"], unit=unit)
    if kind == "InverseTimeDecay":
        return schedules.InverseTimeDecay(number["initial_rate"], number["decay_steps"], number["decay_rate"],
                                          number["staircase"], unit=unit)
    if kind == "PolynomialDecay":
        return schedules.PolynomialDecay(number["initial_rate"], number["decay_steps"], number["end_rate"],
                                         number["power"], number["cycle"], unit=unit)
    if kind == "PiecewiseConstantDecay":
        return schedules.PiecewiseConstantDecay([int(b) for b in fields["boundaries"].split(",") if b],
                                                [float(v) for v in fields["values"].split(",") if v], unit=unit)
    if kind == "CosineDecay":
        target = None if fields["warmup_target"] == "none" else float(fields["warmup_target"])
        return schedules.CosineDecay(number["initial_rate"], number["decay_steps"], float(number["alpha"]),
                                     warmup_target=target, warmup_steps=number["warmup_steps"], unit=unit)
    if kind == "CosineDecayRestarts":
        return schedules.CosineDecayRestarts(number["initial_rate"], number["first_decay_steps"],
                                             float(number["t_mul"]), float(number["m_mul"]), float(number["alpha"]),
                                             unit=unit)
    if kind == "Constant":
        return schedules.Constant(number["rate"], unit=unit)
    raise ValueError(f"Unknown schedule class in the model file: {kind}")


def _optimizer(fields, schedule_fields):
    """The Python optimizer object an ``optimizer`` record (and its ``schedule``) describes."""
    kind = fields["class"]
    cls = getattr(optimizers, kind, None)
    if kind not in _OPTIMIZER_ARGUMENTS or cls is None:
        raise ValueError(f"Unknown optimizer class in the model file: {kind}")
    arguments = {key: _value(fields[key]) for key in _OPTIMIZER_ARGUMENTS[kind]}
    rate = _schedule(schedule_fields) if schedule_fields is not None else float(fields["learning_rate"])
    if kind != "Nadam":
        arguments["decay"] = float(fields["decay"])
    for key in ("momentum", "beta_1", "beta_2", "epsilon", "rho", "initial_accumulator_value"):
        if key in arguments:
            arguments[key] = float(arguments[key])
    return cls(learning_rate=rate, **arguments)


def _layer_list(records, path):
    """The Python layers a description lists, in order: Dense and Dropout from the library's records, and the
    Activation / LeakyReLU layer an ``activation`` record (written by Python) says was folded into the Dense
    before it. A ``leaky_relu`` Dense of another slope than Keras's 0.2 (only a LeakyReLU layer makes one)
    written without that record gets a LeakyReLU layer back, so its ``alpha`` is seen again."""
    layer_list = []
    for index, (kind, fields) in enumerate(records):
        name = _model_file.unquote(fields["name"]) if "name" in fields else None
        if kind == "dropout":
            seed = None if fields["seed"] == "none" else int(fields["seed"])
            layer_list.append(layers_module.Dropout(float(fields["rate"]), seed=seed, name=name))
        elif kind == "activation":
            if not layer_list or records[index - 1][0] != "layer":
                raise CorruptFileError(f"{path}: an 'activation' record must follow the 'layer' record it is folded into")
            if fields.get("class") == "LeakyReLU":
                layer_list.append(layers_module.LeakyReLU(alpha=float(fields["alpha"]), name=name))
            else:
                layer_list.append(layers_module.Activation(fields["activation"], name=name))
        elif kind == "layer":
            folded = index + 1 < len(records) and records[index + 1][0] == "activation"
            activation = fields["activation"]
            slope = float(fields.get("alpha", 0.2)) if activation == "leaky_relu" else 0.2
            input_dim = int(fields["input_dim"]) if "input_dim" in fields else None
            layer_list.append(layers_module.Dense(
                int(fields["units"]), activation="linear" if folded or slope != 0.2 else activation,
                use_bias=fields["use_bias"] == "true", kernel_initializer=fields["kernel_initializer"].split("(")[0],
                bias_initializer=fields["bias_initializer"].split("(")[0], input_dim=input_dim, name=name))
            if not folded and slope != 0.2:
                layer_list.append(layers_module.LeakyReLU(alpha=slope))
    return layer_list


def _load_anneal(path):
    """A model from Anneal's model file: the library rebuilds it; Python rebuilds its layer and optimizer
    objects from the file's description."""
    from .models import Sequential

    with open(path, "rb") as file:
        data = file.read()
    handle = ctypes.c_void_p()
    _lib.check(_lib.anneal_model_load(os.fsencode(path), ctypes.byref(handle)))
    finalizer_target = handle
    try:
        # The file's own description (the library has checked the file): it keeps the Python names and the
        # folded activation layers, which the library's description of the loaded model does not.
        records = _model_file.parse(_model_file.split(data)[0])
        layer_list = _layer_list(records, path)
        by_kind = {}
        for kind, fields in records:
            by_kind.setdefault(kind, fields)
        optimizer = None
        if "compile" in by_kind:
            optimizer = _optimizer(by_kind["optimizer"], by_kind.get("schedule"))
    except BaseException:
        _lib.anneal_model_free(finalizer_target)
        raise
    model = Sequential()
    model._handle = handle
    model._finalizer = weakref.finalize(model, _lib.anneal_model_free, handle)
    for position, layer in enumerate(layer_list):
        layer._attach(model, position)
    model._layers = layer_list
    if optimizer is not None:
        optimizer._attach(model)
        model.optimizer = optimizer
        model.loss = by_kind["compile"]["loss"]
        # The log names and weighted flags as the library compiled them from the file (the file keeps the
        # names given to compile, and which metrics are Keras's weighted_metrics).
        count = ctypes.c_int32()
        _lib.check(_lib.anneal_model_metric_count(handle, ctypes.byref(count)))
        model.compiled_metrics = _lib.read_strings(_lib.anneal_model_metric_name, handle, count=count.value)
        flag = ctypes.c_bool()
        weighted = []
        for index in range(count.value):
            _lib.check(_lib.anneal_model_metric_weighted(handle, index, ctypes.byref(flag)))
            weighted.append(flag.value)
        model._weighted_count = sum(weighted)
        # tf_keras's loader builds the compiled loss and metrics (try_build_compiled_arguments), so
        # metrics_names lists them before the loaded model sees data.
        model._metrics_built = True
    return model


def _magic(path):
    try:
        with open(path, "rb") as file:
            return file.read(8)
    except OSError as error:
        raise OSError(error.errno, f"{path}: cannot open the model file: {error.strerror}") from None


def load_model(filepath, custom_objects=None, compile=True, **kwargs):
    """Loads a model saved by ``model.save``: Anneal's model file (training resumes exactly), a Keras 2
    ``.h5`` file or a Keras ``.keras`` archive (architecture, weights, and the compile settings and legacy
    optimizer state when the file has them).

    Raises:
        OSError: the file cannot be read (the message names it).
        anneal.errors.CorruptFileError: the file is corrupt or not a model (the message names it).
        ImportError: a Keras file, without h5py installed.
        TypeError: a keyword ``load_model`` does not support.
    """
    from .models import _reject

    _reject("load_model", kwargs, ignored=("safe_mode",))  # safe_mode guards Lambda layers, which Anneal lacks
    path = os.fspath(filepath)
    magic = _magic(path)
    if magic == _ANNEAL_MAGIC:
        return _load_anneal(path)
    if magic == _HDF5_MAGIC or magic.startswith(_ZIP_MAGIC):
        from . import _keras_files
        return _keras_files.load_model(path, compile=compile)
    raise CorruptFileError(f"{path}: not a model file Anneal reads (Anneal's model file, Keras's .h5 or .keras)")


def save_model(model, filepath, overwrite=True, save_format=None, **kwargs):
    """Saves ``model`` (see ``Sequential.save``)."""
    from .models import _reject

    _reject("save_model", kwargs)
    path = os.fspath(filepath)
    if not overwrite and os.path.exists(path):
        raise FileExistsError(f"{path} exists and overwrite=False")
    if save_format not in (None, "anneal", "h5", "keras", "tf"):
        raise ValueError(f"Unknown save_format: {save_format!r}. Expected 'h5' or None (Anneal's format).")
    if save_format == "h5" or (save_format is None and path.endswith((".h5", ".hdf5"))):
        from . import _keras_files
        _keras_files.save_h5(model, path)
        return
    if save_format in ("keras", "tf"):
        raise ValueError(f"save_format={save_format!r} is not written by Anneal; use save_format='h5' or "
                         "Anneal's own format (the default)")
    records, weights = described(model)
    try:
        _model_file.write_atomically(path, _model_file.join(_model_file.text(records), weights))
    except OSError as error:
        raise OSError(error.errno, f"{path}: cannot write the model file: {error.strerror}") from None


def described(model):
    """The model as the library saves it, ``(records, weights file bytes)``, with the Python layers' names in
    the records and an ``activation`` record after each Dense an Activation or LeakyReLU layer is folded into."""
    with tempfile.TemporaryDirectory(prefix="anneal-save-") as scratch:
        native = os.path.join(scratch, "model.anneal")
        _lib.check(_lib.anneal_model_save(model._live_handle(), native.encode()))
        with open(native, "rb") as file:
            text, weights = _model_file.split(file.read())
    python_layers = list(model._layers)
    records, position = [], 0
    for kind, fields in _model_file.parse(text):
        records.append((kind, fields))
        if kind not in ("layer", "dropout"):
            continue
        expected = layers_module.Dense if kind == "layer" else layers_module.Dropout
        if position >= len(python_layers) or not isinstance(python_layers[position], expected):
            raise InvalidStateError("the model's Python layers do not match the library's; it cannot be saved")
        fields["name"] = _model_file.quote(python_layers[position].name)
        position += 1
        while position < len(python_layers) and isinstance(python_layers[position], _FOLDED):
            layer = python_layers[position]
            folded = {"class": type(layer).__name__, "name": _model_file.quote(layer.name)}
            if isinstance(layer, layers_module.LeakyReLU):
                folded["alpha"] = repr(layer.alpha)
            else:
                folded["activation"] = layer.activation
            records.append(("activation", folded))
            position += 1
    return records, weights


def __getattr__(name):
    raise _missing.missing("anneal.saving", name, __all__)
