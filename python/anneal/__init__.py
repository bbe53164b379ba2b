"""Anneal: Keras 2's training of small dense networks, with learning-rate schedules, natively.

The API copies Keras's, so ``import anneal as keras`` runs a Keras 2 tutorial's script: ``keras.Sequential``,
``keras.Input``, ``keras.layers``, ``keras.activations``, ``keras.optimizers`` (``SGD``, ``Adam``, ``RMSprop``,
``Adagrad``, ``Adadelta``, ``Adamax``, ``Nadam``; ``legacy``; ``schedules``), ``keras.losses``, ``keras.metrics``,
``keras.callbacks``, ``keras.utils``, ``keras.models`` and ``keras.saving`` (``load_model``), ``keras.backend``,
plus ``anneal.datasets``. Submodules load on first use, so ``import anneal`` is cheap (the library itself loads
with the first submodule that needs it). A Keras name Anneal does not provide raises an error that lists what
it provides.
"""

import importlib

from . import _missing
from .errors import AnnealError

_SUBMODULES = ("activations", "backend", "callbacks", "datasets", "layers", "losses", "metrics", "models",
               "optimizers", "saving", "sweep", "utils")
# Top-level names and the submodule attribute each one is.
_ATTRIBUTES = {"Sequential": ("models", "Sequential"), "Input": ("layers", "Input"), "__version__": ("_lib", "version")}

__all__ = ["AnnealError", "Input", "Sequential", *_SUBMODULES, "__version__"]


def __getattr__(name):
    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    if name in _ATTRIBUTES:
        module, attribute = _ATTRIBUTES[name]
        value = getattr(importlib.import_module(f".{module}", __name__), attribute)
        globals()[name] = value
        return value
    raise _missing.missing("anneal", name, [n for n in __all__ if n != "__version__"])


def __dir__():
    return sorted(set(globals()) | set(__all__))
