"""``SweepResult``: a sweep's records, their summary over seeds, and their export (pandas, CSV, JSON, a figure)."""

import csv
import json
import math
import os
import statistics

__all__ = ["SweepResult", "Summary"]

_STATISTICS = ("n", "mean", "median", "std", "min", "max", "missing")


def _quantile(ordered, q):
    """The q-quantile of sorted values, interpolated linearly between order statistics (numpy's default)."""
    position = q * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _finite(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


class Summary(list):
    """``SweepResult.summary``'s rows (dicts), best first; ``str()`` is an aligned table."""

    def __init__(self, rows, keys, metric):
        super().__init__(rows)
        self.keys = keys
        self.metric = metric

    def __str__(self):
        def shown(value, statistic):
            if isinstance(value, float):
                return (f"{value:.4f}" if statistic else f"{value:.6g}") if math.isfinite(value) else str(value)
            return str(value)

        columns = list(self.keys) + list(_STATISTICS)
        table = [columns] + [[shown(row.get(column, ""), column in _STATISTICS) for column in columns] for row in self]
        widths = [max(len(line[i]) for line in table) for i in range(len(columns))]
        lines = [f"{self.metric} over seeds, best first"]
        lines += ["  ".join(cell.rjust(width) for cell, width in zip(line, widths)) for line in table]
        return "\n".join(lines)


class SweepResult:
    """What ``anneal.sweep.run`` returns.

    Attributes:
        records: one dict per (config, seed), in grid order (config order, then seed order): the config's keys,
            ``seed``, the final value of every log (``loss``, ``val_accuracy``, ``lr``...; a log named like a
            config key is ``final_<name>``), ``history`` (every epoch's logs, unless ``keep_history=False``), and
            ``error`` (``"ValueError: ..."``) instead of the logs for a run that raised.
        configs: the configs, in order.
        seeds: the seeds, in order.
    """

    def __init__(self, records, configs, seeds):
        self.records = records
        self.configs = configs
        self.seeds = seeds

    def __len__(self):
        return len(self.records)

    def __repr__(self):
        return f"<SweepResult: {len(self.configs)} configs x {len(self.seeds)} seeds, {len(self.errors)} errors>"

    @property
    def errors(self):
        """The records of the runs that raised."""
        return [record for record in self.records if "error" in record]

    def _keys(self):
        keys = []
        for config in self.configs:
            keys += [key for key in config if key not in keys]
        return keys

    def _groups(self):
        width = len(self.seeds)
        return [(config, self.records[i * width:(i + 1) * width]) for i, config in enumerate(self.configs)]

    def _log_names(self):
        names = []
        for record in self.records:
            names += [key for key in record if key not in names]
        keys = set(self._keys()) | {"seed", "history", "error"}
        return [name for name in names if name not in keys]

    def summary(self, metric="val_accuracy", mode="max"):
        """Per config, the final ``metric`` over its seeds: ``n`` (runs with a finite value), ``mean``,
        ``median``, ``std`` (sample standard deviation, n - 1; NaN below 2 values), ``min``, ``max`` and
        ``missing`` (runs that raised or ended at NaN or infinity). Best first: by mean, highest first for
        ``mode="max"``, lowest for ``"min"``; configs without a value last.

        Returns:
            a ``Summary``: a list of dicts (the config's keys and those statistics) that prints as a table.
        """
        if mode not in ("max", "min"):
            raise ValueError(f"`mode` must be 'max' or 'min'. Received: mode={mode!r}")
        if metric not in self._log_names():
            raise ValueError(f"No run logged {metric!r}. Logged: {', '.join(self._log_names()) or 'nothing'}")
        rows = []
        for config, records in self._groups():
            values = sorted(record[metric] for record in records if _finite(record.get(metric)))
            row = dict(config)
            row.update(n=len(values), missing=len(records) - len(values), mean=math.nan, median=math.nan,
                       std=math.nan, min=math.nan, max=math.nan)
            if values:
                row.update(mean=statistics.fmean(values), median=_quantile(values, 0.5), min=values[0],
                           max=values[-1], std=statistics.stdev(values) if len(values) > 1 else math.nan)
            rows.append(row)
        sign = -1 if mode == "max" else 1
        rows.sort(key=lambda row: (row["n"] == 0, sign * row["mean"] if row["n"] else 0.0))
        return Summary(rows, self._keys(), metric)

    def best(self, metric="val_accuracy", mode="max"):
        """The summary row (config and statistics) of the best config: ``summary(metric, mode)[0]``."""
        row = self.summary(metric, mode)[0]
        if row["n"] == 0:
            raise ValueError(f"No run ended with a finite {metric!r}")
        return row

    def _flat_rows(self):
        columns = self._keys() + ["seed"] + self._log_names() + ["error"]
        return columns, [[record.get(column) for column in columns] for record in self.records]

    def to_pandas(self, history=False):
        """A pandas DataFrame: one row per run (config keys, seed, final logs, error); with ``history=True``,
        one row per run and epoch (config keys, seed, ``epoch``, that epoch's logs). Needs pandas."""
        try:
            import pandas
        except ImportError:
            raise ImportError("SweepResult.to_pandas needs pandas, which is not installed: pip install pandas") \
                from None
        if not history:
            columns, rows = self._flat_rows()
            return pandas.DataFrame(rows, columns=columns)
        if any("history" not in record for record in self.records if "error" not in record):
            raise ValueError("This sweep kept no histories (keep_history=False)")
        keys = self._keys()
        rows = []
        for record in self.records:
            logs = record.get("history") or {}
            for epoch in range(max((len(values) for values in logs.values()), default=0)):
                row = {key: record.get(key) for key in keys}
                row.update(seed=record["seed"], epoch=epoch)
                row.update({name: values[epoch] for name, values in logs.items() if epoch < len(values)})
                rows.append(row)
        return pandas.DataFrame(rows)

    def to_csv(self, path):
        """Writes one row per run (config keys, seed, final logs, error) to ``path``; no histories."""
        columns, rows = self._flat_rows()
        with open(os.fspath(path), "w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(columns)
            writer.writerows([["" if value is None else value for value in row] for row in rows])

    def to_json(self, path):
        """Writes every record, histories included, to ``path`` as a JSON list (NaN written as ``NaN``)."""
        with open(os.fspath(path), "w") as handle:
            json.dump(self.records, handle)

    def plot(self, path, metric="val_accuracy", band="quartiles"):
        """Draws ``metric`` over epochs for every config (the median over seeds, with a band between the
        quartiles, or the min and max for ``band="minmax"``), next to each config's learning rate over epochs
        (the median of the logged ``effective_lr``, else ``lr``: configs logging neither are left out of that
        panel), and saves the figure to ``path``. Needs matplotlib and the histories."""
        if band not in ("quartiles", "minmax"):
            raise ValueError(f"`band` must be 'quartiles' or 'minmax'. Received: band={band!r}")
        try:
            from matplotlib.backends.backend_agg import FigureCanvasAgg
            from matplotlib.figure import Figure
        except ImportError:
            raise ImportError("SweepResult.plot needs matplotlib, which is not installed: pip install matplotlib") \
                from None
        if any("history" not in record for record in self.records if "error" not in record):
            raise ValueError("SweepResult.plot needs the histories: run the sweep with keep_history=True")
        low, high = (0.25, 0.75) if band == "quartiles" else (0.0, 1.0)
        figure = Figure(figsize=(13, 5.5))
        FigureCanvasAgg(figure)
        curves, rates = figure.add_subplot(1, 2, 1), figure.add_subplot(1, 2, 2)
        # Labels name the keys that differ between configs (all of them when there is one config).
        keys = [key for key in self._keys()
                if len(self.configs) == 1 or len({repr(config.get(key)) for config in self.configs}) > 1]
        for config, records in self._groups():
            label = ", ".join(f"{key}={config[key]}" for key in keys if key in config) or "all runs"
            histories = [record["history"] for record in records if "error" not in record]
            line = None
            for axes, names in ((curves, (metric,)), (rates, ("effective_lr", "lr"))):
                name = next((n for n in names if any(n in history for history in histories)), None)
                if name is None:
                    continue
                series = [history[name] for history in histories if name in history]
                epochs = range(max(len(values) for values in series))
                columns = [sorted(v[e] for v in series if e < len(v) and _finite(v[e])) for e in epochs]
                shown = [(e, column) for e, column in zip(epochs, columns) if column]
                xs = [e + 1 for e, _ in shown]
                drawn, = axes.plot(xs, [_quantile(c, 0.5) for _, c in shown], label=label,
                                   color=line.get_color() if line is not None else None)
                line = line or drawn
                if axes is curves:
                    axes.fill_between(xs, [_quantile(c, low) for _, c in shown], [_quantile(c, high) for _, c in shown],
                                      color=drawn.get_color(), alpha=0.15, linewidth=0)
        band_name = "quartiles" if band == "quartiles" else "min-max"
        curves.set(title=f"{metric}: median over {len(self.seeds)} seeds, {band_name} band", xlabel="epoch",
                   ylabel=metric)
        rates.set(title="learning rate (median)", xlabel="epoch", ylabel="learning rate")
        curves.legend(fontsize="x-small", loc="best")
        figure.tight_layout()
        figure.savefig(os.fspath(path))
