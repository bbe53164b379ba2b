"""Learning-rate schedules, computed by the Anneal library (so Python, C and Swift agree to the bit).

A schedule is called with a step and returns the rate: ``schedule(step) -> float``. Keras's schedules count
optimizer updates (pass them as ``SGD(learning_rate=ExponentialDecay(...))``); the tutorial's and PyTorch's
count epochs (pass them to ``callbacks.LearningRateScheduler``). ``unit`` says which; every constructor takes
``unit="epoch"`` or ``unit="update"`` to override it.
"""

import ctypes
import re
import weakref

from .. import _lib
from .._codes import (ANNEAL_ANNEAL_COSINE, ANNEAL_ANNEAL_LINEAR, ANNEAL_CYCLIC_EXP_RANGE, ANNEAL_CYCLIC_TRIANGULAR,
                      ANNEAL_CYCLIC_TRIANGULAR2, ANNEAL_UNIT_DEFAULT, ANNEAL_UNIT_EPOCH, ANNEAL_UNIT_UPDATE)
from ..errors import AnnealError

__all__ = [
    "LearningRateSchedule",
    "StepDecay", "TimeDecay", "TutorialCompoundingDecay", "Constant",
    "ExponentialDecay", "InverseTimeDecay", "PiecewiseConstantDecay", "PolynomialDecay", "CosineDecay",
    "CosineDecayRestarts",
    "StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR", "CosineAnnealingWarmRestarts", "OneCycleLR",
    "CyclicLR", "LinearLR", "SequentialLR",
]

_UNITS = {None: ANNEAL_UNIT_DEFAULT, "default": ANNEAL_UNIT_DEFAULT, "epoch": ANNEAL_UNIT_EPOCH,
          "update": ANNEAL_UNIT_UPDATE, "step": ANNEAL_UNIT_UPDATE}
_UNIT_NAMES = {ANNEAL_UNIT_EPOCH: "epoch", ANNEAL_UNIT_UPDATE: "update"}


def _unit_code(unit):
    if unit not in _UNITS:
        raise ValueError(f"unit must be 'epoch' or 'update'. Received: unit={unit!r}")
    return _UNITS[unit]


# The library's messages name the C arguments (anneal.h); where this package's argument has another name
# (Keras's initial_learning_rate, PyTorch's T_max and max_lr), the message is given that name instead.
_PYTHON_NAMES = {
    "initial_rate": "initial_learning_rate", "end_rate": "end_learning_rate", "rate": "learning_rate",
    "t_max": "T_max", "t_0": "T_0", "t_mult": "T_mult", "max_rate": "max_lr", "base_rate": "base_lr",
}
_C_NAME = re.compile(r"\b(" + "|".join(_PYTHON_NAMES) + r")(?= must|=)")


class LearningRateSchedule:
    """Base of Anneal's schedules: a handle on a schedule held by the library."""

    def __init__(self, constructor, *args, config=None):
        handle = ctypes.c_void_p()
        try:
            _lib.check(constructor(*args, ctypes.byref(handle)))
        except AnnealError as error:
            raise type(error)(_C_NAME.sub(lambda m: _PYTHON_NAMES[m.group(1)], str(error))) from None
        self._handle = handle
        self._finalizer = weakref.finalize(self, _lib.anneal_schedule_free, handle)
        self._config = config or {}

    def __call__(self, step):
        if isinstance(step, bool) or not isinstance(step, int):
            try:
                step = int(step)
            except (TypeError, ValueError):
                raise TypeError(f"a schedule's step must be an integer. Received: step={step!r}") from None
        rate = ctypes.c_double()
        _lib.check(_lib.anneal_schedule_rate(self._handle, step, ctypes.byref(rate)))
        return rate.value

    @property
    def unit(self):
        """``"epoch"`` or ``"update"``: what the step counts."""
        code = ctypes.c_int32()
        _lib.check(_lib.anneal_schedule_unit(self._handle, ctypes.byref(code)))
        return _UNIT_NAMES.get(code.value, "update")

    def get_config(self):
        return dict(self._config)

    def __repr__(self):
        arguments = ", ".join(f"{key}={value!r}" for key, value in self._config.items())
        return f"{type(self).__name__}({arguments})"


# --- The tutorial's -------------------------------------------------------------------------------------

