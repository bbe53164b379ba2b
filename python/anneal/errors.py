"""Anneal's exceptions: one base class, and one class per C status that also inherits the matching builtin,
so ``except ValueError`` catches a bad argument as it would in Keras."""

__all__ = [
    "AnnealError",
    "InvalidArgumentError",
    "NullPointerError",
    "InvalidHandleError",
    "ShapeMismatchError",
    "InvalidStateError",
    "NonFiniteError",
    "AnnealIOError",
    "ParseError",
    "CorruptFileError",
    "BufferTooSmallError",
    "BusyError",
    "AnnealMemoryError",
    "CallbackAbortedError",
    "InternalError",
]


class AnnealError(Exception):
    """Base class of every error the Anneal library reports. ``status`` is the C status code."""

    status = None


class InvalidArgumentError(AnnealError, ValueError):
    status = 1


class NullPointerError(AnnealError, ValueError):
    status = 2


class InvalidHandleError(AnnealError, ValueError):
    """A closed model, session or dataset was used."""

    status = 3


class ShapeMismatchError(AnnealError, ValueError):
    status = 4


class InvalidStateError(AnnealError, RuntimeError):
    """A call made in the wrong order, e.g. fit before compile."""

    status = 5


class NonFiniteError(AnnealError, ValueError):
    status = 6


class AnnealIOError(AnnealError, OSError):
    status = 7


class ParseError(AnnealError, ValueError):
    """A malformed CSV file; the message is ``path:line:column: what``."""

    status = 8


class CorruptFileError(AnnealError, ValueError):
    """A truncated, corrupted or foreign weights file."""

    status = 9


class BufferTooSmallError(AnnealError, ValueError):
    status = 10


class BusyError(AnnealError, RuntimeError):
    """The model is in use by another thread."""

    status = 11


class AnnealMemoryError(AnnealError, MemoryError):
    status = 12


class CallbackAbortedError(AnnealError, RuntimeError):
    status = 13


class InternalError(AnnealError, RuntimeError):
    status = 14


BY_STATUS = {cls.status: cls for cls in AnnealError.__subclasses__()}
