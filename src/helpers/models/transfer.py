"""Plumbing for lessons 03 to 05: photo pipelines and frozen-base features, cached on disk.

The lessons' Keras code (the ``keras.applications`` constructor, ``base.trainable = False``,
the head, ``compile``, ``fit``, ``evaluate``, unfreezing) lives in the notebooks. This module
only moves pixels and numbers around:

    photo_dataset     a folder of class sub-folders -> batches of (images 0..255, labels); the
                      decoded images are cached in memory as uint8 (never float32)
    folder_features   run a frozen feature model once over such a folder; keep the features,
                      the labels and small thumbnails, in the course cache for the next lesson;
                      ``FeatureSet.rows`` picks some of its photos (a split carved from a folder)
    load_photos       a folder's photos as one uint8 array and labels (small images only)
    array_dataset     uint8 arrays -> batches of float32 images, cast batch by batch
    extract_features  run a model once over a batched (images, labels) dataset
    weights_digest    SHA-256 of a model's weights: the cache key of its features
"""

from __future__ import annotations

import hashlib
import json
import time
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from ..assets.errors import CacheWriteError
from ..assets.storage import discard, publish_file, staging

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".gif")


def photo_dataset(folder: Path, image_size: tuple[int, int], batch_size: int, shuffle: bool = False,
                  seed: int = 0, max_images: int | None = None, cache: bool = True,
                  classes: Sequence[str] | None = None, whole_numbers: bool = True) -> tf.data.Dataset:
    """One split as batches of (float32 images with values 0..255, int labels).

    ``keras.utils.image_dataset_from_directory`` reads ``<class>/<image>`` folders (labels: the
    folder names, alphabetical), takes each photo's central square (``crop_to_aspect_ratio``)
    and resizes it with ``area`` interpolation (no aliasing). The resized images are rounded to
    uint8 and, with ``cache``, kept in memory in that form (a quarter of float32's size), so
    later epochs decode no file; ``prefetch`` prepares the next batch while one trains.
    ``max_images``: a fixed random sample (by ``seed``), class-balanced in expectation. The order
    is fixed (alphabetical, or the sample's) unless ``shuffle``, which reshuffles every epoch.
    ``classes``: only these class folders, labelled in this order. ``whole_numbers=False`` (no
    ``cache`` then) keeps Keras's resized pixels as they are, exactly what a pipeline written with
    ``image_dataset_from_directory`` and the same options gives.
    """
    if cache and not whole_numbers:
        raise ValueError("cache keeps the photos as uint8: pass whole_numbers=True with cache=True")
    ds = keras.utils.image_dataset_from_directory(
        folder, label_mode="int", image_size=image_size, batch_size=None,
        shuffle=max_images is not None, seed=seed, interpolation="area",
        crop_to_aspect_ratio=True, class_names=list(classes) if classes else None, verbose=False)
    if max_images is not None:
        ds = ds.take(max_images)
    if whole_numbers:
        ds = ds.map(lambda x, y: (tf.cast(tf.round(tf.clip_by_value(x, 0, 255)), tf.uint8), y),
                    num_parallel_calls=tf.data.AUTOTUNE)
    if cache:
        ds = ds.cache()
    if shuffle:
        ds = ds.shuffle(4096, seed=seed, reshuffle_each_iteration=True)
    return (ds.batch(batch_size)
              .map(lambda x, y: (tf.cast(x, tf.float32), y), num_parallel_calls=tf.data.AUTOTUNE)
              .prefetch(tf.data.AUTOTUNE))


