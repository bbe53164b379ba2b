"""anneal._lib: loading, version, prototypes mirroring include/anneal.h, status strings."""

import helpers  # noqa: F401  first: puts python/ on sys.path whatever runs the tests

import ctypes
import os
import re

import anneal
import c_header
from anneal import _codes, _lib, errors


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


# The ctypes type that stands for each C type of the header (handles are plain pointers in Python).
_SCALARS = {"int32_t": ctypes.c_int32, "int64_t": ctypes.c_int64, "uint64_t": ctypes.c_uint64,
            "double": ctypes.c_double, "float": ctypes.c_float, "bool": ctypes.c_bool}
_STRUCTS = ("anneal_dense_options", "anneal_compile_options", "anneal_fit_options")


def _ctype(declared):
    """The ctypes type a binding must use for the C type ``declared`` (as c_header normalizes it)."""
    if declared in _SCALARS:
        return _SCALARS[declared]
    if declared == "void":
        return None
    if declared == "void *":
        return ctypes.c_void_p
    if declared == "anneal_epoch_callback":
        return _lib.anneal_epoch_callback
    if declared == "anneal_write_callback":
        return _lib.anneal_write_callback
    if declared == "anneal_rate_callback":
        return _lib.anneal_rate_callback
    base = declared.replace("const", "").replace("*", "").strip()
    stars = declared.count("*")
    if base == "char":
        if stars == 2:
            return ctypes.POINTER(ctypes.c_char_p)
        return ctypes.c_char_p if declared.startswith("const") else ctypes.POINTER(ctypes.c_char)
    if base in _STRUCTS:
        pointee = getattr(_lib, base)
    elif base.startswith("anneal_"):
        pointee = ctypes.c_void_p  # an opaque handle
        stars -= 1
    else:
        pointee = _SCALARS[base]
    for _ in range(stars):
        pointee = ctypes.POINTER(pointee)
    return pointee


def _bindings():
    """``{name: function}`` of the module-level C functions of ``_lib``."""
    return {name: value for name, value in vars(_lib).items() if isinstance(value, _lib.lib._FuncPtr)}


def test_every_header_function_is_bound_under_its_own_name():
    declared = [name for name, _, _, _ in c_header.declarations()]
    assert len(declared) > 80 and len(declared) == len(set(declared))
    bound = _bindings()
    assert set(declared) == set(bound), set(declared) ^ set(bound)
    for name, function in bound.items():
        assert function.__name__ == name, (name, function.__name__)


def test_every_binding_has_the_header_prototype():
    bound = _bindings()
    for name, result, parameters, _ in c_header.declarations():
        function = bound[name]
        assert function.restype is _ctype(result), (name, result, function.restype)
        expected = [_ctype(parameter) for parameter in parameters]
        assert list(function.argtypes) == expected, (name, parameters, function.argtypes)


def test_every_binding_quotes_its_declaration():
    with open(_lib.__file__) as handle:
        source = handle.read()
    for name, _, _, declaration in c_header.declarations():
        quoted = "\n".join("# " + line for line in declaration.split("\n"))
        assert quoted + "\n" + name + " = _function(" in source, name


def test_option_structs_have_the_header_fields():
    for struct in _STRUCTS:
        fields = [(field, _ctype(declared)) for field, declared in c_header.struct_fields(struct)]
        assert getattr(_lib, struct)._fields_ == fields, struct


def test_codes_are_the_header_constants():
    header = {name: value for name, value in c_header.integer_constants().items()
              if not name.startswith("ANNEAL_VERSION_")}
    mirrored = {name: value for name, value in vars(_codes).items() if name.startswith("ANNEAL_")}
    assert mirrored == header, set(mirrored.items()) ^ set(header.items())
    assert c_header.integer_constants()["ANNEAL_VERSION_MAJOR"] == _lib.SUPPORTED_MAJOR


def test_every_status_has_one_exception_class():
    statuses = {value for name, value in vars(_codes).items() if name.startswith("ANNEAL_E_")}
    assert set(errors.BY_STATUS) == statuses
    for status, cls in errors.BY_STATUS.items():
        assert cls.status == status and issubclass(cls, errors.AnnealError)
        assert _lib.anneal_status_string(status) != b"unknown status"


def test_status_strings_and_last_error():
    assert _lib.anneal_status_string(0)
    assert _lib.anneal_status_string(9999) == b"unknown status"
    code = ctypes.c_int32()
    assert _lib.anneal_activation_from_name(b"relu", ctypes.byref(code)) == _codes.ANNEAL_OK
    assert code.value == _codes.ANNEAL_ACTIVATION_RELU
    assert _lib.anneal_last_error() == b""
    assert _lib.anneal_activation_from_name(b"nope", ctypes.byref(code)) == _codes.ANNEAL_E_INVALID_ARGUMENT
    assert b"nope" in _lib.anneal_last_error()


def test_read_string():
    assert anneal.datasets.ionosphere()[2] == ["b", "g"]
