"""Keras 2's (legacy) ``Nadam``."""

from .. import _lib
from .optimizer import Optimizer, check_epsilon, check_number
from .schedules import LearningRateSchedule


class Nadam(Optimizer):
    """Nadam, exactly as Keras 2's legacy ``Nadam``: Adam with Nesterov momentum and Dozat's momentum schedule.

    With ``t = iterations + 1`` and the momentum cache ``M`` (the running product of the schedule's values,
    starting at 1, kept with the model), each update first computes, in float32::

        mu_t    = beta_1 * (1 - 0.5 * 0.96**(schedule_decay * t))
        mu_next = beta_1 * (1 - 0.5 * 0.96**(schedule_decay * (t + 1)))
        M       = M * mu_t;   M_next = M * mu_next

    then moves every weight ``w`` with gradient ``g`` (moments ``m``, ``v`` starting at 0) by::

        g'   = g / (1 - M)
        m    = beta_1 * m + (1 - beta_1) * g;     m' = m / (1 - M_next)
        v    = beta_2 * v + (1 - beta_2) * g**2;  v' = v / (1 - beta_2**t)
        mbar = (1 - mu_t) * g' + mu_next * m'
        w    = w - lr * mbar / (sqrt(v') + epsilon)

    As in Keras 2, the rate is never decayed: ``decay`` (if given) is replaced by ``schedule_decay``, the
    momentum schedule's decay, and a learning-rate schedule is refused. ``LearningRateScheduler`` and
    ``ReduceLROnPlateau`` still set the rate between epochs.

    Args:
        learning_rate: a float >= 0.
        beta_1: in [0, 1); beta_2: in [0, 1).
        epsilon: None or 0 means Keras's 1e-7.
        schedule_decay: the momentum schedule's decay, >= 0 (Keras's default 0.004).
        lr: Keras 2's alias of ``learning_rate``; when both are given, ``lr`` wins.
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, name="Nadam", **kwargs):
        schedule_decay = kwargs.pop("schedule_decay", 0.004)
        kwargs.pop("decay", None)  # Keras 2 overwrites it with schedule_decay
        if isinstance(kwargs.get("lr", learning_rate), LearningRateSchedule):
            raise ValueError("The Nadam optimizer does not support tf.keras.optimizers.LearningRateSchedules as "
                             "the learning rate.")
        super().__init__(name, learning_rate, kwargs, allow_decay=False)
        self.beta_1 = check_number(beta_1, "beta_1", 0.0, 1.0, high_open=True)
        self.beta_2 = check_number(beta_2, "beta_2", 0.0, 1.0, high_open=True)
        self.epsilon = check_epsilon(epsilon)
        self.schedule_decay = check_number(schedule_decay, "schedule_decay")

    def _describe(self, schedule, out):
        return _lib.anneal_optimizer_nadam(self._fixed_rate, self.beta_1, self.beta_2, self.epsilon,
                                           self.schedule_decay, out)

    def _settings(self):
        return {"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon,
                "schedule_decay": self.schedule_decay}
