"""Lesson 06's hub helpers: placement where hub.load looks (network off), the asset path of a real
module, the stand-in's interface, the Keras 3 wrapper, and the full profile's clear error."""

from __future__ import annotations

import socket
import tarfile
import urllib.request
from pathlib import Path

import keras
import numpy as np
import pytest
import tensorflow as tf
import tensorflow_hub as hub
from tensorflow_hub import compressed_module_resolver

from helpers.assets.content import ContentMismatchError
from helpers.assets.fetch import AssetUnavailableError
from helpers.assets.registry import Kind, get_asset
from helpers.models import hub as hubs
from helpers.models import hub_standin

CLASSIFIER = hubs.SPECS["efficientnet_b0_classification"]
FEATURES = hubs.SPECS["efficientnet_b0_feature_vector"]


@pytest.fixture(autouse=True)
def no_hub_cache_env(monkeypatch):
    monkeypatch.delenv("TFHUB_CACHE_DIR", raising=False)


@pytest.fixture
def network_off(monkeypatch):
    """Any attempt to open a connection fails the test."""
    def refuse(*args, **kwargs):
        raise AssertionError(f"network access attempted: {args[:2]}")
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(urllib.request, "urlopen", refuse)


def tiny_base() -> keras.Model:
    """A stand-in for lesson 01's base with the same interface: 32x32x3 -> 4x4x128."""
    keras.utils.set_random_seed(0)
    inputs = keras.Input((32, 32, 3))
    x = keras.layers.Conv2D(8, 3, padding="same", activation="relu")(inputs)
    x = keras.layers.BatchNormalization()(x)
    x = keras.layers.Conv2D(128, 8, strides=8, activation="relu")(x)
    return keras.Model(inputs, x, name="tiny_base")


def build_standin(spec, cache: Path) -> Path:
    return hub_standin.ensure_standin(spec, cache, base=tiny_base(), base_label="a tiny random CNN")


def test_the_cache_folder_is_named_as_tensorflow_hub_names_it(tmp_path, monkeypatch):
    monkeypatch.setenv("TFHUB_CACHE_DIR", str(tmp_path))
    for spec in (CLASSIFIER, FEATURES):
        assert Path(compressed_module_resolver._module_dir(spec.handle)) == tmp_path / hubs.module_dir_name(spec.handle)
    assert hubs.module_dir_name(CLASSIFIER.handle) != hubs.module_dir_name(CLASSIFIER.handle + "/")


def test_a_placed_standin_resolves_with_hub_load_and_the_network_off(tmp_path, monkeypatch, network_off):
    cache = tmp_path / "tfhub"
    for spec in (CLASSIFIER, FEATURES):
        folder = build_standin(spec, cache)
        assert folder == cache / hubs.module_dir_name(spec.handle)
        assert (cache / f"{folder.name}.descriptor.txt").read_text().startswith(f"Module: {spec.handle}")
        assert "STAND-IN" in hub_standin.describe(folder)
    monkeypatch.setenv("TFHUB_CACHE_DIR", str(cache))
    images = tf.random.uniform([2, 224, 224, 3])
    for spec in (CLASSIFIER, FEATURES):
        assert Path(hub.resolve(spec.handle)) == cache / hubs.module_dir_name(spec.handle)
        module = hub.load(spec.handle)  # the real loader, from the cache
        for training in (False, True):
            assert module(images, training=training).shape == (2, spec.output_width)
        assert module.signatures["serving_default"](images=images)
        assert module.variables and module.trainable_variables and list(module.regularization_losses) == []


