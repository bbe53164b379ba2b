"""include/anneal.h read as data, for the tests that hold the Python package to it: the integer ``#define``s,
the function declarations (return type and parameter types) and the option structs' fields.

Only the header's own plain style is understood (one declaration per statement, no macros in signatures,
fixed-width types), which is what anneal.h promises."""

import os
import re

HEADER = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "include",
                      "anneal.h")


def text():
    with open(HEADER) as handle:
        return handle.read()


def _code(source):
    """The header without comments and preprocessor lines (continuations included), lines kept."""
    source = re.sub(r"/\*.*?\*/", lambda match: "\n" * match.group(0).count("\n"), source, flags=re.DOTALL)
    source = re.sub(r"//[^\n]*", "", source)
    return re.sub(r"^[ \t]*#(?:[^\n]*\\\n)*[^\n]*", "", source, flags=re.MULTILINE)


def integer_constants(source=None):
    """``{name: value}`` of every ``#define ANNEAL_NAME <integer>``."""
    source = text() if source is None else source
    return {name: int(value) for name, value in
            re.findall(r"^[ \t]*#define[ \t]+(ANNEAL_[A-Z0-9_]+)[ \t]+(-?\d+)\b", source, re.MULTILINE)}


def declarations(source=None):
    """``[(name, return type, [parameter type, ...], declaration text)]`` in the header's order. Types are
    normalized (``const anneal_model *``, ``int32_t``); ``(void)`` is no parameters."""
    code = _code(text() if source is None else source)
    found = []
    pattern = r"(?:^|[;}])\s*((?:const\s+)?[a-z_0-9]+(?:\s*\*)?)\s*\b(anneal_[a-z_0-9]+)\s*\(([^()]*)\)\s*;"
    for match in re.finditer(pattern, code, re.MULTILINE):
        result, name, parameters = match.groups()
        if result.startswith("typedef"):
            continue
        types = [] if parameters.strip() == "void" else [_parameter_type(part) for part in parameters.split(",")]
        declaration = code[match.start(1):match.end()].strip()
        found.append((name, _normal(result), types, declaration))
    return found


def _parameter_type(parameter):
    """``const anneal_model *model`` -> ``const anneal_model *``; the last word is the parameter's name."""
    parameter = _normal(parameter)
    name = re.search(r"[A-Za-z_0-9]+$", parameter)
    assert name, f"a parameter without a name: {parameter!r}"
    return parameter[:name.start()].strip()


def _normal(declared_type):
    declared_type = re.sub(r"\s+", " ", declared_type.strip())
    declared_type = re.sub(r"\s*\*\s*", " *", declared_type)
    return declared_type.replace("* *", "**").replace("*const", "* const").strip()


def struct_fields(name, source=None):
    """``[(field name, type)]`` of ``typedef struct name { ... } name;``."""
    code = _code(text() if source is None else source)
    match = re.search(r"typedef\s+struct\s+" + name + r"\s*\{(.*?)\}\s*" + name + r"\s*;", code, re.DOTALL)
    assert match, f"no struct {name} in anneal.h"
    fields = []
    for statement in match.group(1).split(";"):
        statement = _normal(statement)
        if statement:
            field = re.search(r"[A-Za-z_0-9]+$", statement)
            fields.append((field.group(0), statement[:field.start()].strip()))
    return fields
