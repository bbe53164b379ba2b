"""Runs the pytest-style tests in this folder where pytest is not installed (the embedded interpreter of
`swift test`), with the small part of pytest they use: ``raises``, ``approx``, ``skip``, ``mark.parametrize``
and the ``tmp_path`` fixture.

    python3 run_without_pytest.py [test_module ...] [-k substring]

Prints one line per failure with its traceback, then ``N passed, N failed, N skipped`` and exits non-zero
when anything failed. ``run(...)`` does the same from Python and returns the counts.
"""

import faulthandler
import importlib
import inspect
import math
import os
import re
import shutil
import sys
import tempfile
import traceback
import types
from pathlib import Path

HERE = os.path.dirname(os.path.abspath(__file__))


class Skipped(Exception):
    pass


class _Raises:
    def __init__(self, expected, match=None):
        self.expected = expected
        self.match = match
        self.value = None

    def __enter__(self):
        return self

    def __exit__(self, kind, value, tb):
        if kind is None:
            raise AssertionError(f"DID NOT RAISE {self.expected}")
        if not issubclass(kind, self.expected):
            return False
        if self.match is not None and not re.search(self.match, str(value)):
            raise AssertionError(f"Regex pattern {self.match!r} does not match {str(value)!r}")
        self.value = value
        return True


class _Approx:
    def __init__(self, expected, rel=None, abs=None):
        self.expected = expected
        self.rel = 1e-6 if rel is None else rel
        self.abs = 1e-12 if abs is None else abs

    def _close(self, actual, expected):
        if actual == expected:
            return True
        return math.isfinite(actual) and math.isfinite(expected) and \
            math.fabs(actual - expected) <= max(self.rel * math.fabs(expected), self.abs)

    def __eq__(self, actual):
        if isinstance(self.expected, (list, tuple)):
            actual = list(actual)
            return len(actual) == len(self.expected) and all(
                self._close(float(a), float(e)) for a, e in zip(actual, self.expected))
        return self._close(float(actual), float(self.expected))

    def __repr__(self):
        return f"approx({self.expected!r})"


def _parametrize(names, values, **_):
    def mark(function):
        function._parametrize = ([n.strip() for n in names.split(",")] if isinstance(names, str) else list(names),
                                 list(values))
        return function
    return mark


def _skip(reason=""):
    raise Skipped(reason)


def install_pytest_shim():
    """Puts the minimal ``pytest`` module in ``sys.modules`` (instead of the real one, whose marks this runner
    would not understand)."""
    shim = types.ModuleType("pytest")
    shim.raises = _Raises
    shim.approx = _Approx
    shim.skip = _skip
    shim.mark = types.SimpleNamespace(parametrize=_parametrize)
    sys.modules["pytest"] = shim


def _cases(function):
    spec = getattr(function, "_parametrize", None)
    if spec is None:
        return [({}, "")]
    names, values = spec
    cases = []
    for value in values:
        row = value if len(names) > 1 else (value,)
        cases.append((dict(zip(names, row)), f"[{value!r}]"))
    return cases


def run(modules=None, keyword=None, stream=None):
    stream = stream or sys.stdout
    install_pytest_shim()
    if HERE not in sys.path:
        sys.path.insert(0, HERE)
    names = modules or sorted(f[:-3] for f in os.listdir(HERE) if f.startswith("test_") and f.endswith(".py"))
    passed = failed = skipped = 0
    for name in names:
        module = importlib.import_module(name)
        for attribute, function in sorted(vars(module).items()):
            if not attribute.startswith("test_") or not callable(function):
                continue
            for arguments, label in _cases(function):
                test_id = f"{name}.{attribute}{label}"
                if keyword and keyword not in test_id:
                    continue
                directory = None
                # A test that hangs dumps every thread's Python stack, so the hang can be read, not guessed.
                faulthandler.dump_traceback_later(180, exit=False)
                try:
                    if "tmp_path" in inspect.signature(function).parameters:
                        directory = tempfile.mkdtemp(prefix="anneal-test-")
                        arguments = dict(arguments, tmp_path=Path(directory))
                    function(**arguments)
                    passed += 1
                except Skipped as reason:
                    skipped += 1
                    stream.write(f"SKIPPED {test_id}: {reason}\n")
                except Exception:
                    failed += 1
                    stream.write(f"FAILED {test_id}\n{traceback.format_exc()}\n")
                finally:
                    faulthandler.cancel_dump_traceback_later()
                    if directory:
                        shutil.rmtree(directory, ignore_errors=True)
    stream.write(f"{passed} passed, {failed} failed, {skipped} skipped\n")
    return passed, failed, skipped


if __name__ == "__main__":
    arguments = sys.argv[1:]
    keyword = None
    if "-k" in arguments:
        index = arguments.index("-k")
        keyword = arguments[index + 1]
        del arguments[index:index + 2]
    _, failures, _ = run(arguments or None, keyword)
    sys.exit(1 if failures else 0)
