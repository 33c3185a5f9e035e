"""Keras's published table of its ImageNet applications (lesson 02's family comparison).

Source: the "Available models" table of https://keras.io/api/applications/ (read 2026-12-03):
the weights' size on disk, ImageNet validation top-1 and top-5 accuracy (single centre crop, the
input size of each model), parameters and depth (layers with weights) with ``include_top=True``.
These are Keras's figures, not measured here; lesson 02 counts parameters and depth itself for
the models it builds and compares.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Published:
    """One row of Keras's table."""

    name: str        # the keras.applications constructor
    size_mb: int
    top1: float
    top5: float
    parameters_m: float  # millions, as published (rounded)
    depth: int


KERAS_APPLICATIONS: tuple[Published, ...] = (
    Published("Xception", 88, 0.790, 0.945, 22.9, 81),
    Published("VGG16", 528, 0.713, 0.901, 138.4, 16),
    Published("VGG19", 549, 0.713, 0.900, 143.7, 19),
    Published("ResNet50", 98, 0.749, 0.921, 25.6, 107),
    Published("ResNet50V2", 98, 0.760, 0.930, 25.6, 103),
    Published("ResNet101", 171, 0.764, 0.928, 44.7, 209),
    Published("ResNet101V2", 171, 0.772, 0.938, 44.7, 205),
    Published("ResNet152", 232, 0.766, 0.931, 60.4, 311),
    Published("ResNet152V2", 232, 0.780, 0.942, 60.4, 307),
    Published("InceptionV3", 92, 0.779, 0.937, 23.9, 189),
    Published("InceptionResNetV2", 215, 0.803, 0.953, 55.9, 449),
    Published("MobileNet", 16, 0.704, 0.895, 4.3, 55),
    Published("MobileNetV2", 14, 0.713, 0.901, 3.5, 105),
    Published("DenseNet121", 33, 0.750, 0.923, 8.1, 242),
    Published("DenseNet169", 57, 0.762, 0.932, 14.3, 338),
    Published("DenseNet201", 80, 0.773, 0.936, 20.2, 402),
    Published("NASNetMobile", 23, 0.744, 0.919, 5.3, 389),
    Published("NASNetLarge", 343, 0.825, 0.960, 88.9, 533),
)
