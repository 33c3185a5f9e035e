"""What the course derives itself (cached features, converted Lite0 weights) is written as
downloads are, readable by other accounts, and survives damage; bad arguments get errors that
name what is wrong (issue 31)."""

from __future__ import annotations

import os
import stat
import warnings
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

keras = pytest.importorskip("keras")

from helpers.assets.errors import SettingError  # noqa: E402
from helpers.assets.fetch import cache_dir, keras_home  # noqa: E402
from helpers.images import load_rgb_image  # noqa: E402
from helpers.models.transfer import folder_features  # noqa: E402


@pytest.fixture
def photos(tmp_path) -> Path:
    """A split of two class folders, four small photos each."""
    rng = np.random.default_rng(0)
    for name in ("cats", "dogs"):
        (tmp_path / "split" / name).mkdir(parents=True)
        for i in range(4):
            Image.fromarray(rng.integers(0, 255, (20, 20, 3), dtype=np.uint8)).save(tmp_path / "split" / name / f"{i}.png")
    return tmp_path / "split"


def pooled_model() -> keras.Model:
    keras.utils.set_random_seed(0)
    return keras.Sequential([keras.Input((16, 16, 3)), keras.layers.Conv2D(3, 3),
                             keras.layers.GlobalAveragePooling2D()])


def test_cached_features_are_readable_by_others_as_the_umask_allows(photos):
    old = os.umask(0o022)
    try:
        folder_features(pooled_model(), photos, (16, 16), "tiny")
    finally:
        os.umask(old)
    (cached,) = (cache_dir() / "features").glob("*.npz")
    assert stat.S_IMODE(cached.stat().st_mode) == 0o644


