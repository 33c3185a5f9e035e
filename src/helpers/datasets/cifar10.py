"""CIFAR-10 through the asset layer, from whichever verified copy is at hand.

Two registered files hold the same data:
    cifar10      the origin's ``cifar-10-python.tar.gz`` (pickled batches), for online learners;
    cifar10_npz  ``cifar10.npz``, mirror-only, the arrays as ``keras.datasets.cifar10`` returns them.

Either is verified against its pinned SHA-256 before it is read. The decoded arrays are then
kept in the cache as plain ``.npy`` files, so every later load takes about a second, with a
record (``arrays.json``) of each array's shape, dtype and SHA-256. Every load re-hashes the
arrays (a tenth of a second): damaged ones are decoded again from the verified archive, never used.
"""

from __future__ import annotations

import hashlib
import io
import json
import pickle
import tarfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..assets.errors import AssetError, CacheWriteError
from ..assets.fetch import AssetUnavailableError, cache_dir, fetch_first
from ..assets.storage import discard, publish_folder, remove_stale, staging
from .. import substitution
from ..substitution import announce
from .standin import SHAPE_CLASSES, make_shapes

#: Keras's label numbering (``batches.meta`` of the origin archive).
CLASS_NAMES = ("airplane", "automobile", "bird", "cat", "deer",
               "dog", "frog", "horse", "ship", "truck")
_SPLITS = ("x_train", "y_train", "x_test", "y_test")
STANDIN_SOURCE = "STAND-IN coloured shapes (not CIFAR-10)"
_RECORD = "arrays.json"  # each array's shape, dtype and SHA-256, and the archive it came from
_NO_RECORD = f"no record of what they must hold ({_RECORD} is missing, unreadable or from an older version)"


@dataclass(frozen=True)
class ImageDataset:
    """Images as uint8 arrays (N, H, W, 3) with integer labels (N,)."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    class_names: tuple[str, ...]
    source: str
    stands_in_for: str | None = None  # "CIFAR-10" when these are the generated shapes in its place

    @property
    def label(self) -> str:
        """The data's source, and what it stands in for, if anything."""
        return substitution.label(self.source, self.stands_in_for)


def load_cifar10(train_samples: int | None = None, test_samples: int | None = None,
                 allow_standin: bool = False, seed: int = 0) -> ImageDataset:
    """CIFAR-10 from a verified copy, optionally a random subset of each split.

    Args:
        train_samples, test_samples: how many images to keep (None: all 50,000 / 10,000).
        allow_standin: if no copy of CIFAR-10 can be had, use generated coloured shapes
            instead of failing (lesson 01 allows it in the fast profile only, through its
            settings); the result's ``stands_in_for`` is then "CIFAR-10".
        seed: seed of the subset choice.
    """
    try:
        data = _load_full()
    except AssetUnavailableError as missing:
        if not allow_standin:
            raise
        data = _shapes_standin(train_samples or 50_000, test_samples or 10_000, seed, missing)
    return _subset(data, train_samples, test_samples, seed)


def decoded_dir() -> Path:
    """Where the decoded arrays are kept: ``<cache>/cifar10-arrays/``."""
    return cache_dir() / "cifar10-arrays"


def _load_full() -> ImageDataset:
    """All of CIFAR-10: the decoded cache if it matches its record, else a verified archive, decoded
    (and the cache rebuilt). Damage is reported and repaired, never used."""
    decoded = decoded_dir()
    remove_stale(decoded.parent)
    damage = None
    if decoded.exists():
        try:
            arrays, source = _read_decoded(decoded)
            return ImageDataset(**arrays, class_names=CLASS_NAMES, source=f"CIFAR-10 ({source})")
        except _Damaged as why:
            damage = str(why)
            print(f"The decoded CIFAR-10 arrays in {decoded} "
                  f"{'have ' + damage if damage == _NO_RECORD else f'are damaged ({damage})'}; "
                  "decoding them again from the verified archive.")
    try:
        asset, path = fetch_first("cifar10", "cifar10_npz")
    except AssetError as error:
        if damage is None:
            raise
        raise type(error)(f"The decoded CIFAR-10 arrays in {decoded} are damaged ({damage}) and cannot "
                          f"be rebuilt here: {error}") from error
    arrays = _read_npz(path) if asset.name == "cifar10_npz" else _read_tarball(path)
    try:
        if decoded.exists() and not decoded.is_dir():
            discard(decoded)  # a file where the folder belongs: it holds nothing to keep
        _save_arrays(arrays, decoded, source=asset.filename)
    except CacheWriteError as unwritable:  # a read-only cache: use the arrays, decode again next time
        print(f"The decoded arrays could not be kept for next time. {unwritable}")
    return ImageDataset(**arrays, class_names=CLASS_NAMES, source=f"CIFAR-10 ({asset.filename})")


class _Damaged(Exception):
    """The decoded arrays differ from their record (or have none)."""


def _array_record(array: np.ndarray) -> dict:
    return {"shape": list(array.shape), "dtype": str(array.dtype),
            "sha256": hashlib.sha256(np.ascontiguousarray(array).data).hexdigest()}


