"""Shared plumbing for the CNN course: the one package every notebook imports.

Where things live:
    assets/     the asset layer: registry (origins, pinned hashes), fetch (cache -> mirror ->
                origin, verified, atomic), archives (safe extraction), content (digest tables)
    datasets/   CIFAR-10, image folders (cats vs dogs, Fruits-360), the fast profile's stand-in
    models/     cifar (lesson 01's CNNs), pretrained (ImageNet models), transfer (frozen bases,
                fine-tuning), hub and hub_standin (TF Hub modules under Keras 3)
    exercises/  the checks behind every exercise, one module per lesson
    profiles    COURSE_PROFILE=fast|full and each lesson's sizes
    images      loading and checking images
    pipelines   tf.data input pipelines
    plotting    image grids, training curves, predictions, confusion matrices, scatter maps
    display     show a helper's source in a notebook
    quiet_start keeps TensorFlow's C++ start-up notices out of the first cell
    report      what a notebook ran on and measured, for the course run report
    cli         `python -m helpers list | fetch | verify | mirror`

This module imports only the light parts; TensorFlow loads when a lesson needs it.
"""

from . import quiet_start

quiet_start.install()  # TensorFlow's C++ start-up notices stay out of the lessons' first cell

from .assets import (ASSETS, Asset, AssetError, AssetUnavailableError,  # noqa: E402
                     ChecksumMismatchError, Kind, fetch, get_asset)
from .profiles import active_profile, lesson_settings  # noqa: E402

__all__ = [
    "ASSETS", "Asset", "AssetError", "AssetUnavailableError", "ChecksumMismatchError", "Kind",
    "active_profile", "fetch", "get_asset", "lesson_settings",
]
