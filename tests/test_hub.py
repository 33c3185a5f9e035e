"""Lesson 06's hub modules: EfficientNet-Lite0 exported in TF Hub format and found by ``hub.load``
under the real handles (network off), a real module through the asset layer winning over it, and
Keras 3's public TFSMLayer on them: inference, fine-tuning, and its optimizer limit."""

from __future__ import annotations

import shutil
import tarfile
from pathlib import Path

import keras
import numpy as np
import pytest
import tensorflow as tf
import tensorflow_hub as hub
from tensorflow_hub import compressed_module_resolver

from conftest import SESSION_ENV
from helpers.assets.content import ContentMismatchError
from helpers.assets.registry import Kind, get_asset
from helpers.images import load_rgb_image
from helpers.models import hub as hubs
from helpers.models import hub_lite0
from helpers.models.efficientnet_lite import EfficientNetLite0
from helpers.models.imagenet_classes import CAT_INDICES
from helpers.datasets.photos import photo_path

CLASSIFIER = hubs.SPECS["efficientnet_b0_classification"]
FEATURES = hubs.SPECS["efficientnet_b0_feature_vector"]


@pytest.fixture(autouse=True)
def no_hub_cache_env(monkeypatch):
    monkeypatch.delenv("TFHUB_CACHE_DIR", raising=False)


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> dict[str, Path]:
    """Both Lite0 modules, exported once into a hub cache under the real handles.

    When the run has a course cache of its own (CI's, made empty for the run), the modules go
    where lesson 06 looks for them, so the lesson reuses this export instead of repeating it.
    """
    session_cache = SESSION_ENV.get("COURSE_CACHE")
    mp = pytest.MonkeyPatch()
    mp.setenv("COURSE_CACHE", session_cache or str(tmp_path_factory.mktemp("cache")))
    try:
        folders = {spec.kind: hub_lite0.ensure_module(spec.kind, spec.handle) for spec in (CLASSIFIER, FEATURES)}
    finally:
        mp.undo()
    return folders


def photos(*names: str) -> np.ndarray:
    return np.stack([load_rgb_image(photo_path(n), size=(224, 224), convert=True) for n in names])


def test_the_cache_folder_is_named_as_tensorflow_hub_names_it(tmp_path, monkeypatch):
    monkeypatch.setenv("TFHUB_CACHE_DIR", str(tmp_path))
    for spec in (CLASSIFIER, FEATURES):
        assert Path(compressed_module_resolver._module_dir(spec.handle)) == tmp_path / hubs.module_dir_name(spec.handle)
    assert hubs.module_dir_name(CLASSIFIER.handle) != hubs.module_dir_name(CLASSIFIER.handle + "/")


def test_the_lite0_modules_resolve_with_hub_load_under_the_real_handles(exported, monkeypatch):
    cache = exported["classification"].parent
    monkeypatch.setenv("TFHUB_CACHE_DIR", str(cache))
    images = tf.random.uniform([2, 224, 224, 3])
    for spec in (CLASSIFIER, FEATURES):
        folder = exported[spec.kind]
        assert folder == cache / hubs.module_dir_name(spec.handle) == Path(hub.resolve(spec.handle))
        assert (cache / f"{folder.name}.descriptor.txt").read_text().startswith(f"Module: {spec.handle}")
        assert "EfficientNet-Lite0 in TF Hub format" in hub_lite0.about(folder)
        module = hub.load(spec.handle)  # the real loader, from the cache (the network guard is on)
        for training in (False, True):
            assert module(images, training=training).shape == (2, spec.output_width)
        assert module.signatures["serving_default"](images=images)
        assert module.variables and module.trainable_variables and list(module.regularization_losses) == []


def test_the_classification_module_is_lite0_on_unit_range_pixels(exported, class_index):
    module = tf.saved_model.load(str(exported["classification"]))
    images = photos("cat", "coffee")
    logits = module(hubs.to_unit_range(images), training=False).numpy()
    assert logits.argmax(1)[0] in CAT_INDICES
    keras_probabilities = EfficientNetLite0().predict(images.astype("float32"), verbose=0)
    np.testing.assert_allclose(hubs.imagenet_probabilities(logits), keras_probabilities, atol=1e-4)


