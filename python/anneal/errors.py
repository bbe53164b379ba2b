"""Anneal's exceptions: one base class, and one class per C status that also inherits the matching builtin,
so ``except ValueError`` catches a bad argument as it would in Keras. Each class's ``status`` is the header's
ANNEAL_E_* constant (``_codes``); ``python/tests/test_lib.py`` checks that every status has exactly one class."""

from . import _codes

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
    status = _codes.ANNEAL_E_INVALID_ARGUMENT


class NullPointerError(AnnealError, ValueError):
    status = _codes.ANNEAL_E_NULL_POINTER


class InvalidHandleError(AnnealError, ValueError):
    """A closed model, session or dataset was used."""

    status = _codes.ANNEAL_E_INVALID_HANDLE


class ShapeMismatchError(AnnealError, ValueError):
    status = _codes.ANNEAL_E_SHAPE_MISMATCH


class InvalidStateError(AnnealError, RuntimeError):
    """A call made in the wrong order, e.g. fit before compile."""

    status = _codes.ANNEAL_E_INVALID_STATE


class NonFiniteError(AnnealError, ValueError):
    status = _codes.ANNEAL_E_NON_FINITE


class AnnealIOError(AnnealError, OSError):
    status = _codes.ANNEAL_E_IO


class ParseError(AnnealError, ValueError):
    """A malformed CSV file; the message is ``path:line:column: what``."""

    status = _codes.ANNEAL_E_PARSE


class CorruptFileError(AnnealError, ValueError):
    """A truncated, corrupted or foreign weights file."""

    status = _codes.ANNEAL_E_CORRUPT_FILE


class BufferTooSmallError(AnnealError, ValueError):
    status = _codes.ANNEAL_E_BUFFER_TOO_SMALL


class BusyError(AnnealError, RuntimeError):
    """The model is in use by another thread."""

    status = _codes.ANNEAL_E_BUSY


class AnnealMemoryError(AnnealError, MemoryError):
    status = _codes.ANNEAL_E_OUT_OF_MEMORY


class CallbackAbortedError(AnnealError, RuntimeError):
    status = _codes.ANNEAL_E_CALLBACK


class InternalError(AnnealError, RuntimeError):
    status = _codes.ANNEAL_E_INTERNAL


# status -> exception class, for _lib.check.
BY_STATUS = {cls.status: cls for cls in AnnealError.__subclasses__()}
