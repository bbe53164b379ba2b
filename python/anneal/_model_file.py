"""Anneal's model file as bytes, for the Python side of saving: its description records and the embedded
weights file, split and joined again (the format is documented in the Swift ``ModelFile``).

The library writes and reads the file; Python rewrites only its description, to keep what the library does
not know: the Python layers' names (which may hold any character, so ``name`` values are percent-encoded) and
the ``activation`` records of ``Activation`` / ``LeakyReLU`` layers, which the library folds into the Dense
before them and ignores when loading.
"""

import os
import struct
import tempfile
import urllib.parse
import zlib

MAGIC = b"ANNEALM\0"
VERSION = 1


def quote(name):
    """A layer name as a description value: no space, ``=``, newline or ``%`` left unencoded."""
    return urllib.parse.quote(name, safe="")


def unquote(text):
    return urllib.parse.unquote(text)


def parse(text):
    """The records of a description: a list of ``(kind, {key: text})``, in order."""
    records = []
    for line in text.splitlines():
        words = line.split(" ")
        if words and words[0]:
            records.append((words[0], dict(word.split("=", 1) for word in words[1:])))
    return records


def text(records):
    """The description of ``records`` (``(kind, fields)`` with fields a dict or a list of pairs)."""
    lines = []
    for kind, fields in records:
        pairs = fields.items() if isinstance(fields, dict) else fields
        lines.append(" ".join([kind] + [f"{key}={value}" for key, value in pairs]) + "\n")
    return "".join(lines)


def split(data):
    """``(description text, weights file bytes)`` of a model file's bytes, as the library wrote them."""
    (length,) = struct.unpack_from("<I", data, 12)
    return data[16:16 + length].decode(), data[16 + length:-4]


def join(description, weights):
    """A model file's bytes: the header, ``description`` (text), ``weights`` (a weights file's bytes), CRC-32."""
    encoded = description.encode()
    body = MAGIC + struct.pack("<II", VERSION, len(encoded)) + encoded + weights
    return body + struct.pack("<I", zlib.crc32(body))


def write_atomically(path, data):
    """Writes ``data`` to a temporary file beside ``path`` and renames it over ``path``: a crash mid-save
    leaves any previous file intact."""
    directory = os.path.dirname(os.path.abspath(path))
    handle, temporary = tempfile.mkstemp(prefix=".anneal-save-", dir=directory)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
