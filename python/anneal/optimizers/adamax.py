"""Keras 2's (legacy) ``Adamax``."""

from .. import _lib
from .optimizer import Optimizer, check_epsilon, check_number


class Adamax(Optimizer):
    """Adamax, exactly as Keras 2's legacy ``Adamax`` (TensorFlow's fused ``ApplyAdaMax``).

    With ``lr_t`` the rate in force (``lr / (1 + decay * iterations)``), ``t = iterations + 1`` and ``m``, the
    infinity norm ``u`` starting at 0, every weight ``w`` with gradient ``g`` moves by, in float32::

        m = m + (g - m) * (1 - beta_1)
        u = max(beta_2 * u, |g|)
        w = w - lr_t / (1 - beta_1**t) * (m / (u + epsilon))

    Args:
        learning_rate: a float >= 0, or a per-update schedule from ``anneal.optimizers.schedules``.
        beta_1: in [0, 1); beta_2: in [0, 1].
        epsilon: None or 0 means Keras's 1e-7.
        decay: Keras 2's time-based decay per update, >= 0.
        lr: Keras 2's alias of ``learning_rate``; when both are given, ``lr`` wins.
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, name="Adamax", **kwargs):
        super().__init__(name, learning_rate, kwargs)
        self.beta_1 = check_number(beta_1, "beta_1", 0.0, 1.0, high_open=True)
        self.beta_2 = check_number(beta_2, "beta_2", 0.0, 1.0)
        self.epsilon = check_epsilon(epsilon)

    def _describe(self, schedule, out):
        return _lib.anneal_optimizer_adamax(self._fixed_rate, self.beta_1, self.beta_2, self.epsilon, self.decay,
                                            schedule, out)

    def _settings(self):
        return {"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon}
