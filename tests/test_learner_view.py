"""What a learner reads: no course machinery in a student copy, and one train/validation/test
protocol (the test split is scored in the last section only, once per final model).

The instructor notebooks keep the course's own bookkeeping (headline records, floors asserted
against untrained networks, integrity tables, notes for instructors) in cells tagged
``instructor``; ``scripts/student_copies.py`` drops them, with nbval's marker lines.
"""

from __future__ import annotations

import ast
import importlib.util
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
spec = importlib.util.spec_from_file_location("student_copies", ROOT / "scripts" / "student_copies.py")
student_copies = importlib.util.module_from_spec(spec)
spec.loader.exec_module(student_copies)

# What a learner's view must not hold: each pattern names the machinery it stands for.
MACHINERY = {
    "an nbval marker": r"NBVAL_",
    "a headline record": r"\brecord\(",
    "a claim about what ran": r"\bclaim\(",
    "a digest table": r"digest",
    "a SHA print or hash talk": r"\bSHA-?(1|256)\b|\bsha(1|256)\b|hexdigest|pinned",
    "an instructor note": r"for instructors|\binstructor",
    "hub cache internals": r"hub\.resolve|TFHUB_CACHE_DIR|\bsha1\b",
    "mirror settings": r"COURSE_MIRROR|mirror folder|mirror-only|course mirror",
    "CI timings": r"\bCI\b|nbval",
    "floor bookkeeping": r"\bfloors\b|\bfloor\b(?!\()|untrained\[",  # not floor((n - k) / s)
}
# Lessons whose models are trained and so scored on a test split at the end.
TRAINED = {"01", "03", "04", "05", "06"}
SCORING = {"evaluate", "predict", "predict_on_batch", "score", "check"}
TEST_NAME = re.compile(r"(^|_)test(_|$)")
SECTION = re.compile(r"^## (\d+)\. (.*)$")
#: About 20 minutes of reading at a learner's pace (about 130 words a minute for technical prose
#: with code beside it); optional "Going further" sections are not counted.
MAX_WORDS = 2700


def machinery(notebook: nbformat.NotebookNode) -> list[str]:
    """Each piece of machinery in a notebook, as 'cell N: what (the line)'."""
    found = []
    for index, cell in enumerate(notebook.cells):
        for line in cell.source.splitlines():
            for what, pattern in MACHINERY.items():
                if re.search(pattern, line, flags=re.IGNORECASE):
                    found.append(f"cell {index}: {what} ({line.strip()[:90]})")
    return found


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_a_student_copy_holds_no_course_machinery(path):
    copy = student_copies.student_copy(nbformat.read(path, as_version=4), path.name)
    found = machinery(copy)
    assert not found, ("tag these cells 'instructor' or move the text to docs/:\n" + "\n".join(found))


@pytest.mark.parametrize("line", [
    "# NBVAL_CHECK_OUTPUT", "record('01', data=d, weights=w, metric=m, value=v)",
    "claim(model, ok, 'top-1 is a cat')", "table = load_digest_table('cats.tsv')",
    "print(card['sha256'][:12])", "Every file is checked against its pinned SHA-256.",
    "## 6. Under the hood (for instructors)", "folder = hub.resolve(handle)",
    "CI runs this in 162 s.", "assert untrained['small CNN'] < floors['small CNN']",
])
def test_each_kind_of_machinery_is_caught(line):
    cell = nbformat.v4.new_code_cell(line)
    assert machinery(nbformat.v4.new_notebook(cells=[cell]))
    cell.metadata["tags"] = ["instructor"]
    copy = student_copies.student_copy(nbformat.v4.new_notebook(cells=[cell]))
    assert not copy.cells  # an instructor cell never reaches a learner


def test_nbval_markers_are_dropped_and_the_rest_of_the_cell_kept():
    cell = nbformat.v4.new_code_cell("# NBVAL_CHECK_OUTPUT\nprint(1)\n    # NBVAL_IGNORE_OUTPUT\nx = 2")
    copy = student_copies.student_copy(nbformat.v4.new_notebook(cells=[cell]))
    assert copy.cells[0].source == "print(1)\nx = 2"


def names(source: str) -> tuple[set[str], set[str]]:
    """The names a cell binds at top level and the names it reads (IPython magics skipped)."""
    code = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!")))
    bound, read = set(), set()
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Name):
            (bound if isinstance(node.ctx, ast.Store) else read).add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, ast.alias):
            bound.add((node.asname or node.name).split(".")[0])
    return bound, read


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_a_learner_cell_needs_nothing_that_only_an_instructor_cell_defines(path):
    """So the student copy, without the instructor cells, still runs to its end."""
    learner_bound: set[str] = set()
    instructor_only: set[str] = set()
    for index, cell in enumerate(nbformat.read(path, as_version=4).cells):
        if cell.cell_type != "code":
            continue
        bound, read = names(cell.source)
        if "instructor" in cell.metadata.get("tags", []):
            instructor_only |= bound - learner_bound
            continue
        missing = (read - bound) & instructor_only - learner_bound
        assert not missing, f"cell {index} reads {sorted(missing)}, bound only in instructor cells"
        learner_bound |= bound


