"""A lesson's results: its headline for the course run report (``scripts/run_course.py``), and
the folder where it saves what it trains (:func:`outputs_dir`).

Each notebook ends its main experiment with one :func:`record` call: what data and weights it
really used (real or stand-in) and its headline metric. It prints the line for the reader; when
the report runner sets ``COURSE_REPORT_DIR``, it also writes it there as JSON.
"""

from __future__ import annotations

import json
import os
from pathlib import Path


def record(lesson: str, *, data: str, weights: str, metric: str, value: float) -> dict:
    """Print and (in a report run) save a lesson's headline result; return it as a dict.

    Args:
        lesson: the lesson number, e.g. ``"01"``.
        data: the data actually used, e.g. ``"CIFAR-10 (cifar10.npz)"`` or a stand-in's name.
        weights: the pretrained weights used: ``"none (trained here)"``, ``"ImageNet"``, or a
            stand-in's name.
        metric: what ``value`` is, e.g. ``"bigger CNN test accuracy"``.
    """
    result = {"lesson": lesson, "data": data, "weights": weights, "metric": metric,
              "value": round(float(value), 4)}
    print(f"Lesson {lesson} headline: {metric} = {value:.3f} | data: {data} | weights: {weights}")
    folder = os.environ.get("COURSE_REPORT_DIR")
    if folder:
        path = Path(folder) / f"{lesson}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".json.part")
        tmp.write_text(json.dumps(result) + "\n")
        os.replace(tmp, path)
    return result


def outputs_dir() -> Path:
    """Where lessons save what they train (``COURSE_OUTPUTS``, default ``./outputs``)."""
    return Path(os.environ.get("COURSE_OUTPUTS") or "outputs").expanduser()