def _read_decoded(decoded: Path) -> tuple[dict[str, np.ndarray], str]:
    """The decoded arrays and their source, each checked against the record.

    Raises:
        _Damaged: a record or array is missing, unreadable, or differs from the record.
    """
    if not decoded.is_dir():
        raise _Damaged(f"{decoded.name} is a file, not the folder of decoded arrays")
    try:
        record = json.loads((decoded / _RECORD).read_text())
        expected, source = record["arrays"], record["source"]
    except (OSError, ValueError, KeyError, TypeError):
        raise _Damaged(_NO_RECORD) from None
    arrays = {}
    for name in _SPLITS:
        try:
            array = np.load(decoded / f"{name}.npy", allow_pickle=False)
        except FileNotFoundError:
            raise _Damaged(f"{name}.npy is missing") from None
        except (OSError, ValueError) as unreadable:
            raise _Damaged(f"{name}.npy cannot be read ({unreadable})") from None
        if _array_record(array) != expected.get(name):
            raise _Damaged(f"{name}.npy differs from the array recorded when it was decoded")
        arrays[name] = array
    return arrays, source


def verify_arrays() -> tuple[str, bool] | None:
    """For ``python -m helpers verify``: None if nothing is decoded, else (state, good now);
    damaged arrays are decoded again from the verified archive (cache or mirror)."""
    decoded = decoded_dir()
    if not decoded.exists():
        return None
    try:
        _read_decoded(decoded)
        return "ok", True
    except _Damaged as why:
        damage = f"DAMAGED ({why})"
    try:
        data = _load_full()
        _read_decoded(decoded)
        return f"{damage}; repaired from {data.source.removeprefix('CIFAR-10 (').rstrip(')')}", True
    except (AssetError, _Damaged) as error:
        return (f"{damage}; not repaired ({str(error).splitlines()[0]}). Run `python -m helpers fetch "
                "cifar10_npz` with COURSE_MIRROR set (or `fetch cifar10` online)."), False


def _read_tarball(archive: Path) -> dict[str, np.ndarray]:
    """The origin archive's pickled batches, read straight from the verified tarball."""
    # Unpickling is safe only because the archive's SHA-256 was verified first.
    with tarfile.open(archive) as tar:
        def unpickle(name: str) -> dict:
            member = tar.extractfile(f"cifar-10-batches-py/{name}")
            return pickle.load(io.BytesIO(member.read()), encoding="bytes")

        meta = [n.decode() for n in unpickle("batches.meta")[b"label_names"]]
        if tuple(meta) != CLASS_NAMES:
            raise ValueError(f"unexpected CIFAR-10 class names in {archive}: {meta}")
        train = [_batch_arrays(unpickle(f"data_batch_{i}")) for i in range(1, 6)]
        x_test, y_test = _batch_arrays(unpickle("test_batch"))
    return {"x_train": np.concatenate([x for x, _ in train]),
            "y_train": np.concatenate([y for _, y in train]),
            "x_test": x_test, "y_test": y_test}


def _batch_arrays(batch: dict) -> tuple[np.ndarray, np.ndarray]:
    """One pickled batch as channels-last uint8 images and int64 labels."""
    images = batch[b"data"].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
    return np.ascontiguousarray(images), np.asarray(batch[b"labels"], dtype=np.int64)


def _read_npz(path: Path) -> dict[str, np.ndarray]:
    """The mirror's npz (Keras's layout: labels shaped (N, 1)); labels flattened to (N,)."""
    with np.load(path, allow_pickle=False) as npz:
        arrays = {name: npz[name] for name in _SPLITS}
    for name in ("y_train", "y_test"):
        arrays[name] = arrays[name].reshape(-1).astype(np.int64)
    return arrays


def _save_arrays(arrays: dict[str, np.ndarray], dest: Path, source: str) -> None:
    """Write the arrays and their record to a staging folder renamed into place: never half-written.

    A damaged ``dest`` is replaced; one another process has just written is kept.
    """
    with staging(dest.parent) as stage:
        new = stage / "arrays"
        new.mkdir()
        for name, array in arrays.items():
            np.save(new / f"{name}.npy", array)
        record = {"source": source, "arrays": {name: _array_record(a) for name, a in arrays.items()}}
        (new / _RECORD).write_text(json.dumps(record, indent=1) + "\n")
        publish_folder(new, dest, stage, is_good=_is_good)


def _is_good(decoded: Path) -> bool:
    try:
        _read_decoded(decoded)
        return True
    except _Damaged:
        return False


def _shapes_standin(n_train: int, n_test: int, seed: int, reason: Exception) -> ImageDataset:
    print("!" * 88)
    announce("Data", STANDIN_SOURCE, "generated, 10 classes, 32x32", stands_in_for="CIFAR-10",
             why=str(reason).splitlines()[0])
    print("Every number below is about the stand-in, NOT about CIFAR-10.\n"
          "To use CIFAR-10: set COURSE_MIRROR to a folder holding cifar-10-python.tar.gz or\n"
          "cifar10.npz, or go online.\n" + "!" * 88)
    x_train, y_train = make_shapes(n_train, seed=seed)
    x_test, y_test = make_shapes(n_test, seed=seed + 1)
    return ImageDataset(x_train, y_train, x_test, y_test, SHAPE_CLASSES, STANDIN_SOURCE,
                        stands_in_for="CIFAR-10")


def _subset(data: ImageDataset, n_train: int | None, n_test: int | None, seed: int) -> ImageDataset:
    """A random subset of each split (the whole split when the count is None)."""
    rng = np.random.default_rng(seed)

    def pick(x: np.ndarray, y: np.ndarray, n: int | None) -> tuple[np.ndarray, np.ndarray]:
        if n is None or n >= len(x):
            return x, y
        keep = np.sort(rng.permutation(len(x))[:n])
        return x[keep], y[keep]

    x_train, y_train = pick(data.x_train, data.y_train, n_train)
    x_test, y_test = pick(data.x_test, data.y_test, n_test)
    return ImageDataset(x_train, y_train, x_test, y_test, data.class_names, data.source,
                        data.stands_in_for)
