"""The notebooks are committed clean, open with objectives, prerequisites and a time budget, end
with key points and a quiz, and every exercise checks a marked solution.

(Running them top to bottom is nbval's job: `pytest --nbval-lax notebooks`.)
"""

from __future__ import annotations

import importlib
import re
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
def test_each_exercise_checks_a_marked_solution_with_the_lessons_own_module(path):
    """Solutions sit between nbgrader's markers, followed by the check (which raises when wrong)."""
    cells = nbformat.read(path, as_version=4).cells
    exercises = [c for c in cells if "exercise" in c.metadata.get("tags", [])]
    assert len(exercises) >= 3, "at least two exercises and the quiz"
    module = importlib.import_module(f"helpers.exercises.lesson{path.name[:2]}")
    for cell in exercises:
        lines = [line.strip() for line in cell.source.splitlines()]
        assert lines.count("### BEGIN SOLUTION") == 1 and lines.count("### END SOLUTION") == 1
        name = re.search(r"exercises\.(\w+)\.check\(", lines[-1])
        assert name and lines.index("### END SOLUTION") < len(lines) - 1, cell.source
        assert hasattr(module.__dict__.get(name.group(1)), "hint"), f"{name.group(1)} is not an exercise"
    assert "exercises.quiz.check(" in exercises[-1].source


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_each_lesson_has_front_matter_and_ends_with_key_points_and_a_quiz(path):
    cells = nbformat.read(path, as_version=4).cells
    opening = cells[0].source
    for part in ("**After this lesson you can**", "**Prerequisites**", "**Time**"):
        assert part in opening, f"{path.name} opens without {part}"
    first_code = next(c for c in cells if c.cell_type == "code")
    assert "lesson_settings(" in first_code.source
    headings = [c.source.splitlines()[0] for c in cells if c.cell_type == "markdown"]
    assert headings.index("## Key points") < headings.index("## Quiz"), headings[-3:]
    assert "exercises.quiz.show()" in "".join(c.source for c in cells if c.cell_type == "code")


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
