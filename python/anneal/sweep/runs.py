"""One run of a sweep: build the model of a (config, seed), fit it, and keep what it logged as a record.

``_run_chunk`` is the unit every backend ships: a pure function of its arguments (no global state read or
written, the seed of each run taken from the run alone), so that it can run in this process, in a worker
process, or on a cluster's worker.
"""

import contextlib
import ctypes
import numbers

from .. import _lib, utils
from ..models import _GENERATOR_ONLY, Sequential

# Keys a record sets itself: a config may not use them.
RESERVED_KEYS = ("seed", "history", "error")
# What a sweep passes on to every fit, with fit's defaults (but verbose: a sweep is silent unless asked).
FIT_DEFAULTS = {"batch_size": None, "epochs": 1, "verbose": 0, "validation_split": 0.0, "validation_data": None,
                "shuffle": True, "initial_epoch": 0}


def check_fit_arguments(fit_kwargs):
    """Refuses what a sweep cannot pass to every fit, with the reason; the values are checked by fit itself
    (and a few up front, so that a typo does not make every run an error record)."""
    if "callbacks" in fit_kwargs:
        raise TypeError("`callbacks` are per run in a sweep: return (model, callbacks) from `build`")
    if "seed" in fit_kwargs:
        raise TypeError("A sweep seeds each run's shuffling from the run's own seed (`seeds=`); remove `seed`")
    # As fit: Keras's validation_freq=1, keywords left at None and generator-only ones pass. Weights are not
    # passed on to the runs yet: refused by name, since ignoring them would return unweighted results that
    # look weighted.
    extra = {key: value for key, value in fit_kwargs.items() if key not in FIT_DEFAULTS}
    for weights in ("sample_weight", "class_weight"):
        if extra.get(weights) is not None:
            raise ValueError(f"sweep.run() does not support `{weights}` yet: its runs would weigh every sample "
                             f"equally. Call sweep.run() without `{weights}`, or fit the model yourself.")
    if isinstance(extra.get("validation_freq"), numbers.Integral) and extra["validation_freq"] == 1:
        del extra["validation_freq"]
    unknown = sorted(key for key, value in extra.items() if value is not None and key not in _GENERATOR_ONLY)
    if unknown:
        raise TypeError(f"sweep.run() got unsupported fit arguments: {unknown}. Supported: {sorted(FIT_DEFAULTS)}")
    epochs = fit_kwargs.get("epochs", 1)
    if isinstance(epochs, bool) or not isinstance(epochs, numbers.Integral) or epochs < 0:
        raise ValueError(f"`epochs` must be a non-negative integer. Received: epochs={epochs!r}")
    batch_size = fit_kwargs.get("batch_size")
    if batch_size is not None and (isinstance(batch_size, bool) or not isinstance(batch_size, numbers.Integral)
                                   or batch_size <= 0):
        raise ValueError(f"`batch_size` must be a positive integer. Received: batch_size={batch_size!r}")
    if fit_kwargs.get("verbose", 0) not in (0, 1, 2):
        raise ValueError(f"`verbose` must be 0, 1 or 2. Received: verbose={fit_kwargs['verbose']!r}")


@contextlib.contextmanager
def training_alone(alone=True):
    """Inside the block, the calling thread's training calls compute on it alone, without the library's helper
    thread (``anneal_calling_thread_set_threads(1)``; its setting before is restored after): for the threads of
    a sweep that already trains on every core, where the helper would only take CPU from the others. The
    results are the same bits either way."""
    if not alone:
        yield
        return
    previous = ctypes.c_int32(0)
    _lib.check(_lib.anneal_calling_thread_threads(ctypes.byref(previous)))
    _lib.check(_lib.anneal_calling_thread_set_threads(1))
    try:
        yield
    finally:
        _lib.check(_lib.anneal_calling_thread_set_threads(previous.value))


def _model_and_callbacks(built):
    if isinstance(built, Sequential):
        return built, []
    if isinstance(built, tuple) and len(built) == 2 and isinstance(built[0], Sequential):
        return built[0], list(built[1] or [])
    raise TypeError("`build(config)` must return a compiled anneal Sequential, or (model, callbacks). "
                    f"Received: {built!r}")


def run_one(build, config, seed, x, y, fit_kwargs, keep_history):
    """Trains one (config, seed) and returns its record: the config's keys, ``seed``, the last epoch's value of
    every log (a log named like a config key is stored as ``final_<name>``), ``history`` (every epoch's logs)
    when ``keep_history``; or, when building or fitting raised, ``error`` (``"ValueError: ..."``) instead of the
    logs. The model's weights and shuffling follow from ``seed`` alone (``utils._seed_scope``)."""
    record = dict(config)
    record["seed"] = seed
    model = None
    arguments = dict(FIT_DEFAULTS, **fit_kwargs)
    try:
        with utils._seed_scope(seed):
            model, callbacks = _model_and_callbacks(build(dict(config)))
            history = model._fit(x, y, arguments["batch_size"], arguments["epochs"], arguments["verbose"], callbacks,
                                 arguments["validation_split"], arguments["validation_data"], arguments["shuffle"],
                                 arguments["initial_epoch"], None, {})
    except Exception as error:  # the sweep goes on; the record says what went wrong
        record["error"] = f"{type(error).__name__}: {error}"
        return record
    finally:
        if model is not None:
            model.close()
    # A metric of several thresholds logs an array per epoch: a list of floats here, so that records stay
    # plain data (JSON lines in a results file, pickles between processes).
    logs = history.history
    for key, values in logs.items():
        record["final_" + key if key in config else key] = _plain(values[-1]) if values else None
    if keep_history:
        record["history"] = {key: [_plain(value) for value in values] for key, values in logs.items()}
    return record


def _plain(value):
    """A log value as plain data: a number as it is, an array as a list of floats."""
    return [float(item) for item in value] if hasattr(value, "__len__") else value


def _run_chunk(build, chunk, x, y, fit_kwargs, keep_history=True, on_record=None):
    """Runs ``chunk``, a list of ``(index, config, seed)``, one after the other, and returns their records in
    that order; ``on_record(index, record)``, when given, is called as each run ends."""
    records = []
    for index, config, seed in chunk:
        record = run_one(build, config, seed, x, y, fit_kwargs, keep_history)
        if on_record is not None:
            on_record(index, record)
        records.append(record)
    return records
