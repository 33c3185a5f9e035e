"""scripts/run_course.py: every notebook headless, one report row each (Markdown and CSV)."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]


def notebook(path: Path, *sources: str) -> Path:
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources]), path)
    return path


def test_report_rows_come_from_the_notebooks_own_record_calls(tmp_path):
    good = notebook(tmp_path / "01_good.ipynb",
                    "import helpers.report",
                    "accuracy = sum([0.5, 0.25])",
                    'helpers.report.record("01", data="real data", weights="none (trained here)", '
                    'metric="test accuracy", value=accuracy)')
    bad = notebook(tmp_path / "02_bad.ipynb", "raise RuntimeError('no weights here')")
    silent = notebook(tmp_path / "03_silent.ipynb", "accuracy = 0.9  # measured, but never recorded")
    out = tmp_path / "report"
    run = subprocess.run([sys.executable, ROOT / "scripts" / "run_course.py", "--profile", "fast",
                          "--out", out, good, bad, silent], capture_output=True, text=True, timeout=300)
    assert run.returncode == 1, run.stdout + run.stderr  # one notebook failed
    rows = list(csv.DictReader(open(out / "report.csv")))
    assert [r["notebook"] for r in rows] == ["01_good.ipynb", "02_bad.ipynb", "03_silent.ipynb"]
    assert rows[2]["status"].startswith("FAILED: no headline recorded")
    assert rows[0]["status"] == "ok" and rows[0]["profile"] == "fast"
    assert rows[0]["data"] == "real data" and rows[0]["headline metric"] == "test accuracy: 0.750"
    assert rows[1]["status"].startswith("FAILED") and "no weights here" in rows[1]["status"]
    assert "| 01_good.ipynb | fast | real data |" in (out / "report.md").read_text()
    executed = nbformat.read(out / "01_good.ipynb", as_version=4)
    assert "Lesson 01 headline" in executed.cells[2].outputs[0]["text"]