def scoring_calls(source: str) -> list[str]:
    """The model (or object) of each call that scores, predicts or checks on the test split."""
    code = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!")))
    calls = []
    for node in ast.walk(ast.parse(code)):
        if not isinstance(node, ast.Call):
            continue
        method = isinstance(node.func, ast.Attribute) and node.func.attr in SCORING
        function = isinstance(node.func, ast.Name) and node.args and re.search(
            r"predict|evaluate|score|accuracy", node.func.id)
        if not (method or function):
            continue
        arguments = [*node.args, *(k.value for k in node.keywords)]
        touched = {n.id for a in arguments for n in ast.walk(a) if isinstance(n, ast.Name)}
        touched |= {n.attr for a in arguments for n in ast.walk(a) if isinstance(n, ast.Attribute)}
        if any(TEST_NAME.search(name) for name in touched):
            calls.append(ast.unparse(node.func.value if method else node.args[0]))
    return calls


def protocol_problems(notebook: nbformat.NotebookNode, trained: bool) -> list[str]:
    """What breaks 'the test split is scored in the last section, once per final model'."""
    section, last, scored, problems = None, None, [], []
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                heading = SECTION.match(line)
                if heading:
                    section = last = heading.group(0)
        else:
            scored += [(section, model) for model in scoring_calls(cell.source)]
    if trained and not scored:
        problems.append("no model is scored on a test split")
    if scored and "test" not in (last or "").lower():
        problems.append(f"the last section ({last}) does not say it scores the test set")
    problems += [f"the test split scores {model} in '{where}', before the last section"
                 for where, model in scored if where != last]
    final = [model for where, model in scored if where == last]
    problems += [f"{model} is scored on the test split {final.count(model)} times"
                 for model in sorted(set(final)) if final.count(model) > 1]
    return problems


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_the_test_split_is_scored_in_the_last_section_once_per_final_model(path):
    problems = protocol_problems(nbformat.read(path, as_version=4), path.name[:2] in TRAINED)
    assert not problems, "\n".join(problems)


def lesson(*cells: tuple[str, str]) -> nbformat.NotebookNode:
    v4 = nbformat.v4
    return v4.new_notebook(cells=[v4.new_markdown_cell(s) if kind == "md" else v4.new_code_cell(s)
                                  for kind, s in cells])


@pytest.mark.parametrize("notebook, problem", [
    (lesson(("md", "## 1. Train"), ("code", "model.fit(train_ds)\nacc = model.evaluate(test_ds)[1]"),
            ("md", "## 2. The test set, once"), ("code", "model.evaluate(test_ds)")), "before the last"),
    (lesson(("md", "## 1. Train"), ("code", "model.fit(train_ds)"), ("md", "## 2. The test set, once"),
            ("code", "p = model.predict(data.x_test)\nmodel.evaluate(test_ds)")), "2 times"),
    (lesson(("md", "## 1. Train"), ("code", "model.fit(train_ds)"), ("md", "## 2. Results"),
            ("code", "model.evaluate(x_test, y_test)")), "does not say"),
    (lesson(("md", "## 1. Train"), ("code", "model.fit(train_ds)\nmodel.evaluate(val_ds)")), "no model"),
    (lesson(("md", "## 1. Train"), ("code", "ex.check(model, test_images)"),
            ("md", "## 2. The test set, once"), ("code", "model.evaluate(test_ds)")), "before the last"),
    (lesson(("md", "## 1. Train"), ("code", "model.fit(train_ds)"), ("md", "## 2. The test set, once"),
            ("code", "p = predict_flip_averaged(model, x_test)\nmodel.evaluate(test_ds)")), "2 times"),
])
def test_the_protocol_check_refuses_a_test_split_that_chooses(notebook, problem):
    assert any(problem in p for p in protocol_problems(notebook, trained=True))


def test_the_protocol_check_accepts_validation_choices_and_one_final_score_per_model():
    notebook = lesson(("md", "## 1. Train"), ("code", "model.fit(train_ds, validation_data=val_ds)"),
                      ("code", "for m in models: m.evaluate(val_ds)"),
                      ("md", "## 2. The test set, once"),
                      ("code", "p = model.predict(test_ds)\nbaseline.evaluate(data.x_test, data.y_test)"))
    assert protocol_problems(notebook, trained=True) == []


def prose_words(notebook: nbformat.NotebookNode) -> int:
    """Words of markdown a learner reads, less the optional 'Going further' sections."""
    words, optional = 0, False
    for cell in notebook.cells:
        if cell.cell_type != "markdown":
            continue
        heading = next((line for line in cell.source.splitlines() if line.startswith("## ")), None)
        if heading:
            optional = heading.startswith("## Going further")
        words += 0 if optional else len(re.findall(r"\w+", cell.source))
    return words


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_a_lesson_reads_in_about_twenty_minutes(path):
    words = prose_words(nbformat.read(path, as_version=4))
    assert words <= MAX_WORDS, (f"{words:,} words of prose: cut, or move what is optional to a "
                                "'## Going further (optional): ...' section")
