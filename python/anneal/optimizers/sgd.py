"""Keras 2's (legacy) ``SGD``."""

from .. import _lib
from .optimizer import Optimizer, check_number


class SGD(Optimizer):
    """Gradient descent with momentum, exactly as Keras 2's legacy ``SGD``.

    Before every update the rate in force is ``lr_t = lr / (1 + decay * iterations)`` (float32), then::

        momentum == 0:  w = w - lr_t * g
        momentum  > 0:  v = momentum * v - lr_t * g;  w = w + v
        nesterov:       v = momentum * v - lr_t * g;  w = w + momentum * v - lr_t * g

    ``decay`` is Keras's time-based decay, not weight decay; ``iterations`` counts updates and is never reset.

    Args:
        learning_rate: a float >= 0, or a per-update schedule from ``anneal.optimizers.schedules``.
        momentum: float in [0, 1].
        nesterov: whether to apply Nesterov momentum.
        decay: Keras 2's time-based decay per update, >= 0.
        lr: Keras 2's alias of ``learning_rate``; when both are given, ``lr`` wins (as in Keras 2).
    """

    _options_field = "sgd"
    _free_function = "anneal_sgd_free"

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, name="SGD", decay=0.0, **kwargs):
        super().__init__(name, learning_rate, dict(kwargs, decay=decay))
        self.momentum = check_number(momentum, "momentum", 0.0, 1.0)
        self.nesterov = bool(nesterov)

    def _describe(self, schedule, out):
        if schedule is not None:
            return _lib.anneal_sgd_create_scheduled(schedule, self.momentum, self.decay, self.nesterov, out)
        return _lib.anneal_sgd_create(self._fixed_rate, self.momentum, self.decay, self.nesterov, out)

    def _settings(self):
        return {"momentum": self.momentum, "nesterov": self.nesterov}
