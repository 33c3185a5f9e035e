"""Image loading refuses what the models cannot take, with a message that says what to do."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from helpers.images import ImageFormatError, check_image_batch, load_rgb_image, sample_photo_path


def test_the_bundled_photo_is_a_real_rgb_photo():
    photo = load_rgb_image(sample_photo_path())
    assert photo.shape == (427, 640, 3) and photo.dtype == np.uint8
    assert photo.std() > 20  # a photo, not a flat image


@pytest.mark.parametrize("mode, fmt, word", [("L", "PNG", "grayscale"), ("RGBA", "PNG", "transparency"),
                                             ("CMYK", "JPEG", "CMYK"), ("P", "PNG", "palette")])
def test_non_rgb_images_are_refused_or_converted(tmp_path, mode, fmt, word):
    path = tmp_path / f"image.{fmt.lower()}"
    Image.new(mode, (20, 10)).save(path, fmt)
    with pytest.raises(ImageFormatError, match=f"{word}.*convert=True"):
        load_rgb_image(path)
    assert load_rgb_image(path, convert=True).shape == (10, 20, 3)


def test_resizing_takes_height_then_width(tmp_path):
    path = tmp_path / "image.png"
    Image.new("RGB", (20, 10)).save(path)
    assert load_rgb_image(path, size=(32, 48)).shape == (32, 48, 3)


def test_truncated_or_foreign_files_are_named(tmp_path):
    good = tmp_path / "good.jpg"
    Image.fromarray(np.random.default_rng(0).integers(0, 255, (64, 64, 3), np.uint8)).save(good)
    cut = tmp_path / "cut.jpg"
    cut.write_bytes(good.read_bytes()[:300])
    html = tmp_path / "page.jpg"
    html.write_text("<html>404</html>")
    for bad in (cut, html):
        with pytest.raises(ImageFormatError, match=bad.name):
            load_rgb_image(bad)


def test_batches_are_checked_for_rank_channels_and_size():
    assert check_image_batch(np.zeros((2, 32, 32, 3)), 32, 32).shape == (2, 32, 32, 3)
    with pytest.raises(ImageFormatError, match="Add a batch axis"):
        check_image_batch(np.zeros((32, 32, 3)), 32, 32)
    with pytest.raises(ImageFormatError, match="RGB"):
        check_image_batch(np.zeros((2, 32, 32, 4)), 32, 32)
    with pytest.raises(ImageFormatError, match="224x224, the model expects 32x32"):
        check_image_batch(np.zeros((2, 224, 224, 3)), 32, 32)
