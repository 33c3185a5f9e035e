"""Where ``hub.load`` looks for a module, and how a module folder gets there (lesson 06).

How a handle resolves (read in tensorflow_hub 0.16.1's ``compressed_module_resolver.py`` and
``resolver.py``): an ``https://`` handle is cached in ``TFHUB_CACHE_DIR`` (default
``<tmp>/tfhub_modules``) under a folder named by the SHA-1 of the handle string exactly as
written; if that folder exists and is not empty, ``hub.load`` uses it and never touches the
network. Otherwise it requests ``<handle>?tf-hub-format=compressed`` (tfhub.dev redirects to
Kaggle Models, documented behaviour not testable here), unpacks the tar.gz into the folder and
writes ``<folder>.descriptor.txt`` beside it (informative only: nothing reads it).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from ..assets.content import MARKER, ContentMismatchError

TFHUB_CACHE_ENV = "TFHUB_CACHE_DIR"


def module_dir_name(handle: str) -> str:
    """The cache folder name tensorflow_hub uses for an http(s) handle: SHA-1 of the handle text.

    As ``compressed_module_resolver._module_dir`` computes it: the handle *exactly as written*
    (a trailing slash or ``http`` instead of ``https`` is another folder).
    """
    return hashlib.sha1(handle.encode("utf8")).hexdigest()


@contextmanager
def hub_cache(path: Path) -> Iterator[Path]:
    """Point ``TFHUB_CACHE_DIR`` at ``path`` for the duration (tensorflow_hub reads it on every load)."""
    before = os.environ.get(TFHUB_CACHE_ENV)
    os.environ[TFHUB_CACHE_ENV] = str(path)
    try:
        yield Path(path)
    finally:
        if before is None:
            os.environ.pop(TFHUB_CACHE_ENV, None)
        else:
            os.environ[TFHUB_CACHE_ENV] = before


def cached_module(handle: str, cache: Path) -> Path | None:
    """The module folder ``hub.load(handle)`` would use from ``cache``, if it is there."""
    folder = Path(cache) / module_dir_name(handle)
    return folder if folder.is_dir() and any(folder.iterdir()) else None


@dataclass(frozen=True)
class SavedModelLayout:
    """What the structure check of a module found."""

    files: int
    bytes: int
    sha256: str  # digest of the folder's content (sorted relative paths and file digests)

    def __str__(self) -> str:
        return (f"a SavedModel (saved_model.pb, variables/), {self.files} files, "
                f"{self.bytes / 2**20:.1f} MB, content sha256 {self.sha256}")


def saved_model_root(folder: Path) -> Path:
    """The SavedModel inside an unpacked module: the folder itself (tfhub.dev's archives hold
    ``saved_model.pb`` at their top), or its only sub-folder if the archive wrapped it in one."""
    folder = Path(folder)
    entries = [p for p in folder.iterdir() if p.name != MARKER]
    if not (folder / "saved_model.pb").exists() and len(entries) == 1 and entries[0].is_dir():
        return entries[0]
    return folder


def check_saved_model(root: Path) -> SavedModelLayout:
    """Structure check of a hub module: a SavedModel folder (``saved_model.pb`` and ``variables/``).

    Raises:
        ContentMismatchError: not a SavedModel (e.g. an HTML error page, a TF1 hub module, a
            Kaggle listing instead of the archive).
    """
    root = saved_model_root(root)
    problems = []
    if not (root / "saved_model.pb").is_file():
        problems.append("no saved_model.pb at its top")
    if not (root / "variables" / "variables.index").is_file():
        problems.append("no variables/variables.index")
    if problems:
        raise ContentMismatchError(
            f"{root} is not a TF2 SavedModel ({'; '.join(problems)}). Nothing was kept. What to "
            "do: check that the mirror holds the compressed module (what the handle serves with "
            "`?tf-hub-format=compressed`: a tar.gz of a SavedModel), not a web page or a TF1 "
            "module; or delete the bad copy and run lesson 06 once on a connected machine.")
    digest, files, size = hashlib.sha256(), 0, 0
    for path in sorted(p for p in root.rglob("*") if p.is_file() and p.name != MARKER):
        data = path.read_bytes()
        digest.update(f"{path.relative_to(root).as_posix()}\0{hashlib.sha256(data).hexdigest()}\n".encode())
        files, size = files + 1, size + len(data)
    return SavedModelLayout(files, size, digest.hexdigest())


def place_in_hub_cache(module_folder: Path, handle: str, cache: Path, note: str = "") -> Path:
    """Copy a SavedModel folder to ``<cache>/<sha1(handle)>``, atomically, as tensorflow_hub would.

    Also writes the descriptor file tensorflow_hub writes beside a downloaded module
    (``<folder>.descriptor.txt``; informative only). Returns the module folder.
    """
    cache = Path(cache)
    dest = cache / module_dir_name(handle)
    if cached_module(handle, cache):
        return dest
    cache.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=cache, prefix=f".{dest.name}.", suffix=".tmp"))
    try:
        staged = tmp / "module"
        shutil.copytree(module_folder, staged, ignore=shutil.ignore_patterns(MARKER),
                        copy_function=_link_or_copy)
        (cache / f"{dest.name}.descriptor.txt").write_text(
            f"Module: {handle}\nPlaced by: helpers.models.hub (course asset layer) "
            f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M:%S} UTC\n{note}".rstrip() + "\n")
        try:
            os.replace(staged, dest)
        except OSError:
            if not cached_module(handle, cache):  # another process may have placed it first
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return dest


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)
