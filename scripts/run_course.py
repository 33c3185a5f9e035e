"""Run every notebook headless in one profile and write the course run report (Markdown and CSV).

    python scripts/run_course.py --profile fast            # what CI runs, about 10 minutes
    python scripts/run_course.py --profile full --out reports/full
    python scripts/run_course.py --profile fast notebooks/01_cnn_basics_cifar10.ipynb

Each notebook runs top to bottom in its own kernel (nbclient), in the notebooks folder, with a
progress bar over its cells. The report has one row per notebook: profile, the data and
weights it really used (from its ``helpers.report.record`` call), wall time, headline metric, or
the error that stopped it. Executed copies are kept beside the report for inspection.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from tqdm import tqdm

ROOT = Path(__file__).resolve().parents[1]
COLUMNS = ["notebook", "profile", "data", "weights", "wall time (s)", "headline metric", "status"]


class ProgressClient(NotebookClient):
    """An nbclient that advances a progress bar after every cell."""

    def __init__(self, *args, progress: tqdm, **kwargs):
        super().__init__(*args, **kwargs)
        self.progress = progress

    async def async_execute_cell(self, cell, cell_index, *args, **kwargs):
        try:
            return await super().async_execute_cell(cell, cell_index, *args, **kwargs)
        finally:
            self.progress.update(1)


def run_notebook(path: Path, out_dir: Path, report_dir: Path, timeout: int) -> dict:
    """Execute one notebook; return its report row."""
    notebook = nbformat.read(path, as_version=4)
    row = {"notebook": path.name, "profile": os.environ["COURSE_PROFILE"], "data": "-",
           "weights": "-", "headline metric": "-", "status": "ok"}
    start = time.perf_counter()
    with tqdm(total=len(notebook.cells), desc=path.stem, unit="cell", leave=True) as progress:
        client = ProgressClient(notebook, timeout=timeout, kernel_name="python3",
                                resources={"metadata": {"path": str(path.parent)}}, progress=progress)
        try:
            client.execute()
        except CellExecutionError as error:
            lines = [line for line in str(error).splitlines() if line.strip()]
            row["status"] = "FAILED: " + (lines[-1][:200] if lines else "cell error")
    row["wall time (s)"] = round(time.perf_counter() - start)
    nbformat.write(notebook, out_dir / path.name)
    result_file = report_dir / f"{path.name[:2]}.json"
    if result_file.is_file():
        result = json.loads(result_file.read_text())
        row.update(data=result["data"], weights=result["weights"],
                   **{"headline metric": f"{result['metric']}: {result['value']:.3f}"})
    elif row["status"] == "ok":  # it ran, but never said what it measured on what
        row["status"] = "FAILED: no headline recorded (the notebook must call helpers.report.record)"
    return row


def write_report(rows: list[dict], out_dir: Path) -> str:
    """Write report.csv and report.md in ``out_dir``; return the Markdown table."""
    with open(out_dir / "report.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    table = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    table += ["| " + " | ".join(str(row[c]) for c in COLUMNS) + " |" for row in rows]
    markdown = "\n".join(table) + "\n"
    (out_dir / "report.md").write_text(markdown)
    return markdown


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: every notebook, in order")
    parser.add_argument("--profile", choices=["fast", "full"], default="fast")
    parser.add_argument("--out", type=Path, default=ROOT / "reports" / "latest")
    parser.add_argument("--timeout", type=int, default=3600, help="seconds per cell")
    args = parser.parse_args(argv)
    notebooks = [p.resolve() for p in args.notebooks] or sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))
    args.out.mkdir(parents=True, exist_ok=True)
    os.environ["COURSE_PROFILE"] = args.profile
    with tempfile.TemporaryDirectory() as report_dir:
        os.environ["COURSE_REPORT_DIR"] = report_dir
        rows = [run_notebook(nb, args.out, Path(report_dir), args.timeout) for nb in notebooks]
    print(write_report(rows, args.out))
    print(f"Report: {args.out / 'report.md'} and report.csv; executed notebooks beside them.")
    return 0 if all(row["status"] == "ok" for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
