"""EfficientNet-Lite0 from its PyPI wheel: read safely, converted right, cached, and really ImageNet."""

from __future__ import annotations

import io
import os
import pickle
import shutil
from pathlib import Path

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from helpers.assets.fetch import ChecksumMismatchError  # noqa: E402
from helpers.assets.torch_pickle import UnsafePickleError, read_state_dict  # noqa: E402
from helpers.images import load_rgb_image  # noqa: E402
from helpers.models import efficientnet_lite as lite  # noqa: E402
from helpers.models.imagenet_classes import (CAT_INDICES, COFFEE_CLASSES, DOG_INDICES,  # noqa: E402
                                             decode_predictions)
from helpers.datasets.photos import photo_path  # noqa: E402


def legacy_file(state) -> bytes:
    """A legacy-format .pth holding ``state`` as its state dict (no storages)."""
    buffer = io.BytesIO()
    for part in (0x1950A86A20F9469CFC6C, 1001, {"little_endian": True}, state, []):
        pickle.dump(part, buffer, protocol=2)
    return buffer.getvalue()


class RunsACommand:
    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return os.system, (f"touch {self.marker}",)


def test_a_pickle_that_would_run_a_command_is_refused_without_running(tmp_path):
    marker = tmp_path / "ran"
    evil = tmp_path / "evil.pth"
    evil.write_bytes(legacy_file({"weight": RunsACommand(marker)}))
    with pytest.raises(UnsafePickleError, match=r"refused (posix|os)\.system"):
        read_state_dict(evil)
    assert not marker.exists()


def test_the_wheels_state_dict_is_read_without_pytorch(class_index):
    state = read_state_dict(lite.state_dict_path())
    assert len(state) == 296
    assert state["_conv_stem.weight"].shape == (32, 3, 3, 3)
    assert state["_blocks.1._depthwise_conv.weight"].shape == (96, 1, 3, 3)
    assert state["_fc.weight"].shape == (1000, 1280) and state["_fc.weight"].dtype == np.float32


def test_a_copy_that_fails_the_pinned_hash_is_refused(tmp_path, monkeypatch):
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    damaged = bytearray(lite.state_dict_path().read_bytes())
    damaged[1000] ^= 0xFF
    (mirror / "efficientnet-lite0-57934424.pth").write_bytes(bytes(damaged))
    monkeypatch.setenv("COURSE_MIRROR", str(mirror))
    monkeypatch.setattr(lite, "_wheel_installed", lambda: False)
    with pytest.raises(ChecksumMismatchError):
        lite.state_dict_path()


@pytest.fixture(scope="module")
def model():
    return lite.EfficientNetLite0()


def photos(*names: str) -> np.ndarray:
    return np.stack([load_rgb_image(photo_path(n), size=(224, 224), convert=True) for n in names]).astype("float32")


def test_it_knows_a_cat_and_a_coffee(model, class_index):
    top5 = decode_predictions(model.predict(photos("cat", "coffee"), verbose=0), top=5)
    assert class_index.index(top5[0][0][:2]) in CAT_INDICES
    assert COFFEE_CLASSES & {name for _, name, _ in top5[1]}


