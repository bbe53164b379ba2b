"""anneal._lib: loading, version, prototypes mirroring include/anneal.h, status strings."""

import helpers  # noqa: F401  first: puts python/ on sys.path whatever runs the tests

import ctypes
import os
import re

import anneal
from anneal import _lib
from helpers import REPO


def test_library_is_loaded_from_a_candidate_path():
    assert os.path.exists(_lib.path)
    paths = _lib.candidate_paths()
    assert paths[-2].endswith(os.path.join(".build", "release", "libanneal.so"))
    assert paths[-1].endswith(os.path.join(".build", "debug", "libanneal.so"))
    if os.environ.get("ANNEAL_LIBRARY"):
        assert paths[0] == os.environ["ANNEAL_LIBRARY"]


def test_version():
    assert re.match(r"^\d+\.\d+\.\d+$", anneal.__version__)
    major, minor, patch = (int(part) for part in anneal.__version__.split("."))
    assert _lib.version_number == major * 10000 + minor * 100 + patch
    assert major == _lib.SUPPORTED_MAJOR


def test_every_header_function_is_bound_with_types():
    header = os.path.join(REPO, "include", "anneal.h")
    if not os.path.exists(header):
        import pytest
        pytest.skip("include/anneal.h not found")
    with open(header) as handle:
        text = handle.read()
    declared = set(re.findall(r"^\s*(?:const\s+)?[a-z_0-9]+\s*\*?\s*(anneal_[a-z_0-9]+)\(", text, re.MULTILINE))
    assert declared, "no declarations found"
    assert declared == set(_lib.PROTOTYPES), (declared ^ set(_lib.PROTOTYPES))
    for name, function in _lib.PROTOTYPES.items():
        assert function.argtypes is not None, name


def test_status_strings_and_last_error():
    assert _lib.anneal_status_string(0)
    assert _lib.anneal_status_string(9999) == b"unknown status"
    code = ctypes.c_int32()
    assert _lib.anneal_activation_from_name(b"relu", ctypes.byref(code)) == 0 and code.value == 1
    assert _lib.anneal_last_error() == b""
    assert _lib.anneal_activation_from_name(b"nope", ctypes.byref(code)) == 1
    assert b"nope" in _lib.anneal_last_error()


def test_read_string():
    assert anneal.datasets.ionosphere()[2] == ["b", "g"]
