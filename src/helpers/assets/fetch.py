"""Get a registered asset: from the cache, else a mirror, else its origin; always verified.

Environment:
    COURSE_CACHE   where verified files are kept (default ``~/.cache/cnn-course``).
    COURSE_MIRROR  a folder, or an http(s) base URL, holding files under their origin names.
    COURSE_OFFLINE 1/true/yes/on to never contact an origin (CI and classrooms without internet);
                   0/false/no/off or unset to allow it; any other value is refused.
    KERAS_HOME     where Keras looks for weights and datasets (default ``~/.keras``).

A file is moved into the cache only after its hash matched the registry, so the cache
never holds a half-written or unverified file, and nothing unverified is ever unpickled
or unpacked. Files are written under unique names in a staging folder and renamed into place
(``storage.py``), so several processes can fetch the same asset at once, and get the
permissions the umask allows, so a cache filled by one account can be read by others. A
download has an overall deadline as well as a per-read timeout.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pooch
import requests
import urllib3

from .errors import (AssetError, AssetUnavailableError, CacheWriteError, ChecksumMismatchError,
                     SettingError)
from .registry import Asset, Kind, get_asset
from .storage import discard, publish_file, remove_stale, share, staging, writing_to

__all__ = ["AssetError", "AssetUnavailableError", "CacheWriteError", "ChecksumMismatchError",
           "SettingError", "cache_dir", "cached_path", "fetch", "fetch_first", "file_hash",
           "file_hashes", "is_offline", "keras_home", "matches", "mirror_location"]

log = logging.getLogger(__name__)

_CHUNK = 1 << 20
_TIMEOUT_S = 30  # per read: the longest a connection may stay silent
#: The overall deadline of a download: this many seconds, plus one per MIN_DOWNLOAD_RATE bytes.
DOWNLOAD_DEADLINE_S = 900.0
MIN_DOWNLOAD_RATE = 50_000
_PROGRESS_BAR_FROM_BYTES = 1 << 20
_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"", "0", "false", "no", "off"}


def cache_dir() -> Path:
    """The folder holding verified assets (``COURSE_CACHE``, default ``~/.cache/cnn-course``).

    Raises:
        SettingError: ``COURSE_CACHE`` names something that is not a folder.
    """
    return _folder_setting("COURSE_CACHE", Path.home() / ".cache" / "cnn-course")


def keras_home() -> Path:
    """The folder Keras reads weights and datasets from (``KERAS_HOME``, default ``~/.keras``)."""
    return _folder_setting("KERAS_HOME", Path.home() / ".keras")


def _folder_setting(variable: str, default: Path) -> Path:
    folder = Path(os.environ.get(variable) or default).expanduser()
    if folder.exists() and not folder.is_dir():
        raise SettingError(f"{variable}={folder} is a file, not a folder. What to do: point {variable} "
                           "at a folder (it is created if missing), or unset it for the default "
                           f"{default}.")
    return folder


def mirror_location() -> str | None:
    """``COURSE_MIRROR``: a folder or an http(s) base URL, or None."""
    return os.environ.get("COURSE_MIRROR") or None


def is_offline() -> bool:
    """True when ``COURSE_OFFLINE`` forbids contacting origins.

    Raises:
        SettingError: the value is none of 1/0, true/false, yes/no, on/off (any case) or empty.
    """
    value = os.environ.get("COURSE_OFFLINE", "")
    if value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise SettingError(f"COURSE_OFFLINE={value!r} is not understood. Use 1, true, yes or on to never "
                       "contact an origin; 0, false, no or off (or leave it unset) to allow downloads.")


def file_hash(path: Path, algorithm: str) -> str:
    """Hex digest of a file, read in chunks."""
    return file_hashes(path, [algorithm])[algorithm]


def file_hashes(path: Path, algorithms: list[str]) -> dict[str, str]:
    """Hex digests of a file under several algorithms, in one pass."""
    digests = {a: hashlib.new(a, usedforsecurity=False) for a in algorithms}
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            for digest in digests.values():
                digest.update(chunk)
    return {a: d.hexdigest() for a, d in digests.items()}


def _keras_h5_problem(path: Path) -> str | None:
    """Why ``path`` is not a readable Keras weight file, or None (h5py is imported only when needed)."""
    from .structure import keras_h5_problem

    return keras_h5_problem(path)


#: How a file whose publisher pins no hash (``Asset.hash is None``) is checked: by structure.
_STRUCTURE_CHECKS = {Kind.KERAS_WEIGHTS: _keras_h5_problem}


def mismatches(path: Path, asset: Asset) -> list[str]:
    """The asset's pinned hashes that the file at ``path`` does not match, as 'algo actual != pinned'.

    An asset with no published hash is checked by its structure (and any hash pinned later in
    ``extra_hashes``) instead: a Keras weight file must open and hold its layers.
    """
    problems = []
    if asset.hash is None:
        problem = _STRUCTURE_CHECKS[asset.kind](path)
        if problem:
            problems.append(f"{problem} (no published hash: checked by structure only)")
    pinned = [h.split(":", 1) for h in asset.hashes]
    actual = file_hashes(path, [algorithm for algorithm, _ in pinned])
    return problems + [f"{a} {actual[a]} instead of {digest}" for a, digest in pinned if actual[a] != digest]


def matches(path: Path, asset: Asset) -> bool:
    """True if the file at ``path`` has every hash the registry pins for the asset.

    Raises:
        AssetError: the file exists but this account may not read it.
    """
    try:
        return path.is_file() and not mismatches(path, asset)
    except PermissionError as denied:
        raise AssetError(
            f"{path} cannot be read ({denied.strerror}): it belongs to another account. What to do: "
            f"ask its owner to run `chmod -R a+rX {path.parent}`, or set COURSE_CACHE (or KERAS_HOME) "
            "to a folder of your own.") from None


def _remove_bad_copies(asset: Asset, target: Path) -> None:
    """Remove a cached copy that failed its check, and the copy where Keras looks if it fails too."""
    placed = keras_home() / asset.keras_path if asset.keras_path else None
    if placed is not None and placed.exists() and not matches(placed, asset):
        discard(placed, "KERAS_HOME")
    discard(target)


def cached_path(asset: Asset | str) -> Path:
    """Where the verified copy of an asset lives (or will live) in the cache."""
    asset = get_asset(asset) if isinstance(asset, str) else asset
    return cache_dir() / asset.filename


def fetch(asset: Asset | str, origin: bool = True) -> Path:
    """Return the path of a verified local copy of ``asset``, obtaining it if needed.

    Looks in the cache, then in ``COURSE_MIRROR``, then at the origin URL (unless
    ``origin`` is False, ``COURSE_OFFLINE`` is set, or the asset is mirror-only). Keras
    weights and datasets are also placed where Keras looks, so
    ``keras.applications.VGG16(weights="imagenet")`` runs unchanged. A cached copy that fails
    its check is removed (with its copy where Keras looks) before another is sought.

    Raises:
        ChecksumMismatchError: a copy was found but none matched the registered hash.
        AssetUnavailableError: no copy could be found or downloaded.
        CacheWriteError: the cache or ``KERAS_HOME`` cannot be written (says which variable to set).
    """
    asset = get_asset(asset) if isinstance(asset, str) else asset
    if asset.hash is None and asset.kind not in _STRUCTURE_CHECKS:
        raise AssetError(f"{asset.name!r} has no pinned archive hash: get it with "
                         "helpers.assets.content.fetch_folder, which checks what it unpacks to.")
    target = cached_path(asset)
    remove_stale(target.parent)
    if target.exists():
        if matches(target, asset):
            return _install_for_keras(asset, target)
        log.warning("Cached %s does not match its hash; removing it and fetching it again.", target)
        _remove_bad_copies(asset, target)

    tried: list[str] = []
    corrupt: list[str] = []
    nowhere = absent_everywhere(asset, origin)
    if nowhere is not None:
        raise AssetUnavailableError(unavailable_message(asset, nowhere), unavailable_reason(asset))
    for label, location in where_to_look(asset, origin):
        try:
            with staging(target.parent) as stage:
                copy = stage / asset.filename
                copy_from(label, location, copy, asset.size)
                _verify(copy, asset, where=location)
                publish_file(copy, target)
            return _install_for_keras(asset, target)
        except FileNotFoundError as missing:
            tried.append(f"{label}: {missing}")
        except ChecksumMismatchError as bad:
            corrupt.append(f"{label}: {bad}")
    if corrupt:
        raise ChecksumMismatchError(mismatch_message(asset, corrupt + tried))
    raise AssetUnavailableError(unavailable_message(asset, tried), unavailable_reason(asset))


def fetch_first(*names: str) -> tuple[Asset, Path]:
    """The first of several interchangeable assets (the same data packed differently) at hand.

    Copies already on this machine or in the mirror, of any of them, win over a download, so
    an offline classroom's mirror-only file is used before an online machine fetches the
    origin. Returns the asset found and its verified path.

    Raises:
        ChecksumMismatchError: a copy was found that does not match its registered hash.
        AssetUnavailableError: none of them can be had; the message covers each.
    """
    assets = [get_asset(name) for name in names]
    missing: dict[str, AssetUnavailableError] = {}
    for origin in (False, True):
        for asset in assets:
            if origin and asset.url is None:
                continue
            try:
                return asset, fetch(asset, origin=origin)
            except AssetUnavailableError as error:
                missing[asset.name] = error
    raise AssetUnavailableError("\n\n".join(str(e) for e in missing.values()),
                                next((e.reason for e in missing.values() if e.reason), ""))


def where_to_look(asset: Asset, origin: bool = True) -> list[tuple[str, str]]:
    """Where to look, in order: the mirror (folder or URL), then the origin."""
    sources = []
    mirror = mirror_location()
    if mirror:
        if mirror.startswith(("http://", "https://")):
            sources.append(("mirror", f"{mirror.rstrip('/')}/{asset.filename}"))
        else:
            sources.append(("mirror folder", str(Path(mirror).expanduser() / asset.filename)))
    if origin and asset.url is not None and not is_offline():
        sources.append(("origin", asset.url))
    return sources


def absent_everywhere(asset: Asset, origin: bool = True) -> list[str] | None:
    """What was looked at, when no copy can be had: no mirror folder holds the file and no URL is
    left to try (offline, or none). Checked before anything is written, so a read-only cache (a
    classroom's, filled by an instructor) says "unavailable" and the lesson falls back. None when
    a copy may be had."""
    sources = where_to_look(asset, origin)
    if any(label != "mirror folder" or Path(location).is_file() for label, location in sources):
        return None
    return [f"{label}: no file {location}" for label, location in sources]


def copy_from(label: str, location: str, dest: Path, size: int | None) -> None:
    """Copy a mirror file, or download a URL, to ``dest`` (unchecked).

    Raises:
        FileNotFoundError: not there, not readable, not reachable, or too slow (with why).
        ChecksumMismatchError: the transfer was cut short.
    """
    if label != "mirror folder":
        _download(location, dest, size)
        return
    source = Path(location)
    if not source.is_file():
        raise FileNotFoundError(f"no file {source}")
    try:
        src = open(source, "rb")
    except OSError as unreadable:
        raise FileNotFoundError(f"cannot read {source} ({unreadable.strerror})") from None
    with src, open(dest, "wb") as out:
        shutil.copyfileobj(src, out, _CHUNK)


class _CutShort(Exception):
    """The connection closed before the announced size arrived."""


class _TooSlow(Exception):
    """No data for the per-read timeout, or the whole download missed its deadline."""


def download_deadline(size: int | None) -> float:
    """Seconds a download of ``size`` bytes may take in all."""
    return DOWNLOAD_DEADLINE_S + (size or 0) / MIN_DOWNLOAD_RATE


class _DeadlineDownloader:
    """A pooch downloader: streams with a per-read timeout *and* an overall deadline.

    ``read1`` returns whatever has arrived, so a server trickling one byte at a time is noticed
    at its deadline instead of keeping the download alive forever.
    """

    def __init__(self, size: int | None) -> None:
        self.size = size

    def __call__(self, url: str, output_file: str, pooch_=None, check_only: bool = False) -> None:
        with requests.get(url, stream=True, timeout=_TIMEOUT_S) as response:
            response.raise_for_status()
            total = int(response.headers.get("content-length") or 0) or self.size
            allowed = download_deadline(total)
            deadline, received = time.monotonic() + allowed, 0
            with open(output_file, "wb") as out, _progress(total) as progress:
                while True:
                    try:
                        chunk = response.raw.read1(_CHUNK, decode_content=True)
                    except urllib3.exceptions.ReadTimeoutError:
                        raise _TooSlow(f"no data for {_TIMEOUT_S} s after {received:,} bytes") from None
                    except urllib3.exceptions.ProtocolError:
                        raise _CutShort(f"{received:,} of {total:,} bytes" if total else
                                        f"after {received:,} bytes") from None
                    if not chunk:
                        break
                    out.write(chunk)
                    received += len(chunk)
                    progress(len(chunk))
                    if time.monotonic() > deadline:
                        raise _TooSlow(f"only {received:,}{f' of {total:,}' if total else ''} bytes arrived "
                                       f"within the download deadline of {allowed:.0f} s")


@contextmanager
def _progress(total: int | None):
    """A progress bar on stderr for large files (tqdm, as pooch uses, if installed); yields update()."""
    try:
        from tqdm import tqdm
    except ImportError:
        tqdm = None
    if tqdm is None or (total or 0) < _PROGRESS_BAR_FROM_BYTES:
        yield lambda n: None
        return
    with tqdm(total=total, unit="B", unit_scale=True, ncols=79, ascii=True, file=sys.stderr) as bar:
        yield bar.update


def _download(url: str, dest: Path, size: int | None) -> None:
    """Download ``url`` to ``dest`` through pooch (temporary file, then rename), no hash check here.

    Raises:
        FileNotFoundError: an HTTP error, an unreachable server, or a download too slow (with why).
        ChecksumMismatchError: the transfer was cut short.
    """
    logger = pooch.get_logger()
    level = logger.level
    logger.setLevel(logging.WARNING)  # its "use this known_hash" advice is for pooch users, not learners
    try:
        if (size or 0) >= _PROGRESS_BAR_FROM_BYTES:
            print(f"Downloading {dest.name} from {url}", file=sys.stderr)
        pooch.retrieve(url, known_hash=None, fname=dest.name, path=dest.parent,
                       downloader=_DeadlineDownloader(size))
    except _CutShort as cut:
        raise ChecksumMismatchError(f"the download from {url} was cut short ({cut})") from None
    except _TooSlow as slow:
        raise FileNotFoundError(f"the download from {url} was abandoned: {slow}") from None
    except requests.exceptions.HTTPError as http:
        raise FileNotFoundError(f"{url} answered {http.response.status_code}") from None
    except requests.exceptions.RequestException as unreachable:
        raise FileNotFoundError(f"could not reach {url} ({type(unreachable).__name__})") from None
    finally:
        logger.setLevel(level)


def _verify(path: Path, asset: Asset, where: str) -> None:
    """Raise ChecksumMismatchError unless ``path`` has every hash the registry pins."""
    wrong = mismatches(path, asset)
    if not wrong:
        if asset.hash is None:  # the first copy of a file without a published hash
            print(f"{asset.filename} from {where}: no published hash, verified by structure only. "
                  f"Its sha256 is {file_hash(path, 'sha256')} ({path.stat().st_size:,} bytes): "
                  "an instructor who trusts this copy can pin it in the registry (extra_hashes).")
        return
    raise ChecksumMismatchError(f"{where} is {describe_bad_copy(path, asset.size)}: {'; '.join(wrong)}")


def describe_bad_copy(path: Path, expected_size: int | None) -> str:
    """What a copy that failed its check looks like: an HTML page, truncated, or corrupt."""
    with open(path, "rb") as f:
        head = f.read(1024).lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html", b"<head", b"<body")):
        return ("an HTML page, not the file (an error, sign-in or redirect page saved under the "
                "file's name)")
    size = path.stat().st_size
    if expected_size is not None and size < expected_size:
        return f"truncated ({size:,} of {expected_size:,} bytes)"
    return "corrupt"


def _install_for_keras(asset: Asset, path: Path) -> Path:
    """Copy a verified file to where Keras looks for it; return ``path``.

    Nothing is written when a matching copy is already there (a read-only ``KERAS_HOME`` works).
    """
    if asset.keras_path is None:
        return path
    dest = keras_home() / asset.keras_path
    if dest.exists() and matches(dest, asset):
        return path
    with writing_to(keras_home(), "KERAS_HOME"), staging(dest.parent, "KERAS_HOME") as stage:
        placed = stage / dest.name
        shutil.copyfile(path, placed)  # a copy, not a link: editing Keras's never touches the verified one
        share(placed)
        os.replace(placed, dest)
    return path


def mismatch_message(asset: Asset, problems: list[str]) -> str:
    lines = "\n".join(f"  - {p}" for p in problems)
    return (
        f"Asset {asset.name!r} ({asset.filename}) was found, but no copy matches the course's "
        f"registered {f'{asset.algorithm} hash' if asset.hash else 'structure check'}:\n{lines}\n"
        "Nothing was kept. What to do: delete the bad copy (it may be a partial download or a "
        "damaged mirror file) and fetch again on a connected machine with "
        f"`python -m helpers fetch {asset.name}`, or copy a good file from {_origin(asset)}."
    )


def _origin(asset: Asset) -> str:
    return asset.url or "a course mirror (this file is mirror-only: it has no origin URL)"


def unavailable_reason(asset: Asset) -> str:
    """Why the origin was not tried, if it was not: the short reason a notice can print."""
    return "COURSE_OFFLINE is set, so the origin was not contacted" if is_offline() and asset.url else ""


def unavailable_message(asset: Asset, tried: list[str]) -> str:
    if mirror_location() is None:
        tried = ["mirror: COURSE_MIRROR is not set", *tried]
    lines = "\n".join(f"  - {t}" for t in tried)
    reason = unavailable_reason(asset)
    offline = f" ({reason})" if reason else ""
    return (
        f"Asset {asset.name!r} ({asset.filename}) is not available on this machine{offline}.\n"
        f"Origin: {_origin(asset)}\nLooked in:\n  - cache: {cached_path(asset)}\n{lines}\n"
        "Two ways out:\n"
        f"  1. On a machine with internet, run `python -m helpers fetch {asset.name}` "
        f"(or `fetch --all`) and copy the cache folder {cache_dir()} across;\n"
        "  2. point COURSE_MIRROR at a folder (or http URL) holding "
        f"{asset.filename}, e.g. `export COURSE_MIRROR=/path/to/mirror`."
    )
