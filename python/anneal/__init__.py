"""Anneal: Keras 2's training of small dense networks, with learning-rate schedules, natively.

The API copies Keras's: ``anneal.models.Sequential``, ``anneal.layers.Dense``, ``anneal.optimizers.SGD``,
``anneal.optimizers.schedules``, ``anneal.losses``, ``anneal.metrics``, ``anneal.callbacks``, plus
``anneal.datasets`` and ``anneal.utils``.
"""

from . import _lib
from .errors import AnnealError
from . import callbacks, datasets, layers, losses, metrics, models, optimizers, utils
from .models import Sequential

__version__ = _lib.version

__all__ = ["AnnealError", "Sequential", "callbacks", "datasets", "layers", "losses", "metrics", "models", "optimizers",
           "utils", "__version__"]
