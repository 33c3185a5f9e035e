"""Writing into the course's caches: private staging folders, shared permissions, clear write errors.

Every file or folder enters a cache the same way: it is written inside a *staging folder* (a
unique ``.staging-*`` folder made by ``mkdtemp`` and locked with ``flock`` while in use), given the
permissions the umask allows (``mkstemp`` and ``mkdtemp`` make private ones, which would keep
other accounts out of a shared cache), then renamed into place. Several processes can therefore
fetch the same asset at once: each works under its own names, and the rename is atomic.

A run that is killed leaves its staging folder behind, unlocked: :func:`remove_stale` deletes
those (and the temporary names older versions used) the next time the cache is used.
"""

from __future__ import annotations

import errno
import fcntl
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import CacheWriteError

STAGING_PREFIX = ".staging-"
#: Temporary names of earlier versions and of pooch, at the top of a cache: a killed run's.
# Temporary names of earlier versions: theirs and pooch's, mkstemp's for cached features and the
# converted Lite0 weights (written in staging folders since 2026-12-04).
_LEGACY = re.compile(r"^(tmp[a-z0-9_]{8}|\..+\.(part|check|download|unverified)|tmp[a-z0-9_]{8}\.npz\.part"
                     r"|\.lite0\.[a-z0-9_]{8}\.(weights\.h5|sha256))$")
_NO_SPACE = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
_NO_WRITE = {errno.EACCES, errno.EPERM, errno.EROFS}
_SUGGESTED = {"COURSE_CACHE": "$HOME/.cache/cnn-course", "KERAS_HOME": "$HOME/.keras"}
_cleaned: set[Path] = set()


def umask() -> int:
    """The process umask, read without changing it where Linux allows."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def share(path: Path) -> None:
    """Give ``path`` (and, for a folder, all it holds) the permissions a normally created file has:
    readable by others unless the umask says otherwise."""
    path = Path(path)
    allowed = ~umask()
    for item in [path, *(path.rglob("*") if path.is_dir() and not path.is_symlink() else [])]:
        if item.is_symlink():
            continue
        current = item.stat().st_mode
        full = 0o777 if stat.S_ISDIR(current) or current & 0o111 else 0o666
        os.chmod(item, full & allowed)


def write_error(error: OSError, folder: Path, variable: str) -> CacheWriteError | None:
    """The clear error for an ``OSError`` met while writing into ``folder``, or None if it is another kind."""
    if error.errno in _NO_SPACE:
        why = "the disk is full (or a size limit was reached)"
    elif error.errno in _NO_WRITE and _inside(error.filename, folder):
        why = "it is read-only, or belongs to another account"
    else:
        return None
    advice = "free some disk space, or " if error.errno in _NO_SPACE else ""
    return CacheWriteError(
        f"Cannot write to {folder}: {why} ({error.strerror}). Nothing there was changed; what is "
        f"already verified in it can still be used. What to do: {advice}set {variable} to a folder "
        f"you can write, with room to spare, e.g. `export {variable}={_SUGGESTED.get(variable, '$HOME/...')}`.")


def _inside(filename: object, folder: Path) -> bool:
    if not isinstance(filename, (str, os.PathLike)):
        return False
    try:
        return Path(filename).resolve().is_relative_to(Path(folder).resolve())
    except OSError:
        return False


@contextmanager
def writing_to(folder: Path, variable: str = "COURSE_CACHE") -> Iterator[None]:
    """Turn a full disk or an unwritable ``folder`` into :class:`CacheWriteError` naming ``variable``."""
    try:
        yield
    except OSError as error:
        clear = write_error(error, Path(folder), variable)
        if clear is None:
            raise
        raise clear from error


def _lock(folder: Path) -> tuple[int | None, bool]:
    """Open ``folder`` and take its lock without waiting: (descriptor or None, held by someone else)."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return fd, False
    except BlockingIOError:
        os.close(fd)
        return None, True
    except OSError:  # locks not supported here (some network file systems): no lock, not held
        os.close(fd)
        return None, False


@contextmanager
def staging(folder: Path, variable: str = "COURSE_CACHE") -> Iterator[Path]:
    """A new, private, locked folder inside ``folder`` to write in; deleted on exit."""
    folder = Path(folder)
    with writing_to(folder, variable):
        folder.mkdir(parents=True, exist_ok=True)
        remove_stale(folder)
        path, fd = _new_locked_folder(folder)
    try:
        with writing_to(folder, variable):
            yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
        if fd is not None:
            os.close(fd)


def _new_locked_folder(folder: Path) -> tuple[Path, int | None]:
    """``mkdtemp`` in ``folder``, then its lock. Another process's :func:`remove_stale` may lock and
    delete the new folder in the instant before its lock is taken: then try another name."""
    while True:
        path = Path(tempfile.mkdtemp(dir=folder, prefix=STAGING_PREFIX))
        fd = None
        try:
            fd, taken = _lock(path)
            if not taken and (fd is None or os.path.samestat(os.fstat(fd), os.stat(path))):
                return path, fd
        except FileNotFoundError:
            pass
        if fd is not None:
            os.close(fd)


def remove_stale(folder: Path) -> None:
    """Once per process and folder: delete what killed runs left at the top of ``folder``.

    Staging folders are deleted only when no process holds their lock; the names earlier versions
    and pooch used for their temporary files are no longer used by anything running now.
    """
    folder = Path(folder)
    if folder in _cleaned:
        return
    try:
        entries = list(folder.iterdir())
    except OSError:
        return
    _cleaned.add(folder)
    for entry in entries:
        try:
            if entry.name.startswith(STAGING_PREFIX) and entry.is_dir() and not entry.is_symlink():
                fd, _ = _lock(entry)
                if fd is not None:
                    try:
                        shutil.rmtree(entry)
                    finally:
                        os.close(fd)
            elif _LEGACY.match(entry.name):
                if entry.is_dir() and not entry.is_symlink():
                    shutil.rmtree(entry)
                else:
                    entry.unlink()
        except OSError:
            pass  # a read-only cache, or another process got there first


def publish_file(new: Path, target: Path) -> None:
    """Give ``new`` shared permissions and rename it over ``target`` (atomic)."""
    share(new)
    os.replace(new, target)


def publish_folder(new: Path, dest: Path, stage: Path, is_good) -> None:
    """Rename the folder ``new`` to ``dest`` (atomic), with shared permissions.

    If ``dest`` exists and ``is_good(dest)`` (another process published it first), ``new`` is left
    to be deleted with the staging folder ``stage``; a damaged ``dest`` is moved into ``stage``
    (deleted with it) and replaced.
    """
    share(new)
    for attempt in range(3):
        try:
            os.rename(new, dest)
            return
        except OSError as error:
            if error.errno not in (errno.ENOTEMPTY, errno.EEXIST) or attempt == 2:
                raise
        if is_good(dest):
            return
        try:
            os.rename(dest, stage / f"replaced-{attempt}")
        except FileNotFoundError:
            pass  # another process moved it first


def discard(path: Path, variable: str = "COURSE_CACHE") -> None:
    """Delete a file or folder from a cache: moved into a staging folder first, so it vanishes at once."""
    path = Path(path)
    with staging(path.parent, variable) as stage:
        try:
            os.rename(path, stage / "discarded")
        except FileNotFoundError:
            pass
