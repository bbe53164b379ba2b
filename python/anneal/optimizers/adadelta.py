"""Keras 2's (legacy) ``Adadelta``."""

from .. import _lib
from .optimizer import Optimizer, check_epsilon, check_number


class Adadelta(Optimizer):
    """Adadelta, exactly as Keras 2's legacy ``Adadelta`` (TensorFlow's fused ``ApplyAdadelta``).

    With ``lr_t`` the rate in force (``lr / (1 + decay * iterations)``) and both accumulators starting at 0,
    every weight ``w`` with gradient ``g`` moves by, in float32::

        acc        = acc * rho + g**2 * (1 - rho)
        update     = sqrt(acc_update + epsilon) / sqrt(acc + epsilon) * g
        w          = w - update * lr_t
        acc_update = acc_update * rho + update**2 * (1 - rho)

    Keras's default rate is 0.001; the original paper's update has none (1.0).

    Args:
        learning_rate: a float >= 0, or a per-update schedule from ``anneal.optimizers.schedules``.
        rho: the accumulators' decay rate, in [0, 1].
        epsilon: None or 0 means Keras's 1e-7.
        decay: Keras 2's time-based decay per update, >= 0.
        lr: Keras 2's alias of ``learning_rate``; when both are given, ``lr`` wins.
    """

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-7, name="Adadelta", **kwargs):
        super().__init__(name, learning_rate, kwargs)
        self.rho = check_number(rho, "rho", 0.0, 1.0)
        self.epsilon = check_epsilon(epsilon)

    def _describe(self, schedule, out):
        return _lib.anneal_optimizer_adadelta(self._fixed_rate, self.rho, self.epsilon, self.decay, schedule, out)

    def _settings(self):
        return {"rho": self.rho, "epsilon": self.epsilon}
