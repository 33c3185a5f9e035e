"""TensorFlow Hub modules under Keras 3 (lesson 06): through the asset layer into ``hub.load``.

:func:`load_module` gives the real TF Hub module where it can be had (a pre-seeded
``TFHUB_CACHE_DIR``, or its compressed download through the asset layer: cache,
``COURSE_MIRROR``, origin; structure-checked, its SHA-256 printed since nobody publishes one). Where
it cannot, EfficientNet-Lite0 in TF Hub format takes its place (:mod:`helpers.models.hub_lite0`),
under the same handle in a hub cache of its own, in every profile: its numbers are real for the
network it names. Either way the module is loaded by tensorflow_hub's own ``hub.load(handle)``.

In a Keras 3 model the module is used through Keras's public ``keras.layers.TFSMLayer`` on the
folder the handle resolves to (:attr:`HubModule.folder`); the lesson shows why ``hub.KerasLayer``
cannot be. Where a handle's folder comes from: :mod:`helpers.models.hub_cache`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .. import substitution
from ..assets.content import fetch_folder
from ..assets.fetch import AssetUnavailableError, cache_dir
from ..assets.registry import get_asset
from ..assets.structure import saved_model_files, saved_model_root
from ..substitution import announce
from . import hub_lite0
from .hub_cache import (TFHUB_CACHE_ENV, cached_module, hub_cache, module_dir_name,  # noqa: F401
                        place_in_hub_cache)


@dataclass(frozen=True)
class HubSpec:
    """What the course knows about one TF Hub module (its model card on tfhub.dev / Kaggle)."""

    title: str
    handle: str
    asset: str          # the registry entry of its compressed download
    output_width: int   # 1000 logits, or 1280 features
    kind: str           # "classification" or "feature_vector"
    input_size: tuple[int, int] = (224, 224)  # float32 RGB in [0, 1]


SPECS: dict[str, HubSpec] = {
    "efficientnet_b0_classification": HubSpec(
        "EfficientNet-B0 classification/1", "https://tfhub.dev/tensorflow/efficientnet/b0/classification/1",
        "efficientnet_b0_classification_1", 1000, "classification"),
    "efficientnet_b0_feature_vector": HubSpec(
        "EfficientNet-B0 feature-vector/1", "https://tfhub.dev/tensorflow/efficientnet/b0/feature-vector/1",
        "efficientnet_b0_feature_vector_1", 1280, "feature_vector"),
}


# --- Where hub.load looks ------------------------------------------------------------------------

def tfhub_cache_dir() -> Path:
    """Where real modules go: ``TFHUB_CACHE_DIR`` if set (e.g. a pre-seeded classroom cache),
    else ``<course cache>/tfhub_modules``."""
    return Path(os.environ.get(TFHUB_CACHE_ENV) or cache_dir() / "tfhub_modules").expanduser()


def fetch_module(name: str, origin: bool = True) -> Path:
    """The real module ``name`` placed in :func:`tfhub_cache_dir`; returns its folder there.

    Looks in the hub cache first (a pre-seeded classroom cache), else gets the compressed
    module through the asset layer (cache, mirror, origin), checks its structure, prints its
    SHA-256 (no hash is published for hub modules), and places it under the handle's folder.

    Raises:
        AssetUnavailableError: no copy anywhere; the message says the ways out.
        ContentMismatchError: a copy was found that is not a SavedModel.
    """
    spec = _spec(name)
    cache = tfhub_cache_dir()
    found = cached_module(spec.handle, cache)
    if found is not None:
        saved_model_files(found)  # a pre-seeded folder: the layout of a SavedModel
        return found
    folder = fetch_folder(get_asset(spec.asset), origin=origin)  # layout checked, and loaded once
    return place_in_hub_cache(saved_model_root(folder), spec.handle, cache, note=f"Asset: {spec.asset}")


# --- Loading -------------------------------------------------------------------------------------

@dataclass
class HubModule:
    """A loaded hub module and what belongs to it."""

    name: str
    title: str         # what ran: the module's own title, or EfficientNet-Lite0's in TF Hub format
    handle: str
    module: object     # what hub.load returned: a restored TF2 SavedModel
    network: str       # the network inside: "EfficientNet-B0" (the real module) or "EfficientNet-Lite0"
    source: str        # where it came from, in words
    folder: Path       # the module folder hub.load resolved the handle to (for keras.layers.TFSMLayer)
    output_width: int
    input_size: tuple[int, int]
    stands_in_for: str | None = None  # the real module's title when Lite0 runs in its place

    @property
    def label(self) -> str:
        """What ran, and the module it replaces, if any."""
        return substitution.label(self.title, self.stands_in_for)


def load_module(name: str) -> HubModule:
    """``hub.load`` of module ``name`` (a key of :data:`SPECS`): the real one where it can be had,
    else EfficientNet-Lite0 in TF Hub format under the same handle. Prints one line saying which.

    Raises:
        ContentMismatchError: a copy of the real module was found that is not a SavedModel (it is
            never silently replaced).
    """
    import tensorflow_hub as hub

    spec = _spec(name)
    title, stands_in_for = spec.title, None
    try:
        fetch_module(name)
        cache, network = tfhub_cache_dir(), spec.title.split(" ")[0]
        source = f"the real module, from the hub cache {cache}"
        announce("Module", title, "the real TF Hub module")
    except AssetUnavailableError as missing:
        cache, network = hub_lite0.lite0_hub_cache(), hub_lite0.NETWORK
        hub_lite0.ensure_module(spec.kind, spec.handle, cache)
        source = f"exported here from the course's ImageNet weights, in the hub cache {cache}"
        title, stands_in_for = f"{hub_lite0.NETWORK} in TF Hub format", spec.title
        why = "the real module is not on this machine" + (f": {missing.reason}" if missing.reason else "")
        announce("Module", title, "real ImageNet weights, exported here", stands_in_for, why)
    with hub_cache(cache):
        module = hub.load(spec.handle)  # tensorflow_hub's own resolver: the cache, no network
    folder = cached_module(spec.handle, cache)
    return HubModule(name, title, spec.handle, module, network, source, folder,
                     spec.output_width, spec.input_size, stands_in_for)


def _spec(name: str) -> HubSpec:
    try:
        return SPECS[name]
    except KeyError:
        raise KeyError(f"No hub module {name!r}; known: {', '.join(SPECS)}") from None


# --- Predictions -----------------------------------------------------------------------------------

def to_unit_range(images: np.ndarray) -> np.ndarray:
    """uint8 (or 0..255 float) RGB -> float32 in [0, 1]: the input scaling hub image modules expect."""
    images = np.asarray(images)
    if images.dtype != np.uint8 and images.size and float(np.max(images)) <= 1.0:
        raise ValueError("These images already look scaled to [0, 1]; pass 0..255 pixels.")
    return images.astype("float32") / 255.0


def imagenet_probabilities(logits: np.ndarray) -> np.ndarray:
    """Logits -> softmax probabilities over Keras's 1,000 ImageNet classes.

    A module with 1,001 outputs (TF-Slim style, index 0 = "background") has that column dropped,
    so indices match ``decode_predictions``; EfficientNet's hub modules have 1,000.
    """
    logits = np.asarray(logits, dtype="float64")
    if logits.shape[-1] == 1001:
        logits = logits[..., 1:]
    if logits.shape[-1] != 1000:
        raise ValueError(f"expected 1000 (or 1001) ImageNet logits, got {logits.shape[-1]}")
    shifted = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return (shifted / shifted.sum(axis=-1, keepdims=True)).astype("float32")
