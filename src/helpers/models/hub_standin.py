"""The fast profile's stand-in for TF Hub's EfficientNet-B0 modules, built here as a SavedModel.

No hub module can be downloaded where the course is built and tested, so the fast profile, and
only it, builds a module with the real modules' *interface*, in the *format* ``hub.load``
reads, placed under the *real handle* in a hub cache of its own (so the real loading code
runs, and a stand-in never shadows a real module in a learner's cache):

* input: a batch of 224x224x3 float32 RGB images in [0, 1]; ``__call__(images, training=False)``
  with ``variables``, ``trainable_variables`` and ``regularization_losses``, as TF2 "reusable
  SavedModels" on TF Hub have;
* feature-vector: 1,280 floats per image, and they are **real features, but not EfficientNet's**:
  lesson 01's CNN pretrained on CIFAR-10 (``helpers.models.transfer.cifar10_base``: loaded from
  what lesson 01 saved, or trained briefly) run on five 32x32 views of the image (the whole image
  and its four 160x160 corner crops), each view's 128 feature maps average- and max-pooled:
  5 x 2 x 128 = 1,280;
* classification: 1,000 logits over ImageNet's classes from those features through a
  **randomly initialised** Dense layer: its labels mean nothing.

Every stand-in carries ``standin.json`` in its folder saying what it is.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from functools import lru_cache
from pathlib import Path

import keras
import tensorflow as tf

from .hub import HubSpec, cached_module, module_dir_name, place_in_hub_cache

STANDIN_FILE = "standin.json"
VIEWS = 5  # the whole image and its four corner crops


@lru_cache(maxsize=1)
def lesson01_base() -> tuple[keras.Model, str]:
    """Lesson 01's CIFAR-10 CNN cut at its convolutional base (32x32x3 in [0, 1] -> 4x4x128)."""
    from ..profiles import LESSONS, active_profile
    from .transfer import cifar10_base

    settings = LESSONS["06"][active_profile()]
    base = cifar10_base(settings.cifar_train_samples, settings.cifar_epochs)
    return base.model, base.label


