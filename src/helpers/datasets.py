"""Datasets for the lessons, loaded through the asset layer."""

from __future__ import annotations

import pickle
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .archives import extract
from .fetch import AssetUnavailableError, cache_dir, fetch
from .profiles import active_profile
from .standin import SHAPE_CLASSES, make_shapes


@dataclass(frozen=True)
class ImageDataset:
    """Images as uint8 arrays (N, H, W, 3) with integer labels (N,)."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    class_names: tuple[str, ...]
    source: str
    is_standin: bool = False


def load_cifar10(train_samples: int | None = None, test_samples: int | None = None,
                 allow_standin: bool | None = None, seed: int = 0) -> ImageDataset:
    """CIFAR-10 from the verified archive, optionally a random subset of each split.

    Args:
        train_samples, test_samples: how many images to keep (None: all 50,000 / 10,000).
        allow_standin: if CIFAR-10 is unavailable offline, use generated coloured shapes
            instead of failing. Defaults to True in the fast profile only; the full profile
            never uses a stand-in.
        seed: seed of the subset choice.
    """
    if allow_standin is None:
        allow_standin = active_profile() == "fast"
    try:
        data = _read_cifar10(fetch("cifar10"))
    except AssetUnavailableError as missing:
        if not allow_standin:
            raise
        data = _shapes_standin(train_samples or 50_000, test_samples or 10_000, seed, missing)
    return _subset(data, train_samples, test_samples, seed)


def _read_cifar10(archive: Path) -> ImageDataset:
    """Unpack the verified archive once, then read its pickled batches."""
    folder = extract(archive, cache_dir() / "cifar10") / "cifar-10-batches-py"
    train = [_read_batch(folder / f"data_batch_{i}") for i in range(1, 6)]
    x_test, y_test = _read_batch(folder / "test_batch")
    meta = _unpickle(folder / "batches.meta")
    return ImageDataset(
        x_train=np.concatenate([x for x, _ in train]),
        y_train=np.concatenate([y for _, y in train]),
        x_test=x_test,
        y_test=y_test,
        class_names=tuple(name.decode() for name in meta[b"label_names"]),
        source="CIFAR-10",
    )


def _unpickle(path: Path) -> dict:
    # Safe only because the archive's sha256 was verified before it was unpacked.
    with open(path, "rb") as f:
        return pickle.load(f, encoding="bytes")


def _read_batch(path: Path) -> tuple[np.ndarray, np.ndarray]:
    batch = _unpickle(path)
    images = batch[b"data"].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
    return np.ascontiguousarray(images), np.asarray(batch[b"labels"], dtype=np.int64)


def _shapes_standin(n_train: int, n_test: int, seed: int, reason: Exception) -> ImageDataset:
    first_line = str(reason).splitlines()[0]
    print(
        "!" * 88 + "\n"
        "STAND-IN DATA. CIFAR-10 is not available offline here:\n"
        f"  {first_line}\n"
        "The fast profile continues with GENERATED COLOURED SHAPES (10 classes, 32x32).\n"
        "Every number below is about the stand-in, NOT about CIFAR-10.\n"
        "To use CIFAR-10: set COURSE_MIRROR to a folder holding cifar-10-python.tar.gz, or go online.\n"
        + "!" * 88
    )
    x_train, y_train = make_shapes(n_train, seed=seed)
    x_test, y_test = make_shapes(n_test, seed=seed + 1)
    return ImageDataset(x_train, y_train, x_test, y_test, SHAPE_CLASSES,
                        source="STAND-IN coloured shapes (not CIFAR-10)", is_standin=True)


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
                        data.is_standin)
