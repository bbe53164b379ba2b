"""``keras.backend``: ``clear_session``."""

from . import _missing, _naming

__all__ = ["clear_session"]


def clear_session():
    """Resets the state Keras keeps between models, as tf_keras's ``clear_session``: the counters of the
    automatic names, so the next model is ``sequential`` again and its layers ``dense``, ``dense_1``, ...

    As in tf_keras, the random state is left alone: ``clear_session()`` does not reseed, so the models built
    after it get new weights; call ``anneal.utils.set_random_seed(seed)`` (or ``numpy.random.seed``) to repeat
    a run.
    """
    _naming.reset_uids()


def __getattr__(name):
    raise _missing.missing("anneal.backend", name, __all__)
