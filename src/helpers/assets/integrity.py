"""What an unpacked folder in the cache must hold, recorded when it was verified, and checked on use.

When a folder enters the cache its verification writes a *record* into it (:data:`MARKER`, JSON):
every file's relative path, size and SHA-256. :func:`problems` compares the folder with it:
cheaply on every use (missing, extra and resized files: a listing and a ``stat`` per file), or
with ``rehash=True`` (``python -m helpers verify``) every file's SHA-256 too.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from .fetch import file_hash

#: The record's file name, inside the folder (the name older versions used for a bare marker).
MARKER = ".content-verified"
_SHOW = 5  # files named per kind of problem
#: The problem of a folder without a (readable) record: unpacked by an older version, or damaged.
NO_RECORD = f"no record of the files it must hold ({MARKER} is missing, unreadable or from an older version)"


def relative_files(root: Path) -> list[str]:
    """Every file (or link) under ``root`` as a sorted relative POSIX path, the record excepted."""
    found = []
    for folder, _, files in os.walk(root):
        base = Path(folder).relative_to(root)
        found += [(base / name).as_posix() for name in files]
    return sorted(p for p in found if p != MARKER)


def write_record(root: Path, note: str) -> None:
    """Record every file of ``root``: size and SHA-256 (``note``: what the verification found)."""
    root = Path(root)
    files = {p: [(root / p).stat().st_size, file_hash(root / p, "sha256")] for p in relative_files(root)}
    (root / MARKER).write_text(json.dumps({"note": note, "files": files}, indent=1) + "\n")


def problems(root: Path, rehash: bool = False) -> list[str]:
    """How ``root`` differs from its record: an empty list when it matches.

    Without ``rehash``: missing, extra and resized files (cheap); with it, altered content too.
    """
    root = Path(root)
    try:
        recorded = json.loads((root / MARKER).read_text())["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return [NO_RECORD]
    present = relative_files(root)
    missing = sorted(set(recorded) - set(present))
    extra = sorted(set(present) - set(recorded))
    resized, altered = [], []
    for path in sorted(set(recorded) & set(present)):
        size, sha256 = recorded[path]
        try:
            if (root / path).stat().st_size != size:
                resized.append(path)
            elif rehash and file_hash(root / path, "sha256") != sha256:
                altered.append(path)
        except OSError:
            missing.append(path)
    return [_listing(what, paths) for what, paths in
            [("missing", missing), ("not part of it (extra)", extra), ("resized", resized),
             ("altered (SHA-256 differs)", altered)] if paths]


def _listing(what: str, paths: list[str]) -> str:
    shown = ", ".join(paths[:_SHOW]) + (f", ... ({len(paths) - _SHOW} more)" if len(paths) > _SHOW else "")
    return f"{len(paths)} file(s) {what}: {shown}"
