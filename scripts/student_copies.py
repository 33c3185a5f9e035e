"""Write student copies of the instructor notebooks: solutions out, stubs in, outputs cleared.

    python scripts/student_copies.py                          # notebooks/*.ipynb -> student/
    python scripts/student_copies.py --out ~/class notebooks/04_*.ipynb
    python scripts/student_copies.py --force                  # overwrite existing copies

In an instructor notebook a solution sits between ``### BEGIN SOLUTION`` and ``### END
SOLUTION`` lines (nbgrader's markers). In the copy each such block becomes a stub that raises
``NotImplementedError`` with the exercise's name and how to ask for a hint; cells tagged
``solution`` (hidden worked solutions) or ``instructor`` (the course's own bookkeeping: headline
records, floors, integrity tables, notes for instructors) are removed, and so are nbval's
``# NBVAL_...`` marker lines; every output, execution count and widget state is cleared. Existing copies are never overwritten without ``--force``: they may
hold a learner's work.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
CHECK_CALL = re.compile(r"([A-Za-z_][\w.]*)\.check\(")
HEADING = re.compile(r"^#{2,4}\s+(.*)$", re.MULTILINE)
NBVAL_MARKER = re.compile(r"^[ \t]*# NBVAL_\w+[ \t]*\n?", re.MULTILINE)
DROPPED_TAGS = {"solution", "instructor"}


class MarkerError(ValueError):
    """A notebook's solution markers do not pair up."""


def stub(indent: str, exercise: str, checker: str | None) -> list[str]:
    """The lines that replace one solution block."""
    help_text = f" Stuck? Run {checker}.hint()." if checker else ""
    message = f"{exercise}: replace this line with your answer, then run the cell.{help_text}"
    return [f"{indent}# YOUR ANSWER HERE", f"{indent}raise NotImplementedError({message!r})"]


def strip_solutions(source: str, exercise: str, where: str) -> str:
    """Replace every BEGIN/END SOLUTION block of a cell's source with a stub."""
    checker = CHECK_CALL.search(source)
    out: list[str] = []
    inside = False
    for number, line in enumerate(source.splitlines(), start=1):
        marker = line.strip()
        if marker == BEGIN:
            if inside:
                raise MarkerError(f"{where}, line {number}: {BEGIN} inside another solution block.")
            inside = True
            out += stub(line[: len(line) - len(line.lstrip())], exercise,
                        checker.group(1) if checker else None)
        elif marker == END:
            if not inside:
                raise MarkerError(f"{where}, line {number}: {END} without {BEGIN}.")
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise MarkerError(f"{where}: {BEGIN} is never closed by {END}.")
    return "\n".join(out)


def student_copy(notebook: nbformat.NotebookNode, name: str = "notebook") -> nbformat.NotebookNode:
    """The student version of an instructor notebook (a new object; the input is left as is)."""
    copy = nbformat.from_dict(notebook)
    cells = []
    exercise = "This exercise"
    for index, cell in enumerate(copy.cells):
        if cell.cell_type == "markdown":
            headings = HEADING.findall(cell.source)
            if headings:
                exercise = headings[-1].strip()
        if DROPPED_TAGS & set(cell.metadata.get("tags", [])):
            continue  # a hidden worked solution, or the course's own bookkeeping
        if cell.cell_type == "code":
            if BEGIN in cell.source or END in cell.source:
                cell.source = strip_solutions(cell.source, exercise, f"{name}, cell {index}")
            cell.source = NBVAL_MARKER.sub("", cell.source)
            cell.outputs = []
            cell.execution_count = None
        cell.metadata.pop("execution", None)
        cell.metadata.get("jupyter", {}).pop("outputs_hidden", None)
        cells.append(cell)
    copy.cells = cells
    copy.metadata.pop("widgets", None)
    return copy


def write_copies(paths: list[Path], out_dir: Path, force: bool = False) -> list[Path]:
    """Write a student copy of each notebook into ``out_dir``; return the written paths."""
    targets = [out_dir / path.name for path in paths]
    existing = [t for t in targets if t.exists()]
    if existing and not force:
        raise FileExistsError(
            f"{len(existing)} student copies already exist in {out_dir} (e.g. {existing[0].name}) and may "
            "hold a learner's work: pass --force to overwrite them, or choose another --out.")
    out_dir.mkdir(parents=True, exist_ok=True)
    for path, target in zip(paths, targets):
        notebook = nbformat.read(path, as_version=4)
        nbformat.write(student_copy(notebook, path.name), target)
    return targets


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path, help="instructor notebooks (default: notebooks/*.ipynb)")
    parser.add_argument("--out", type=Path, default=ROOT / "student", help="folder for the copies")
    parser.add_argument("--force", action="store_true", help="overwrite existing copies")
    args = parser.parse_args(argv)
    paths = args.paths or sorted((ROOT / "notebooks").glob("*.ipynb"))
    try:
        written = write_copies(paths, args.out, args.force)
    except (FileExistsError, MarkerError) as error:
        print(error, file=sys.stderr)
        return 1
    for path in written:
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