def test_damaged_cached_features_are_computed_again_with_a_line_saying_so(photos, capsys):
    model = pooled_model()
    first = folder_features(model, photos, (16, 16), "tiny")
    (cached,) = (cache_dir() / "features").glob("*.npz")
    data = bytearray(cached.read_bytes())
    cached.write_bytes(bytes(data[: len(data) // 2]))  # truncated
    again = folder_features(model, photos, (16, 16), "tiny")
    assert "are damaged" in capsys.readouterr().out and not again.cached
    np.testing.assert_allclose(again.features, first.features, atol=1e-5)
    assert folder_features(model, photos, (16, 16), "tiny").cached  # repaired in the cache


def test_features_that_cannot_be_kept_are_used_from_memory(photos, capsys):
    cache_dir().mkdir(parents=True)
    (cache_dir() / "features").write_text("a file where the features folder should be")
    result = folder_features(pooled_model(), photos, (16, 16), "tiny")
    assert result.features.shape == (8, 3)
    assert "used from memory this time" in capsys.readouterr().out


def test_the_converted_lite0_weights_are_readable_by_others():
    from helpers.models import efficientnet_lite

    old = os.umask(0o022)
    try:
        path = efficientnet_lite._cached_weights()
    finally:
        os.umask(old)
    for written in (path, path.with_name(path.name + ".sha256")):
        assert stat.S_IMODE(written.stat().st_mode) == 0o644, written


@pytest.mark.parametrize("variable, reader", [("COURSE_CACHE", cache_dir), ("KERAS_HOME", keras_home)])
def test_a_cache_setting_that_names_a_file_says_which_variable(tmp_path, monkeypatch, variable, reader):
    afile = tmp_path / "not-a-folder"
    afile.write_text("x")
    monkeypatch.setenv(variable, str(afile))
    with pytest.raises(SettingError, match=f"{variable}=.* is a file, not a folder"):
        reader()


@pytest.mark.parametrize("path, error, message", [
    ("https://example.org/cat.jpg", ValueError, "is a web address"),
    (".", ValueError, "is a folder, not an image file"),
    ("no/such/photo.jpg", FileNotFoundError, "there is no file"),
    (["a.jpg"], TypeError, "not a list"),
], ids=["url", "folder", "missing", "list"])
def test_a_photo_path_that_is_not_a_file_says_what_it_is(path, error, message):
    with pytest.raises(error, match=message):
        load_rgb_image(path)


@pytest.mark.parametrize("size", [224, (224,), (0, 0), (224.0, 224.0), "224"], ids=str)
def test_a_wrong_size_names_the_argument(photos, size):
    with pytest.raises(ValueError, match="size=.*give \\(height, width\\)"):
        load_rgb_image(photos / "cats" / "0.png", size=size)


def test_load_batch_wants_a_list_and_predict_warns_about_scaled_pixels(photos):
    from helpers.models.pretrained import SPECS, Pretrained

    model = keras.Sequential([keras.Input((8, 8, 3)), keras.layers.GlobalAveragePooling2D()])
    network = Pretrained("mobilenet_v2", "Tiny", model, (8, 8), SPECS["mobilenet_v2"].module.preprocess_input,
                         "test", False)
    with pytest.raises(TypeError, match="takes a list of paths"):
        network.load_batch(str(photos / "cats" / "0.png"))
    batch = network.load_batch([photos / "cats" / "0.png"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        network.predict(batch)  # uint8 0..255: no warning
    with pytest.warns(UserWarning, match="look scaled already"):
        network.predict(batch / 255.0)


def test_what_a_killed_save_left_is_removed_at_the_next_start(photos):
    """Features and converted weights are written in the cache's staging folders, removed once no
    process holds them; the temporary names of earlier versions are removed too."""
    from helpers.assets import storage
    from helpers.models import efficientnet_lite

    features = cache_dir() / "features"
    features.mkdir(parents=True)
    left = [features / "tmpab12cd34.npz.part", cache_dir() / ".lite0.ab12cd34.weights.h5",
            cache_dir() / ".lite0.ab12cd34.sha256"]
    for path in left:
        path.write_bytes(b"half-written")
    storage._cleaned.clear()  # once per process and folder: this test is a new start
    folder_features(pooled_model(), photos, (16, 16), "tiny")
    efficientnet_lite._cached_weights()
    assert not [p for p in left if p.exists()]
    assert not [p for p in features.iterdir() if p.suffix != ".npz"]


def test_editing_keras_copy_never_touches_the_verified_one(file_server, monkeypatch):
    """Issue 31: Keras's copy was a hard link of the cache's, so writing to it damaged both and
    the next fetch removed both; offline with no mirror the asset was then gone."""
    import dataclasses

    from helpers.assets import registry
    from helpers.assets.fetch import cached_path, fetch

    payload = b"class index" * 100
    asset = dataclasses.replace(file_server.asset("index.json", payload), name="index",
                                keras_path="models/index.json")
    monkeypatch.setitem(registry.ASSETS, "index", asset)
    monkeypatch.setenv("COURSE_OFFLINE", "0")
    fetch(asset)
    placed = keras_home() / "models" / "index.json"
    placed.write_bytes(b"edited by hand")
    assert cached_path(asset).read_bytes() == payload
    monkeypatch.setenv("COURSE_OFFLINE", "1")  # offline, no mirror: only the cache can repair it
    assert fetch(asset).read_bytes() == payload and placed.read_bytes() == payload


def test_verify_checks_what_the_course_derived_and_removes_damage(photos, capsys):
    from helpers import cli

    folder_features(pooled_model(), photos, (16, 16), "tiny")
    (cached,) = (cache_dir() / "features").glob("*.npz")
    assert cli.main(["verify"]) == 0
    assert f"features/{cached.name}" in capsys.readouterr().out
    cached.write_bytes(cached.read_bytes()[:100])
    assert cli.main(["verify"]) == 0  # removed: computed again when a lesson asks
    assert "DAMAGED" in capsys.readouterr().out and not cached.exists()


def test_decoded_cifar10_replaced_by_a_file_is_rebuilt_and_verify_says_so(capsys, monkeypatch, tmp_path):
    from conftest import REAL_MIRROR
    from helpers import cli
    from helpers.datasets import cifar10

    if not (REAL_MIRROR / "cifar10.npz").is_file():
        pytest.skip("needs the course mirror's cifar10.npz")
    monkeypatch.setenv("COURSE_MIRROR", str(REAL_MIRROR))
    cache_dir().mkdir(parents=True)
    cifar10.decoded_dir().write_text("not a folder")
    assert cli.main(["verify", ]) in (0, 1)  # other assets may be missing; this one is repaired
    out = capsys.readouterr().out
    assert "is a file, not the folder of decoded arrays" in out and "repaired" in out
    assert cifar10.decoded_dir().is_dir()


@pytest.mark.parametrize("where", ["file", "cache"])
def test_mirror_refuses_a_file_or_the_cache_before_creating_anything(tmp_path, capsys, where):
    from helpers import cli

    if where == "file":
        target = tmp_path / "a-file"
        target.write_text("x")
        message = "is a file: the mirror is a folder"
    else:
        target = cache_dir() / "mirror"
        message = "is the course cache"
    assert cli.main(["mirror", str(target), "--all"]) == 2
    assert message in capsys.readouterr().err
    assert where == "file" or not target.exists()


def test_mirror_offline_creates_no_folder_when_nothing_can_be_copied(tmp_path, capsys):
    from helpers import cli

    target = tmp_path / "classroom"
    assert cli.main(["mirror", str(target), "imagenet_class_index"]) == 1  # offline, nothing cached
    assert not target.exists()
