"""A small, learnable stand-in for an image dataset: coloured shapes in 10 classes.

Used only by the fast profile, and only when the real dataset is not available offline.
The class is the shape; colours, size, position and noise vary, so a CNN must learn
shape features rather than colour.
"""

from __future__ import annotations

import numpy as np

SHAPE_CLASSES = (
    "circle", "square", "triangle", "diamond", "plus",
    "cross", "ring", "frame", "horizontal bar", "vertical bar",
)


def _shape_mask(label: int, dx: np.ndarray, dy: np.ndarray, r: float) -> np.ndarray:
    """Boolean mask of shape ``label`` centred at offset (dx, dy) = (0, 0) with radius r."""
    ax, ay = np.abs(dx), np.abs(dy)
    box, dist = np.maximum(ax, ay), np.hypot(dx, dy)
    masks = {
        0: dist <= r,
        1: box <= 0.8 * r,
        2: (dy <= 0.7 * r) & (ax <= 0.55 * (dy + r)),
        3: ax + ay <= r,
        4: ((ax <= r / 4) | (ay <= r / 4)) & (box <= r),
        5: ((np.abs(dx - dy) <= r / 3) | (np.abs(dx + dy) <= r / 3)) & (box <= 0.8 * r),
        6: (dist <= r) & (dist >= 0.55 * r),
        7: (box <= 0.85 * r) & (box >= 0.5 * r),
        8: (ay <= r / 4) & (ax <= r),
        9: (ax <= r / 4) & (ay <= r),
    }
    return masks[label]


def make_shapes(n: int, seed: int = 0, size: int = 32) -> tuple[np.ndarray, np.ndarray]:
    """Generate ``n`` RGB images (uint8, ``size`` x ``size``) of coloured shapes, and labels 0-9."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, len(SHAPE_CLASSES), n)
    images = np.empty((n, size, size, 3), dtype=np.uint8)
    yy, xx = np.mgrid[0:size, 0:size] + 0.5
    for i, label in enumerate(labels):
        r = rng.uniform(0.28, 0.42) * size
        cx, cy = rng.uniform(r, size - r, 2)
        background = rng.uniform(0, 255, 3)
        foreground = (background + rng.uniform(110, 145, 3)) % 255  # always far from the background
        mask = _shape_mask(int(label), xx - cx, yy - cy, r)
        image = np.where(mask[..., None], foreground, background)
        image += rng.normal(0, 8, image.shape)
        images[i] = np.clip(image, 0, 255).astype(np.uint8)
    return images, labels.astype(np.int64)
