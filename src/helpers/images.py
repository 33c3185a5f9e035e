"""Loading and checking images before they reach a model."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps


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
    """Read an image file as a uint8 array (H, W, 3), turned the way its EXIF orientation says
    (as photo viewers show it: phone photos are often stored sideways).

    Args:
        path: the image file.
        size: (height, width) to resize to, or None to keep the file's size.
        convert: convert grayscale/RGBA/CMYK/palette images to RGB instead of refusing them;
            16-bit images are scaled to 0-255 (not clipped).

    Raises:
        ImageFormatError: the file is not a readable image (truncated, another kind of file, too
            large to decode safely), or is not RGB and ``convert`` is False.
        FileNotFoundError: there is no file at ``path``.
        ValueError: ``path`` is a folder or a web address, or ``size`` is not (height, width).
    """
    path = _photo_file(path)
    size = _size_pair(size)
    try:
        with Image.open(path) as opened:
            image = ImageOps.exif_transpose(opened)  # a loaded copy, turned upright
        if image.mode != "RGB":
            if not convert:
                raise ImageFormatError(
                    f"{path} is a {image.mode} image ({_MODES.get(image.mode, 'not RGB')}); the models "
                    "expect 3-channel RGB. Pass convert=True to convert it, or save it as RGB first "
                    "(PIL: Image.open(path).convert('RGB'))."
                )
            image = _to_rgb(image)
        if size is not None:
            image = image.resize((size[1], size[0]), Image.Resampling.BILINEAR)
    except ImageFormatError:
        raise
    except Image.DecompressionBombError as bomb:
        raise ImageFormatError(
            f"{path} is too large to decode safely ({bomb}): a damaged file or a \"decompression "
            "bomb\". What to do: use an ordinary photo, or shrink this one in an image editor first."
        ) from bomb
    except Exception as bad:  # every other PIL failure: unreadable, truncated, unsupported...
        raise ImageFormatError(
            f"{path} is not a readable image ({type(bad).__name__}: {bad}). What to do: check the "
            "file is complete (download or copy it again) and is a JPEG, PNG, BMP or GIF."
        ) from bad
    return np.asarray(image, dtype=np.uint8)


def _photo_file(path: object) -> Path:
    """``path`` as the path of an existing file, or an error that says what it is instead."""
    if not isinstance(path, (str, Path)):
        raise TypeError(f"a photo's path is a string or a pathlib.Path, not a {type(path).__name__} "
                        f"({path!r:.80}); for several photos, call this once per path.")
    if str(path).startswith(("http://", "https://")):
        raise ValueError(f"{path} is a web address, not a file on this machine: download it first "
                         "(e.g. keras.utils.get_file) and pass the downloaded file's path.")
    path = Path(path).expanduser()
    if path.is_dir():
        raise ValueError(f"{path} is a folder, not an image file: pass the path of one photo in it.")
    if not path.exists():
        raise FileNotFoundError(f"there is no file {path}: check the path (relative paths start in the "
                                f"notebook's folder, {Path.cwd()}).")
    return path


def _size_pair(size: object) -> tuple[int, int] | None:
    """``size`` as (height, width) of positive whole numbers, or None; else a ValueError saying so."""
    if size is None:
        return None
    pair = tuple(size) if isinstance(size, (tuple, list)) else None
    if (pair is None or len(pair) != 2 or
            not all(isinstance(n, (int, np.integer)) and not isinstance(n, bool) and n > 0 for n in pair)):
        raise ValueError(f"size={size!r}: give (height, width) as two positive whole numbers, "
                         "e.g. size=(224, 224).")
    return int(pair[0]), int(pair[1])


def _to_rgb(image: Image.Image) -> Image.Image:
    """Any PIL image as 8-bit RGB; 16-bit (and 32-bit integer) grayscale scaled, not clipped to 255."""
    if image.mode.startswith("I"):  # "I;16", "I;16B"... and "I", as PIL opens 16-bit PNGs and TIFFs
        gray = np.asarray(image).astype(np.float64) / 257.0
        return Image.fromarray(np.clip(gray.round(), 0, 255).astype(np.uint8), "L").convert("RGB")
    if image.mode == "F":  # floating point: [0, 1] or [0, 255]
        gray = np.asarray(image, dtype=np.float64)
        gray = gray * 255.0 if gray.size and np.nanmax(gray) <= 1.0 else gray
        return Image.fromarray(np.clip(np.nan_to_num(gray).round(), 0, 255).astype(np.uint8), "L").convert("RGB")
    return image.convert("RGB")


_MODES = {"L": "grayscale", "LA": "grayscale with transparency", "RGBA": "RGB with transparency",
          "CMYK": "CMYK, a print colour space", "P": "palette colours", "I;16": "16-bit grayscale",
          "I": "16- or 32-bit grayscale", "F": "floating-point grayscale", "1": "black and white"}


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
