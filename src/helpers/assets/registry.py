"""The registry: every external file the course uses, with its origin and its hash.

This is the source of truth for integrity. A mirror is only a place to look: whatever
is found there (or at the origin) is used only if it matches every hash recorded here.
Hashes are written ``"<algorithm>:<hex>"``: the one the origin itself publishes (Keras's
``file_hash``, often an MD5) and, where a copy was verified independently, a SHA-256 too.

A *mirror-only* asset has no origin URL (``url=None``): no publisher ships it, so it is
found only in a cache or a mirror. ``cifar10_npz`` is one: the same data as ``cifar10``,
packed for offline classrooms.
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
        url: the real origin URL, or None for a mirror-only file.
        hash: ``"<algorithm>:<hex>"``, checked on every copy.
        size: size in bytes when known (used to tell a truncated download apart).
        kind: what the file is.
        keras_path: where under ``KERAS_HOME`` Keras itself looks for this file, if
            Keras loads it (e.g. ``"models/vgg16_weights_tf_dim_ordering_tf_kernels.h5"``).
        description: one line for ``python -m helpers list``.
        extra_hashes: further ``"<algorithm>:<hex>"`` hashes every copy must also match.
        file: the file name, needed only when there is no URL to take it from.
    """

    name: str
    url: str | None
    hash: str
    kind: Kind
    size: int | None = None
    keras_path: str | None = None
    description: str = ""
    extra_hashes: tuple[str, ...] = ()
    file: str | None = None

    def __post_init__(self) -> None:
        if self.url is None and self.file is None:
            raise ValueError(f"mirror-only asset {self.name!r} needs a file name")

    @property
    def filename(self) -> str:
        """The file's name in the cache and in a mirror: the origin's name unless given."""
        return self.file or PurePosixPath(urlsplit(self.url).path).name

    @property
    def hashes(self) -> tuple[str, ...]:
        """Every ``"<algorithm>:<hex>"`` a copy must match."""
        return (self.hash, *self.extra_hashes)

    @property
    def algorithm(self) -> str:
        return self.hash.split(":", 1)[0]

    @property
    def digest(self) -> str:
        return self.hash.split(":", 1)[1]


# Keras's own download locations (checked against the installed Keras by tests/test_registry.py).
_KERAS_APPS = "https://storage.googleapis.com/tensorflow/keras-applications"
_TF_DATA = "https://storage.googleapis.com/download.tensorflow.org/data"


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
            description="CIFAR-10, python pickles (lessons 01, 03)",
        ),
        Asset(
            name="cifar10_npz",
            url=None,  # mirror-only: no publisher ships CIFAR-10 as npz
            file="cifar10.npz",
            hash="sha256:4811fe6ac020345e6f0083a7f250776a98af3a32135000c3643f0277e88a0014",
            size=139_685_461,
            kind=Kind.DATASET_ARCHIVE,
            description="CIFAR-10 as keras.datasets.cifar10 returns it, npz (mirror-only)",
        ),
        Asset(
            name="imagenet_class_index",
            url=f"{_TF_DATA}/imagenet_class_index.json",
            hash="md5:c2c37ea517e94d9795004a39431a14cb",  # Keras's file_hash
            extra_hashes=("sha256:a1e7a966a1f601d39e4b43e119b3e7dd4a2ad3ea08cf69847cbaf021013767bc",),
            size=35_363,
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
