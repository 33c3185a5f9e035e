"""Verify a dataset archive by its content: every file it unpacks to, against a pinned digest table.

Some datasets have no published archive hash, or come as different archives holding the same
files (Google's ``cats_and_dogs_filtered.zip`` is compressed and holds a script; the offline
mirror's copy is a stored subset of the same JPEGs). Their bytes cannot be pinned, their
content can: the registry names a *digest table* shipped inside this package
(``assets/digests/<name>.tsv``: path, bytes, sha256, and the named sets each file belongs to).

:func:`fetch_folder` obtains such an archive (cache, mirror, origin, as :func:`~.fetch.fetch`
does), unpacks it into a temporary folder, and keeps it only if

* every file in it is in the table with the pinned size and SHA-256,
* the files present are exactly one accepted set (e.g. the full origin, or the mirror's subset),
* nothing else is there, except files the registry names as tolerated (removed before use).

Then, and only then, the folder is renamed into the cache with a *record* of every file it holds
(size and SHA-256, ``integrity.py``); otherwise it is deleted and :class:`ContentMismatchError`
names the offending files, the file they came from, and what to do. An archive whose bytes are
pinned is kept beside the folder (it is verified), so damage can be repaired from it; others are
not kept.

For an archive without any pinned content (the full Fruits-360), :func:`fetch_folder` accepts a
*structure check* instead and prints the archive's SHA-256 so an instructor can pin it. A TF Hub
module must also load (``structure.check_saved_model_loads``).

Every use of a folder compares it with its record (missing, extra, resized files); damage is
repaired (from the verified archive, or the mirror, or the origin) or raises one error that says
what to run. :func:`verify_folder` (``python -m helpers verify``) re-hashes every file.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from .archives import extract
from .errors import (AssetError, AssetUnavailableError, ChecksumMismatchError, ContentMismatchError)
from .fetch import (absent_everywhere, cache_dir, cached_path, copy_from, file_hash, matches,
                    mismatch_message, mismatches, unavailable_message, unavailable_reason, where_to_look)
from .integrity import MARKER, NO_RECORD, write_record
from .integrity import problems as record_problems
from .registry import Asset, Kind, get_asset
from .storage import discard, publish_file, publish_folder, remove_stale, staging
from .structure import check_saved_model_loads, saved_model_files

__all__ = ["MARKER", "ContentMismatchError", "ContentReport", "DigestTable", "FolderLayout",
           "check_content", "check_image_folders", "extract_checked", "fetch_folder",
           "load_digest_table", "parse_digest_table", "verified_folder", "verify_folder"]

_SHOW = 8  # offending files named per kind in an error


@dataclass(frozen=True)
class Digest:
    size: int
    sha256: str
    sets: frozenset[str]


@dataclass(frozen=True)
class DigestTable:
    """Pinned content of a dataset: relative path -> size, SHA-256 and the sets holding it."""

    name: str
    files: dict[str, Digest]

    def paths(self, set_name: str) -> frozenset[str]:
        return frozenset(p for p, d in self.files.items() if set_name in d.sets)

    @property
    def set_names(self) -> tuple[str, ...]:
        names = {s for d in self.files.values() for s in d.sets}
        return tuple(sorted(names, key=lambda s: -len(self.paths(s))))  # largest first


def parse_digest_table(text: str, name: str = "table") -> DigestTable:
    """Read a digest table: ``#`` comments, a header ``path bytes sha256 sets``, tab-separated rows."""
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    files = {}
    for row in csv.DictReader(lines, delimiter="\t"):
        sets = frozenset(s for s in (row.get("sets") or "full").split(",") if s)
        files[row["path"]] = Digest(int(row["bytes"]), row["sha256"].lower(), sets)
    if not files:
        raise ValueError(f"digest table {name!r} is empty")
    return DigestTable(name, files)


@lru_cache(maxsize=None)
def load_digest_table(filename: str) -> DigestTable:
    """A digest table shipped in ``helpers/assets/digests/``."""
    text = resources.files(__package__).joinpath("digests", filename).read_text(encoding="utf-8")
    return parse_digest_table(text, filename)


@dataclass(frozen=True)
class ContentReport:
    """What a verified folder holds: which accepted set, how many files, what was removed."""

    set_name: str
    files: int
    removed: tuple[str, ...] = ()


