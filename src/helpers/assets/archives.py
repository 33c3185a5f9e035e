"""Unpack verified zip and tar archives safely and atomically.

Every member is checked before anything is written: an absolute path, a ``..`` that
climbs out of the destination, a link pointing outside it, or a device file makes the
whole archive rejected, and so does an archive beyond the :class:`Limits` (total size,
size relative to the archive's, number of entries, folder depth). Extraction goes to a
staging folder that is renamed into place only when complete, so a failed or interrupted
unpack leaves nothing behind. A full disk is reported as such, not as a damaged archive.
"""

from __future__ import annotations

import os
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .errors import AssetError
from .storage import staging, write_error


class UnsafeArchiveError(AssetError):
    """An archive member would be written outside the destination folder."""


class ArchiveLimitError(UnsafeArchiveError):
    """An archive would unpack to more than the course allows (a zip bomb, or not the course's file)."""


class CorruptArchiveError(AssetError):
    """The archive cannot be read (damaged, truncated or not an archive)."""


@dataclass(frozen=True)
class Limits:
    """How much an archive may unpack to. Sizes are the members' declared sizes (zipfile and
    tarfile never write more than those), so everything is checked before a byte is written."""

    total_bytes: int = 8 << 30       # all members together
    ratio: float = 100.0             # unpacked bytes per byte of archive...
    ratio_from_bytes: int = 16 << 20  # ...checked once the members exceed this
    entries: int = 500_000
    depth: int = 32                  # path components of a member, file name included


LIMITS = Limits()


def extract(archive: Path, dest: Path, source: str | None = None, limits: Limits = LIMITS) -> Path:
    """Unpack ``archive`` (zip or tar, any compression) into ``dest`` and return ``dest``.

    If ``dest`` already exists it is assumed complete (it only ever appears by an atomic
    rename) and is returned as is. ``source`` names the archive in messages (the mirror file or
    URL it came from, the file the user can act on); default: ``archive``.

    Raises:
        UnsafeArchiveError: a member has an absolute path, climbs out with ``..``, is a
            link to outside ``dest``, or is a device file.
        ArchiveLimitError: the archive is beyond ``limits``.
        CorruptArchiveError: the file is not a readable zip or tar archive.
        CacheWriteError: ``dest`` cannot be written (a full disk, a read-only folder).
    """
    archive, dest = Path(archive), Path(dest)
    where = source or str(archive)
    if dest.is_dir():
        return dest
    with staging(dest.parent) as stage:
        unpacked = stage / "unpacked"
        try:
            if zipfile.is_zipfile(archive):
                _extract_zip(archive, unpacked, where, limits)
            elif tarfile.is_tarfile(archive):
                _extract_tar(archive, unpacked, where, limits)
            else:
                raise CorruptArchiveError(
                    f"{where} is not a readable zip or tar archive (truncated, damaged, or another "
                    f"kind of file such as an HTML error page). Delete {where} and fetch it again.")
            unpacked.rename(dest)
        except (zipfile.BadZipFile, tarfile.TarError, EOFError, OSError) as damaged:
            if isinstance(damaged, OSError) and (clear := write_error(damaged, dest.parent, "COURSE_CACHE")):
                raise clear from damaged
            raise CorruptArchiveError(
                f"{where} could not be unpacked ({damaged}). Delete {where} and fetch it again."
            ) from damaged
    return dest


def _check_name(where: str, name: str) -> None:
    """Reject member names that are absolute or climb out of the destination."""
    path = PurePosixPath(name.replace("\\", "/"))
    if path.is_absolute() or ".." in path.parts or (path.parts and ":" in path.parts[0]):
        raise UnsafeArchiveError(
            f"{where} contains the unsafe entry {name!r}, which would be written outside "
            "the destination folder. Nothing was extracted; do not use this file, and fetch "
            "the asset again from its origin."
        )


def _check_limits(archive: Path, where: str, members: list[tuple[str, int]], limits: Limits) -> None:
    """Refuse an archive whose (name, declared size) members go beyond ``limits``."""
    total = sum(size for _, size in members)
    archive_bytes = max(archive.stat().st_size, 1)
    depth = max((len(PurePosixPath(name.replace("\\", "/")).parts) for name, _ in members), default=0)
    problem = None
    if len(members) > limits.entries:
        problem = f"holds {len(members):,} entries (the course allows {limits.entries:,})"
    elif depth > limits.depth:
        problem = f"holds folders nested {depth:,} deep (the course allows {limits.depth})"
    elif total > limits.total_bytes:
        problem = f"would unpack to {total:,} bytes (the course allows {limits.total_bytes:,})"
    elif total > limits.ratio_from_bytes and total > limits.ratio * archive_bytes:
        problem = (f"would unpack to {total:,} bytes, {total / archive_bytes:,.0f} times its own size "
                   f"(the course allows {limits.ratio:.0f} times)")
    if problem:
        raise ArchiveLimitError(
            f"{where} {problem}. Nothing was extracted. This is not an archive the course uses (a "
            f"damaged file, or a \"zip bomb\"): delete {where} and fetch the asset again.")


def _extract_zip(archive: Path, dest: Path, where: str, limits: Limits) -> None:
    with zipfile.ZipFile(archive) as zf:
        infos = zf.infolist()
        for info in infos:
            _check_name(where, info.filename)
            if (info.external_attr >> 16) & 0o170000 == 0o120000:
                raise UnsafeArchiveError(f"{where} contains a symbolic link {info.filename!r}; "
                                         "links are not allowed in course archives.")
        _check_limits(archive, where, [(i.filename, i.file_size) for i in infos], limits)
        os.mkdir(dest)
        zf.extractall(dest)


def _extract_tar(archive: Path, dest: Path, where: str, limits: Limits) -> None:
    with tarfile.open(archive) as tf:
        members = tf.getmembers()
        for member in members:
            _check_name(where, member.name)
            if member.issym() or member.islnk():
                base = PurePosixPath(member.name).parent if member.issym() else PurePosixPath()
                _check_name(where, str(base / member.linkname))
            elif not (member.isfile() or member.isdir()):
                raise UnsafeArchiveError(f"{where} contains a special file {member.name!r}.")
        _check_limits(archive, where, [(m.name, m.size) for m in members], limits)
        os.mkdir(dest)
        # The "data" filter (Python >= 3.11.4) re-checks all of the above as a second guard.
        tf.extractall(dest, filter="data")
