"""Utilities: seeding like Keras."""

import random

__all__ = ["set_random_seed"]


def set_random_seed(seed):
    """Seeds Python's ``random``, numpy's global generator (when numpy is installed) and so every model
    built afterwards: the same seed then gives the same weights, the same shuffling and the same history."""
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ValueError(f"Expected `seed` argument to be an integer. Received: seed={seed!r}")
    random.seed(seed)
    try:
        import numpy
    except ImportError:
        return
    numpy.random.seed(seed % 2**32)


def _draw_model_seed():
    """A 63-bit seed for a new model, from numpy's global generator when numpy is present (so
    ``numpy.random.seed(7)`` before building the model makes the run reproducible, as the tutorial expects),
    else from Python's ``random``."""
    try:
        import numpy
    except ImportError:
        return random.getrandbits(63)
    return int(numpy.random.randint(0, 2**62, dtype="int64"))