class StepDecay(LearningRateSchedule):
    """The tutorial's step decay, per epoch: ``initial * drop ** floor((1 + epoch) / epochs_drop)``.

    With the defaults: 0.1 for epochs 0-8, 0.05 for 9-18, 0.025 for 19-28, ...
    """

    def __init__(self, initial_learning_rate=0.1, drop=0.5, epochs_drop=10.0, unit=None):
        super().__init__(_lib.anneal_schedule_step_decay, float(initial_learning_rate), float(drop),
                         float(epochs_drop), _unit_code(unit),
                         config=dict(initial_learning_rate=initial_learning_rate, drop=drop, epochs_drop=epochs_drop))


class TimeDecay(LearningRateSchedule):
    """Keras's legacy ``decay``, per update, in float32: ``lr / (1 + decay * step)``.

    For lr 0.1 and decay 0.001: 0.1, 0.0999000999, 0.0998003992, 0.0997008973, 0.0996015936.
    """

    def __init__(self, initial_learning_rate, decay, unit=None):
        super().__init__(_lib.anneal_schedule_time_decay, float(initial_learning_rate), float(decay),
                         _unit_code(unit), config=dict(initial_learning_rate=initial_learning_rate, decay=decay))


class TutorialCompoundingDecay(LearningRateSchedule):
    """The tutorial's printed decay table, per epoch: ``lr_k = lr_(k-1) / (1 + decay * k)``.

    NOT what Keras computes (that is ``TimeDecay``, applied per update); for lr 0.1 and decay 0.001 it gives
    0.1, 0.0999000999, 0.0997006985, 0.09940249103, 0.09900646517.
    """

    def __init__(self, initial_learning_rate, decay, unit=None):
        super().__init__(_lib.anneal_schedule_tutorial_compounding_decay, float(initial_learning_rate),
                         float(decay), _unit_code(unit),
                         config=dict(initial_learning_rate=initial_learning_rate, decay=decay))


class Constant(LearningRateSchedule):
    """A constant rate."""

    def __init__(self, learning_rate, unit=None):
        super().__init__(_lib.anneal_schedule_constant, float(learning_rate), _unit_code(unit),
                         config=dict(learning_rate=learning_rate))


# --- Keras's (per update) -------------------------------------------------------------------------------

class _StaircaseDecay(LearningRateSchedule):
    """What ``ExponentialDecay`` and ``InverseTimeDecay`` share: Keras's arguments, passed to the library's
    constructor ``_constructor`` (each keeps its own formula, in the library)."""

    _constructor = None

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False, name=None, unit=None):
        super().__init__(self._constructor, float(initial_learning_rate), int(decay_steps), float(decay_rate),
                         bool(staircase), _unit_code(unit),
                         config=dict(initial_learning_rate=initial_learning_rate, decay_steps=decay_steps,
                                     decay_rate=decay_rate, staircase=staircase))


class ExponentialDecay(_StaircaseDecay):
    """``initial_learning_rate * decay_rate ** (step / decay_steps)`` (integer division when ``staircase``)."""

    _constructor = _lib.anneal_schedule_exponential_decay


class InverseTimeDecay(_StaircaseDecay):
    """``initial_learning_rate / (1 + decay_rate * step / decay_steps)``; decay_steps=1 is the legacy ``decay``."""

    _constructor = _lib.anneal_schedule_inverse_time_decay


class PiecewiseConstantDecay(LearningRateSchedule):
    """``values[0]`` while step <= boundaries[0], ``values[i]`` while boundaries[i-1] < step <= boundaries[i]."""

    def __init__(self, boundaries, values, name=None, unit=None):
        boundaries = [int(b) for b in boundaries]
        values = [float(v) for v in values]
        # Checked here, in Keras's words: the library checks the same in the C arguments' (value_count).
        if len(boundaries) != len(values) - 1:
            raise ValueError("The length of boundaries should be 1 less than the length of values. Received: "
                             f"boundaries={boundaries} of length {len(boundaries)}, and values={values} "
                             f"of length {len(values)}.")
        c_boundaries = (ctypes.c_int64 * max(len(boundaries), 1))(*boundaries)
        c_values = (ctypes.c_double * max(len(values), 1))(*values)
        super().__init__(_lib.anneal_schedule_piecewise_constant_decay, c_boundaries, len(boundaries), c_values,
                         len(values), _unit_code(unit), config=dict(boundaries=boundaries, values=values))


