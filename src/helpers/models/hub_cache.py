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
from datetime import datetime, timezone
from pathlib import Path

from ..assets.content import MARKER

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


def place_in_hub_cache(module_folder: Path, handle: str, cache: Path, note: str = "",
                       keep_record: bool = False) -> Path:
    """Copy a SavedModel folder to ``<cache>/<sha1(handle)>``, atomically, as tensorflow_hub would.

    Also writes the descriptor file tensorflow_hub writes beside a downloaded module
    (``<folder>.descriptor.txt``; informative only). ``keep_record``: copy the folder's record of
    its files too (a module the course exported, checked on every use). Returns the module folder.
    """
    cache = Path(cache)
    dest = cache / module_dir_name(handle)
    if cached_module(handle, cache):
        return dest
    cache.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=cache, prefix=f".{dest.name}.", suffix=".tmp"))
    try:
        staged = tmp / "module"
        shutil.copytree(module_folder, staged, ignore=None if keep_record else shutil.ignore_patterns(MARKER),
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
