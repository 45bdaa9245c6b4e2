"""The benchmark still runs end to end (bench/run.py at a tiny scale), so it never rots.

It checks that the harness works, not the speed: at this scale the figures mean nothing.
About 50 s on two cores, most of it starting one process per measurement.
"""

import subprocess
import sys

from tests.conftest import ROOT


def test_the_benchmark_runs_at_a_tiny_scale_and_prints_its_table(tmp_path):
    out = tmp_path / "latest.md"
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--scale", "0.002", "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    printed = done.stdout
    header = next((line for line in printed.splitlines() if line.startswith("| Section")), "")
    for heading in ("Figure", "Measured", "Baseline (same run)", "Ratio", "Target", "Met"):
        assert heading in header, printed
    for section in ("| import ", "| queries ", "| pages ", "| memory ", "| growth "):
        assert section in printed, section
    # a measurement that failed (a renamed function, a refused file) shows as ERROR or PROBLEM
    assert "ERROR" not in printed and "PROBLEM" not in printed, printed
    assert header in out.read_text()
