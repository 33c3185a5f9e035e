"""What every test run gets, for tests/ and notebooks/ alike: the network guard and a time table.

- The network guard (``tests/network_guard``) refuses any connection outside the loopback.
- At the end, a table gives each notebook's wall time under nbval (kernel start included), the
  unit tests' time, the whole run's, and the slowest notebook cells.
"""

from __future__ import annotations

import importlib.util
import time
from collections import defaultdict
from pathlib import Path

import pytest

_GUARD = Path(__file__).parent / "tests" / "network_guard" / "sitecustomize.py"
_spec = importlib.util.spec_from_file_location("course_network_guard", _GUARD)
network_guard = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(network_guard)
network_guard.install()

_seconds_by_file: dict[str, float] = defaultdict(float)
_cells: list[tuple[float, str]] = []
_started = time.perf_counter()


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Add every phase's duration (setup starts a notebook's kernel) to its file's total."""
    path = report.nodeid.split("::", 1)[0]
    _seconds_by_file[path] += report.duration
    if path.endswith(".ipynb") and report.when == "call":
        _cells.append((report.duration, report.nodeid))


def pytest_terminal_summary(terminalreporter) -> None:
    """The time table: each notebook, the unit tests, the whole run, the slowest cells."""
    if not _seconds_by_file:
        return
    write = terminalreporter.write_line
    terminalreporter.section("time per notebook (nbval) and in all")
    notebooks = {p: s for p, s in _seconds_by_file.items() if p.endswith(".ipynb")}
    for path, seconds in sorted(notebooks.items()):
        write(f"{seconds:8.1f} s  {path}")
    write(f"{sum(notebooks.values()):8.1f} s  all notebooks")
    write(f"{sum(s for p, s in _seconds_by_file.items() if p not in notebooks):8.1f} s  unit tests")
    workers = terminalreporter.config.getoption("numprocesses", None)
    parallel = f", {workers} workers side by side: the times above overlap" if workers else ""
    write(f"{time.perf_counter() - _started:8.1f} s  whole run (collection included{parallel})")
    if _cells:
        write("slowest notebook cells:")
        for seconds, nodeid in sorted(_cells, reverse=True)[:8]:
            write(f"{seconds:8.1f} s  {nodeid}")