def _views(images: tf.Tensor, size: int) -> list[tf.Tensor]:
    """The whole image and its four corner crops of 5/7 of its side, each shrunk to size x size.

    Shrinking averages whole blocks of pixels (224 = 7 x 32, 160 = 5 x 32): the same as
    ``tf.image.resize(..., method="area")``, but differentiable, so the module can be fine-tuned.
    """
    full = int(images.shape[1])
    side = full * 5 // 7
    views = [images] + [images[:, r:r + side, c:c + side] for r in (0, full - side) for c in (0, full - side)]
    return [tf.nn.avg_pool2d(v, int(v.shape[1]) // size, int(v.shape[1]) // size, "VALID") for v in views]


class _StandinModule(tf.Module):
    """What gets saved: features from a CIFAR-10 base on five views, optionally a random classifier."""

    def __init__(self, base: keras.Model, output_width: int, classify: bool, seed: int = 6):
        super().__init__(name="standin")
        self.base = base
        self.size = int(base.input_shape[1])
        channels = int(base.output_shape[-1])
        if VIEWS * 2 * channels != 1280:
            raise ValueError(f"the base has {channels} channels; the stand-in needs 128 "
                             "(5 views x average and max pooling = 1,280 features)")
        self.classifier = None
        if classify:
            init = keras.initializers.GlorotUniform(seed=seed)
            self.classifier = tf.Variable(init((1280, output_width)), name="classifier/kernel")
            self.bias = tf.Variable(tf.zeros([output_width]), name="classifier/bias")

    def features(self, images):
        pooled = []
        for view in _views(images, self.size):
            maps = self.base(view, training=False)
            pooled += [tf.reduce_mean(maps, axis=[1, 2]), tf.reduce_max(maps, axis=[1, 2])]
        return tf.concat(pooled, axis=-1)

    def outputs(self, images):
        features = self.features(images)
        if self.classifier is None:
            return features
        return tf.matmul(features, self.classifier) + self.bias


def build_standin(spec: HubSpec, folder: Path, base: keras.Model, base_label: str) -> Path:
    """Save a stand-in for ``spec`` as a TF2 SavedModel at ``folder`` (which must not exist)."""
    module = _StandinModule(base, spec.output_width, classify=spec.kind == "classification")
    images_spec = tf.TensorSpec([None, *spec.input_size, 3], tf.float32, name="images")

    @tf.function
    def call(images, training=False):  # noqa: ARG001 (the real modules' signature; batch norm stays frozen)
        return module.outputs(images)

    # Every state the functions read must be reachable from the root (the augmentation layers'
    # seed-generator states too, though they do nothing at inference).
    variables = [v.value for v in base.variables]
    own = [module.classifier, module.bias] if module.classifier is not None else []
    trainable = [v.value for v in base.trainable_weights] + own
    root = tf.train.Checkpoint()
    root.module = module
    root.variables = variables + own
    root.trainable_variables = trainable
    root.regularization_losses = []
    root.__call__ = call
    for training in (False, True):
        call.get_concrete_function(images_spec, training=training)
    serving = call.get_concrete_function(images_spec, training=False)
    logger, level = tf.get_logger(), tf.get_logger().level
    logger.setLevel("ERROR")  # not "INFO:tensorflow:Assets written to ..." in the lesson
    try:
        tf.saved_model.save(root, str(folder), signatures={"serving_default": serving})
    finally:
        logger.setLevel(level)
    (Path(folder) / STANDIN_FILE).write_text(json.dumps({
        "standin_for": spec.handle,
        "what": ("STAND-IN built by helpers.models.hub_standin, not EfficientNet: 1,280 features = "
                 "5 views (whole image, 4 corner crops, at 32x32) x average and max pooling x 128 "
                 f"feature maps of lesson 01's network ({base_label})"
                 + ("; 1,000 logits from a RANDOMLY INITIALISED Dense layer"
                    if spec.kind == "classification" else "")),
        "output_width": spec.output_width,
    }, indent=1) + "\n")
    return Path(folder)


def ensure_standin(spec: HubSpec, cache: Path, base: keras.Model | None = None,
                   base_label: str | None = None) -> Path:
    """Build the stand-in for ``spec`` and place it in ``cache`` under the real handle.

    Rebuilt on every first use in a process, so it always reflects the current lesson 01 model.
    Returns the module folder ``hub.load(spec.handle)`` resolves to with ``TFHUB_CACHE_DIR=cache``.
    """
    if base is None:
        base, base_label = lesson01_base()
    dest = Path(cache) / module_dir_name(spec.handle)
    if dest.name in _built_this_process and cached_module(spec.handle, cache):
        return dest
    shutil.rmtree(dest, ignore_errors=True)
    Path(cache).mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache, prefix=".standin.") as tmp:
        folder = build_standin(spec, Path(tmp) / "module", base, base_label or base.name)
        place_in_hub_cache(folder, spec.handle, cache, note="STAND-IN (see standin.json in the folder)")
    _built_this_process.add(dest.name)
    return dest


_built_this_process: set[str] = set()


def describe(folder: Path) -> str | None:
    """What the stand-in at ``folder`` is (its ``standin.json``), or None for a real module."""
    path = Path(folder) / STANDIN_FILE
    return json.loads(path.read_text())["what"] if path.is_file() else None


def banner(spec: HubSpec, reason: Exception) -> str:
    """The loud notice printed when the stand-in replaces a hub module."""
    first_line = str(reason).splitlines()[0]
    what = ("1,280 real features, but from lesson 01's CIFAR-10 CNN, NOT EfficientNet"
            if spec.kind == "feature_vector" else
            "1,000 logits from a RANDOMLY INITIALISED classifier: its labels mean nothing")
    return (
        "!" * 88 + "\n"
        f"STAND-IN HUB MODULE. {spec.title} is not available offline here:\n"
        f"  {first_line}\n"
        f"The fast profile continues with a SavedModel built here with the real module's\n"
        f"interface (224x224x3 in [0, 1] -> {spec.output_width:,}), placed under the real handle in\n"
        f"a stand-in hub cache, loaded by hub.load. It outputs {what}.\n"
        "No claim about the real module's quality is checked with it.\n"
        f"To use the real module: go online, or set COURSE_MIRROR to a folder holding\n"
        f"its compressed download (see README, lesson 06), or pre-seed TFHUB_CACHE_DIR.\n"
        + "!" * 88
    )
