"""Keras 2's (legacy) ``Adagrad``."""

import math
import numbers

from .. import _lib
from .optimizer import Optimizer, check_epsilon


class Adagrad(Optimizer):
    """Adagrad, exactly as Keras 2's legacy ``Adagrad`` (TensorFlow's fused ``ApplyAdagradV2``).

    With ``lr_t`` the rate in force (``lr / (1 + decay * iterations)``) and the accumulator ``acc`` starting
    at ``initial_accumulator_value``, every weight ``w`` with gradient ``g`` moves by, in float32::

        acc = acc + g**2
        w   = w - g * lr_t / (sqrt(acc) + epsilon)

    tf_keras's newer default ``Adagrad`` computes the same over 50 epochs of the ionosphere model.

    Args:
        learning_rate: a float >= 0, or a per-update schedule from ``anneal.optimizers.schedules``.
        initial_accumulator_value: where the accumulator starts, >= 0.
        epsilon: None or 0 means Keras's 1e-7.
        decay: Keras 2's time-based decay per update, >= 0.
        lr: Keras 2's alias of ``learning_rate``; when both are given, ``lr`` wins.
    """

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7, name="Adagrad", **kwargs):
        value = initial_accumulator_value
        if (isinstance(value, bool) or not isinstance(value, numbers.Real) or math.isnan(value)
                or math.isinf(value) or value < 0.0):
            raise ValueError(f"initial_accumulator_value must be non-negative: {value}")
        super().__init__(name, learning_rate, kwargs)
        self.initial_accumulator_value = float(value)
        self.epsilon = check_epsilon(epsilon)

    def _describe(self, schedule, out):
        return _lib.anneal_optimizer_adagrad(self._fixed_rate, self.initial_accumulator_value, self.epsilon,
                                             self.decay, schedule, out)

    def _settings(self):
        return {"initial_accumulator_value": self.initial_accumulator_value, "epsilon": self.epsilon}