class PolynomialDecay(LearningRateSchedule):
    """``(initial - end) * (1 - min(step, decay_steps) / decay_steps) ** power + end``."""

    def __init__(self, initial_learning_rate, decay_steps, end_learning_rate=0.0001, power=1.0, cycle=False,
                 name=None, unit=None):
        super().__init__(_lib.anneal_schedule_polynomial_decay, float(initial_learning_rate), int(decay_steps),
                         float(end_learning_rate), float(power), bool(cycle), _unit_code(unit),
                         config=dict(initial_learning_rate=initial_learning_rate, decay_steps=decay_steps,
                                     end_learning_rate=end_learning_rate, power=power, cycle=cycle))


class CosineDecay(LearningRateSchedule):
    """Linear warmup to ``warmup_target`` (when given), then ``lr * ((1 - alpha) * 0.5 * (1 + cos(pi * s / D)) + alpha)``."""

    def __init__(self, initial_learning_rate, decay_steps, alpha=0.0, name=None, warmup_target=None,
                 warmup_steps=0, unit=None):
        super().__init__(_lib.anneal_schedule_cosine_decay, float(initial_learning_rate), int(decay_steps),
                         float(alpha), warmup_target is not None,
                         float(warmup_target) if warmup_target is not None else 0.0, int(warmup_steps),
                         _unit_code(unit),
                         config=dict(initial_learning_rate=initial_learning_rate, decay_steps=decay_steps,
                                     alpha=alpha, warmup_target=warmup_target, warmup_steps=warmup_steps))


class CosineDecayRestarts(LearningRateSchedule):
    """Cosine decay with warm restarts (SGDR): periods grow by ``t_mul``, peaks shrink by ``m_mul``."""

    def __init__(self, initial_learning_rate, first_decay_steps, t_mul=2.0, m_mul=1.0, alpha=0.0, name=None,
                 unit=None):
        super().__init__(_lib.anneal_schedule_cosine_decay_restarts, float(initial_learning_rate),
                         int(first_decay_steps), float(t_mul), float(m_mul), float(alpha), _unit_code(unit),
                         config=dict(initial_learning_rate=initial_learning_rate, first_decay_steps=first_decay_steps,
                                     t_mul=t_mul, m_mul=m_mul, alpha=alpha))


# --- PyTorch's (closed forms; per epoch unless noted) ---------------------------------------------------

class StepLR(LearningRateSchedule):
    """``initial * gamma ** floor(epoch / step_size)`` (drops at epoch = step_size: one epoch after the tutorial's)."""

    def __init__(self, initial_learning_rate, step_size, gamma=0.1, unit=None):
        super().__init__(_lib.anneal_schedule_step_lr, float(initial_learning_rate), int(step_size), float(gamma),
                         _unit_code(unit),
                         config=dict(initial_learning_rate=initial_learning_rate, step_size=step_size, gamma=gamma))


class MultiStepLR(LearningRateSchedule):
    """``initial * gamma ** (number of milestones <= epoch)``."""

    def __init__(self, initial_learning_rate, milestones, gamma=0.1, unit=None):
        # PyTorch's MultiStepLR counts its milestones (collections.Counter) and so takes them in any order;
        # the C library wants them sorted, so they are sorted here: the same rates as PyTorch.
        milestones = sorted(int(m) for m in milestones)
        c_milestones = (ctypes.c_int64 * max(len(milestones), 1))(*milestones)
        super().__init__(_lib.anneal_schedule_multi_step_lr, float(initial_learning_rate), c_milestones,
                         len(milestones), float(gamma), _unit_code(unit),
                         config=dict(initial_learning_rate=initial_learning_rate, milestones=milestones, gamma=gamma))


class ExponentialLR(LearningRateSchedule):
    """``initial * gamma ** epoch``."""

    def __init__(self, initial_learning_rate, gamma, unit=None):
        super().__init__(_lib.anneal_schedule_exponential_lr, float(initial_learning_rate), float(gamma),
                         _unit_code(unit), config=dict(initial_learning_rate=initial_learning_rate, gamma=gamma))


class CosineAnnealingLR(LearningRateSchedule):
    """``eta_min + (initial - eta_min) * (1 + cos(pi * epoch / T_max)) / 2``."""

    def __init__(self, initial_learning_rate, T_max, eta_min=0.0, unit=None):
        super().__init__(_lib.anneal_schedule_cosine_annealing_lr, float(initial_learning_rate), int(T_max),
                         float(eta_min), _unit_code(unit),
                         config=dict(initial_learning_rate=initial_learning_rate, T_max=T_max, eta_min=eta_min))


