"""Utilities: seeding like Keras."""

import random

__all__ = ["set_random_seed"]

# Set by set_random_seed: the stream new models draw their seeds from, the same with or without numpy.
_seeded = None


def set_random_seed(seed):
    """Makes everything that follows reproducible, as Keras's ``set_random_seed`` does: seeds Python's
    ``random``, numpy's global generator (when numpy is installed) and the stream every model built afterwards
    draws its seed from. The same seed then gives the same weights, shuffling and history, whether or not
    numpy is installed."""
    global _seeded
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ValueError(f"Expected `seed` argument to be an integer. Received: seed={seed!r}")
    random.seed(seed)
    _seeded = random.Random(seed)
    try:
        import numpy
    except ImportError:
        return
    numpy.random.seed(seed % 2**32)


def _draw_model_seed():
    """A 63-bit seed for a new model: from the ``set_random_seed`` stream when it was called; otherwise from
    numpy's global generator when numpy is present (so the tutorial's ``numpy.random.seed(7)`` before building
    the model makes the run reproducible), else from Python's ``random``."""
    if _seeded is not None:
        return _seeded.getrandbits(63)
    try:
        import numpy
    except ImportError:
        return random.getrandbits(63)
    return int(numpy.random.randint(0, 2**62, dtype="int64"))
