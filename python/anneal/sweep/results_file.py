"""A sweep's results file: one JSON line per finished run, appended and flushed as the run ends, so that a
sweep killed at any moment loses only the runs in flight and a rerun takes up where it stopped.

The first line describes the sweep (the fit arguments and ``keep_history``); each further line is
``{"config": ..., "seed": ..., "record": ...}``, the record without the config's keys and the seed. A last
line cut short by a kill is dropped (and cut from the file) when the file is opened again.
"""

import json
import os

FORMAT = 1


def _described(value):
    """A fit argument as the header records it: itself when JSON can hold it, else its type's name."""
    try:
        json.dumps(value)
        return value
    except (TypeError, ValueError):
        return f"<{type(value).__name__}>"


def run_key(config, seed):
    """What identifies a run across reruns: its config, in canonical JSON, and its seed."""
    try:
        return json.dumps(config, sort_keys=True), seed
    except (TypeError, ValueError) as error:
        raise TypeError(f"With `results_file`, every config value must be JSON-serializable (numbers, strings, "
                        f"booleans, None, lists, dicts): {error}. Received: config={config!r}") from None


class ResultsFile:
    """The runs already in ``path`` (``done``: run key -> record part) and the appending of new ones."""

    def __init__(self, path, fit_kwargs, keep_history):
        self.path = os.fspath(path)
        fit = {key: _described(value) for key, value in sorted(fit_kwargs.items()) if key != "verbose"}
        header = {"anneal_sweep": FORMAT, "fit": fit,
                  "keep_history": bool(keep_history)}
        self.done = {}
        existing = b""
        if os.path.exists(self.path):
            with open(self.path, "rb") as handle:
                existing = handle.read()
        complete = existing[:existing.rfind(b"\n") + 1]
        lines = complete.decode("utf-8").splitlines()
        if lines:
            try:
                found = json.loads(lines[0])
            except ValueError:
                found = None
            if not isinstance(found, dict) or found.get("anneal_sweep") != FORMAT:
                raise ValueError(f"{self.path} is not an anneal sweep results file (its first line is "
                                 f"{lines[0][:80]!r}); give another `results_file`")
            if found != header:
                raise ValueError(f"{self.path} holds the runs of another sweep ({json.dumps(found)}); this one is "
                                 f"{json.dumps(header)}. Give another `results_file`, or delete this one")
            for number, line in enumerate(lines[1:], start=2):
                try:
                    entry = json.loads(line)
                    self.done[run_key(entry["config"], entry["seed"])] = entry["record"]
                except (ValueError, KeyError, TypeError) as error:
                    raise ValueError(f"{self.path}, line {number}, is not a run's record ({error})") from None
        # "a" rather than "w": the runs there stay; a torn last line (a kill mid-write) is cut first.
        self._handle = open(self.path, "ab")
        if len(complete) != len(existing):
            self._handle.truncate(len(complete))
        if not lines:
            self._write(header)

    def _write(self, entry):
        self._handle.write((json.dumps(entry) + "\n").encode("utf-8"))
        self._handle.flush()

    def append(self, config, seed, record):
        """Appends a finished run, in one write, flushed to the operating system."""
        part = {key: value for key, value in record.items() if key not in config and key != "seed"}
        self._write({"config": config, "seed": seed, "record": part})

    def close(self):
        self._handle.close()
