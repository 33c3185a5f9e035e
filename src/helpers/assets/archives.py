"""Unpack verified zip and tar archives safely and atomically.

Every member is checked before anything is written: an absolute path, a ``..`` that
climbs out of the destination, a link pointing outside it, or a device file makes the
whole archive rejected. Extraction goes to a temporary folder that is renamed into
place only when complete, so a failed or interrupted unpack leaves nothing behind.
"""

from __future__ import annotations

import shutil
import tarfile
import tempfile
import zipfile
from pathlib import Path, PurePosixPath

from .fetch import AssetError


class UnsafeArchiveError(AssetError):
    """An archive member would be written outside the destination folder."""


class CorruptArchiveError(AssetError):
    """The archive cannot be read (damaged, truncated or not an archive)."""


def extract(archive: Path, dest: Path) -> Path:
    """Unpack ``archive`` (zip or tar, any compression) into ``dest`` and return ``dest``.

    If ``dest`` already exists it is assumed complete (it only ever appears by an atomic
    rename) and is returned as is.

    Raises:
        UnsafeArchiveError: a member has an absolute path, climbs out with ``..``, is a
            link to outside ``dest``, or is a device file.
        CorruptArchiveError: the file is not a readable zip or tar archive.
    """
    archive, dest = Path(archive), Path(dest)
    if dest.is_dir():
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part"))
    try:
        if zipfile.is_zipfile(archive):
            _extract_zip(archive, tmp)
        elif tarfile.is_tarfile(archive):
            _extract_tar(archive, tmp)
        else:
            raise CorruptArchiveError(
                f"{archive} is not a readable zip or tar archive (truncated, damaged, or another "
                "kind of file such as an HTML error page). Delete it and fetch it again."
            )
        tmp.rename(dest)
    except (zipfile.BadZipFile, tarfile.TarError, EOFError, OSError) as damaged:
        raise CorruptArchiveError(
            f"{archive} could not be unpacked ({damaged}). Delete it and fetch it again."
        ) from damaged
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return dest


def _check_name(archive: Path, name: str) -> None:
    """Reject member names that are absolute or climb out of the destination."""
    path = PurePosixPath(name.replace("\\", "/"))
    if path.is_absolute() or ".." in path.parts or (path.parts and ":" in path.parts[0]):
        raise UnsafeArchiveError(
            f"{archive} contains the unsafe entry {name!r}, which would be written outside "
            "the destination folder. Nothing was extracted; do not use this file, and fetch "
            "the asset again from its origin."
        )


def _extract_zip(archive: Path, dest: Path) -> None:
    with zipfile.ZipFile(archive) as zf:
        for info in zf.infolist():
            _check_name(archive, info.filename)
            if (info.external_attr >> 16) & 0o170000 == 0o120000:
                raise UnsafeArchiveError(f"{archive} contains a symbolic link {info.filename!r}; "
                                         "links are not allowed in course archives.")
        zf.extractall(dest)


def _extract_tar(archive: Path, dest: Path) -> None:
    with tarfile.open(archive) as tf:
        for member in tf.getmembers():
            _check_name(archive, member.name)
            if member.issym() or member.islnk():
                base = PurePosixPath(member.name).parent if member.issym() else PurePosixPath()
                _check_name(archive, str(base / member.linkname))
            elif not (member.isfile() or member.isdir()):
                raise UnsafeArchiveError(f"{archive} contains a special file {member.name!r}.")
        # The "data" filter (Python >= 3.11.4) re-checks all of the above as a second guard.
        tf.extractall(dest, filter="data")