def test_standin_features_are_the_pooled_views_of_the_base(tmp_path, monkeypatch):
    base = tiny_base()
    folder = hub_standin.ensure_standin(FEATURES, tmp_path, base=base, base_label="tiny")
    module = tf.saved_model.load(str(folder))
    images = tf.random.uniform([1, 224, 224, 3])
    whole = base(tf.image.resize(images, (32, 32), method="area"), training=False)
    features = module(images).numpy()
    np.testing.assert_allclose(features[0, :128], tf.reduce_mean(whole, [1, 2])[0], rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(features[0, 128:256], tf.reduce_max(whole, [1, 2])[0], rtol=1e-4, atol=1e-5)


def _module_archive(tmp_path: Path, name: str, prefix: str = "./") -> Path:
    """A real-looking compressed hub module: a TF2 SavedModel, tar.gz'd (at ``prefix``)."""
    folder = hub_standin.build_standin(FEATURES, tmp_path / "built", tiny_base(), "fake real module")
    (folder / hub_standin.STANDIN_FILE).unlink()
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    archive = mirror / name
    with tarfile.open(archive, "w:gz") as tar:
        for path in sorted(folder.rglob("*")):
            tar.add(path, arcname=prefix + path.relative_to(folder).as_posix(), recursive=False)
    return mirror


@pytest.mark.parametrize("prefix", ["./", "efficientnet_b0_feature-vector_1/"], ids=["top", "wrapped"])
def test_a_real_module_comes_through_the_asset_layer_into_the_hub_cache(tmp_path, monkeypatch, capsys,
                                                                         network_off, prefix):
    asset = get_asset(FEATURES.asset)
    assert asset.kind is Kind.HUB_MODULE and asset.hash is None  # nobody publishes one: not invented
    assert asset.url == f"{FEATURES.handle}?tf-hub-format=compressed"
    monkeypatch.setenv("COURSE_MIRROR", str(_module_archive(tmp_path, asset.filename, prefix)))
    monkeypatch.setenv("COURSE_PROFILE", "full")
    module = hubs.load_module("efficientnet_b0_feature_vector")
    out = capsys.readouterr().out
    assert "sha256" in out and "a SavedModel" in out and "STAND-IN" not in out
    assert module.real and module.folder == hubs.tfhub_cache_dir() / hubs.module_dir_name(FEATURES.handle)
    assert hub_standin.describe(module.folder) is None and (module.folder / "saved_model.pb").is_file()
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
        hubs.fetch_module("efficientnet_b0_classification")
    assert hubs.cached_module(CLASSIFIER.handle, hubs.tfhub_cache_dir()) is None


def test_the_full_profile_without_the_module_fails_with_the_asset_error(monkeypatch):
    monkeypatch.setenv("COURSE_PROFILE", "full")
    with pytest.raises(AssetUnavailableError) as error:
        hubs.load_module("efficientnet_b0_classification")
    message = str(error.value)
    assert "efficientnet_b0_classification_1.tar.gz" in message and "Two ways out" in message
    assert "tf-hub-format=compressed" in message


def test_the_fast_profile_uses_the_standin_loudly(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("COURSE_PROFILE", "fast")
    monkeypatch.setattr(hub_standin, "lesson01_base", lambda: (tiny_base(), "tiny"))
    module = hubs.load_module("efficientnet_b0_classification")
    assert not module.real and "STAND-IN" in module.label
    assert "STAND-IN HUB MODULE" in capsys.readouterr().out
    assert module.folder.parent == hubs.standin_cache_dir() != hubs.tfhub_cache_dir()  # never shadows a real one


@pytest.fixture
def feature_module(tmp_path) -> hubs.HubModule:
    cache = tmp_path / "tfhub"
    build_standin(FEATURES, cache)
    with hubs.hub_cache(cache):
        loaded = hub.load(FEATURES.handle)
    return hubs.HubModule("efficientnet_b0_feature_vector", FEATURES.title, FEATURES.handle, loaded,
                          False, "test", hubs.cached_module(FEATURES.handle, cache), 1280, (224, 224))


def test_the_wrapper_works_in_sequential_and_functional_models_frozen(feature_module):
    sequential = keras.Sequential([keras.Input((224, 224, 3)), feature_module.layer(),
                                   keras.layers.Dense(1, activation="sigmoid")])
    assert sequential.output_shape == (None, 1)
    assert [tuple(w.shape) for w in sequential.trainable_weights] == [(1280, 1), (1,)]
    inputs = keras.Input((224, 224, 3))
    functional = keras.Model(inputs, keras.layers.Dense(2)(feature_module.layer(name="fv")(inputs)))
    images = np.random.default_rng(0).random((3, 224, 224, 3), dtype=np.float32)
    assert functional.predict(images, verbose=0).shape == (3, 2)
    before = feature_module.module(images).numpy()
    sequential.compile("adam", "binary_crossentropy")
    sequential.fit(images, np.array([0, 1, 0]), epochs=1, verbose=0)
    np.testing.assert_array_equal(feature_module.module(images).numpy(), before)  # frozen: unchanged


def test_the_wrapper_fine_tunes_the_modules_own_variables(feature_module):
    layer = hubs.HubLayer(feature_module, trainable=True)
    inputs = keras.Input((224, 224, 3))
    model = keras.Model(inputs, keras.layers.Dense(1, activation="sigmoid")(layer(inputs)))
    owned = len(feature_module.module.trainable_variables)
    assert len(model.trainable_weights) == owned + 2
    images = np.random.default_rng(0).random((2, 224, 224, 3), dtype=np.float32)
    before = feature_module.module(images).numpy()
    model.compile(keras.optimizers.SGD(0.1), "binary_crossentropy")
    model.fit(images, np.array([0, 1]), epochs=1, verbose=0)
    assert not np.allclose(feature_module.module(images).numpy(), before)  # the module itself changed
    layer.trainable = False
    assert len(model.trainable_weights) == 2


def test_a_module_without_trainable_variables_cannot_be_trainable(tmp_path):
    module = tf.Module()
    module.__call__ = tf.function(lambda images: tf.reduce_mean(images, [1, 2]),
                                  input_signature=[tf.TensorSpec([None, 224, 224, 3])])
    tf.saved_model.save(module, str(tmp_path / "m"))
    loaded = tf.saved_model.load(str(tmp_path / "m"))
    wrapped = hubs.HubModule("x", "X", "h", loaded, True, "test", tmp_path / "m", 3, (224, 224))
    assert hubs.HubLayer(wrapped)(np.zeros((1, 224, 224, 3), "float32")).shape == (1, 3)
    with pytest.raises(ValueError, match="no trainable variables"):
        hubs.HubLayer(wrapped, trainable=True)


def test_saving_a_model_with_the_wrapper_says_what_to_do(feature_module, tmp_path):
    model = keras.Sequential([keras.Input((224, 224, 3)), feature_module.layer()])
    with pytest.raises(NotImplementedError, match="head.save"):
        model.save(tmp_path / "model.keras")


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