def _relative_files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*")
                  if p.is_file() or p.is_symlink())


def _sha256(path: Path) -> str:
    return file_hash(path, "sha256")


def check_content(root: Path, table: DigestTable, tolerated: tuple[str, ...] = (),
                  accepted_sets: tuple[str, ...] | None = None, source: str = "the archive") -> ContentReport:
    """Check the unpacked folder ``root`` against ``table``; remove tolerated extras; report.

    Raises:
        ContentMismatchError: an altered file, a file the table does not know, or a set of
            files that is none of the accepted sets (e.g. missing files).
    """
    root = Path(root)
    accepted_sets = accepted_sets or table.set_names
    present = _relative_files(root)
    removed = tuple(p for p in present if p in tolerated and p not in table.files)
    present = [p for p in present if p not in removed]
    unknown = [p for p in present if p not in table.files]
    altered = []
    for path in present:
        digest = table.files.get(path)
        if digest is None:
            continue
        file = root / path
        if file.is_symlink() or file.stat().st_size != digest.size or _sha256(file) != digest.sha256:
            altered.append(path)
    problems = []
    if altered:
        problems.append(_listing("altered (size or SHA-256 differs from the pinned value)", altered))
    if unknown:
        problems.append(_listing("not part of the dataset (unexpected extra files)", unknown))
    set_name = None
    if not problems:
        have = frozenset(present)
        set_name = next((s for s in accepted_sets if table.paths(s) == have), None)
        if set_name is None:
            closest = min(accepted_sets, key=lambda s: len(table.paths(s) ^ have))
            missing = sorted(table.paths(closest) - have)
            extra = sorted(have - table.paths(closest))
            problems.append(_listing(f"missing (compared with the closest accepted set, {closest!r})", missing))
            if extra:
                problems.append(_listing(f"not in the set {closest!r}", extra))
    if problems:
        raise ContentMismatchError(
            f"{source} does not hold the dataset the course pinned in its digest table "
            f"{table.name!r} (accepted: {', '.join(accepted_sets)}):\n" + "\n".join(problems) +
            "\nNothing was kept. What to do: the copy is damaged, incomplete or a different "
            "dataset. Delete it, and fetch it again from its origin on a connected machine, "
            "or ask your instructor for a good mirror copy.")
    for path in removed:
        (root / path).unlink()
    return ContentReport(set_name, len(present), removed)


def _listing(what: str, paths: list[str]) -> str:
    shown = ", ".join(paths[:_SHOW]) + (f", ... ({len(paths) - _SHOW} more)" if len(paths) > _SHOW else "")
    return f"  - {len(paths)} file(s) {what}: {shown}"


def extract_checked(archive: Path, dest: Path, check: Callable[[Path], object],
                    source: str | None = None) -> tuple[Path, object]:
    """Unpack ``archive`` into a staging folder, run ``check`` on it, record its files, then rename
    it to ``dest`` (replacing a damaged ``dest``; keeping one another process just verified).

    If ``check`` raises, the folder is deleted: nothing unverified is left in the cache.
    ``source`` names the archive in messages. Returns ``dest`` and what ``check`` returned.
    """
    dest = Path(dest)
    with staging(dest.parent) as stage:
        unpacked = extract(archive, stage / "unpacked", source=source)
        result = check(unpacked)
        write_record(unpacked, str(result))
        publish_folder(unpacked, dest, stage, is_good=lambda folder: not record_problems(folder))
    return dest, result


def verified_folder(asset: Asset | str) -> Path:
    """Where an archive's verified content lives in the cache: ``<cache>/<archive stem>/``."""
    asset = get_asset(asset) if isinstance(asset, str) else asset
    return cache_dir() / Path(asset.filename).name.split(".")[0]


