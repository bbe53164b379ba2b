"""Keras 2's (legacy) ``RMSprop``."""

from .. import _lib
from .optimizer import Optimizer, check_epsilon, check_number


class RMSprop(Optimizer):
    """RMSprop, exactly as Keras 2's legacy ``RMSprop``.

    With ``lr_t`` the rate in force (``lr / (1 + decay * iterations)``) and the mean square ``ms`` starting at
    0, every weight ``w`` with gradient ``g`` moves, without momentum, by::

        ms = rho * ms + (1 - rho) * g**2
        w  = w - lr_t * g / (sqrt(ms) + epsilon)                 # epsilon OUTSIDE the root

    and with ``momentum > 0`` (TensorFlow's fused ``ApplyRMSProp``) by::

        ms  = ms + (g**2 - ms) * (1 - rho)
        mom = momentum * mom + lr_t * g / sqrt(ms + epsilon)     # epsilon INSIDE the root
        w   = w - mom

    ``centered`` also keeps ``mg = rho * mg + (1 - rho) * g`` and uses ``ms - mg**2`` in place of ``ms``.

    tf_keras's newer default ``RMSprop`` (``tf.keras.optimizers.RMSprop`` in TF 2.11+) always puts epsilon
    inside the root; without momentum it drifts from this one (1e-3 apart after 50 epochs of the ionosphere
    model). This is the legacy one, which Keras 2 scripts ran.

    Args:
        learning_rate: a float >= 0, or a per-update schedule from ``anneal.optimizers.schedules``.
        rho: the mean square's decay rate, in [0, 1].
        momentum: in [0, 1].
        epsilon: None or 0 means Keras's 1e-7.
        centered: whether to normalize by the estimated variance of the gradient.
        decay: Keras 2's time-based decay per update, >= 0.
        lr: Keras 2's alias of ``learning_rate``; when both are given, ``lr`` wins.
    """

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False, name="RMSprop",
                 **kwargs):
        super().__init__(name, learning_rate, kwargs)
        self.rho = check_number(rho, "rho", 0.0, 1.0)
        self.momentum = check_number(momentum, "momentum", 0.0, 1.0)
        self.epsilon = check_epsilon(epsilon)
        self.centered = bool(centered)

    def _describe(self, schedule, out):
        return _lib.anneal_optimizer_rmsprop(self._fixed_rate, self.rho, self.momentum, self.epsilon,
                                             self.centered, self.decay, schedule, out)

    def _settings(self):
        return {"rho": self.rho, "momentum": self.momentum, "epsilon": self.epsilon, "centered": self.centered}