def _same_padding(x: np.ndarray, kernel: int, stride: int) -> np.ndarray:
    """TensorFlow's 'same' padding: the extra row and column go at the bottom and right."""
    pads = []
    for size in x.shape[:2]:
        total = max((-(-size // stride) - 1) * stride + kernel - size, 0)
        pads.append((total // 2, total - total // 2))
    return np.pad(x, pads + [(0, 0)])


def _conv(x, w, stride):  # x (H, W, C), w PyTorch (O, I, k, k)
    k = w.shape[-1]
    x = _same_padding(x, k, stride)
    out_h, out_w = (x.shape[0] - k) // stride + 1, (x.shape[1] - k) // stride + 1
    patches = np.stack([x[i:i + stride * out_h:stride, j:j + stride * out_w:stride] for i in range(k) for j in range(k)], -1)
    return np.einsum("hwcp,ocp->hwo", patches, w.reshape(w.shape[0], w.shape[1], k * k))


def _depthwise(x, w, stride):  # w PyTorch (C, 1, k, k)
    k = w.shape[-1]
    x = _same_padding(x, k, stride)
    out_h, out_w = (x.shape[0] - k) // stride + 1, (x.shape[1] - k) // stride + 1
    patches = np.stack([x[i:i + stride * out_h:stride, j:j + stride * out_w:stride] for i in range(k) for j in range(k)], -1)
    return np.einsum("hwcp,cp->hwc", patches, w.reshape(w.shape[0], k * k))


def _bn(x, state, prefix):
    g, b, m, v = (state[f"{prefix}.{k}"] for k in ("weight", "bias", "running_mean", "running_var"))
    return (x - m) / np.sqrt(v + 1e-3) * g + b


def test_the_stem_and_first_block_equal_a_plain_numpy_forward_pass(model):
    """Catches a wrong transpose, padding side or batch-norm epsilon in the conversion."""
    state = {k: v.astype("float64") for k, v in read_state_dict(lite.state_dict_path()).items()}
    image = photos("cat")[0].astype("float64")
    x = (image - 127) / 128
    x = np.clip(_bn(_conv(x, state["_conv_stem.weight"], 2), state, "_bn0"), 0, 6)
    x = np.clip(_bn(_depthwise(x, state["_blocks.0._depthwise_conv.weight"], 1), state, "_blocks.0._bn1"), 0, 6)
    x = _bn(_conv(x, state["_blocks.0._project_conv.weight"], 1), state, "_blocks.0._bn2")
    first_block = keras.Model(model.input, model.get_layer("block1a_project_bn").output)
    keras_out = first_block.predict(photos("cat"), verbose=0)[0]
    assert keras_out.shape == x.shape == (112, 112, 16)
    np.testing.assert_allclose(keras_out, x, atol=2e-3 * np.abs(x).max())


def test_converted_weights_are_cached_and_a_damaged_copy_is_rebuilt(model):
    lite.EfficientNetLite0(weights="imagenet")  # converts into this test's own empty cache
    path = lite.converted_weights_path()
    assert path.is_file() and path.with_name(path.name + ".sha256").is_file()
    good = path.read_bytes()
    path.write_bytes(good[:-100] + b"\0" * 100)
    again = lite.EfficientNetLite0()
    assert path.read_bytes() != good[:-100] + b"\0" * 100
    image = photos("coffee")
    np.testing.assert_allclose(again.predict(image, verbose=0), model.predict(image, verbose=0), atol=1e-6)


def test_headless_variants_take_other_sizes_and_give_features():
    base = lite.EfficientNetLite0(include_top=False, pooling="avg", input_shape=(160, 160, 3))
    assert base.output_shape == (None, 1280)
    with pytest.raises(ValueError, match="include_top=False"):
        lite.EfficientNetLite0(input_shape=(160, 160, 3))


def zero_shot_cats_vs_dogs(network, images, labels) -> float:
    """Dog classes (151-268) against cat classes (281-285) of the ImageNet probabilities."""
    p = network.predict(images, batch_size=50, verbose=0)
    dog = p[:, DOG_INDICES].sum(1) > p[:, CAT_INDICES].sum(1)
    return float(np.mean(dog.astype(int) == labels))


@pytest.fixture(scope="module")
def validation_photos(tmp_path_factory):
    """200 of the mirror's cats vs dogs validation photos (100 each), 224x224, labels cat=0, dog=1."""
    from conftest import REAL_MIRROR

    mp = pytest.MonkeyPatch()
    mp.setenv("COURSE_MIRROR", str(REAL_MIRROR))
    mp.setenv("COURSE_CACHE", str(tmp_path_factory.mktemp("cache")))
    try:
        from helpers.datasets.folders import cats_and_dogs

        folder = cats_and_dogs().eval_dir
        paths = [p for c in ("cats", "dogs") for p in sorted((folder / c).glob("*.jpg"))[:100]]
        images = np.stack([load_rgb_image(p, size=(224, 224), convert=True) for p in paths]).astype("float32")
    finally:
        mp.undo()
    return images, np.repeat([0, 1], 100)


def test_zero_shot_cats_vs_dogs_is_real_and_an_untrained_network_is_not(model, validation_photos, class_index):
    images, labels = validation_photos
    assert zero_shot_cats_vs_dogs(model, images, labels) >= 0.88
    keras.utils.set_random_seed(0)
    assert zero_shot_cats_vs_dogs(lite.EfficientNetLite0(weights=None), images, labels) < 0.7
