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


# --- Issue 22 ---------------------------------------------------------------------------------------

def test_16_bit_grayscale_is_scaled_not_clipped_to_white(tmp_path):
    path = tmp_path / "depth.png"
    ramp = np.linspace(0, 65535, 200).round().astype(np.uint16).reshape(10, 20)
    Image.fromarray(ramp).save(path)
    assert Image.open(path).mode.startswith("I")
    rgb = load_rgb_image(path, convert=True)
    assert rgb.shape == (10, 20, 3) and rgb.dtype == np.uint8
    np.testing.assert_allclose(rgb[..., 0], ramp / 257, atol=1)
    assert (rgb == 255).mean() < 0.05 and (rgb[..., 0] == rgb[..., 2]).all()


def test_exif_orientation_is_applied_like_a_photo_viewer_does(tmp_path):
    """A phone stores a portrait photo landscape, with EXIF orientation 6 ("rotate 90 clockwise")."""
    stored = np.zeros((10, 20, 3), np.uint8)  # 20 wide, 10 high: left half red, right half blue
    stored[:, :10] = (255, 0, 0)
    stored[:, 10:] = (0, 0, 255)
    exif = Image.Exif()
    exif[0x0112] = 6
    path = tmp_path / "phone.jpg"
    Image.fromarray(stored).save(path, exif=exif, quality=95)
    shown = load_rgb_image(path)
    assert shown.shape == (20, 10, 3)  # portrait, as the viewer shows it
    top, bottom = shown[2, 5].astype(int), shown[17, 5].astype(int)
    assert top[0] > 200 > top[2] and bottom[2] > 200 > bottom[0]  # the stored left edge is now the top


def png_declaring(width: int, height: int) -> bytes:
    """A PNG whose header declares ``width`` x ``height`` (and holds no real pixel data)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b"")


def test_a_decompression_bomb_is_an_image_format_error_with_advice(tmp_path):
    path = tmp_path / "huge.png"
    path.write_bytes(png_declaring(20000, 20000))
    with pytest.raises(ImageFormatError, match="huge.png.*too large") as error:
        load_rgb_image(path, convert=True)
    assert "What to do" in str(error.value)
