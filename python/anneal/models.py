"""``Sequential``: Keras's model API over the Anneal library.

Every ``fit`` is one call of the library's fit loop (``anneal_session_fit_events``), which releases the GIL
while it trains. Keras's built-in callbacks are the library's own and run there; a callback of Python's own
(a ``Callback`` subclass, ``LambdaCallback``) is called from inside that loop at every epoch (and, when it
has batch hooks, every batch), and may call the model meanwhile (weights, learning rate, ``save``,
``evaluate``, ``predict``, ``train_on_batch``). An exception raised by a callback or a schedule comes out
of ``fit`` unchanged, Ctrl-C stops training within one epoch with the model left at the weights of its
last finished batch, and threads can train separate models in parallel.
"""

import ctypes
import math
import numbers
import os
import signal
import threading
import weakref

try:
    # signal.signal's own function without the module's wrapper, which turns the previous handler into an enum
    # through a caught ValueError when it is a function: a cost paid twice in every fit.
    from _signal import signal as _set_signal_handler
except ImportError:  # an interpreter without CPython's _signal
    _set_signal_handler = signal.signal

from . import (_arrays, _lib, _missing, _naming, _summary, _weights, callbacks as callbacks_module,
               layers as layers_module, losses as losses_module, metrics as metrics_module, optimizers, utils)
from . import _codes, _logs, _names
from .errors import InternalError, InvalidStateError, ShapeMismatchError

__all__ = ["Sequential", "load_model", "save_model"]

_ACTIVATION_LAYERS = (layers_module.Activation, layers_module.LeakyReLU)
_MAX_VALUES = 64  # an epoch's logs: loss, metrics, their val_ twins, effective_lr
# How often the library asks, between epochs, whether Ctrl-C was pressed during a fit that calls no Python
# callback: a call into Python costs about 10 us, which every epoch would be a tenth of a small fit.
_POLL_SECONDS = 0.005
_NO_CALLBACK = _lib.anneal_epoch_callback()  # a NULL anneal_epoch_callback
# The callbacks that are the library's own (their hooks only hand the event to it): a fit with none but these
# calls no Python code between epochs.
_LIBRARY_CALLBACKS = (callbacks_module.EarlyStopping, callbacks_module.ReduceLROnPlateau,
                      callbacks_module.ModelCheckpoint, callbacks_module.CSVLogger, callbacks_module.TerminateOnNaN,
                      callbacks_module.LearningRateScheduler, callbacks_module.ProgbarLogger)


def _positive_int(value, name):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value <= 0:
        raise ValueError(f"`{name}` must be a positive integer. Received: {name}={value!r}")
    return int(value)


# Keras arguments that only matter for generators and Sequences; Keras ignores them for arrays, and so does Anneal.
_GENERATOR_ONLY = ("max_queue_size", "workers", "use_multiprocessing")


def _reject(method, kwargs, ignored=()):
    """Raises for every keyword ``method`` does not support, naming them (keywords left at None, and those in
    ``ignored``, pass)."""
    unsupported = sorted(key for key, value in kwargs.items() if value is not None and key not in ignored)
    if unsupported:
        raise TypeError(f"{method}() got unsupported keyword arguments: {unsupported}")


def _metric_list(metrics, argument):
    """compile's ``metrics`` / ``weighted_metrics`` as a list (None is none); Keras's TypeError for a value that
    is not a list or tuple."""
    if metrics is None:
        return []
    if not isinstance(metrics, (list, tuple)):
        raise TypeError(f"Type of `{argument}` argument not understood. Expected a list or dictionary, found: "
                        f"{metrics!r}")
    return list(metrics)


def _verbosity(verbose):
    """Keras's ``verbose``: 'auto' is 1 (a progress bar), 0 is silent, 2 prints one line."""
    verbose = 1 if verbose == "auto" else verbose
    if isinstance(verbose, bool) or verbose not in (0, 1, 2):
        raise ValueError(f"`verbose` must be 0, 1, 2 or 'auto'. Received: verbose={verbose!r}")
    return verbose


def _same_rows(x, y, what=""):
    """x and y must have one label row per sample: C reads y for x's row count."""
    if x.rows != y.rows:
        raise ShapeMismatchError(
            f"Data cardinality is ambiguous: {what}x has {x.rows} samples but {what}y has {y.rows}. Make sure "
            "all arrays contain the same number of samples.")


def _values(function, *args, capacity=_MAX_VALUES):
    """Calls a copy-out values function and returns the values as a list of floats."""
    buffer = (ctypes.c_double * capacity)()
    count = ctypes.c_int32()
    _lib.check(function(*args, buffer, capacity, ctypes.byref(count)))
    return list(buffer[:count.value])


def _library_callbacks(user_callbacks):
    """Whether the library can run the fit on its own: every callback is one of the built-ins, which are the
    library's own (``_LibraryCallback``; not a subclass, whose hooks may be overridden in Python)."""
    return all(type(callback) in _LIBRARY_CALLBACKS for callback in user_callbacks)


class _Interrupts:
    """Ctrl-C while the library runs a fit. Python runs a SIGINT handler only between bytecodes, and an
    exception raised at the entry of a ctypes callback is lost (printed, not raised), so for the call's
    duration the handler only notes the signal (``received``); the fit's epoch callback (``probe``, or the
    Python callbacks' ``_Hooks``) then ends the fit at its next event, and leaving the block hands the signal
    to the previous handler (a ``KeyboardInterrupt`` by default). Only the thread that runs Python's signal
    handlers can install one: elsewhere (sweep threads, an interpreter embedded in another program and
    called from another thread, a subinterpreter) nothing is installed and ``installed`` is False, so those
    fits never take the GIL for it."""

    def __init__(self):
        self.installed = False
        self.received = False
        self._previous = None

    def __enter__(self):
        if threading.current_thread() is not threading.main_thread():
            return self
        try:
            # threading's main thread need not be the one CPython runs signal handlers in (embedded
            # interpreters, subinterpreters): signal.signal says so with ValueError.
            self._previous = _set_signal_handler(signal.SIGINT, self._note)
        except ValueError:
            return self
        self.installed = True
        return self

    def _note(self, _signum, _frame):
        self.received = True

    def probe(self, _user_data, _model, _event, _epoch, _keys, _values, _count):
        """The epoch callback of a fit without Python callbacks: ANNEAL_EVENT_POLL only."""
        return -1 if self.received else 0

    def __exit__(self, *_exception):
        if self._previous is not None:
            _set_signal_handler(signal.SIGINT, self._previous)
            if self.received:
                signal.raise_signal(signal.SIGINT)  # the previous handler's turn
        return False


