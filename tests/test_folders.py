"""Image-folder datasets: split detection, tf.data loading, and which Fruits-360 archive is used."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from helpers.datasets import folders


def make_folders(root: Path, splits=("Training", "Test"), classes=("Lemon", "Peach"), n=3) -> Path:
    for split in splits:
        for k, name in enumerate(classes):
            (root / "fruits-360" / split / name).mkdir(parents=True)
            for i in range(n):
                Image.new("RGB", (100, 100), (40 * k, 100, 200)).save(root / "fruits-360" / split / name / f"{i}_100.jpg")
    return root


def test_fruits_layout_maps_training_and_test(tmp_path):
    layout = folders._fruits_structure(make_folders(tmp_path))
    data = folders._fruits(layout, "test data", subset=True)
    assert data.class_names == ("Lemon", "Peach") and data.eval_name == "test"
    assert data.counts() == {"train": 6, "test": 6}


def test_image_datasets_loads_resized_cached_batches(tmp_path):
    pytest.importorskip("tensorflow")
    make_folders(tmp_path)
    ds = folders.image_datasets(tmp_path / "fruits-360" / "Training", (32, 32), 4)
    images, labels = zip(*[(x.numpy(), y.numpy()) for x, y in ds])
    images, labels = np.concatenate(images), np.concatenate(labels)
    assert images.shape == (6, 32, 32, 3) and sorted(labels) == [0, 0, 0, 1, 1, 1]
    train = folders.image_datasets(tmp_path / "fruits-360" / "Training", (32, 32), 4,
                                   validation_split=0.5, subset="training", seed=1)
    val = folders.image_datasets(tmp_path / "fruits-360" / "Training", (32, 32), 4,
                                 validation_split=0.5, subset="validation", seed=1)
    assert sum(len(y) for _, y in train) + sum(len(y) for _, y in val) == 6


def test_offline_even_the_full_archive_asked_for_gives_the_mirror_subset(monkeypatch, capsys):
    mirror = Path(__file__).resolve().parents[2] / "shared" / "mirror"
    if not (mirror / "fruits-360-subset.zip").is_file():
        pytest.skip("no ../shared/mirror here")
    monkeypatch.setenv("COURSE_MIRROR", str(mirror))
    monkeypatch.setenv("COURSE_OFFLINE", "1")
    data = folders.fruits360(full=True)  # what the full profile asks for
    assert "Offline (COURSE_OFFLINE is set)" in capsys.readouterr().out
    assert data.is_subset and "SUBSET" in data.source and len(data.class_names) == 8
    assert data.counts() == {"train": 3930, "test": 1318}
