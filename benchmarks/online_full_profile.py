"""The learner's online path in the full profile: each lesson's wall time and peak memory.

    COURSE_MIRROR=../shared/mirror python benchmarks/online_full_profile.py 03 04

Builds the rehearsal's origin (``tests/online_origin.py``: the source networks' weight files with
random weights, TF Hub's EfficientNet-B0 modules), here with *every* photo of the mirror's
datasets, serves it on 127.0.0.1, and runs each lesson named (default 02-06) top to bottom with
``COURSE_PROFILE=full``, from empty state folders, as a learner online would. Accuracies mean
nothing (random weights; quality floors are recorded, not raised); time and memory are real.

Online a learner gets the full ``cats_and_dogs_filtered`` (2,000 + 1,000 photos, twice the
mirror's) and Fruits-360's 120-class archive; scale the per-photo costs printed here to those.
Prints, per lesson: wall time, the largest single process's peak resident memory (the kernel,
sampled every 0.2 s), and the slowest cells.
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path

import helpers  # noqa: F401 (quiet TensorFlow start-up)
import nbformat
import psutil
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from online_origin import build_origin, prelude, serve  # noqa: E402


class PeakMemory:
    """The largest resident size of any one descendant process, sampled in a thread."""

    def __init__(self) -> None:
        self.peak, self._stop = 0, threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        me = psutil.Process()
        while not self._stop.wait(0.2):
            for child in me.children(recursive=True):
                try:
                    self.peak = max(self.peak, child.memory_info().rss)
                except psutil.Error:
                    pass

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def cell_seconds(cell) -> float:
    timing = cell.get("metadata", {}).get("execution", {})
    try:
        start, end = (datetime.fromisoformat(timing[k].replace("Z", "+00:00"))
                      for k in ("iopub.execute_input", "shell.execute_reply"))
    except KeyError:
        return 0.0
    return (end - start).total_seconds()


def run(lesson: str, origin, state: Path) -> None:
    path = next((ROOT / "notebooks").glob(f"{lesson}_*.ipynb"))
    nb = nbformat.read(path, as_version=4)
    nb.cells.insert(0, nbformat.v4.new_code_cell(prelude(origin, {}, state / "unchecked.json")))
    env = {"COURSE_OFFLINE": "0", "COURSE_PROFILE": "full", "KERAS_HOME": state / "keras",
           "COURSE_CACHE": state / "cache", "TFHUB_CACHE_DIR": state / "tfhub",
           "COURSE_OUTPUTS": state / "outputs", "MPLBACKEND": "Agg"}
    os.environ.update({k: str(v) for k, v in env.items()})
    os.environ.pop("COURSE_MIRROR", None)
    (state / "work").mkdir(parents=True)
    start = time.perf_counter()
    with PeakMemory() as memory:
        NotebookClient(nb, timeout=3600, kernel_name="python3",
                       resources={"metadata": {"path": str(state / "work")}}).execute()
    seconds = time.perf_counter() - start
    slowest = sorted(((cell_seconds(c), i) for i, c in enumerate(nb.cells) if c.cell_type == "code"),
                     reverse=True)[:5]
    print(f"lesson {lesson}: {seconds:.0f} s wall, peak {memory.peak / 2**30:.2f} GB (largest process); "
          "slowest cells: " + ", ".join(f"{i - 1} {s:.0f} s" for s, i in slowest), flush=True)
    for cell in nb.cells:  # the lines that say what ran, and the feature-extraction rates
        for output in cell.get("outputs", []):
            for line in output.get("text", "").splitlines():
                if line.startswith(("Network:", "Module:", "Data:", "data:")) or "photos/s" in line \
                        or "extracted in" in line or "features of" in line:
                    print(f"  {line[:160]}")


def main() -> None:
    lessons = sys.argv[1:] or ["02", "03", "04", "05", "06"]
    mirror = Path(os.environ.get("COURSE_MIRROR") or ROOT.parent / "shared" / "mirror").resolve()
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        origin = build_origin(Path(tmp) / "served", mirror, Path(tmp) / "work", pets=None, fruits=None)
        print(f"origin built in {time.perf_counter() - start:.0f} s", flush=True)
        server = serve(origin)
        try:
            for lesson in lessons:
                run(lesson, origin, Path(tmp) / f"learner-{lesson}")
        finally:
            server.shutdown()


if __name__ == "__main__":
    main()