def load_photos(folder: Path, image_size: tuple[int, int], max_images: int | None = None, seed: int = 0,
                classes: Sequence[str] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """A folder's photos as one uint8 array (n, height, width, 3) and their int labels.

    The same decoding as :func:`photo_dataset` (central square, ``area`` resize, rounded to
    uint8); uint8 keeps memory at a quarter of float32's.
    """
    images, labels = [], []
    for batch, batch_labels in photo_dataset(folder, image_size, 256, max_images=max_images, seed=seed,
                                             cache=False, classes=classes):
        images.append(batch.numpy().astype("uint8"))
        labels.append(batch_labels.numpy())
    return np.concatenate(images), np.concatenate(labels)


def array_dataset(images: np.ndarray, labels: np.ndarray, batch_size: int, shuffle: bool = False,
                  seed: int = 0) -> tf.data.Dataset:
    """uint8 images in memory -> batches of (float32 images 0..255, labels), prefetched.

    The images stay uint8 until each batch is cast; ``shuffle`` reshuffles every epoch.
    """
    ds = tf.data.Dataset.from_tensor_slices((images, labels))
    if shuffle:
        ds = ds.shuffle(len(images), seed=seed, reshuffle_each_iteration=True)
    return (ds.batch(batch_size)
              .map(lambda x, y: (tf.cast(x, tf.float32), y), num_parallel_calls=tf.data.AUTOTUNE)
              .prefetch(tf.data.AUTOTUNE))


def extract_features(model: keras.Model, dataset: tf.data.Dataset) -> tuple[np.ndarray, np.ndarray]:
    """Run ``model`` once over a batched (images, labels) dataset; return (features, labels)."""
    features, labels = [], []
    for images, batch_labels in dataset:
        features.append(model.predict_on_batch(images))  # compiled, inference mode (see folder_features)
        labels.append(np.asarray(batch_labels))
    return np.concatenate(features), np.concatenate(labels)


def weights_digest(model: keras.Model) -> str:
    """SHA-256 of every weight of ``model``, in order: equal only for the very same weights."""
    digest = hashlib.sha256()
    for weights in model.get_weights():
        digest.update(str(weights.shape).encode())
        digest.update(np.ascontiguousarray(weights).tobytes())
    return digest.hexdigest()


@dataclass(frozen=True)
class FeatureSet:
    """A frozen feature model's output for every photo of a folder, with what belongs to it."""

    features: np.ndarray    # (n, d) float32
    labels: np.ndarray      # (n,) int: index into class_names
    thumbnails: np.ndarray  # (n, t, t, 3) uint8: the same photos, small, for plots
    class_names: tuple[str, ...]
    seconds: float          # how long the extraction pass took when it ran
    cached: bool            # True: loaded from the course cache, not computed now

    def rows(self, index: slice | Sequence[int] | np.ndarray) -> FeatureSet:
        """The same photos' features, labels and thumbnails, only those at ``index`` (in the
        folder's order): ``rows(np.s_[0::2])`` is every other photo, as ``dataset.shard(2, 0)``."""
        return replace(self, features=self.features[index], labels=self.labels[index],
                       thumbnails=self.thumbnails[index])

    def describe(self) -> str:
        where = (f"loaded from the course cache (its extraction took {self.seconds:.1f} s)" if self.cached
                 else f"extracted in {self.seconds:.1f} s ({len(self.labels) / self.seconds:.0f} photos/s)")
        return f"{self.features.shape[0]:,} photos -> {self.features.shape[1]:,} features each, {where}"


def folder_features(model: keras.Model, folder: Path, image_size: tuple[int, int], network: str,
                    max_images: int | None = None, seed: int = 0, batch_size: int = 32,
                    thumbnail: int = 96, use_cache: bool = True,
                    classes: Sequence[str] | None = None) -> FeatureSet:
    """Run the frozen ``model`` (images 0..255 -> feature vectors) once over ``folder``'s photos.

    The result is kept in ``COURSE_CACHE/features`` under a key made of ``network``, the SHA-256
    of the model's weights, the image size, the sample and the folder's file list (names and
    sizes): another lesson asking for the same features of the same photos loads them instead
    of running the network again; any other weights or photos give another key.
    """
    folder = Path(folder)
    class_names = tuple(classes) if classes else tuple(sorted(d.name for d in folder.iterdir() if d.is_dir()))
    key = _cache_key(model, folder, image_size, network, max_images, seed, thumbnail, class_names)
    path = _cache_root() / f"{network}-{image_size[0]}x{image_size[1]}-{key[:16]}.npz"
    if use_cache and path.is_file():
        try:
            with np.load(path) as stored:
                return FeatureSet(stored["features"], stored["labels"], stored["thumbnails"],
                                  tuple(json.loads(str(stored["class_names"]))), float(stored["seconds"]), True)
        except (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile) as damaged:
            print(f"The cached features {path.name} are damaged ({type(damaged).__name__}); "
                  "computing them again.")
    ds = photo_dataset(folder, image_size, batch_size, max_images=max_images, seed=seed, cache=False,
                       classes=class_names, whole_numbers=False)  # the pixels a lesson's own pipeline sees
    features, labels, thumbnails = [], [], []
    start = time.perf_counter()
    for images, batch_labels in ds:
        # predict_on_batch runs the model as one compiled function in inference mode; calling it
        # eagerly, model(images), was 1.6x slower and peaked at 5.7 GB instead of 1.2 GB with
        # ResNet50 (benchmarks/feature_extraction.py).
        features.append(model.predict_on_batch(images))
        labels.append(batch_labels.numpy())
        small = tf.image.resize(images, (thumbnail, thumbnail), method="area")
        thumbnails.append(tf.cast(tf.round(small), tf.uint8).numpy())
    seconds = time.perf_counter() - start
    result = FeatureSet(np.concatenate(features).astype("float32"), np.concatenate(labels),
                        np.concatenate(thumbnails), class_names, seconds, False)
    if use_cache:
        try:
            _save_atomically(path, result)
        except (OSError, CacheWriteError) as error:  # a full disk, features/ not a folder, read-only...
            reason = getattr(error, "strerror", None) or str(error).splitlines()[0]
            print(f"The features could not be kept in the course cache ({reason}: {path.parent}); they "
                  "are used from memory this time. What to do: free space there, or set COURSE_CACHE "
                  "to a folder you can write.")
    return result


def verify_cached_features() -> list[tuple[str, str, bool]]:
    """For ``python -m helpers verify``: (file, state, good) for every cached feature file; a
    damaged one is removed (a lesson computes it again when it asks)."""
    results = []
    root = _cache_root()
    for path in sorted(root.glob("*.npz")) if root.is_dir() else []:
        try:
            with np.load(path) as stored:
                for name in ("features", "labels", "thumbnails", "class_names", "seconds"):
                    stored[name]
            results.append((path.name, "ok", True))
        except (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile) as damaged:
            discard(path)
            results.append((path.name, f"DAMAGED ({type(damaged).__name__}): removed, computed again "
                                       "when a lesson asks", True))
    return results


def _cache_root() -> Path:
    from ..assets.fetch import cache_dir

    return cache_dir() / "features"


def _cache_key(model: keras.Model, folder: Path, image_size: tuple[int, int], network: str,
               max_images: int | None, seed: int, thumbnail: int, class_names: tuple[str, ...]) -> str:
    files = sorted((str(p.relative_to(folder)), p.stat().st_size) for name in class_names
                   for p in (folder / name).rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES)
    description = json.dumps([network, weights_digest(model), list(image_size), max_images, seed,
                              thumbnail, list(class_names), files, "area+crop"])
    return hashlib.sha256(description.encode()).hexdigest()


def _save_atomically(path: Path, result: FeatureSet) -> None:
    """Write the features in a staging folder of the cache (removed at the next start if this
    process is killed), then rename them into place, readable as the umask allows."""
    with staging(path.parent) as stage:
        written = stage / path.name
        with open(written, "wb") as out:
            np.savez(out, features=result.features, labels=result.labels, thumbnails=result.thumbnails,
                     class_names=json.dumps(list(result.class_names)), seconds=result.seconds)
        publish_file(written, path)
