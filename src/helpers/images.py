"""Loading and checking images before they reach a model."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError


class ImageFormatError(ValueError):
    """An image is not what a lesson expects (not RGB, wrong size, unreadable)."""


def sample_photo_path(name: str = "china.jpg") -> Path:
    """A real photo that ships with scikit-learn (``china.jpg`` or ``flower.jpg``): no download."""
    path = Path(str(resources.files("sklearn.datasets") / "images" / name))
    if not path.is_file():
        raise FileNotFoundError(f"scikit-learn has no sample photo {name!r}; use china.jpg or flower.jpg")
    return path


def load_rgb_image(path: str | Path, size: tuple[int, int] | None = None,
                   convert: bool = False) -> np.ndarray:
    """Read an image file as a uint8 array (H, W, 3).

    Args:
        path: the image file.
        size: (height, width) to resize to, or None to keep the file's size.
        convert: convert grayscale/RGBA/CMYK/palette images to RGB instead of refusing them.

    Raises:
        ImageFormatError: the file is not an image, or is not RGB and ``convert`` is False.
    """
    try:
        with Image.open(path) as image:
            image.load()
    except (UnidentifiedImageError, OSError) as bad:
        raise ImageFormatError(f"{path} is not a readable image ({bad}). Is the file complete?") from bad
    if image.mode != "RGB":
        if not convert:
            raise ImageFormatError(
                f"{path} is a {image.mode} image ({_MODES.get(image.mode, 'not RGB')}); the models "
                "expect 3-channel RGB. Pass convert=True to convert it, or save it as RGB first "
                "(PIL: Image.open(path).convert('RGB'))."
            )
        image = image.convert("RGB")
    if size is not None:
        image = image.resize((size[1], size[0]), Image.Resampling.BILINEAR)
    return np.asarray(image, dtype=np.uint8)


_MODES = {"L": "grayscale", "LA": "grayscale with transparency", "RGBA": "RGB with transparency",
          "CMYK": "CMYK, a print colour space", "P": "palette colours", "I;16": "16-bit grayscale",
          "1": "black and white"}


def check_image_batch(images: np.ndarray, height: int, width: int) -> np.ndarray:
    """Check that ``images`` is a batch (N, height, width, 3); return it unchanged.

    Raises:
        ImageFormatError: naming the shape found and how to fix it.
    """
    images = np.asarray(images)
    expected = f"(N, {height}, {width}, 3)"
    if images.ndim == 3:
        raise ImageFormatError(f"Got one image of shape {images.shape}, expected a batch {expected}. "
                               "Add a batch axis: images[None] or np.expand_dims(images, 0).")
    if images.ndim != 4 or images.shape[-1] != 3:
        raise ImageFormatError(f"Got shape {images.shape}, expected {expected}: RGB images, "
                               "channels last. Convert grayscale/RGBA images to RGB first.")
    if images.shape[1:3] != (height, width):
        raise ImageFormatError(f"Images are {images.shape[1]}x{images.shape[2]}, the model expects "
                               f"{height}x{width}. Resize them first, e.g. keras.layers.Resizing"
                               f"({height}, {width}) or load_rgb_image(path, size=({height}, {width})).")
    return images
