"""The sweep examples (examples/python/schedule_sweep.py and translator_experiment.py) run end to end at their
--quick size and print their tables (and draw their figures when matplotlib is installed)."""

import helpers  # noqa: F401  first: puts python/ on sys.path whatever runs the tests

import os
import runpy

from helpers import REPO, captured_stdout

EXAMPLES = os.path.join(REPO, "examples", "python")


def _main(script, tmp_path):
    namespace = runpy.run_path(os.path.join(EXAMPLES, script), run_name="anneal_example")
    return captured_stdout(namespace["main"], ["--quick", "--backend", "threads", "--out", str(tmp_path)])


def _has_matplotlib():
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        # ClusterSweepTests runs these tests in an environment that must have it (so the figures are drawn in CI).
        assert not os.environ.get("ANNEAL_TEST_PLOTTING"), "ANNEAL_TEST_PLOTTING is set but matplotlib is missing"
        return False
    return True


def test_schedule_sweep_quick(tmp_path):
    result, printed = _main("schedule_sweep.py", tmp_path)
    assert len(result.records) == 20 * 2 and not result.errors
    assert {record["schedule"] for record in result.records} == {"time", "step", "exponential", "cosine"}
    lines = printed.splitlines()
    assert lines[0] == "20 configurations x 2 seeds, 10 epochs each, backend threads"
    assert "val_accuracy over seeds, best first" in lines
    assert any(line.startswith("best: schedule=") for line in lines)
    if _has_matplotlib():
        assert os.path.getsize(tmp_path / "schedule_sweep.png") > 10000
    else:
        assert any(line.startswith("no figure: SweepResult.plot needs matplotlib") for line in lines)


def test_translator_experiment_quick(tmp_path):
    result, printed = _main("translator_experiment.py", tmp_path)
    assert len(result.records) == 4 * 3 and not result.errors
    assert all(len(record["history"]["val_loss"]) == 30 for record in result.records)
    lines = printed.splitlines()
    assert "mean |val_loss(e) - val_loss(e-1)| over the last 10 epochs (lower is smoother), over seeds:" in lines
    verdicts = [line for line in lines if line.startswith("momentum ")]
    assert len(verdicts) == 2 and all("with decay the late val_loss is" in line for line in verdicts)
    if _has_matplotlib():
        for name in ("loss", "accuracy", "smoothness"):
            assert os.path.getsize(tmp_path / f"translator_{name}.png") > 10000
    else:
        assert "no figures: matplotlib is not installed (pip install matplotlib)" in lines
