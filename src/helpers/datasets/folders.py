"""Image-folder datasets (lessons 04 and 05): verified archives, loaded with ``tf.data``.

    cats_and_dogs   Google's cats_and_dogs_filtered, verified file by file against pinned digests
    fruits360       Fruits-360: the full 120-class archive online, the mirror's 8-class subset offline
    image_datasets  ``keras.utils.image_dataset_from_directory`` + ``cache()`` + ``prefetch``

Folders are ``<split>/<class>/<image>``; the class is the folder name, in alphabetical order.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..assets.content import check_image_folders, fetch_folder
from ..assets.fetch import AssetUnavailableError, is_offline


@dataclass(frozen=True)
class FolderDataset:
    """A dataset on disk: one folder per split, one sub-folder per class."""

    train_dir: Path
    eval_dir: Path
    eval_name: str  # "validation" or "test": what the held-out split is called
    class_names: tuple[str, ...]
    source: str
    is_subset: bool

    def counts(self) -> dict[str, int]:
        return {split: sum(1 for f in folder.rglob("*") if f.is_file())
                for split, folder in (("train", self.train_dir), (self.eval_name, self.eval_dir))}


def cats_and_dogs() -> FolderDataset:
    """Cats vs dogs (``train/`` and ``validation/``), every image checked against its pinned SHA-256."""
    root = fetch_folder("cats_and_dogs_filtered") / "cats_and_dogs_filtered"
    train, validation = root / "train", root / "validation"
    n = sum(1 for _ in train.rglob("*.jpg")) + sum(1 for _ in validation.rglob("*.jpg"))
    subset = n < 3000
    source = ("cats_and_dogs_filtered, the offline mirror's SUBSET (1,000 train + 500 validation of "
              "the origin's 2,000 + 1,000)" if subset else
              "cats_and_dogs_filtered, full (2,000 train + 1,000 validation)")
    return FolderDataset(train, validation, "validation", _classes(train), source, subset)


def fruits360(full: bool = False) -> FolderDataset:
    """Fruits-360 ``Training/`` and ``Test/`` (100x100 JPEGs).

    Args:
        full: the full 120-class archive The TensorFlow Workshop ships (downloaded from its
            origin, structure-checked, digest printed); lessons pass ``settings.full_fruits360``
            (True in the full profile). When it cannot be had (offline, or the origin fails)
            the mirror's 8-class subset is the dataset, and a printed line and the source say so.
    """
    if full and is_offline():
        print("Offline (COURSE_OFFLINE is set): using the mirror's 8-class subset instead of "
              "downloading the 120-class archive.")
        full = False
    if full:
        try:
            root = fetch_folder("fruits360", structure=_fruits_structure)
            layout = _fruits_structure(root)
            return _fruits(layout, "Fruits-360, full (The TensorFlow Workshop's fruits360.zip)", False)
        except AssetUnavailableError as missing:
            print(f"The full Fruits-360 is not available ({str(missing).splitlines()[0]}); "
                  "using the mirror's 8-class subset.")
    root = fetch_folder("fruits360_subset", structure=_fruits_structure)
    return _fruits(_fruits_structure(root),
                   "Fruits-360 2019.05.06.1, the mirror's SUBSET (8 of 120 classes)", True)


def _fruits_structure(root: Path):
    return check_image_folders(root, size=(100, 100))


def _fruits(layout, source: str, subset: bool) -> FolderDataset:
    by_lower = {name.lower(): path for name, path in layout.splits.items()}
    train = by_lower.get("training") or by_lower.get("train")
    held_out = by_lower.get("test") or by_lower.get("validation")
    if train is None or held_out is None:
        raise ValueError(f"Fruits-360 splits not recognised: {sorted(layout.splits)}")
    name = "test" if "test" in by_lower else "validation"
    return FolderDataset(train, held_out, name, layout.class_names, source, subset)


def _classes(split: Path) -> tuple[str, ...]:
    return tuple(sorted(d.name for d in split.iterdir() if d.is_dir()))


def image_datasets(folder: Path, image_size: tuple[int, int], batch_size: int,
                   label_mode: str = "int", shuffle: bool = False, seed: int = 0,
                   interpolation: str = "area", crop_to_aspect_ratio: bool = True,
                   max_images: int | None = None, validation_split: float | None = None,
                   subset: str | None = None):
    """One split as a batched ``tf.data.Dataset`` of (uint8-range float32 images, labels).

    Images are decoded and resized once, then ``cache()`` keeps them in memory as uint8, so later
    epochs read no file; ``prefetch`` prepares the next batch while the current one trains. ``area``
    interpolation averages pixels, which avoids aliasing when shrinking large photos.
    ``crop_to_aspect_ratio`` takes the central square instead of squashing the image.
    ``max_images`` keeps a fixed, class-balanced-in-expectation random sample (by ``seed``).
    ``validation_split`` with ``subset`` ``"training"`` or ``"validation"`` splits the folder
    (the same ``seed`` for both subsets gives disjoint parts).
    """
    import keras
    import tensorflow as tf

    ds = keras.utils.image_dataset_from_directory(
        folder, label_mode=label_mode, image_size=image_size, batch_size=None,
        shuffle=max_images is not None or validation_split is not None, seed=seed,
        interpolation=interpolation, crop_to_aspect_ratio=crop_to_aspect_ratio,
        validation_split=validation_split, subset=subset, verbose=False)
    if max_images is not None:
        ds = ds.take(max_images)
    # Cached as uint8 (rounded), a quarter of float32's memory: 1,000 photos at 224x224 take 150 MB.
    ds = ds.map(lambda x, y: (tf.cast(tf.round(tf.clip_by_value(x, 0, 255)), tf.uint8), y),
                num_parallel_calls=tf.data.AUTOTUNE).cache()
    if shuffle:
        ds = ds.shuffle(4096, seed=seed, reshuffle_each_iteration=True)
    return (ds.batch(batch_size)
              .map(lambda x, y: (tf.cast(x, tf.float32), y), num_parallel_calls=tf.data.AUTOTUNE)
              .prefetch(tf.data.AUTOTUNE))