class _Hooks:
    """The epoch callback of a fit with Python callbacks: runs Keras's hooks of ``callback_list`` (the user's
    callbacks in their order, built-in ones through their handles, then History and the progress bar) at the
    library's events, with the logs in the library's key order. What a hook raises is kept (``error``) and
    ends the fit, as does a noted Ctrl-C; ``model.stop_training`` becomes the answer that stops training."""

    def __init__(self, model, callback_list, names, interrupts):
        self.model = model
        self.callback_list = callback_list
        # The epoch's log keys as Keras's entries (a metric of several thresholds: one array); a batch's running
        # values are the first of them.
        self.layout = _logs.Layout(names)
        self.interrupts = interrupts
        self.error = None
        self.logs = None  # the last epoch's, for on_train_end

    def __call__(self, _user_data, _model, event, index, _keys, values, count):
        try:
            if event == _codes.ANNEAL_EVENT_EPOCH_BEGIN:
                self.callback_list.call("on_epoch_begin", index, None)
            elif event == _codes.ANNEAL_EVENT_BATCH_BEGIN:
                self.callback_list.call("on_train_batch_begin", index, None)
            elif event == _codes.ANNEAL_EVENT_BATCH_END:
                self.callback_list.call("on_train_batch_end", index, self.layout.dict(values[:count]))
            elif event == _codes.ANNEAL_EVENT_EPOCH_END:
                self.logs = self.layout.dict(values[:count])
                self.callback_list.call("on_epoch_end", index, self.logs)
            if self.interrupts.received:
                return -1
            return 1 if self.model.stop_training else 0
        except BaseException as error:  # raised again when the library call returns
            self.error = error
            return -1


class _Session:
    """One fit's training state in the library (train / validation split, batch order, running sums)."""

    def __init__(self, model, x, y, batch_size, validation_split, validation_data, shuffle, seed):
        handle = ctypes.c_void_p()
        seed_value = ctypes.c_uint64(seed) if seed is not None else None
        seed_pointer = ctypes.byref(seed_value) if seed_value is not None else None
        self._keep = [x, y]
        if validation_data is not None:
            x_val, y_val = validation_data
            if x_val.columns != x.columns or y_val.columns != y.columns:
                raise ValueError(
                    f"validation_data has {x_val.columns} features and {y_val.columns} label columns; the "
                    f"training data has {x.columns} and {y.columns}")
            _same_rows(x_val, y_val, "validation ")
            self._keep += [x_val, y_val]
            _lib.check(_lib.anneal_session_create_with_validation(
                model, x.pointer, x.rows, x.columns, y.pointer, y.columns, x_val.pointer, y_val.pointer, x_val.rows,
                batch_size, shuffle, seed_pointer, ctypes.byref(handle)))
        else:
            _lib.check(_lib.anneal_session_create(
                model, x.pointer, x.rows, x.columns, y.pointer, y.columns, batch_size, validation_split, shuffle,
                seed_pointer, ctypes.byref(handle)))
        self.handle = handle
        self._finalizer = weakref.finalize(self, _lib.anneal_session_free, handle)
        count = ctypes.c_int32()
        _lib.check(_lib.anneal_session_batch_count(handle, ctypes.byref(count)))
        self.batch_count = count.value
        rows = ctypes.c_int64()
        _lib.check(_lib.anneal_session_validation_rows(handle, ctypes.byref(rows)))
        self.validates = rows.value > 0
        self._buffer = (ctypes.c_double * _MAX_VALUES)()
        self._count = ctypes.c_int32()
        self._out = (self._buffer, _MAX_VALUES, ctypes.byref(self._count))  # a copy-out call's output arguments

    def set_sample_weights(self, weights, validation=False):
        """Weights the training rows' losses (``validation``: the validation rows'), one finite float each;
        None weighs every row 1."""
        function = (_lib.anneal_session_set_validation_sample_weights if validation
                    else _lib.anneal_session_set_sample_weights)
        if weights is None:
            _lib.check(function(self.handle, None, 0))
            return
        buffer = (ctypes.c_float * max(len(weights), 1))(*weights)
        _lib.check(function(self.handle, buffer, len(weights)))

    @property
    def training_rows(self):
        rows = ctypes.c_int64()
        _lib.check(_lib.anneal_session_training_rows(self.handle, ctypes.byref(rows)))
        return rows.value

    def _read(self, function, *args):
        _lib.check(function(self.handle, *args, *self._out))
        return self._buffer[:self._count.value]

    def epoch_keys(self):
        """The names of an epoch's log values, in order (the library's; running_values' are the first)."""
        count = ctypes.c_int32()
        _lib.check(_lib.anneal_session_epoch_key_count(self.handle, ctypes.byref(count)))
        return _lib.read_strings(_lib.anneal_session_epoch_key, self.handle, count=count.value)

    def begin_epoch(self):
        _lib.check(_lib.anneal_session_begin_epoch(self.handle))

    def train_batch(self, index):
        _lib.check(_lib.anneal_session_train_batch(self.handle, index))

    def running_values(self):
        return self._read(_lib.anneal_session_running_values)

    def close(self):
        self._finalizer()


