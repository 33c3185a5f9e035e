"""Shared plumbing for the CNN course: assets, profiles, datasets, images, plots, exercises.

Where things live:
    registry    every external file: origin URL, published hash, kind
    fetch       cache -> mirror -> origin, verified and atomic; Keras placement
    archives    safe, atomic zip/tar extraction
    profiles    COURSE_PROFILE=fast|full and each lesson's sizes
    datasets    CIFAR-10 (and the fast profile's stand-in, see standin)
    images      loading and checking images
    pipelines   tf.data input pipelines
    plotting    image grids, training curves, predictions, confusion matrices
    exercises   the checks behind every exercise
    cli         `python -m helpers list | fetch | verify | mirror`

This module imports only the light parts; TensorFlow loads when a lesson needs it.
"""

import os

# Keep TensorFlow's C++ start-up chatter out of the lessons (set before TensorFlow loads).
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from .fetch import AssetError, AssetUnavailableError, ChecksumMismatchError, fetch  # noqa: E402
from .profiles import active_profile, lesson_settings  # noqa: E402
from .registry import ASSETS, Asset, Kind, get_asset  # noqa: E402

__all__ = [
    "ASSETS", "Asset", "AssetError", "AssetUnavailableError", "ChecksumMismatchError", "Kind",
    "active_profile", "fetch", "get_asset", "lesson_settings",
]
