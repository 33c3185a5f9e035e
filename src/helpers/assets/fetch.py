"""Get a registered asset: from the cache, else a mirror, else its origin; always verified.

Environment:
    COURSE_CACHE   where verified files are kept (default ``~/.cache/cnn-course``).
    COURSE_MIRROR  a folder, or an http(s) base URL, holding files under their origin names.
    COURSE_OFFLINE set to 1 to never contact an origin (CI and classrooms without internet).
    KERAS_HOME     where Keras looks for weights and datasets (default ``~/.keras``).

A file is moved into the cache only after its hash matched the registry, so the cache
never holds a half-written or unverified file, and nothing unverified is ever unpickled
or unpacked.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
from pathlib import Path

import pooch
import requests

from .registry import Asset, Kind, get_asset

log = logging.getLogger(__name__)

_CHUNK = 1 << 20
_TIMEOUT_S = 30
_PROGRESS_BAR_FROM_BYTES = 1 << 20


class AssetError(Exception):
    """Base class: something is wrong with an external file the course needs."""


class AssetUnavailableError(AssetError):
    """The asset is in no cache or mirror, and its origin could not be reached."""


class ChecksumMismatchError(AssetError):
    """A copy was found but its hash does not match the registry (corrupt or truncated)."""


def cache_dir() -> Path:
    """The folder holding verified assets (``COURSE_CACHE``, default ``~/.cache/cnn-course``)."""
    return Path(os.environ.get("COURSE_CACHE") or Path.home() / ".cache" / "cnn-course").expanduser()


def keras_home() -> Path:
    """The folder Keras reads weights and datasets from (``KERAS_HOME``, default ``~/.keras``)."""
    return Path(os.environ.get("KERAS_HOME") or Path.home() / ".keras").expanduser()


def mirror_location() -> str | None:
    """``COURSE_MIRROR``: a folder or an http(s) base URL, or None."""
    return os.environ.get("COURSE_MIRROR") or None


def is_offline() -> bool:
    """True when ``COURSE_OFFLINE`` forbids contacting origins."""
    return os.environ.get("COURSE_OFFLINE", "").strip().lower() in {"1", "true", "yes"}


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


_HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"


def _is_hdf5(path: Path) -> bool:
    """True if ``path`` starts with the HDF5 signature, as every Keras ``.h5`` weight file does."""
    with open(path, "rb") as f:
        return f.read(len(_HDF5_SIGNATURE)) == _HDF5_SIGNATURE


#: How a file whose publisher pins no hash (``Asset.hash is None``) is checked: by structure.
_STRUCTURE_CHECKS = {Kind.KERAS_WEIGHTS: (_is_hdf5, "an HDF5 file")}


def _mismatches(path: Path, asset: Asset) -> list[str]:
    """The asset's pinned hashes that the file at ``path`` does not match, as 'algo actual != pinned'.

    An asset with no published hash is checked by its structure (and any hash pinned later in
    ``extra_hashes``) instead.
    """
    problems = []
    if asset.hash is None:
        is_valid, what = _STRUCTURE_CHECKS[asset.kind]
        if not is_valid(path):
            problems.append(f"not {what} (no published hash: checked by structure only)")
    pinned = [h.split(":", 1) for h in asset.hashes]
    actual = file_hashes(path, [algorithm for algorithm, _ in pinned])
    return problems + [f"{a} {actual[a]} instead of {digest}" for a, digest in pinned if actual[a] != digest]


def matches(path: Path, asset: Asset) -> bool:
    """True if the file at ``path`` has every hash the registry pins for the asset."""
    return path.is_file() and not _mismatches(path, asset)


def cached_path(asset: Asset | str) -> Path:
    """Where the verified copy of an asset lives (or will live) in the cache."""
    asset = get_asset(asset) if isinstance(asset, str) else asset
    return cache_dir() / asset.filename


def fetch(asset: Asset | str, origin: bool = True) -> Path:
    """Return the path of a verified local copy of ``asset``, obtaining it if needed.

    Looks in the cache, then in ``COURSE_MIRROR``, then at the origin URL (unless
    ``origin`` is False, ``COURSE_OFFLINE`` is set, or the asset is mirror-only). Keras
    weights and datasets are also placed where Keras looks, so
    ``keras.applications.VGG16(weights="imagenet")`` runs unchanged.

    Raises:
        ChecksumMismatchError: a copy was found but none matched the registered hash.
        AssetUnavailableError: no copy could be found or downloaded.
    """
    asset = get_asset(asset) if isinstance(asset, str) else asset
    if asset.hash is None and asset.kind not in _STRUCTURE_CHECKS:
        raise AssetError(f"{asset.name!r} has no pinned archive hash: get it with "
                         "helpers.assets.content.fetch_folder, which checks what it unpacks to.")
    target = cached_path(asset)
    if target.exists():
        if matches(target, asset):
            return _install_for_keras(asset, target)
        log.warning("Cached %s does not match its hash; fetching it again.", target)
        target.unlink()
    target.parent.mkdir(parents=True, exist_ok=True)

    tried: list[str] = []
    corrupt: list[str] = []
    for label, location in _sources(asset, origin):
        try:
            if label == "mirror folder":
                _copy_verified(Path(location), asset, target)
            else:
                _download_verified(location, asset, target)
            return _install_for_keras(asset, target)
        except FileNotFoundError as missing:
            tried.append(f"{label}: {missing}")
        except ChecksumMismatchError as bad:
            corrupt.append(f"{label}: {bad}")
    if corrupt:
        raise ChecksumMismatchError(_mismatch_message(asset, corrupt + tried))
    raise AssetUnavailableError(_unavailable_message(asset, tried))


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
    raise AssetUnavailableError("\n\n".join(str(e) for e in missing.values()))


def _sources(asset: Asset, origin: bool = True) -> list[tuple[str, str]]:
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


def _copy_verified(source: Path, asset: Asset, target: Path) -> None:
    """Copy a mirror file into the cache through a temporary file, keeping it only if verified."""
    if not source.is_file():
        raise FileNotFoundError(f"no file {source}")
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out, open(source, "rb") as src:
            shutil.copyfileobj(src, out, _CHUNK)
        _verify(tmp, asset, where=str(source))
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def _download_verified(url: str, asset: Asset, target: Path) -> None:
    """Download with pooch: it streams to a temporary file and keeps it only if the hash matches."""
    progress = asset.size is None or asset.size >= _PROGRESS_BAR_FROM_BYTES
    downloader = pooch.HTTPDownloader(progressbar=progress, timeout=_TIMEOUT_S)
    partial = target.with_name(f".{target.name}.download")
    try:
        # pooch checks the first hash and writes atomically; the other pinned hashes are
        # checked before the file takes its place in the cache.
        pooch.retrieve(url, known_hash=asset.hash, fname=partial.name, path=target.parent,
                       downloader=downloader)
        _verify(partial, asset, where=url)
        os.replace(partial, target)
    except ValueError as bad_hash:  # pooch's hash mismatch; its temporary file is already gone
        raise ChecksumMismatchError(f"download from {url} failed verification ({bad_hash})") from None
    except requests.exceptions.ChunkedEncodingError as cut:
        raise ChecksumMismatchError(f"download from {url} was cut short ({cut})") from None
    except requests.exceptions.HTTPError as http:
        raise FileNotFoundError(f"{url} answered {http.response.status_code}") from None
    except requests.exceptions.RequestException as unreachable:
        raise FileNotFoundError(f"could not reach {url} ({type(unreachable).__name__})") from None
    finally:
        partial.unlink(missing_ok=True)


def _verify(path: Path, asset: Asset, where: str) -> None:
    """Raise ChecksumMismatchError unless ``path`` has every hash the registry pins."""
    wrong = _mismatches(path, asset)
    if not wrong:
        if asset.hash is None:  # the first copy of a file without a published hash
            print(f"{asset.filename} from {where}: no published hash, verified by structure only. "
                  f"Its sha256 is {file_hash(path, 'sha256')} ({path.stat().st_size:,} bytes): "
                  "an instructor who trusts this copy can pin it in the registry (extra_hashes).")
        return
    size = path.stat().st_size
    truncated = asset.size is not None and size < asset.size
    what = f"truncated ({size:,} of {asset.size:,} bytes)" if truncated else "corrupt"
    raise ChecksumMismatchError(f"{where} is {what}: {'; '.join(wrong)}")


def _install_for_keras(asset: Asset, path: Path) -> Path:
    """Link (or copy) a verified file to where Keras looks for it; return ``path``."""
    if asset.keras_path is None:
        return path
    dest = keras_home() / asset.keras_path
    if dest.exists() and matches(dest, asset):
        return path
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.part")
    tmp.unlink(missing_ok=True)
    try:
        os.link(path, tmp)
    except OSError:  # another file system, or links not allowed
        shutil.copyfile(path, tmp)
    os.replace(tmp, dest)
    return path


def _mismatch_message(asset: Asset, problems: list[str]) -> str:
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


def _unavailable_message(asset: Asset, tried: list[str]) -> str:
    if mirror_location() is None:
        tried = ["mirror: COURSE_MIRROR is not set", *tried]
    lines = "\n".join(f"  - {t}" for t in tried)
    offline = (" (COURSE_OFFLINE is set, so the origin was not contacted)"
               if is_offline() and asset.url else "")
    return (
        f"Asset {asset.name!r} ({asset.filename}) is not available on this machine{offline}.\n"
        f"Origin: {_origin(asset)}\nLooked in:\n  - cache: {cached_path(asset)}\n{lines}\n"
        "Two ways out:\n"
        f"  1. On a machine with internet, run `python -m helpers fetch {asset.name}` "
        f"(or `fetch --all`) and copy the cache folder {cache_dir()} across;\n"
        "  2. point COURSE_MIRROR at a folder (or http URL) holding "
        f"{asset.filename}, e.g. `export COURSE_MIRROR=/path/to/mirror`."
    )
