"""Keras 2's (legacy) ``Adam``."""

from .. import _lib
from .optimizer import Optimizer, check_epsilon, check_number


class Adam(Optimizer):
    """Adam, exactly as Keras 2's legacy ``Adam`` (TensorFlow's fused ``ApplyAdam``).

    With ``lr_t`` the rate in force (``lr / (1 + decay * iterations)``), ``t = iterations + 1`` and the
    moments ``m``, ``v`` starting at 0, every weight ``w`` with gradient ``g`` moves by, in float32::

        alpha = lr_t * sqrt(1 - beta_2**t) / (1 - beta_1**t)
        m = m + (g - m) * (1 - beta_1)
        v = v + (g**2 - v) * (1 - beta_2)
        w = w - m * alpha / (sqrt(v) + epsilon)

    With ``amsgrad``, ``vhat = max(vhat, v)`` replaces ``v`` in the denominator. tf_keras's newer default
    ``Adam`` (``tf.keras.optimizers.Adam`` in TF 2.11+) folds the bias corrections differently: it agrees
    with this one to about 2e-6 over 50 epochs of the ionosphere model.

    Args:
        learning_rate: a float >= 0, or a per-update schedule from ``anneal.optimizers.schedules``.
        beta_1, beta_2: the moments' decay rates, in [0, 1).
        epsilon: added to the denominator; None or 0 means Keras's 1e-7.
        amsgrad: whether to use the running maximum of ``v``.
        decay: Keras 2's time-based decay per update, >= 0.
        lr: Keras 2's alias of ``learning_rate``; when both are given, ``lr`` wins.
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False, name="Adam",
                 **kwargs):
        super().__init__(name, learning_rate, kwargs)
        self.beta_1 = check_number(beta_1, "beta_1", 0.0, 1.0, high_open=True)
        self.beta_2 = check_number(beta_2, "beta_2", 0.0, 1.0, high_open=True)
        self.epsilon = check_epsilon(epsilon)
        self.amsgrad = bool(amsgrad)

    def _describe(self, schedule, out):
        return _lib.anneal_optimizer_adam(self._fixed_rate, self.beta_1, self.beta_2, self.epsilon, self.amsgrad,
                                          self.decay, schedule, out)

    def _settings(self):
        return {"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon, "amsgrad": self.amsgrad}
