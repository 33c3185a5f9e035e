"""Make notebooks reviewable: keep outputs only in `# NBVAL_CHECK_OUTPUT` cells (the ones nbval
compares, numbered 1, 2, ... as nbval needs), and drop other execution counts and run metadata.

    python scripts/clean_notebooks.py notebooks/*.ipynb          # rewrite in place
    python scripts/clean_notebooks.py --check notebooks/*.ipynb  # exit 1 if any would change
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat

CHECKED = "# NBVAL_CHECK_OUTPUT"


def clean(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Strip everything but the outputs nbval checks."""
    checked = 0
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type != "code":
            continue
        cell.execution_count = None
        cell.outputs = [o for o in cell.outputs if o.get("name") != "stderr"]  # log noise, not lesson
        if not cell.source.lstrip().startswith(CHECKED):
            cell.outputs = []
        elif cell.outputs:  # nbval needs an execution count on a reference cell: number them 1, 2, ...
            checked += 1
            cell.execution_count = checked
        for output in cell.outputs:
            if "execution_count" in output:
                output.execution_count = cell.execution_count
            output.get("metadata", {}).clear()
    notebook.metadata.pop("widgets", None)
    notebook.metadata["language_info"] = {"name": "python"}
    return notebook


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", type=Path)
    parser.add_argument("--check", action="store_true", help="report, do not rewrite")
    args = parser.parse_args(argv)
    dirty = []
    for path in args.paths:
        before = path.read_text()
        after = nbformat.writes(clean(nbformat.reads(before, as_version=4))) + "\n"
        if after != before:
            dirty.append(path)
            if not args.check:
                path.write_text(after)
    for path in dirty:
        print(f"{'not clean' if args.check else 'cleaned'}: {path}")
    return 1 if args.check and dirty else 0


if __name__ == "__main__":
    sys.exit(main())