class Sequential:
    """A linear stack of ``Dense`` and ``Dropout`` layers, trained with a Keras 2 optimizer: Keras's ``Sequential``.

    Use ``close()`` or ``with Sequential() as model:`` to release the library's memory early; it is also
    released when the model is garbage-collected.

    Args:
        seed: the model's seed, an integer in [0, 2**64): its initial weights and the shuffling of ``fit``
            (unless ``fit`` is given its own ``seed``) follow from it alone, as with Swift's
            ``Sequential(seed:)`` and C's ``anneal_model_create``. Default: drawn once, here at construction,
            from ``anneal.utils.set_random_seed``'s stream or numpy's generator (see ``set_random_seed`` for
            how that behaves under threads).
    """

    def __init__(self, layers=None, name=None, *, seed=None):
        if name is not None and not isinstance(name, str):
            raise TypeError(f"Expected `name` argument to be a string, but got: {name!r}")
        if seed is None:
            seed = utils._draw_model_seed()
        elif isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or not 0 <= seed < 2**64:
            raise ValueError(f"Expected `seed` argument to be an integer in [0, 2**64). Received: seed={seed!r}")
        self._seed = int(seed)
        self.name = name if name is not None else _naming.unique_object_name("sequential")
        self._layers = []
        self._pending_input_dim = None
        self._handle = None
        self._finalizer = None
        self.optimizer = None
        self.loss = None
        self.compiled_metrics = []
        # Keras lists its metrics once they have seen data (fit, evaluate, train_on_batch, test_on_batch).
        self._metrics_built = False
        # Row-weighted sums of train_on_batch / test_on_batch results kept by reset_metrics=False: [rows, sums].
        self._batch_sums = None
        self.stop_training = False
        self.history = None
        self._fitting_thread = None  # the thread whose fit is running (its callbacks may call the model)
        for layer in layers or []:
            self.add(layer)

    # --- Handle management ----------------------------------------------------------------------------------
    def _live_handle(self):
        if self._handle is None:
            if self._finalizer is not None:
                raise InvalidStateError("This model has been closed; create a new Sequential.")
            handle = ctypes.c_void_p()
            _lib.check(_lib.anneal_model_create(self._seed, ctypes.byref(handle)))
            self._handle = handle
            self._finalizer = weakref.finalize(self, _lib.anneal_model_free, handle)
        return self._handle

    def close(self):
        """Frees the model's memory in the library; the model cannot be used afterwards."""
        if self._finalizer is not None:
            self._finalizer()
        else:
            self._finalizer = weakref.finalize(self, lambda: None)
        self._handle = None

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def _refuse_during_fit(self, method):
        """Keras's words for what a callback may not do to the model its fit trains."""
        if self._fitting_thread == threading.get_ident():
            raise InvalidStateError(f"{method}() cannot be called from a callback while fit() trains this model: "
                                    "it would change the model the running fit trains; call it after fit() returns")

    def _count(self, function):
        value = ctypes.c_int32()
        _lib.check(function(self._live_handle(), ctypes.byref(value)))
        return value.value

    def _check_widths(self, x, y=None, what=""):
        """Keras's shape errors, in Keras's words, before the library sees the arrays (it checks them too, in
        C's words: cols, y_cols)."""
        if x.rows == 0:
            return  # no samples: the library says so, naming rows
        inputs = self._count(_lib.anneal_model_input_dim)
        if inputs and x.columns != inputs:
            raise ShapeMismatchError(
                f"Input 0 of layer \"sequential\" is incompatible with the layer: expected shape=(None, {inputs}), "
                f"found shape=(None, {x.columns}): the model expects {inputs} input features, received {x.columns}")
        function = getattr(self, "_loss_function", None)  # the compiled loss's Keras function name
        if y is None or self.loss is None or function is None:
            return
        units = self._count(_lib.anneal_model_output_dim)
        width = 1 if function == "sparse_categorical_crossentropy" else units
        if y.columns != width:
            raise ShapeMismatchError(
                f"{what}y has {y.columns} columns per row, but {function} with {units} outputs expects {width}")

    # --- Building -------------------------------------------------------------------------------------------
    @property
    def layers(self):
        return list(self._layers)

    def add(self, layer):
        """Adds a layer on top of the stack: a ``Dense``, a ``Dropout``, an ``Activation`` or ``LeakyReLU``
        (folded into the linear ``Dense`` before it), or an ``Input`` declaring the input width."""
        self._refuse_during_fit("add")
        if isinstance(layer, layers_module.InputLayer):
            if self._layers:
                raise ValueError("An Input must come before the first layer")
            self._pending_input_dim = layer.input_dim
            return
        if not isinstance(layer, (layers_module.Dense, layers_module.Dropout, *_ACTIVATION_LAYERS)):
            raise TypeError("The added layer must be an instance of anneal.layers.Dense, Dropout, Activation or "
                            f"LeakyReLU. Received: layer={layer!r}")
        if self.optimizer is not None:
            raise InvalidStateError("Cannot add a layer to a compiled model; add every layer before compile().")
        if any(other.name == layer.name for other in self._layers):
            raise ValueError("All layers added to a Sequential model should have unique names. Name "
                             f'"{layer.name}" is already the name of a layer in this model. Update the `name` '
                             "argument to pass a unique name.")
        if isinstance(layer, _ACTIVATION_LAYERS):
            self._add_activation(layer)
            return
        first_dense = not self._dense_layers()
        if isinstance(layer, layers_module.Dropout):
            if first_dense and layer.input_dim and not self._pending_input_dim:
                # Keras's Dropout(rate, input_shape=(34,)) first: the width the first Dense will read.
                self._pending_input_dim = layer.input_dim
            layer._attach(self, len(self._layers))
            seed = None if layer.seed is None else ctypes.byref(ctypes.c_uint64(layer.seed % 2**64))
            try:
                _lib.check(_lib.anneal_model_add_dropout(self._live_handle(), layer.rate, seed))
            except Exception:
                layer._detach()
                raise
            self._layers.append(layer)
            return
        input_dim = layer.input_dim or 0
        if first_dense and not input_dim and self._pending_input_dim:
            input_dim = self._pending_input_dim
        layer._attach(self, len(self._layers))  # first: it refuses a layer of another model
        try:
            options = _lib.anneal_dense_options(
                ctypes.sizeof(_lib.anneal_dense_options), _names.ACTIVATIONS.code(layer.activation),
                _names.INITIALIZERS.code(layer.kernel_initializer), _names.INITIALIZERS.code(layer.bias_initializer),
                layer.use_bias, input_dim)
            _lib.check(_lib.anneal_model_add_dense(self._live_handle(), layer.units, ctypes.byref(options)))
        except Exception:
            layer._detach()
            raise
        self._layers.append(layer)

    def _dense_layers(self):
        """The layers that hold weights, in order."""
        return [layer for layer in self._layers if isinstance(layer, layers_module.Dense)]

    def _add_activation(self, layer):
        """Folds an activation layer into the Dense just before it, which must have a linear activation."""
        if not self._layers or not isinstance(self._layers[-1], layers_module.Dense) \
                or self._layers[-1].activation != "linear":
            previous = repr(self._layers[-1]) if self._layers else "nothing"
            raise ValueError(
                f"Anneal applies {layer!r} in the Dense layer before it, so it must directly follow a Dense with "
                f"activation='linear' (or None). It follows {previous}.")
        dense_index = len(self._dense_layers()) - 1  # the library counts Dense layers only here
        layer._attach(self, len(self._layers))  # first: it refuses a layer of another model
        try:
            _lib.check(_lib.anneal_model_set_activation(
                self._live_handle(), dense_index, _names.ACTIVATIONS.code(layer.activation), layer.alpha))
        except Exception:
            layer._detach()
            raise
        self._layers.append(layer)

    def build(self, input_shape):
        """Creates the weights for inputs of ``input_shape`` (``(None, 34)`` or ``(34,)``)."""
        self._refuse_during_fit("build")
        width = tuple(input_shape)[-1]
        _lib.check(_lib.anneal_model_build(self._live_handle(), _positive_int(width, "input_shape[-1]")))

    @property
    def built(self):
        return self._count(_lib.anneal_model_weight_count) > 0

    def compile(self, optimizer="sgd", loss=None, metrics=None, weighted_metrics=None, **kwargs):
        """Configures training: an optimizer (``SGD()``, ``Adam()``..., or a name: ``"sgd"``, ``"adam"``,
        ``"rmsprop"``, ``"adagrad"``, ``"adadelta"``, ``"adamax"``, ``"nadam"``), a loss (a name such as
        ``"mae"``, an ``anneal.losses`` function or object such as ``Huber(delta=0.5)``) and metrics (names such
        as ``"accuracy"`` or ``"auc"``, ``anneal.metrics`` functions or objects such as ``AUC(curve="PR")``).

        As in Keras 2, ``metrics`` are not weighted by ``sample_weight`` / ``class_weight``; ``weighted_metrics``
        (the same kinds of metric) are, in ``fit`` (training, and validation with ``validation_data``'s
        weights), ``evaluate(sample_weight=)``, ``train_on_batch`` and ``test_on_batch``. They are logged after
        ``metrics``; one whose name a metric already has is logged as ``weighted_<name>``."""
        _reject("compile", kwargs)
        self._refuse_during_fit("compile")
        optimizer = optimizers.get(optimizer)
        if loss is None:
            raise ValueError("compile() needs a loss, e.g. loss='binary_crossentropy'")
        function, from_logits, label_smoothing, delta, loss_name = losses_module._resolve(loss)
        metrics = _metric_list(metrics, "metrics")
        weighted_metrics = _metric_list(weighted_metrics, "weighted_metrics")
        shared = [m for m in metrics if isinstance(m, metrics_module.Metric) and any(m is w for w in weighted_metrics)]
        if shared:
            raise ValueError("Found duplicated metrics object in the user provided metrics and weighted metrics. This "
                             "will cause the same metric object to be updated multiple times, and report wrong "
                             f"results. \nDuplicated items: {shared}")
        unweighted = [metrics_module._resolve(metric) for metric in metrics]
        log_names = [name for _, name, _ in unweighted]
        for index, name in enumerate(log_names):
            if name == "loss" or name in log_names[:index]:
                raise ValueError("Metric names must be unique and other than 'loss' (they key the logs); give the "
                                 f"metric object a `name`. Received: {name!r}")
        weighted = [metrics_module._resolve(metric) for metric in weighted_metrics]
        for _, name, _ in weighted:
            # tf_keras's MetricsContainer._set_metric_names.
            if name in log_names:
                name = "weighted_" + name
            if name == "loss" or name in log_names:
                raise ValueError(f"Found two weighted metrics with the same name: {name}. All the metrics added to "
                                 "the model need to have unique names.")
            log_names.append(name)
        # One library metric per threshold of a Precision or Recall of several, logged name[i] (_logs).
        resolved, metric_list, weighted_count = [], [], 0
        for position, ((kind, _, configurations), log_name, metric) in enumerate(
                zip(unweighted + weighted, log_names, metrics + weighted_metrics)):
            for index, parameters in enumerate(configurations or [None]):
                name = log_name if len(configurations or ()) < 2 else _logs.element_key(log_name, index)
                resolved.append((kind, name, parameters))
                metric_list.append(metric)
                weighted_count += position >= len(unweighted)
        if not self._layers:
            raise InvalidStateError("The model has no layers; add a Dense layer before compile().")
        optimizer._attach(self)
        handle = self._live_handle()
        names = (ctypes.c_char_p * max(len(resolved), 1))(*[kind.encode() for kind, _, _ in resolved])
        optimizer._compile(handle, _names.LOSSES.code(function), names, len(resolved))
        if (from_logits, label_smoothing, delta) != (False, 0.0, 1.0):
            _lib.check(_lib.anneal_model_set_loss_options(handle, from_logits, label_smoothing, delta))
        for index, (kind, name, parameters) in enumerate(resolved):
            if name != kind or parameters is not None:
                threshold, k, num_thresholds, curve = parameters or (0.5, 5, 200, _codes.ANNEAL_CURVE_ROC)
                _lib.check(_lib.anneal_model_set_metric(handle, index, kind.encode(), name.encode(), threshold, k,
                                                        num_thresholds, curve))
            if isinstance(metric_list[index], metrics_module.Metric):
                metric_list[index]._compiled(handle, index)
        self.optimizer = optimizer
        self.loss = loss if isinstance(loss, losses_module.Loss) else loss_name
        self._loss_function = function
        for index in range(len(resolved) - weighted_count, len(resolved)):
            _lib.check(_lib.anneal_model_set_metric_weighted(handle, index, True))
        self.compiled_metrics = [name for _, name, _ in resolved]
        self._weighted_count = weighted_count
        self._metrics_built = False
        self._batch_sums = None

    @property
    def metrics_names(self):
        """``["loss", metric names...]`` as Keras fills it: empty after compile until the model has trained or
        evaluated on data (fit, evaluate, train_on_batch, test_on_batch)."""
        if self.optimizer is None or not self._metrics_built:
            return []
        return _logs.Layout(self._logs_names()).keys

    def reset_metrics(self):
        """Forgets the results that train_on_batch / test_on_batch(reset_metrics=False) accumulate."""
        self._batch_sums = None

    def _logs_names(self):
        """The names of the values the library reports: the loss, then the compiled metrics (``name[i]`` for each
        threshold of a metric of several)."""
        return ["loss"] + list(self.compiled_metrics)

    # --- Training -------------------------------------------------------------------------------------------
    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, class_weight=None, sample_weight=None,
            initial_epoch=0, seed=None, **kwargs):
        """Trains the model, as Keras's ``fit``, and returns a ``History``.

        The training rows are the first ``floor(n * (1 - validation_split))`` (the last rows validate, taken
        before shuffling); each epoch they are shuffled (unless ``shuffle=False``) and cut into batches of
        ``batch_size`` (default 32). ``seed`` seeds this fit's shuffling (default: from the model's seed).
        Logs: ``loss`` and metrics, ``val_`` values, ``effective_lr`` when ``decay`` is on, and what callbacks
        add (``lr``).

        ``sample_weight`` (one weight per row) and ``class_weight`` (``{class: weight}`` for every class from 0,
        applied by each row's label: its argmax when one-hot) weight each row's loss as Keras 2 does: a batch's
        loss is ``sum(w_i * loss_i) / rows``; both together multiply. The metrics are not weighted.
        ``validation_data`` may be ``(x_val, y_val, sample_weight_val)``, which weights ``val_loss``; with
        ``validation_split`` the last rows keep their ``sample_weight``, and ``class_weight`` never touches
        validation.
        """
        return self._fit(x, y, batch_size, epochs, verbose, callbacks, validation_split, validation_data, shuffle,
                         initial_epoch, seed, kwargs, class_weight=class_weight, sample_weight=sample_weight)

    def _fit(self, x, y, batch_size, epochs, verbose, callbacks, validation_split, validation_data, shuffle,
             initial_epoch, seed, kwargs, class_weight=None, sample_weight=None):
        """``fit`` with its arguments as given (``anneal.sweep`` calls it too)."""
        if kwargs.get("validation_freq") == 1:  # Keras's default: validate after every epoch, as Anneal does
            del kwargs["validation_freq"]
        _reject("fit", kwargs, _GENERATOR_ONLY)
        self._require_compiled()
        batch_size = 32 if batch_size is None else _positive_int(batch_size, "batch_size")
        if isinstance(epochs, bool) or not isinstance(epochs, numbers.Integral) or epochs < 0:
            raise ValueError(f"`epochs` must be a non-negative integer. Received: epochs={epochs!r}")
        verbose = _verbosity(verbose)
        if validation_data is None:
            if isinstance(validation_split, bool) or not isinstance(validation_split, numbers.Real) \
                    or math.isnan(validation_split) or not 0 <= validation_split < 1:
                raise ValueError("`validation_split` must be in the range [0, 1). "
                                 f"Received: validation_split={validation_split!r}")
        x_matrix = _arrays.as_matrix(x, "x")
        y_matrix = _arrays.as_matrix(y, "y")
        _same_rows(x_matrix, y_matrix)
        self._check_widths(x_matrix, y_matrix)
        weights = _weights.sample_weights(sample_weight, x_matrix.rows)
        per_class = None if class_weight is None else _weights.class_weights(class_weight, y_matrix)
        validation = None
        validation_weights = None
        if validation_data is not None:
            if not isinstance(validation_data, (tuple, list)) or len(validation_data) not in (2, 3):
                raise ValueError("`validation_data` must be a tuple (x_val, y_val) or (x_val, y_val, val_sample_weight)")
            validation = (_arrays.as_matrix(validation_data[0], "x_val"),
                          _arrays.as_matrix(validation_data[1], "y_val"))
            if len(validation_data) == 3:
                validation_weights = _weights.sample_weights(validation_data[2], validation[0].rows,
                                                             "val_sample_weight")
        session = _Session(self._live_handle(), x_matrix, y_matrix, batch_size, float(validation_split),
                           validation, bool(shuffle), seed)
        try:
            if weights is not None or per_class is not None:
                # Keras splits sample_weight with the data, then weights only the training rows by class.
                training = session.training_rows
                train = [1.0] * training if weights is None else weights[:training]
                if per_class is not None:
                    train = [w * c for w, c in zip(train, per_class)]
                session.set_sample_weights(train)
                if validation is None and session.validates and weights is not None:
                    session.set_sample_weights(weights[training:], validation=True)
            if validation_weights is not None:
                session.set_sample_weights(validation_weights, validation=True)
        except BaseException:
            session.close()
            raise
        self._metrics_built = True
        self._batch_sums = None
        try:
            return self._run(session, epochs, initial_epoch, verbose, list(callbacks or []))
        finally:
            session.close()

    def _run(self, session, epochs, initial_epoch, verbose, user_callbacks):
        """The epochs of a fit, in one call of the library's fit loop (``anneal_session_fit_events``), which holds
        the GIL only while it calls into Python. With the built-in callbacks only (the progress bar too) they run
        in the library over their handles, and History is the library's: Python is asked only every
        _POLL_SECONDS whether Ctrl-C was pressed. With a callback of Python's every callback runs in Python, in
        the user's order, then History and the progress bar, called by the library at each epoch's begin and
        end (and each batch's, when one has batch hooks)."""
        history = callbacks_module.History()
        params = {"verbose": verbose, "epochs": epochs, "steps": session.batch_count}
        self.stop_training = False
        in_library = _library_callbacks(user_callbacks)
        if in_library:
            library = list(user_callbacks)
            if verbose:
                library.append(callbacks_module.ProgbarLogger(count_mode="steps"))
            for callback in library:
                callback.set_model(self)
                callback.set_params(params)
                callback._open()
            callback_list = callbacks_module.CallbackList([history], self, params)
        else:
            library = []
            every = user_callbacks + [history]
            if verbose:
                every.append(callbacks_module.ProgbarLogger(count_mode="steps"))
            callback_list = callbacks_module.CallbackList(every, self, params)
        callback_list.call("on_train_begin", None)
        handle = ctypes.c_void_p()
        array = (ctypes.c_void_p * max(len(library), 1))(*[callback._handle for callback in library])
        hooks = None
        with _Interrupts() as interrupts:
            if in_library:
                events = _codes.ANNEAL_EVENTS_POLL if interrupts.installed else 0
                function = _lib.anneal_epoch_callback(interrupts.probe) if events else _NO_CALLBACK
            else:
                hooks = _Hooks(self, callback_list, session.epoch_keys(), interrupts)
                events = _codes.ANNEAL_EVENTS_EPOCH
                if callback_list.wants_batch_hooks:
                    events |= _codes.ANNEAL_EVENTS_BATCH
                function = _lib.anneal_epoch_callback(hooks)
            outer, self._fitting_thread = self._fitting_thread, threading.get_ident()
            try:
                status = _lib.anneal_session_fit_events(session.handle, epochs, initial_epoch, array, len(library),
                                                        function, None, events, _POLL_SECONDS, ctypes.byref(handle))
            finally:
                self._fitting_thread = outer
        try:
            if hooks is not None and hooks.error is not None:
                raise hooks.error
            for callback in library:  # what a schedule function or an output stream raised, as Keras would
                error, callback._error = callback._error, None
                if error is not None:
                    raise error
            _lib.check(status)
            if hooks is None:
                logs = self._read_history(handle, history, initial_epoch)
                self.stop_training = initial_epoch + len(history.epoch) < epochs
            else:
                logs = hooks.logs
        finally:
            _lib.anneal_history_free(handle)
        callback_list.call("on_train_end", logs)
        self.history = history
        return history

    @staticmethod
    def _read_history(handle, history, initial_epoch):
        """Fills ``history`` from the library's (``handle``); returns the last epoch's logs (None: none)."""
        count = ctypes.c_int32()
        _lib.check(_lib.anneal_history_key_count(handle, ctypes.byref(count)))
        key_count = count.value
        _lib.check(_lib.anneal_history_epoch_count(handle, ctypes.byref(count)))
        done = count.value
        keys = _lib.read_strings(_lib.anneal_history_key, handle, count=key_count)
        column = (ctypes.c_double * max(done, 1))()  # read into by every key in turn
        columns = []
        for key in keys:
            _lib.check(_lib.anneal_history_values(handle, key.encode(), column, done, None))
            columns.append(column[:done])
        # A metric of several thresholds: one array per epoch, as Keras's History.
        history.history = _logs.Layout(keys).columns(columns)
        history.epoch = list(range(initial_epoch, initial_epoch + done))
        return {key: values[-1] for key, values in history.history.items() if values} or None

    # --- Inference ------------------------------------------------------------------------------------------
    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None, **kwargs):
        """The model's outputs for ``x``: a float32 numpy array (rows x units), or nested lists without numpy.

        ``verbose`` ('auto' = 1) prints Keras's progress bar over the ``ceil(rows / batch_size)`` batches."""
        _reject("predict", dict(kwargs, steps=steps, callbacks=callbacks or None), _GENERATOR_ONLY)
        batch_size = 32 if batch_size is None else _positive_int(batch_size, "batch_size")
        verbose = _verbosity(verbose)
        matrix = _arrays.as_matrix(x, "x")
        finish = (callbacks_module._progress_line(self, verbose, math.ceil(matrix.rows / batch_size)) if verbose
                  else None)
        output = self._predict(matrix, batch_size)
        if finish is not None:
            finish({})
        return output

    def _predict(self, matrix, batch_size):
        handle = self._live_handle()
        self._check_widths(matrix)
        units = self._count(_lib.anneal_model_output_dim)
        count = matrix.rows * units
        out, pointer = _arrays.float_buffer(count)
        _lib.check(_lib.anneal_model_predict(handle, matrix.pointer, matrix.rows, matrix.columns, batch_size,
                                             pointer, count))
        return _arrays.shaped(out, (matrix.rows, units))

    def predict_on_batch(self, x):
        """The outputs for ``x`` as one batch (as ``predict`` with ``batch_size`` = all rows, silent)."""
        matrix = _arrays.as_matrix(x, "x")
        return self._predict(matrix, max(matrix.rows, 1))

    def __call__(self, inputs, training=None, mask=None, **kwargs):
        """``model(x)``: the outputs for ``x`` (a numpy array, or nested lists without numpy), as
        ``predict_on_batch``, in inference mode: ``training=True`` is refused when a Dropout would act."""
        _reject("Sequential.__call__", dict(kwargs, mask=mask))
        if training and any(isinstance(layer, layers_module.Dropout) and layer.rate > 0 for layer in self._layers):
            raise ValueError("Anneal applies Dropout only inside fit() and train_on_batch(); model(x, training=True) "
                             "with a Dropout layer is not supported. Call model(x) for inference.")
        return self.predict_on_batch(inputs)

    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None, steps=None,
                 callbacks=None, return_dict=False, **kwargs):
        """The loss (and metrics) over ``x``, ``y``: a float without metrics, else ``[loss, metric...]``
        (a dict with ``return_dict=True``). ``verbose`` ('auto' = 1) prints Keras's progress bar with the
        values."""
        _reject("evaluate", dict(kwargs, steps=steps, callbacks=callbacks or None), _GENERATOR_ONLY)
        self._require_compiled()
        batch_size = 32 if batch_size is None else _positive_int(batch_size, "batch_size")
        verbose = _verbosity(verbose)
        xs, ys = self._labelled(x, y)
        weights = _weights.sample_weights(sample_weight, xs.rows)
        finish = callbacks_module._progress_line(self, verbose, math.ceil(xs.rows / batch_size)) if verbose else None
        values = self._evaluate(xs, ys, weights, batch_size)
        self._metrics_built = True
        self._batch_sums = None
        names = self._logs_names()
        if finish is not None:
            finish(zip(names, values))
        return self._results(names, values, return_dict)

    def _evaluate(self, xs, ys, weights, batch_size):
        """The library's evaluate, weighted by ``weights`` (checked, one per row) when given."""
        if weights is None:
            return _values(_lib.anneal_model_evaluate, self._live_handle(), xs.pointer, xs.rows, xs.columns,
                           ys.pointer, ys.columns, batch_size)
        buffer = (ctypes.c_float * len(weights))(*weights)
        return _values(_lib.anneal_model_evaluate_weighted, self._live_handle(), xs.pointer, xs.rows, xs.columns,
                       ys.pointer, ys.columns, buffer, batch_size)

    @staticmethod
    def _results(names, values, return_dict):
        """Keras's return value of the library's ``names`` and ``values``: a dict, the loss alone, or the list of
        loss and metrics (a metric of several thresholds as one array)."""
        layout = _logs.Layout(names)
        if return_dict:
            return layout.dict(values)
        values = layout.values(values)
        return values[0] if len(values) == 1 else list(values)

    # --- One batch at a time ---------------------------------------------------------------------------------
    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None, reset_metrics=True,
                       return_dict=False, **kwargs):
        """One SGD update on ``x``, ``y`` as a single batch; returns the batch's loss (and metrics), computed
        with the weights before the update, as Keras's ``train_on_batch``.

        With ``reset_metrics=False`` the results of this and the following calls accumulate (row-weighted
        means) until a call with ``reset_metrics=True`` returns them and starts afresh, as Keras's metrics do.
        """
        _reject("train_on_batch", kwargs)
        self._require_compiled()
        xs, ys = self._labelled(x, y)
        weights = _weights.sample_weights(sample_weight, xs.rows)
        if class_weight is not None:
            per_class = _weights.class_weights(class_weight, ys)
            weights = per_class if weights is None else [w * c for w, c in zip(weights, per_class)]
        # One batch of every row, in order; the fixed seed keeps the model's own generator (which shuffles
        # fit's batches) untouched.
        session = _Session(self._live_handle(), xs, ys, max(xs.rows, 1), 0.0, None, False, 0)
        try:
            if weights is not None:
                session.set_sample_weights(weights)
            session.begin_epoch()
            session.train_batch(0)
            values = session.running_values()
        finally:
            session.close()
        return self._batch_results(xs.rows, values, reset_metrics, return_dict, weights)

    def test_on_batch(self, x, y=None, sample_weight=None, reset_metrics=True, return_dict=False, **kwargs):
        """The loss (and metrics) of ``x``, ``y`` as a single batch, without training; ``reset_metrics`` as in
        ``train_on_batch``."""
        _reject("test_on_batch", kwargs)
        self._require_compiled()
        xs, ys = self._labelled(x, y)
        weights = _weights.sample_weights(sample_weight, xs.rows)
        values = self._evaluate(xs, ys, weights, max(xs.rows, 1))
        return self._batch_results(xs.rows, values, reset_metrics, return_dict, weights)

    def _require_compiled(self):
        if self.optimizer is None:
            raise InvalidStateError("You must call `compile()` before using the model.")

    def _labelled(self, x, y):
        """``x`` and ``y`` as matrices with as many rows, and the widths the model takes."""
        xs = _arrays.as_matrix(x, "x")
        ys = _arrays.as_matrix(y, "y")
        _same_rows(xs, ys)
        self._check_widths(xs, ys)
        return xs, ys

    def _batch_results(self, rows, values, reset_metrics, return_dict, weights=None):
        """Adds one batch's values to the running sums and returns their means (Keras's loss tracker and
        accuracy are both means over rows; a weighted metric's mean is over the sample weights, ``weights``, when
        given); clears the sums when ``reset_metrics``."""
        self._metrics_built = True
        weighted_from = len(values) - getattr(self, "_weighted_count", 0)
        weight = rows if weights is None else float(sum(weights))
        counts = [rows if index < weighted_from else weight for index in range(len(values))]
        if self._batch_sums is None:
            totals, sums, means = counts, [n * value for n, value in zip(counts, values)], list(values)
        else:
            totals = [previous + n for previous, n in zip(self._batch_sums[0], counts)]
            sums = [previous + n * value for previous, n, value in zip(self._batch_sums[1], counts, values)]
            means = [value / total if total else value for value, total in zip(sums, totals)]
        self._batch_sums = None if reset_metrics else (totals, sums)
        return self._results(self._logs_names(), means, return_dict)

    # --- Weights --------------------------------------------------------------------------------------------
    def _weight_shape(self, index):
        rank = ctypes.c_int32()
        dims = (ctypes.c_int64 * 2)()
        size = ctypes.c_int64()
        _lib.check(_lib.anneal_model_weight_shape(self._live_handle(), index, ctypes.byref(rank), dims, 2,
                                                  ctypes.byref(size)))
        return tuple(dims[:rank.value]), size.value

    def get_weights(self):
        """The weights in Keras's order: each layer's kernel (inputs x units), then its bias."""
        weights = []
        for index in range(self._count(_lib.anneal_model_weight_count)):
            shape, size = self._weight_shape(index)
            buffer, pointer = _arrays.float_buffer(size)
            _lib.check(_lib.anneal_model_get_weight(self._live_handle(), index, pointer, size))
            weights.append(_arrays.shaped(buffer, shape))
        return weights

    def set_weights(self, weights):
        """Replaces every weight; the list must match ``get_weights()`` in count and shapes. On any error the
        model keeps its weights."""
        weights = list(weights)
        count = self._count(_lib.anneal_model_weight_count)
        if len(weights) != count:
            raise ValueError(f'You called `set_weights(weights)` on layer "{self.name}" with a weight list of length '
                             f"{len(weights)}, but the layer was expecting {count} weights. Provided weights: "
                             f"{str(weights)[:50]}...")
        prepared = []
        for index, values in enumerate(weights):
            owner, pointer, shape = _arrays.as_weight(values, f"weight {index}")
            expected, size = self._weight_shape(index)
            if tuple(shape) != expected:
                raise ValueError(f"Layer {self.name} weight shape {expected} is not compatible with provided weight "
                                 f"shape {tuple(shape)} (weight {index}).")
            prepared.append((owner, pointer, size))
        snapshot = self.get_weights()  # set one by one, so restore all on a failure midway
        try:
            for index, (owner, pointer, size) in enumerate(prepared):
                _lib.check(_lib.anneal_model_set_weight(self._live_handle(), index, pointer, size))
        except Exception:
            for index, values in enumerate(snapshot):
                owner, pointer, shape = _arrays.as_weight(values, f"weight {index}")
                _lib.anneal_model_set_weight(self._live_handle(), index, pointer, math.prod(shape))
            raise

    def _layer_weight_indices(self, position):
        """The indices of layer ``position``'s kernel (and bias) among the model's weights."""
        dense = [isinstance(layer, layers_module.Dense) for layer in self._layers]
        first = sum(2 if layer.use_bias else 1 for layer, weighted in zip(self._layers[:position], dense) if weighted)
        layer = self._layers[position]
        return list(range(first, first + (2 if layer.use_bias else 1))) if dense[position] else []

    def _layer_input_shape(self, position):
        """``(None, width)``: the output width of the last Dense before ``position`` (activation layers keep
        their input's width), or the model's input width."""
        widths = [layer.units for layer in self._layers[:position] if isinstance(layer, layers_module.Dense)]
        return (None, widths[-1] if widths else self._count(_lib.anneal_model_input_dim))

    def _layer_weights(self, position):
        weights = []
        for index in self._layer_weight_indices(position):
            shape, size = self._weight_shape(index)
            buffer, pointer = _arrays.float_buffer(size)
            _lib.check(_lib.anneal_model_get_weight(self._live_handle(), index, pointer, size))
            weights.append(_arrays.shaped(buffer, shape))
        return weights

    def _set_layer_weights(self, position, weights):
        """Checks every shape first, so a mismatch changes nothing."""
        layer = self._layers[position]
        prepared = []
        for index, values in zip(self._layer_weight_indices(position), weights):
            owner, pointer, shape = _arrays.as_weight(values, f"weight of layer {layer.name}")
            expected, size = self._weight_shape(index)
            if tuple(shape) != expected:
                raise ValueError(f"Layer {layer.name} weight shape {expected} is not compatible with provided weight "
                                 f"shape {tuple(shape)}.")
            prepared.append((index, owner, pointer, size))
        snapshot = self._layer_weights(position)  # set one by one, so restore both on a failure midway
        try:
            for index, owner, pointer, size in prepared:
                _lib.check(_lib.anneal_model_set_weight(self._live_handle(), index, pointer, size))
        except Exception:
            for index, values in zip(self._layer_weight_indices(position), snapshot):
                owner, pointer, shape = _arrays.as_weight(values, f"weight {index}")
                _lib.anneal_model_set_weight(self._live_handle(), index, pointer, math.prod(shape))
            raise

    def save_weights(self, filepath, overwrite=True, **kwargs):
        """Writes the weights atomically to ``filepath`` in Anneal's checksummed format."""
        _reject("save_weights", kwargs)
        filepath = os.fspath(filepath)
        if not overwrite and os.path.exists(filepath):
            raise FileExistsError(f"{filepath} exists and overwrite=False")
        _lib.check(_lib.anneal_model_save_weights(self._live_handle(), filepath.encode()))

    def load_weights(self, filepath, **kwargs):
        """Loads weights saved by ``save_weights`` (or the weights of a whole-model file from ``save``), or
        Keras's ``.weights.h5`` / ``.h5`` files (needs h5py); a missing, corrupt or mismatched file raises and
        leaves the model's weights unchanged."""
        _reject("load_weights", kwargs)
        try:
            magic = saving._magic(os.fspath(filepath))
        except OSError:
            magic = b""  # the library reports it, naming the file
        if magic == saving._HDF5_MAGIC:
            from . import _keras_files
            filepath = os.fspath(filepath)
            weights = _keras_files.read_weights(filepath)
            count = self._count(_lib.anneal_model_weight_count)
            if self.built and len(weights) != count:
                raise ShapeMismatchError(f"{filepath}: the Keras file holds {len(weights)} weights (kernels and "
                                         f"biases), but the model has {count} weights: the file was saved from "
                                         f"another model")
            try:
                self.set_weights(weights)
            except ValueError as error:  # a shape or a value: every load error names its file
                raise type(error)(f"{filepath}: {error}") from None
            return
        _lib.check(_lib.anneal_model_load_weights(self._live_handle(), os.fspath(filepath).encode()))

    # --- Whole-model save -----------------------------------------------------------------------------------
    def save(self, filepath, overwrite=True, save_format=None, **kwargs):
        """Saves the whole model. By default in Anneal's model file (architecture, weights, compile settings,
        the optimizer's arguments and state, the random generator: ``load_model`` resumes training exactly),
        written atomically; with ``save_format="h5"`` or a ``.h5`` suffix, as a Keras 2 HDF5 file that
        tf_keras loads (needs h5py: ``pip install anneal[h5]``)."""
        _reject("save", kwargs)
        saving.save_model(self, filepath, overwrite=overwrite, save_format=save_format)

    # --- Description ----------------------------------------------------------------------------------------
    @property
    def input_shape(self):
        """``(None, input width)`` once built."""
        if not self.built:
            raise AttributeError(f'The model "{self.name}" has not been built yet and has no defined input shape.')
        return (None, self._count(_lib.anneal_model_input_dim))

    @property
    def output_shape(self):
        """``(None, output width)`` (the last Dense's units) once built."""
        if not self.built:
            raise AttributeError(f'The model "{self.name}" has not been built yet and has no defined output '
                                 "shape.")
        return self._layer_input_shape(len(self._layers))

    def count_params(self):
        """The number of weights (kernel and bias values) of every layer."""
        count = self._count(_lib.anneal_model_weight_count)
        return sum(self._weight_shape(index)[1] for index in range(count))

    def summary(self, line_length=None, positions=None, print_fn=None, expand_nested=False, show_trainable=False,
                layer_range=None):
        """Prints Keras's table of the layers, their output shapes and parameter counts, then the totals with
        their size in bytes, exactly as tf_keras 2.21 prints them (``print_fn`` receives each line)."""
        if not self.built:
            raise ValueError("This model has not yet been built. Build the model first by calling `build()` or by "
                             "calling the model on a batch of data.")
        _summary.print_summary(self, line_length=line_length, positions=positions, print_fn=print_fn,
                               show_trainable=show_trainable, layer_range=layer_range)


from . import saving  # noqa: E402  (after Sequential: saving builds Sequential models)
from .saving import load_model, save_model  # noqa: E402,F401


def __getattr__(name):
    raise _missing.missing("anneal.models", name, __all__,
                           "Anneal's models are Sequential stacks of Dense and Dropout layers.")
