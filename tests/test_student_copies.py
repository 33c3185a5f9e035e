"""scripts/student_copies.py: solutions out, stubs in; each copy stops at its first exercise."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from conftest import SESSION_ENV

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
SCRIPT = ROOT / "scripts" / "student_copies.py"

spec = importlib.util.spec_from_file_location("student_copies", SCRIPT)
student_copies = importlib.util.module_from_spec(spec)
spec.loader.exec_module(student_copies)


def instructor_notebook() -> nbformat.NotebookNode:
    v4 = nbformat.v4
    exercise = v4.new_code_cell("x = 1\n### BEGIN SOLUTION\nanswer = 42\n### END SOLUTION\nex.check(answer)",
                                metadata={"tags": ["exercise"]})
    exercise.outputs = [v4.new_output("stream", name="stdout", text="Correct!")]
    exercise.execution_count = 3
    indented = v4.new_code_cell("def f(a):\n    ### BEGIN SOLUTION\n    return a * 2\n    ### END SOLUTION")
    hidden = v4.new_code_cell("print('the worked solution')", metadata={"tags": ["solution"]})
    return v4.new_notebook(cells=[v4.new_markdown_cell("### Exercise 7: the answer"), exercise,
                                  indented, hidden, v4.new_markdown_cell("## Quiz")])


def test_solutions_become_stubs_and_hidden_solutions_go():
    original = instructor_notebook()
    copy = student_copies.student_copy(original)
    sources = [cell.source for cell in copy.cells]
    assert len(copy.cells) == 4 and "the worked solution" not in "".join(sources)
    exercise = sources[1].splitlines()
    assert exercise[0] == "x = 1" and exercise[-1] == "ex.check(answer)"
    assert "answer = 42" not in sources[1] and "SOLUTION" not in sources[1]
    assert "raise NotImplementedError('Exercise 7: the answer: replace this line" in sources[1]
    assert "Run ex.hint()" in sources[1]
    assert sources[2].splitlines()[1:] == ["    # YOUR ANSWER HERE", sources[2].splitlines()[2]]
    assert sources[2].splitlines()[2].startswith("    raise NotImplementedError(")
    assert copy.cells[1].outputs == [] and copy.cells[1].execution_count is None
    assert "answer = 42" in original.cells[1].source  # the instructor notebook is untouched
    compile(sources[2], "stub", "exec")  # the stubbed function is still valid Python


@pytest.mark.parametrize("source, problem", [
    ("### BEGIN SOLUTION\na = 1", "never closed"),
    ("a = 1\n### END SOLUTION", "without"),
    ("### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION", "inside another"),
])
def test_unpaired_markers_are_refused(source, problem):
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
    with pytest.raises(student_copies.MarkerError, match=problem):
        student_copies.student_copy(notebook, "broken.ipynb")


def test_existing_copies_are_kept_unless_forced(tmp_path):
    source = tmp_path / "07_lesson.ipynb"
    nbformat.write(instructor_notebook(), source)
    out = tmp_path / "student"
    run = [sys.executable, SCRIPT, "--out", out, source]
    assert subprocess.run(run, capture_output=True, text=True).returncode == 0
    (out / source.name).write_text("a learner's work")
    refused = subprocess.run(run, capture_output=True, text=True)
    assert refused.returncode == 1 and "--force" in refused.stderr
    assert (out / source.name).read_text() == "a learner's work"
    assert subprocess.run(run + ["--force"], capture_output=True, text=True).returncode == 0
    assert "NotImplementedError" in (out / source.name).read_text()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_exercise_has_a_solution_and_every_copy_a_stub(path):
    notebook = nbformat.read(path, as_version=4)
    exercises = [c for c in notebook.cells if "exercise" in c.metadata.get("tags", [])]
    assert exercises, f"{path.name} has no exercise cells"
    for cell in exercises:
        assert student_copies.BEGIN in cell.source and ".check(" in cell.source, cell.source
    copy = student_copies.student_copy(notebook, path.name)
    text = "\n".join(c.source for c in copy.cells)
    assert student_copies.BEGIN not in text and text.count("raise NotImplementedError(") == len(exercises)
    assert all(not c.get("outputs") for c in copy.cells)


def solution_blocks(source: str) -> list[list[str]]:
    """The lines between each BEGIN and END SOLUTION marker of a cell, in order."""
    blocks, inside = [], False
    for line in source.splitlines():
        if line.strip() == student_copies.BEGIN:
            blocks.append([line])
            inside = True
        elif inside:
            blocks[-1].append(line)
            inside = line.strip() != student_copies.END
    return blocks


def filled(copy: nbformat.NotebookNode, notebook: nbformat.NotebookNode) -> list[str]:
    """The student copy's code cells with each stub replaced by the instructor's worked solution."""
    solutions = [block for cell in notebook.cells if cell.cell_type == "code"
                 for block in solution_blocks(cell.source)]
    sources, used = [], 0
    for cell in copy.cells:
        if cell.cell_type != "code":
            continue
        lines = []
        for line in cell.source.splitlines():
            if line.strip() == "# YOUR ANSWER HERE":
                continue
            if line.strip().startswith("raise NotImplementedError("):
                lines += solutions[used]
                used += 1
            else:
                lines.append(line)
        sources.append("\n".join(lines))
    assert used == len(solutions), "every worked solution fills exactly one stub"
    return sources


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_a_student_copy_filled_with_the_solutions_is_the_instructor_notebook(path):
    """So the student copy runs to its end: nbval runs exactly this code, cell for cell, in CI.

    Nothing but the solutions differs, less the instructor cells (which bind nothing a learner's
    cell reads: tests/test_learner_view.py) and nbval's marker lines: no cell is added.
    """
    notebook = nbformat.read(path, as_version=4)
    copy = student_copies.student_copy(notebook, path.name)
    learners = [c for c in notebook.cells if "instructor" not in c.metadata.get("tags", [])]
    assert filled(copy, notebook) == [student_copies.NBVAL_MARKER.sub("", c.source)
                                      for c in learners if c.cell_type == "code"]
    assert [c.cell_type for c in copy.cells] == [c.cell_type for c in learners]


@pytest.mark.parametrize("path", NOTEBOOKS[:1], ids=lambda p: p.stem)
def test_student_copy_runs_to_its_first_exercise_and_stops_there(path, tmp_path, monkeypatch):
    """Run the copy headless in the fast profile: it must fail at the first stub, with its message.

    Runs in the session's real environment: mirror, cache and profile.
    """
    for name in ("COURSE_CACHE", "COURSE_MIRROR", "KERAS_HOME", "COURSE_OFFLINE", "COURSE_OUTPUTS",
                 "TFHUB_CACHE_DIR"):
        if name in SESSION_ENV:
            monkeypatch.setenv(name, SESSION_ENV[name])
        else:
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COURSE_PROFILE", "fast")
    copy = student_copies.student_copy(nbformat.read(path, as_version=4), path.name)
    first_stub = next(i for i, c in enumerate(copy.cells) if "raise NotImplementedError(" in c.source)
    client = NotebookClient(copy, timeout=900, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}})
    with pytest.raises(CellExecutionError) as stopped:
        client.execute()
    assert stopped.value.ename == "NotImplementedError", stopped.value
    assert "replace this line with your answer" in stopped.value.evalue
    ran = [i for i, c in enumerate(copy.cells) if c.cell_type == "code" and c.get("execution_count")]
    assert max(ran) == first_stub, f"stopped at cell {max(ran)}, the first exercise is cell {first_stub}"
