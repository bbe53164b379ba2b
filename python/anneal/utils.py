"""Utilities: seeding like Keras (safe under threads), and Keras's ``to_categorical`` and ``normalize``."""

import contextlib
import random
import threading

from . import _missing
from ._np_utils import normalize, to_categorical

__all__ = ["set_random_seed", "to_categorical", "normalize"]

# Every draw of a model seed, and every set_random_seed, happens under this lock: two threads never take the
# same draw, and numpy's global state is read and advanced by one of them at a time.
_lock = threading.Lock()
# Per thread: `stream`, the (generation, random.Random) that this thread's set_random_seed made; `scope`, the
# random.Random of an explicit seed scope (_seed_scope), which takes precedence over everything else.
_local = threading.local()
# The stream of the most recent set_random_seed on any thread, for threads that never called it.
_shared = None
# Bumped when numpy's generator takes over (see _draw_model_seed): streams of an older generation are spent.
_generation = 0
# numpy's global state just after Anneal last seeded it or drew from it; None without numpy. A different state
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
    ``random``, numpy's global generator (when numpy is installed) and the stream that models built afterwards
    draw their seeds from. The same seed then gives the same weights, shuffling and history, whether or not
    numpy is installed. A later ``numpy.random.seed(s)`` takes over again (the most recent seeding wins).

    Under threads: the stream belongs to the calling thread. A model draws its seed once, when it is
    constructed, under a lock, from the constructing thread's own stream when that thread called
    ``set_random_seed``; a thread that never did draws from the stream of the most recent call on any thread.
    So a loop of ``set_random_seed(s)``, build, ``fit`` gives the same runs on every thread, whatever other
    threads do, and no two models ever take the same draw. (Python's ``random`` and numpy's generator stay
    global, as in Keras: code that draws from them on several threads at once is not reproducible.)
    ``Sequential(seed=...)`` and ``anneal.sweep`` seed a model explicitly and use none of this.
    """
    global _shared, _numpy_state
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ValueError(f"Expected `seed` argument to be an integer. Received: seed={seed!r}")
    with _lock:
        random.seed(seed)
        stream = (_generation, random.Random(seed))
        _local.stream = stream
        _shared = stream
        numpy = _numpy()
        if numpy is None:
            _numpy_state = None
            return
        numpy.random.seed(seed % 2**32)
        _numpy_state = _numpy_fingerprint(numpy)


@contextlib.contextmanager
def _seed_scope(seed):
    """Within the block, models constructed on this thread draw their seeds from ``random.Random(seed)``
    alone, the stream ``set_random_seed(seed)`` would give them, without reading or changing any global state:
    what ``anneal.sweep`` runs each (config, seed) under."""
    previous = getattr(_local, "scope", None)
    _local.scope = random.Random(seed)
    try:
        yield
    finally:
        _local.scope = previous


def _stream_in_force():
    """The stream this thread's models draw from (its own, else the shared one), or None; under _lock."""
    for stream in (getattr(_local, "stream", None), _shared):
        if stream is not None and stream[0] == _generation:
            return stream[1]
    return None


def _draw_model_seed():
    """A 63-bit seed for a new model: from the thread's seed scope, if any; else from the ``set_random_seed``
    stream in force (see ``set_random_seed``) while it is the most recent seeding; otherwise from numpy's global
    generator when numpy is present (so the tutorial's ``numpy.random.seed(7)`` before building the model makes
    the run reproducible), else from Python's ``random``."""
    global _generation, _numpy_state
    scope = getattr(_local, "scope", None)
    if scope is not None:
        return scope.getrandbits(63)
    with _lock:
        numpy = _numpy()
        stream = _stream_in_force()
        if stream is not None:
            if numpy is None:
                return stream.getrandbits(63)
            if _numpy_fingerprint(numpy) == _numpy_state:
                # Advance numpy by one draw, so that numpy.random.seed(s) called after this (even with the same
                # s) is seen as a reseeding rather than as an untouched generator.
                numpy.random.random_sample()
                _numpy_state = _numpy_fingerprint(numpy)
                return stream.getrandbits(63)
            _generation += 1  # numpy was seeded or used since: every stream made before is spent
            _numpy_state = None
        if numpy is None:
            return random.getrandbits(63)
        return int(numpy.random.randint(0, 2**62, dtype="int64"))


def __getattr__(name):
    raise _missing.missing("anneal.utils", name, __all__)
