"""TensorFlow Hub modules under Keras 3 (lesson 06): obtained through the asset layer, loaded
with ``hub.load``, wrapped as a Keras 3 layer.

Why a wrapper: ``hub.KerasLayer`` subclasses tf-keras's (Keras 2's) ``Layer``. A Keras 3 model
accepts only ``keras.Layer`` instances, so ``keras.Sequential([hub.KerasLayer(handle)])``
raises. :class:`HubLayer` is a ``keras.layers.Layer`` holding the object ``hub.load`` returns
(a TF2 SavedModel) and calling it; the module's variables are tracked as Keras variables, so
``trainable=True`` fine-tunes them where the module exposes trainable variables.

How a handle resolves (read in tensorflow_hub 0.16.1's ``compressed_module_resolver.py`` and
``resolver.py``): an ``https://`` handle is cached in ``TFHUB_CACHE_DIR`` (default
``<tmp>/tfhub_modules``) under a folder named by the SHA-1 of the handle string exactly as
written; if that folder exists and is not empty, ``hub.load`` uses it and never touches the
network. Otherwise it requests ``<handle>?tf-hub-format=compressed`` (tfhub.dev redirects to
Kaggle Models, documented behaviour not testable here), unpacks the tar.gz into the folder and
writes ``<folder>.descriptor.txt`` beside it (informative only: nothing reads it).

This module obtains the compressed module like any other asset (:func:`fetch_module`: cache,
``COURSE_MIRROR``, origin; structure-checked, its SHA-256 printed since nobody publishes one)
and places it where ``hub.load`` looks (:func:`place_in_hub_cache`). When no module can be had,
the fast profile alone builds a **stand-in** with the real module's interface
(:mod:`helpers.models.hub_standin`), under the real handle in a separate stand-in cache, so the
real loading code runs; the full profile raises the asset layer's error.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import keras
import numpy as np

from ..assets.content import MARKER, ContentMismatchError, fetch_folder
from ..assets.fetch import AssetUnavailableError, cache_dir
from ..assets.registry import get_asset
from ..profiles import standin_allowed

TFHUB_CACHE_ENV = "TFHUB_CACHE_DIR"


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

def module_dir_name(handle: str) -> str:
    """The cache folder name tensorflow_hub uses for an http(s) handle: SHA-1 of the handle text.

    As ``compressed_module_resolver._module_dir`` computes it: the handle *exactly as written*
    (a trailing slash or ``http`` instead of ``https`` is another folder).
    """
    return hashlib.sha1(handle.encode("utf8")).hexdigest()


def tfhub_cache_dir() -> Path:
    """Where real modules go: ``TFHUB_CACHE_DIR`` if set (e.g. a pre-seeded classroom cache),
    else ``<course cache>/tfhub_modules``."""
    return Path(os.environ.get(TFHUB_CACHE_ENV) or cache_dir() / "tfhub_modules").expanduser()


def standin_cache_dir() -> Path:
    """Where stand-ins go: a cache of their own, so a stand-in never shadows a real module."""
    return cache_dir() / "tfhub_standins"


@contextmanager
def hub_cache(path: Path) -> Iterator[Path]:
    """Point ``TFHUB_CACHE_DIR`` at ``path`` for the duration (tensorflow_hub reads it on every load)."""
    before = os.environ.get(TFHUB_CACHE_ENV)
    os.environ[TFHUB_CACHE_ENV] = str(path)
    try:
        yield Path(path)
    finally:
        if before is None:
            os.environ.pop(TFHUB_CACHE_ENV, None)
        else:
            os.environ[TFHUB_CACHE_ENV] = before


def cached_module(handle: str, cache: Path) -> Path | None:
    """The module folder ``hub.load(handle)`` would use from ``cache``, if it is there."""
    folder = Path(cache) / module_dir_name(handle)
    return folder if folder.is_dir() and any(folder.iterdir()) else None


@dataclass(frozen=True)
class SavedModelLayout:
    """What the structure check of a module found."""

    files: int
    bytes: int
    sha256: str  # digest of the folder's content (sorted relative paths and file digests)

    def __str__(self) -> str:
        return (f"a SavedModel (saved_model.pb, variables/), {self.files} files, "
                f"{self.bytes / 2**20:.1f} MB, content sha256 {self.sha256}")


def saved_model_root(folder: Path) -> Path:
    """The SavedModel inside an unpacked module: the folder itself (tfhub.dev's archives hold
    ``saved_model.pb`` at their top), or its only sub-folder if the archive wrapped it in one."""
    folder = Path(folder)
    entries = [p for p in folder.iterdir() if p.name != MARKER]
    if not (folder / "saved_model.pb").exists() and len(entries) == 1 and entries[0].is_dir():
        return entries[0]
    return folder


def check_saved_model(root: Path) -> SavedModelLayout:
    """Structure check of a hub module: a SavedModel folder (``saved_model.pb`` and ``variables/``).

    Raises:
        ContentMismatchError: not a SavedModel (e.g. an HTML error page, a TF1 hub module, a
            Kaggle listing instead of the archive).
    """
    root = saved_model_root(root)
    problems = []
    if not (root / "saved_model.pb").is_file():
        problems.append("no saved_model.pb at its top")
    if not (root / "variables" / "variables.index").is_file():
        problems.append("no variables/variables.index")
    if problems:
        raise ContentMismatchError(
            f"{root} is not a TF2 SavedModel ({'; '.join(problems)}). Nothing was kept. What to "
            "do: check that the mirror holds the compressed module (what the handle serves with "
            "`?tf-hub-format=compressed`: a tar.gz of a SavedModel), not a web page or a TF1 "
            "module; or delete the bad copy and run lesson 06 once on a connected machine.")
    digest, files, size = hashlib.sha256(), 0, 0
    for path in sorted(p for p in root.rglob("*") if p.is_file() and p.name != MARKER):
        data = path.read_bytes()
        digest.update(f"{path.relative_to(root).as_posix()}\0{hashlib.sha256(data).hexdigest()}\n".encode())
        files, size = files + 1, size + len(data)
    return SavedModelLayout(files, size, digest.hexdigest())


def place_in_hub_cache(module_folder: Path, handle: str, cache: Path, note: str = "") -> Path:
    """Copy a SavedModel folder to ``<cache>/<sha1(handle)>``, atomically, as tensorflow_hub would.

    Also writes the descriptor file tensorflow_hub writes beside a downloaded module
    (``<folder>.descriptor.txt``; informative only). Returns the module folder.
    """
    cache = Path(cache)
    dest = cache / module_dir_name(handle)
    if cached_module(handle, cache):
        return dest
    cache.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=cache, prefix=f".{dest.name}.", suffix=".tmp"))
    try:
        staged = tmp / "module"
        shutil.copytree(module_folder, staged, ignore=shutil.ignore_patterns(MARKER),
                        copy_function=_link_or_copy)
        (cache / f"{dest.name}.descriptor.txt").write_text(
            f"Module: {handle}\nPlaced by: helpers.models.hub (course asset layer) "
            f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M:%S} UTC\n{note}".rstrip() + "\n")
        try:
            os.replace(staged, dest)
        except OSError:
            if not cached_module(handle, cache):  # another process may have placed it first
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return dest


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


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
        check_saved_model(found)
        return found
    folder = fetch_folder(get_asset(spec.asset), origin=origin, structure=check_saved_model)
    return place_in_hub_cache(saved_model_root(folder), spec.handle, cache, note=f"Asset: {spec.asset}")


# --- Loading -------------------------------------------------------------------------------------

@dataclass
class HubModule:
    """A loaded hub module and what belongs to it."""

    name: str
    title: str
    handle: str
    module: object     # what hub.load returned: a restored TF2 SavedModel
    real: bool         # the real module (False: the course's stand-in)
    source: str        # where it came from, in words
    folder: Path       # the module folder hub.load resolved the handle to
    output_width: int
    input_size: tuple[int, int]

    @property
    def label(self) -> str:
        return self.title if self.real else f"{self.title} STAND-IN"

    def layer(self, trainable: bool = False, name: str | None = None) -> HubLayer:
        return HubLayer(self, trainable=trainable, name=name or self.name)


def load_module(name: str, allow_standin: bool | None = None) -> HubModule:
    """``hub.load`` of module ``name`` (a key of :data:`SPECS`), real if it can be had.

    Args:
        allow_standin: when the real module cannot be had, build and load the course's stand-in.
            Defaults to True in the fast profile only; the full profile raises the asset error.

    Raises:
        AssetUnavailableError: no copy of the module, and no stand-in allowed.
        ContentMismatchError: a copy was found that is not a SavedModel (never replaced).
    """
    import tensorflow_hub as hub

    from . import hub_standin

    spec = _spec(name)
    allow_standin = standin_allowed(allow_standin)
    try:
        fetch_module(name)
        cache, real = tfhub_cache_dir(), True
        source = f"the real module, from the hub cache {cache}"
    except AssetUnavailableError as missing:
        if not allow_standin:
            raise
        cache, real = standin_cache_dir(), False
        hub_standin.ensure_standin(spec, cache)
        print(hub_standin.banner(spec, missing))
        source = f"stand-in, built here and placed in the stand-in hub cache {cache}"
    with hub_cache(cache):
        module = hub.load(spec.handle)  # tensorflow_hub's own resolver: the cache, no network
    folder = cached_module(spec.handle, cache)
    return HubModule(name, spec.title, spec.handle, module, real, source, folder,
                     spec.output_width, spec.input_size)


def _spec(name: str) -> HubSpec:
    try:
        return SPECS[name]
    except KeyError:
        raise KeyError(f"No hub module {name!r}; known: {', '.join(SPECS)}") from None


# --- The Keras 3 layer ---------------------------------------------------------------------------

def _as_keras_variable(variable, trainable: bool) -> keras.Variable:
    """A Keras variable backed by the module's own ``tf.Variable`` (not a copy).

    Keras 3 tracks, saves and optimises ``keras.Variable``s only; the module's functions read
    its ``tf.Variable``s. Pointing a Keras variable at the same storage makes an optimizer
    step on the Keras side change what the module computes.
    """
    shadow = keras.Variable(np.zeros((), variable.dtype.as_numpy_dtype), trainable=trainable,
                            name=variable.name.split(":")[0].replace("/", "_"))
    shadow._value = variable  # the TensorFlow backend keeps a Keras variable's tensor here
    shadow._shape = tuple(variable.shape)
    return shadow


class HubLayer(keras.layers.Layer):
    """A TF2 hub module (what ``hub.load`` returns) as a Keras 3 layer.

    Input: float32 RGB images in [0, 1] at the module's input size. Output: the module's
    output (logits or features). ``trainable=True`` fine-tunes the module's trainable variables
    (raises if it exposes none); frozen by default. ``training`` reaches the module only if it
    is trainable (so its batch normalization stays in inference mode while frozen).

    Saving: a model holding this layer cannot be saved into a portable ``.keras`` file (the
    module is a SavedModel, not Keras layers); ``get_config`` raises with what to do instead:
    save the head's weights (or the head model) and keep the handle.
    """

    def __init__(self, module: HubModule, trainable: bool = False, name: str | None = None, **kwargs):
        super().__init__(trainable=trainable, name=name, **kwargs)
        self.hub = module
        self._call = module.module
        if not callable(self._call):
            raise TypeError(f"{module.title} is not callable: a TF1 hub module? Use a TF2 SavedModel.")
        owned = list(getattr(module.module, "trainable_variables", []))
        if trainable and not owned:
            raise ValueError(f"{module.label} exposes no trainable variables: it can only be used frozen.")
        owned_ids = {id(v) for v in owned}
        everything = list(getattr(module.module, "variables", [])) or owned
        self._owned = [id(v) in owned_ids for v in everything]
        self._module_weights = [_as_keras_variable(v, own) for v, own in zip(everything, self._owned)]
        self._accepts_training = _accepts_training(module.module)
        self.trainable = trainable  # again, now that the variables exist: freezes or unfreezes them
        self.built = True

    def __setattr__(self, name, value):
        super().__setattr__(name, value)
        if name == "trainable":  # also when a parent model is frozen or unfrozen
            for variable, owned in zip(getattr(self, "_module_weights", []), getattr(self, "_owned", [])):
                variable.trainable = bool(value) and owned  # only what the module lets train

    def call(self, images, training=None):
        if self._accepts_training:
            return self._call(images, training=bool(training) and self.trainable)
        return self._call(images)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.hub.output_width)

    def get_config(self):
        raise NotImplementedError(
            f"{self.hub.label} is a TF Hub SavedModel inside a Keras 3 layer: it cannot be saved "
            "into a portable .keras file. Save what you trained instead (e.g. the head: "
            f"`head.save('head.keras')`), keep the handle {self.hub.handle}, and rebuild: load "
            "the module again (helpers.models.hub.load_module, from the cache) and stack the two.")


def _accepts_training(module) -> bool:
    """True if the module's ``__call__`` was saved with a ``training`` argument (Reusable SavedModel)."""
    function = getattr(module, "__call__", None)
    concrete = getattr(function, "concrete_functions", None) or []
    try:
        return any("training" in (c.structured_input_signature[1] or {}) or
                   len(c.structured_input_signature[0]) > 1 for c in concrete)
    except (AttributeError, TypeError):
        return False


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
