"""Utilities: seeding like Keras, and Keras's ``to_categorical`` and ``normalize``."""

import random

from . import _missing
from ._np_utils import normalize, to_categorical

__all__ = ["set_random_seed", "to_categorical", "normalize"]

# Set by set_random_seed: the stream new models draw their seeds from, the same with or without numpy.
_seeded = None
# numpy's global state when that stream last drew (or was seeded); None without numpy. A different state
# means numpy's generator was reseeded (numpy.random.seed, as the tutorial does) or used since: from then on
# models draw from numpy again, so the most recent seeding is the one in force.
_numpy_state = None


def _numpy():
    try:
        import numpy
    except ImportError:
        return None
    return numpy


def _numpy_fingerprint(numpy):
    _, key, position, has_gauss, cached_gaussian = numpy.random.get_state()
    return key.tobytes(), position, has_gauss, cached_gaussian


def set_random_seed(seed):
    """Makes everything that follows reproducible, as Keras's ``set_random_seed`` does: seeds Python's
    ``random``, numpy's global generator (when numpy is installed) and the stream every model built afterwards
    draws its seed from. The same seed then gives the same weights, shuffling and history, whether or not
    numpy is installed. A later ``numpy.random.seed(s)`` takes over again (the most recent seeding wins)."""
    global _seeded, _numpy_state
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ValueError(f"Expected `seed` argument to be an integer. Received: seed={seed!r}")
    random.seed(seed)
    _seeded = random.Random(seed)
    numpy = _numpy()
    if numpy is None:
        _numpy_state = None
        return
    numpy.random.seed(seed % 2**32)
    _numpy_state = _numpy_fingerprint(numpy)


def _draw_model_seed():
    """A 63-bit seed for a new model: from the ``set_random_seed`` stream while it is the most recent seeding;
    otherwise from numpy's global generator when numpy is present (so the tutorial's ``numpy.random.seed(7)``
    before building the model makes the run reproducible), else from Python's ``random``."""
    global _seeded, _numpy_state
    numpy = _numpy()
    if _seeded is not None:
        if numpy is None:
            return _seeded.getrandbits(63)
        if _numpy_fingerprint(numpy) == _numpy_state:
            # Advance numpy by one draw, so that numpy.random.seed(s) called after this (even with the same
            # s) is seen as a reseeding rather than as an untouched generator.
            numpy.random.random_sample()
            _numpy_state = _numpy_fingerprint(numpy)
            return _seeded.getrandbits(63)
        _seeded = None
        _numpy_state = None
    if numpy is None:
        return random.getrandbits(63)
    return int(numpy.random.randint(0, 2**62, dtype="int64"))


def __getattr__(name):
    raise _missing.missing("anneal.utils", name, __all__)
