"""The notebooks are committed clean, and every exercise has a checked, hidden solution.

(Running them top to bottom is nbval's job: `pytest --nbval-lax notebooks`.)
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def test_there_are_notebooks_in_lesson_order():
    names = [p.name for p in NOTEBOOKS]
    assert names and names == sorted(names) and names[0].startswith("01_")


def test_notebooks_are_committed_clean():
    result = subprocess.run([sys.executable, ROOT / "scripts" / "clean_notebooks.py", "--check", *NOTEBOOKS],
                            capture_output=True, text=True)
    assert result.returncode == 0, f"run scripts/clean_notebooks.py on: {result.stdout}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_each_lesson_has_checked_exercises_with_hidden_solutions(path):
    cells = nbformat.read(path, as_version=4).cells
    exercises = [c for c in cells if "exercise" in c.metadata.get("tags", [])]
    solutions = [c for c in cells if "solution" in c.metadata.get("tags", [])]
    assert len(exercises) >= 2 and len(solutions) == len(exercises)
    for exercise in exercises:
        assert "None" in exercise.source and "exercises.check_" in exercise.source
    for solution in solutions:
        assert solution.metadata.get("jupyter", {}).get("source_hidden") is True
        assert "assert exercises.check_" in solution.source


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_each_lesson_announces_its_profile_and_ends_with_a_summary(path):
    cells = nbformat.read(path, as_version=4).cells
    first_code = next(c for c in cells if c.cell_type == "code")
    assert "lesson_settings(" in first_code.source
    assert cells[-1].cell_type == "markdown" and cells[-1].source.startswith("## Summary")


def test_the_cleaner_flags_stray_outputs_counts_and_widget_state(tmp_path):
    """What the pre-commit hook and test_notebooks_are_committed_clean rely on."""
    checked = nbformat.v4.new_code_cell("# NBVAL_CHECK_OUTPUT\nprint(1)", execution_count=7,
                                        outputs=[nbformat.v4.new_output("stream", text="1\n")])
    clean_nb = nbformat.v4.new_notebook(cells=[checked])
    path = tmp_path / "lesson.ipynb"
    cleaner = [sys.executable, ROOT / "scripts" / "clean_notebooks.py"]
    nbformat.write(clean_nb, path)
    subprocess.run([*cleaner, path], check=True)
    assert subprocess.run([*cleaner, "--check", path]).returncode == 0
    assert nbformat.read(path, as_version=4).cells[0].outputs  # nbval's reference output is kept

    stray = nbformat.v4.new_code_cell("print(2)", execution_count=3,
                                      outputs=[nbformat.v4.new_output("stream", text="2\n")])
    for dirty in (
        nbformat.v4.new_notebook(cells=[checked, stray]),                      # a stray output
        nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1", execution_count=4)]),
        nbformat.v4.new_notebook(cells=[checked], metadata={"widgets": {"state": {}}}),
    ):
        nbformat.write(dirty, path)
        assert subprocess.run([*cleaner, "--check", path], capture_output=True).returncode == 1
