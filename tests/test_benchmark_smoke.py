"""The benchmark runs end to end on tiny sizes (its figures are not checked: timing is noisy)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent / "benchmarks" / "run.py"


def test_benchmark_runs_and_every_answer_agrees(tmp_path):
    run = subprocess.run(
        [sys.executable, str(BENCH), "--quick", "--cases", "300", "--memory-lines", "300",
         "--per-type", "5", "--pairs", "1"],
        capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    out = run.stdout
    for figure in ("decisions per second", "ovsg.klacht.antwoordtermijn", "CPU",
                   "300 lines, 0 different", "pinned", "decision log", "does not read",
                   "10,000 appointments", "writer.add", "cold start", "peak memory"):
        assert figure in out, out
