"""Keras's automatic names: ``dense``, ``dense_1``, ... ``sequential``, ``sequential_1``, ... ``input_1``, ...

As in tf_keras (``backend.unique_object_name`` and ``backend.get_uid``), one counter per prefix, kept per
thread (Keras keeps them per graph, and its graph is per thread); ``backend.clear_session()`` resets every
thread's counters. A name given explicitly (``Dense(4, name="dense")``) does not count.
"""

import collections
import threading
import weakref

__all__ = ["unique_object_name", "get_uid", "reset_uids"]


class _Counters(collections.defaultdict):
    """One thread's counters (a subclass, so that the registry of all threads' counters can hold it weakly)."""


_local = threading.local()
_all_counters = weakref.WeakValueDictionary()  # id -> every live thread's counters, for reset_uids
_lock = threading.Lock()


def _counters():
    counters = getattr(_local, "counters", None)
    if counters is None:
        counters = _local.counters = _Counters(int)
        with _lock:
            _all_counters[id(counters)] = counters
    return counters


def unique_object_name(prefix):
    """Keras's zero-based name for a new layer or model: ``prefix``, then ``prefix_1``, ``prefix_2``, ..."""
    counters = _counters()
    number = counters[("", prefix)]
    counters[("", prefix)] += 1
    return f"{prefix}_{number}" if number else prefix


def get_uid(prefix):
    """Keras's one-based counter for ``prefix`` (``Input``'s names: ``input_1``, ``input_2``, ...)."""
    counters = _counters()
    counters[prefix] += 1
    return counters[prefix]


def reset_uids():
    """Restarts every counter, in every thread."""
    with _lock:
        for counters in list(_all_counters.values()):
            counters.clear()