class CosineAnnealingWarmRestarts(LearningRateSchedule):
    """Cosine annealing restarted after ``T_0`` epochs, periods multiplied by ``T_mult``."""

    def __init__(self, initial_learning_rate, T_0, T_mult=1, eta_min=0.0, unit=None):
        super().__init__(_lib.anneal_schedule_cosine_annealing_warm_restarts, float(initial_learning_rate), int(T_0),
                         int(T_mult), float(eta_min), _unit_code(unit),
                         config=dict(initial_learning_rate=initial_learning_rate, T_0=T_0, T_mult=T_mult,
                                     eta_min=eta_min))


class OneCycleLR(LearningRateSchedule):
    """The 1cycle policy (per update): warm up from ``max_lr / div_factor`` to ``max_lr``, then anneal to
    ``max_lr / (div_factor * final_div_factor)``."""

    def __init__(self, max_lr, total_steps, pct_start=0.3, anneal_strategy="cos", div_factor=25.0,
                 final_div_factor=1e4, three_phase=False, unit=None):
        strategies = {"cos": ANNEAL_ANNEAL_COSINE, "linear": ANNEAL_ANNEAL_LINEAR}
        if anneal_strategy not in strategies:
            raise ValueError(f"anneal_strategy must be one of 'cos' or 'linear', instead got {anneal_strategy}")
        super().__init__(_lib.anneal_schedule_one_cycle_lr, float(max_lr), int(total_steps), float(pct_start),
                         strategies[anneal_strategy], float(div_factor), float(final_div_factor), bool(three_phase),
                         _unit_code(unit),
                         config=dict(max_lr=max_lr, total_steps=total_steps, pct_start=pct_start,
                                     anneal_strategy=anneal_strategy, div_factor=div_factor,
                                     final_div_factor=final_div_factor, three_phase=three_phase))


class CyclicLR(LearningRateSchedule):
    """Cyclical rates between ``base_lr`` and ``max_lr`` (per update): triangular, triangular2 or exp_range."""

    def __init__(self, base_lr, max_lr, step_size_up=2000, step_size_down=None, mode="triangular", gamma=1.0,
                 unit=None):
        modes = {"triangular": ANNEAL_CYCLIC_TRIANGULAR, "triangular2": ANNEAL_CYCLIC_TRIANGULAR2,
                 "exp_range": ANNEAL_CYCLIC_EXP_RANGE}
        if mode not in modes:
            raise ValueError("mode is invalid and scale_fn is None")
        super().__init__(_lib.anneal_schedule_cyclic_lr, float(base_lr), float(max_lr), int(step_size_up),
                         int(step_size_down) if step_size_down is not None else 0, modes[mode], float(gamma),
                         _unit_code(unit),
                         config=dict(base_lr=base_lr, max_lr=max_lr, step_size_up=step_size_up,
                                     step_size_down=step_size_down, mode=mode, gamma=gamma))


class LinearLR(LearningRateSchedule):
    """``initial * (start + (end - start) * min(epoch, total_iters) / total_iters)``: linear warmup."""

    def __init__(self, initial_learning_rate, start_factor=1.0 / 3, end_factor=1.0, total_iters=5, unit=None):
        super().__init__(_lib.anneal_schedule_linear_lr, float(initial_learning_rate), float(start_factor),
                         float(end_factor), int(total_iters), _unit_code(unit),
                         config=dict(initial_learning_rate=initial_learning_rate, start_factor=start_factor,
                                     end_factor=end_factor, total_iters=total_iters))


class SequentialLR(LearningRateSchedule):
    """Chains schedules: schedule ``i + 1`` takes over at ``milestones[i]`` and sees ``step - milestone``."""

    def __init__(self, schedulers, milestones):
        schedulers = list(schedulers)
        for schedule in schedulers:
            if not isinstance(schedule, LearningRateSchedule):
                raise TypeError(f"SequentialLR chains Anneal schedules; received {schedule!r}")
        milestones = [int(m) for m in milestones]
        # Checked here, in this class's words: the library checks the same in the C arguments' (milestone_count).
        if schedulers and len(milestones) != len(schedulers) - 1:
            raise ValueError(f"milestones must have one element fewer than schedulers. Received: "
                             f"milestones={milestones} of length {len(milestones)}, and {len(schedulers)} schedulers.")
        handles = (ctypes.c_void_p * max(len(schedulers), 1))(*[s._handle.value for s in schedulers])
        c_milestones = (ctypes.c_int64 * max(len(milestones), 1))(*milestones)
        super().__init__(_lib.anneal_schedule_sequential, handles, len(schedulers), c_milestones, len(milestones),
                         config=dict(schedulers=schedulers, milestones=milestones))
        self._parts = schedulers  # the library copies them; kept only for get_config and repr