def fetch_folder(asset: Asset | str, origin: bool = True,
                 structure: Callable[[Path], object] | None = None) -> Path:
    """A verified, unpacked copy of a dataset archive, from the cache, a mirror or the origin.

    The asset's content is checked against its digest table (``asset.content``); an archive
    with no table needs a ``structure`` check (a function that raises on a wrong layout), and
    its SHA-256 is printed so it can be pinned later. A hub module must also load. Archives with
    a pinned archive hash are byte-verified and kept, for repairs. A cached folder that differs
    from its record (missing, extra or resized files) is repaired first.

    Raises:
        ContentMismatchError: the unpacked files are not the pinned dataset.
        ChecksumMismatchError: a copy with a pinned archive hash did not match it, or a download
            was cut short.
        AssetUnavailableError: no copy can be had (or a damaged folder cannot be repaired).
        CacheWriteError: the cache cannot be written.
    """
    asset = get_asset(asset) if isinstance(asset, str) else asset
    dest = verified_folder(asset)
    remove_stale(dest.parent)
    damage = record_problems(dest) if dest.exists() else []
    if dest.exists() and not damage:
        return dest
    if damage == [NO_RECORD]:
        print(f"{dest} has {NO_RECORD}: unpacking it again from a verified copy.")
    elif damage:
        print(f"{dest} is damaged ({'; '.join(damage)}); repairing it from a verified copy.")
    try:
        return _unpack_verified(asset, dest, origin, structure)
    except AssetError as error:
        if not damage:
            raise
        raise type(error)(
            f"{dest} is damaged ({'; '.join(damage)}) and could not be repaired: {error}\n"
            f"What to do: run `python -m helpers fetch {asset.name}` where the archive can be had "
            "(COURSE_MIRROR set, or online), or delete that folder and run this again.") from error


def _unpack_verified(asset: Asset, dest: Path, origin: bool, structure: Callable[[Path], object] | None) -> Path:
    """Obtain the archive, unpack it, check it, and publish the folder at ``dest`` with its record."""
    if asset.content is None and structure is None:
        # the least an unpinned archive must pass
        structure = saved_model_files if asset.kind is Kind.HUB_MODULE else check_image_folders
    if asset.hash is None or not cached_path(asset).exists():
        nowhere = absent_everywhere(asset, origin)
        if nowhere is not None:  # said before anything is written: a read-only cache can say it
            raise AssetUnavailableError(unavailable_message(asset, nowhere), unavailable_reason(asset))

    with staging(dest.parent) as stage:
        archive, where, pinned = _obtain_archive(asset, origin, stage)

        def check(root: Path):
            if asset.content is not None:
                result = check_content(root, load_digest_table(asset.content), asset.tolerated, source=where)
            else:
                result = structure(root)
            if asset.kind is Kind.HUB_MODULE:
                check_saved_model_loads(root, source=where)
            return result

        if not pinned:
            what = "content" if asset.content else "layout"
            sha = f"sha256 {_sha256(archive)} ({archive.stat().st_size:,} bytes)"
            if asset.hash is None:
                print(f"{asset.filename} from {where}: {sha}; no hash is pinned for these bytes, so its "
                      f"{what} is checked instead.")
            else:
                print(f"{asset.filename} from {where}: {sha} is not the pinned archive "
                      f"({asset.algorithm} {asset.digest[:16]}...), e.g. another packing of the same data; "
                      f"its {what} is checked file by file instead.")
        _, report = extract_checked(archive, dest, check, source=where)
    if not isinstance(report, ContentReport):
        print(f"{asset.name}: layout checked, {report}.")
    else:
        removed = f"; removed the tolerated {', '.join(report.removed)}" if report.removed else ""
        print(f"{asset.name}: {report.files:,} files verified by content "
              f"(set {report.set_name!r}){removed}.")
    return dest


def _obtain_archive(asset: Asset, origin: bool, stage: Path) -> tuple[Path, str, bool]:
    """The archive, once: a verified cached copy if its bytes are pinned, else the first copy found
    in the mirror or at the origin, copied or downloaded into ``stage``. A copy matching the pinned
    hash is kept in the cache. Returns (path, where it came from, whether its bytes are verified)."""
    cached = cached_path(asset)
    if asset.hash is not None and cached.exists():
        if matches(cached, asset):
            return cached, str(cached), True
        discard(cached)
    tried, cut = [], []
    for label, location in where_to_look(asset, origin):
        copy = stage / asset.filename
        try:
            copy_from(label, location, copy, asset.size)
        except FileNotFoundError as missing:
            tried.append(f"{label}: {missing}")
            continue
        except ChecksumMismatchError as bad:
            cut.append(f"{label}: {bad}")
            continue
        if asset.hash is not None and not mismatches(copy, asset):
            publish_file(copy, cached)  # verified bytes: kept, to repair the folder from
            return cached, location, True
        return copy, location, False
    if cut:
        raise ChecksumMismatchError(mismatch_message(asset, cut + tried))
    raise AssetUnavailableError(unavailable_message(asset, tried), unavailable_reason(asset))