def _module_archive(tmp_path: Path, folder: Path, name: str, prefix: str = "./") -> Path:
    """A compressed hub module as the handle serves it: a TF2 SavedModel, tar.gz'd (at ``prefix``)."""
    module = tmp_path / "module"
    shutil.copytree(folder, module)
    (module / hub_lite0.ABOUT_FILE).unlink()  # a real module carries no such note
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    with tarfile.open(mirror / name, "w:gz") as tar:
        for path in sorted(module.rglob("*")):
            tar.add(path, arcname=prefix + path.relative_to(module).as_posix(), recursive=False)
    return mirror


@pytest.mark.parametrize("prefix", ["./", "efficientnet_b0_feature-vector_1/"], ids=["top", "wrapped"])
def test_a_real_module_comes_through_the_asset_layer_and_wins(exported, tmp_path, monkeypatch, capsys, prefix):
    asset = get_asset(FEATURES.asset)
    assert asset.kind is Kind.HUB_MODULE and asset.hash is None  # nobody publishes one: not invented
    assert asset.url == f"{FEATURES.handle}?tf-hub-format=compressed"
    monkeypatch.setenv("COURSE_MIRROR", str(_module_archive(tmp_path, exported["feature_vector"], asset.filename, prefix)))
    module = hubs.load_module("efficientnet_b0_feature_vector")
    out = capsys.readouterr().out
    assert "sha256" in out and "the real TF Hub module" in out and "Lite0" not in out
    assert module.stands_in_for is None and module.folder == hubs.tfhub_cache_dir() / hubs.module_dir_name(FEATURES.handle)
    assert hub_lite0.about(module.folder) is None and (module.folder / "saved_model.pb").is_file()
    assert module.module(tf.zeros([1, 224, 224, 3])).shape == (1, 1280)


def test_a_mirror_copy_that_is_not_a_saved_model_is_rejected_and_nothing_placed(tmp_path, monkeypatch):
    asset = get_asset(CLASSIFIER.asset)
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    page = tmp_path / "index.html"
    page.write_text("<html>Kaggle</html>")
    with tarfile.open(mirror / asset.filename, "w:gz") as tar:
        tar.add(page, arcname="index.html")
    monkeypatch.setenv("COURSE_MIRROR", str(mirror))
    with pytest.raises(ContentMismatchError, match="not a TF2 SavedModel"):
        hubs.load_module("efficientnet_b0_classification")  # a bad copy is never replaced by Lite0
    assert hubs.cached_module(CLASSIFIER.handle, hubs.tfhub_cache_dir()) is None


def test_without_the_real_module_lite0_stands_in_and_says_so(exported, monkeypatch, capsys):
    """No profile is consulted: the rule is the same in the fast and the full profile."""
    monkeypatch.setattr(hub_lite0, "lite0_hub_cache", lambda: exported["feature_vector"].parent)
    module = hubs.load_module("efficientnet_b0_feature_vector")
    line = capsys.readouterr().out
    assert line.count("\n") == 1 and "in place of EfficientNet-B0 feature-vector/1" in line
    assert module.stands_in_for == "EfficientNet-B0 feature-vector/1" and module.network == "EfficientNet-Lite0"
    assert module.label == "EfficientNet-Lite0 in TF Hub format (in place of EfficientNet-B0 feature-vector/1)"
    assert module.folder.parent != hubs.tfhub_cache_dir()  # never shadows a real module


