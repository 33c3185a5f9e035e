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
