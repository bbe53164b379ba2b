"""The error for a Keras name Anneal does not provide: it says what Anneal provides instead.

Modules call ``missing`` from their module-level ``__getattr__``. ``from anneal.layers import Conv2D`` then
raises an ImportError with that message (Python would otherwise replace an AttributeError's message by its
generic "cannot import name"), and ``anneal.layers.Conv2D`` raises an AttributeError with it, so that
``hasattr`` and ``getattr(module, name, default)`` keep working.
"""

import sys

__all__ = ["missing"]


def missing(module, name, provided, hint=""):
    """The exception to raise for ``module.name``: ``provided`` lists what the module has; ``hint`` may add a
    sentence (e.g. where a similar name lives)."""
    if name.startswith("__") and name.endswith("__"):
        return AttributeError(f"module {module!r} has no attribute {name!r}")
    owner = "Anneal" if module == "anneal" else f"`{module}`"
    message = (f"{owner} has no `{name}`: Anneal trains Keras 2's Sequential models of Dense and Dropout layers and does not "
               f"provide it. `{module}` provides: {', '.join(provided)}.")
    if hint:
        message += " " + hint
    if _in_from_import():
        return ImportError(message, name=module)
    return AttributeError(message)


def _in_from_import():
    """Whether the frame that asked for the attribute is executing ``from module import name``."""
    try:
        import opcode

        frame = sys._getframe(3)  # the asking frame, above missing() and the module's __getattr__
        code = frame.f_code.co_code
        return frame.f_lasti >= 0 and code[frame.f_lasti] == opcode.opmap["IMPORT_FROM"]
    except (AttributeError, IndexError, KeyError, ValueError):
        return False