def test_tfsmlayer_runs_and_fine_tunes_the_module_with_sgd_but_not_adam(exported):
    """Keras 3.15's TFSMLayer names its variables after TensorFlow's (``...:0``); Adam's slot
    variables take those names and TensorFlow refuses them. Lesson 06 teaches this limit: if this
    test fails because Adam works, the lesson can drop the SGD detour."""
    images = hubs.to_unit_range(photos("cat", "coffee"))
    def model_with(layer):
        inputs = keras.Input((224, 224, 3))
        return keras.Model(inputs, keras.layers.Dense(1, activation="sigmoid")(layer(inputs)["output_0"]))
    layer = keras.layers.TFSMLayer(exported["feature_vector"], call_endpoint="serving_default", trainable=True)
    before = layer(images)["output_0"].numpy()
    assert before.shape == (2, 1280) and layer.trainable_weights
    model = model_with(layer)
    model.compile(keras.optimizers.SGD(0.05), "binary_crossentropy")
    model.fit(images, np.array([0, 1]), epochs=1, verbose=0)
    assert not np.allclose(layer(images)["output_0"].numpy(), before)  # the module's own weights moved
    adam = model_with(keras.layers.TFSMLayer(exported["feature_vector"], call_endpoint="serving_default", trainable=True))
    adam.compile(keras.optimizers.Adam(1e-4), "binary_crossentropy")
    with pytest.raises(ValueError, match="not a valid scope name"):
        adam.fit(images, np.array([0, 1]), epochs=1, verbose=0)


def test_logits_to_imagenet_probabilities():
    logits = np.random.default_rng(0).normal(size=(2, 1000))
    probabilities = hubs.imagenet_probabilities(logits)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1, rtol=1e-5)
    assert (probabilities.argmax(1) == logits.argmax(1)).all()
    with_background = np.concatenate([np.full((2, 1), 50.0), logits], axis=1)  # 1,001 classes
    np.testing.assert_allclose(hubs.imagenet_probabilities(with_background), probabilities, rtol=1e-5)
    with pytest.raises(ValueError, match="1000"):
        hubs.imagenet_probabilities(np.zeros((1, 10)))


def test_input_scaling_is_to_the_unit_range():
    images = np.array([[[[0, 128, 255]]]], dtype=np.uint8)
    np.testing.assert_allclose(hubs.to_unit_range(images), [[[[0, 128 / 255, 1]]]])
    with pytest.raises(ValueError, match="already"):
        hubs.to_unit_range(np.full((1, 2, 2, 3), 0.5, dtype=np.float32))


@pytest.mark.parametrize("damage", ["flip a byte of the variables", "delete variables.index"])
def test_a_damaged_lite0_export_is_exported_again_with_a_line_saying_so(exported, tmp_path, monkeypatch,
                                                                        capsys, damage):
    """Issue 31: the course's own hub export is checked like a download (a record of its files,
    rehashed on use); damage is rebuilt, never handed to hub.load (DataLossError)."""
    good = exported["feature_vector"]
    cache = tmp_path / "lite0_cache"
    exports = []

    def export_copy(kind, folder):  # the real export takes 20 s; a copy of a good one is the same files
        exports.append(kind)
        shutil.copytree(good, folder, ignore=shutil.ignore_patterns(".content-verified"))
        return Path(folder)

    monkeypatch.setattr(hub_lite0, "export_module", export_copy)
    folder = hub_lite0.ensure_module(FEATURES.kind, FEATURES.handle, cache)
    variables = sorted((folder / "variables").glob("variables.data-*"))[0]
    if damage.startswith("flip"):
        data = bytearray(variables.read_bytes())
        data[len(data) // 2] ^= 0xFF
        variables.write_bytes(bytes(data))
    else:
        (folder / "variables" / "variables.index").unlink()
    again = hub_lite0.ensure_module(FEATURES.kind, FEATURES.handle, cache)
    assert "is damaged" in capsys.readouterr().out and exports == [FEATURES.kind] * 2
    with hubs.hub_cache(cache):
        module = hub.load(FEATURES.handle)
    assert module(tf.zeros([1, 224, 224, 3])).shape == (1, FEATURES.output_width)
    assert hub_lite0.ensure_module(FEATURES.kind, FEATURES.handle, cache) == again and len(exports) == 2
