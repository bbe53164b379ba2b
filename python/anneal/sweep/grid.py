"""The configurations a sweep runs: ``grid(**axes)`` and ``log_space(start, stop, num)``."""

import itertools
import math
import numbers

__all__ = ["grid", "log_space"]


def grid(**axes):
    """The cartesian product of ``axes`` as a list of config dicts, in a fixed order: the first axis varies
    slowest and the last fastest, as ``itertools.product`` over the axes in keyword order::

        grid(learning_rate=[0.1, 0.01], momentum=[0.0, 0.9])
        # [{'learning_rate': 0.1, 'momentum': 0.0}, {'learning_rate': 0.1, 'momentum': 0.9},
        #  {'learning_rate': 0.01, 'momentum': 0.0}, {'learning_rate': 0.01, 'momentum': 0.9}]

    Conditional axes (a parameter that only some configurations have) come from concatenating grids::

        grid(kind=["time"], decay=[0.0, 0.002]) + grid(kind=["step"], drop=[0.5, 0.25], epochs_drop=[10, 20])

    Args:
        **axes: each axis is a list, tuple or range of values (one value: ``kind=["step"]``).

    Returns:
        A list of dicts with the axes' names as keys, ``len`` = the product of the axes' lengths.
    """
    values = []
    for name, axis in axes.items():
        if not isinstance(axis, (list, tuple, range)):
            raise TypeError(f"Each grid axis must be a list of values; for one value write {name}=[{axis!r}]. "
                            f"Received: {name}={axis!r}")
        if len(axis) == 0:
            raise ValueError(f"The grid axis `{name}` is empty. Received: {name}={axis!r}")
        values.append(list(axis))
    names = list(axes)
    return [dict(zip(names, combination)) for combination in itertools.product(*values)]


def _positive_finite(value, name):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value) or value <= 0:
        raise ValueError(f"`{name}` must be a positive finite number. Received: {name}={value!r}")
    return float(value)


def log_space(start, stop, num):
    """``num`` exponentially spaced values from ``start`` to ``stop``, both included: equal ratios between
    neighbours, as learning rates should be searched (``log_space(0.001, 0.1, 3) == [0.001, 0.01, 0.1]``).

    Value ``i`` is ``10 ** (log10(start) + i * (log10(stop) - log10(start)) / (num - 1))`` rounded to 12
    significant digits, so that decades come out exact (0.01, not 0.010000000000000002); the ends are
    ``start`` and ``stop`` themselves. ``stop`` may be below ``start`` (descending values).

    Args:
        start: the first value, > 0.
        stop: the last value, > 0.
        num: how many values, a positive integer (1 gives ``[start]``).
    """
    start = _positive_finite(start, "start")
    stop = _positive_finite(stop, "stop")
    if isinstance(num, bool) or not isinstance(num, numbers.Integral) or num < 1:
        raise ValueError(f"`num` must be a positive integer. Received: num={num!r}")
    if num == 1:
        return [start]
    low, high = math.log10(start), math.log10(stop)
    inner = [float(f"{10 ** (low + i * (high - low) / (num - 1)):.12g}") for i in range(1, num - 1)]
    return [start] + inner + [stop]