def verify_folder(asset: Asset | str) -> tuple[str, bool] | None:
    """Re-hash the asset's unpacked folder against its record, and repair it if it differs.

    Returns None when there is no folder, else (what was found and done, whether it is good now).
    The repair uses the verified archive in the cache or the mirror, never the origin.
    """
    asset = get_asset(asset) if isinstance(asset, str) else asset
    folder = verified_folder(asset)
    if not folder.exists():
        return None
    found = record_problems(folder, rehash=True)
    if not found:
        return "ok", True
    damage = f"DAMAGED ({'; '.join(found)})"
    try:
        discard(folder)
        source = "its verified archive" if asset.hash and matches(cached_path(asset), asset) else "the mirror"
        fetch_folder(asset, origin=False)
        return f"{damage}; repaired from {source}", True
    except AssetError as error:
        return (f"{damage}; not repaired ({str(error).splitlines()[0]}). Run `python -m helpers fetch "
                f"{asset.name}` with COURSE_MIRROR set or online."), False


IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".gif")


@dataclass(frozen=True)
class FolderLayout:
    """What a structure check found: the split folders and their classes."""

    splits: dict[str, Path]
    class_names: tuple[str, ...]
    images: dict[str, int]

    def __str__(self) -> str:
        counts = ", ".join(f"{name} {n:,}" for name, n in self.images.items())
        return f"{len(self.class_names)} classes; images: {counts}"


def check_image_folders(root: Path, size: tuple[int, int] | None = None,
                        sample: int = 50) -> FolderLayout:
    """Structure check for an unpinned image-folder archive: ``<split>/<class>/<image>``.

    Finds the folder holding two or more split folders (e.g. ``Training`` and ``Test``) whose
    sub-folders (the classes, the same in every split) hold only images; checks the first
    ``sample`` images of each split decode to ``size`` (width, height) if given.

    Raises:
        ContentMismatchError: the layout is not class folders of images.
    """
    from PIL import Image

    def fail(why: str):
        raise ContentMismatchError(
            f"The archive does not have the expected layout ({why}). Expected "
            "<split>/<class>/<image> folders, e.g. Training/Apple Braeburn/0_100.jpg. Nothing "
            "was kept; fetch it again, or tell the course maintainers the origin has changed.")

    def is_split(folder: Path) -> bool:
        classes = [c for c in folder.iterdir() if c.is_dir()]
        return bool(classes) and all(any(f.suffix.lower() in IMAGE_SUFFIXES for f in c.iterdir())
                                     for c in classes)

    candidates = [d for d in [Path(root), *sorted(Path(root).rglob("*"))] if d.is_dir()]
    parent = next((d for d in candidates
                   if sum(is_split(s) for s in d.iterdir() if s.is_dir()) >= 2), None)
    if parent is None:
        fail("no folder with two splits of class folders of images")
    splits = {s.name: s for s in sorted(parent.iterdir()) if s.is_dir() and is_split(s)}
    class_sets = {name: sorted(c.name for c in s.iterdir() if c.is_dir()) for name, s in splits.items()}
    if len({tuple(c) for c in class_sets.values()}) != 1:
        fail(f"the splits have different classes: {class_sets}")
    images = {}
    for name, split in splits.items():
        files = sorted(f for f in split.rglob("*") if f.is_file())
        odd = [f.relative_to(root).as_posix() for f in files if f.suffix.lower() not in IMAGE_SUFFIXES]
        if odd:
            fail(f"non-image files among the classes: {', '.join(odd[:_SHOW])}")
        for f in files[:: max(1, len(files) // sample)]:
            try:
                with Image.open(f) as image:
                    image.verify()
                with Image.open(f) as image:
                    if size is not None and image.size != tuple(size):
                        fail(f"{f.relative_to(root).as_posix()} is {image.size[0]}x{image.size[1]}, "
                             f"not {size[0]}x{size[1]}")
            except ContentMismatchError:
                raise
            except Exception as broken:  # every PIL failure (OSError, SyntaxError, DecompressionBombError...)
                fail(f"{f.relative_to(root).as_posix()} is not a readable image ({broken})")
        images[name] = len(files)
    return FolderLayout(splits, tuple(next(iter(class_sets.values()))), images)
