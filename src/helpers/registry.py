"""The registry: every external file the course uses, with its origin and its hash.

This is the source of truth for integrity. A mirror is only a place to look: whatever
is found there (or at the origin) is used only if it matches the hash recorded here.
Hashes are the ones the origin itself publishes (Keras's ``file_hash``), written as
``"sha256:<hex>"`` or, where Keras publishes only an MD5, ``"md5:<hex>"``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from pathlib import PurePosixPath
from urllib.parse import urlsplit


class Kind(str, Enum):
    """What an asset is, which decides how it is stored and used."""

    DATASET_ARCHIVE = "dataset archive"
    KERAS_WEIGHTS = "keras weights"
    HUB_MODULE = "hub module"
    IMAGE = "image"
    METADATA = "metadata"


@dataclass(frozen=True)
class Asset:
    """One external file.

    Attributes:
        name: short registry key, e.g. ``"cifar10"``.
        url: the real origin URL.
        hash: ``"<algorithm>:<hex>"`` as published by the origin.
        size: size in bytes when known (used to tell a truncated download apart).
        kind: what the file is.
        keras_path: where under ``KERAS_HOME`` Keras itself looks for this file, if
            Keras loads it (e.g. ``"models/vgg16_weights_tf_dim_ordering_tf_kernels.h5"``).
        description: one line for ``python -m helpers list``.
    """

    name: str
    url: str
    hash: str
    kind: Kind
    size: int | None = None
    keras_path: str | None = None
    description: str = ""

    @property
    def filename(self) -> str:
        """The origin file name: the name the asset has in the cache and in a mirror."""
        return PurePosixPath(urlsplit(self.url).path).name

    @property
    def algorithm(self) -> str:
        return self.hash.split(":", 1)[0]

    @property
    def digest(self) -> str:
        return self.hash.split(":", 1)[1]


_KERAS_APPS = "https://storage.googleapis.com/tensorflow/keras-applications"


def _keras_weights(folder: str, filename: str, md5: str, description: str) -> Asset:
    """A Keras Applications weight file, hashed as Keras's own source publishes it."""
    return Asset(
        name=filename.removesuffix(".h5"),
        url=f"{_KERAS_APPS}/{folder}/{filename}",
        hash=f"md5:{md5}",
        kind=Kind.KERAS_WEIGHTS,
        keras_path=f"models/{filename}",
        description=description,
    )


ASSETS: dict[str, Asset] = {
    asset.name: asset
    for asset in [
        Asset(
            name="cifar10",
            url="https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz",
            hash="sha256:6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce",
            size=170_498_071,
            kind=Kind.DATASET_ARCHIVE,
            # keras.datasets.cifar10.load_data() looks for its archive here.
            keras_path="datasets/cifar-10-batches-py-target_archive",
            description="CIFAR-10, python pickles (lesson 01)",
        ),
        Asset(
            name="imagenet_class_index",
            url=f"{_KERAS_APPS}/imagenet_class_index.json",
            hash="md5:c2c37ea517e94d9795004a39431a14cb",
            kind=Kind.METADATA,
            keras_path="models/imagenet_class_index.json",
            description="ImageNet class names for decode_predictions (lesson 02)",
        ),
        _keras_weights("vgg16", "vgg16_weights_tf_dim_ordering_tf_kernels.h5",
                       "64373286793e3c8b2b4e3219cbf3544b", "VGG16 ImageNet weights (lesson 02)"),
        _keras_weights("vgg16", "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5",
                       "6d6bbae143d832006294945121d1f1fc", "VGG16 convolutional base (lessons 03-05)"),
        _keras_weights("resnet", "resnet50_weights_tf_dim_ordering_tf_kernels.h5",
                       "2cb95161c43110f7111970584f804107", "ResNet50 ImageNet weights (lesson 02)"),
        _keras_weights("resnet", "resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5",
                       "4d473c1dd8becc155b73f8504c6f6626", "ResNet50 convolutional base (lessons 03-05)"),
        _keras_weights("inception_v3", "inception_v3_weights_tf_dim_ordering_tf_kernels.h5",
                       "9a0d58056eeedaa3f26cb7ebd46da564", "InceptionV3 ImageNet weights (lesson 02)"),
        _keras_weights("inception_v3", "inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5",
                       "bcbd6486424b2319ff4ef7d526e38f63", "InceptionV3 convolutional base (lessons 04-05)"),
    ]
}


def get_asset(name: str) -> Asset:
    """Look an asset up by name, with an error that lists the known names."""
    try:
        return ASSETS[name]
    except KeyError:
        known = ", ".join(sorted(ASSETS))
        raise KeyError(f"No asset named {name!r} in the course registry. Known assets: {known}") from None
