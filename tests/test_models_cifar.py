"""Lesson 01's saved model and its card, and the helpers' copy of the notebook's bigger CNN
(what ``benchmarks/lesson01_cpu.py`` trains)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from helpers.datasets import ImageDataset  # noqa: E402
from helpers.datasets.cifar10 import CLASS_NAMES  # noqa: E402
from helpers.models import cifar  # noqa: E402

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "01_cnn_basics_cifar10.ipynb"


def tiny_data(standin: bool, n: int = 40) -> ImageDataset:
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (n, 32, 32, 3), dtype=np.uint8)
    y = rng.integers(0, 10, n)
    return ImageDataset(x, y, x[:10], y[:10], CLASS_NAMES, source="stand-in" if standin else "CIFAR-10 (test)",
                        stands_in_for="CIFAR-10" if standin else None)


@pytest.fixture
def outputs(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_OUTPUTS", str(tmp_path / "outputs"))
    return tmp_path / "outputs"


def notebook_cell(start: str) -> str:
    """The source of lesson 01's code cell that starts with ``start``."""
    cells = json.loads(NOTEBOOK.read_text())["cells"]
    sources = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
    matches = [s for s in sources if s.startswith(start)]
    assert len(matches) == 1, f"lesson 01 has {len(matches)} code cells starting with {start!r}"
    return matches[0]


def test_the_helpers_copy_is_the_notebooks_bigger_cnn(capsys):
    """The benchmark measures the copy, so it must be the notebook's network, whitening included."""
    import tensorflow as tf
    from keras import layers

    images = np.random.default_rng(1).random((96, 32, 32, 3), dtype=np.float32)
    train_ds = tf.data.Dataset.from_tensor_slices((images, np.zeros(96))).batch(32)
    namespace = {"keras": keras, "layers": layers, "np": np, "num_classes": 10, "train_ds": train_ds}
    exec(notebook_cell("def conv_block("), namespace)
    exec(notebook_cell("# Under the hood (optional): how the whitening layer"), namespace)
    exec(notebook_cell("def build_bigger_cnn("), namespace)  # also prints its summary
    np.testing.assert_array_equal(namespace["whitening_images"], images)
    notebook = cifar.architecture(namespace["bigger"])
    copy = cifar.architecture(cifar.bigger_cnn(10, images))
    assert notebook == copy
    assert copy["parameters"] == 355_106 and copy["layers"].count("Conv2D") == 5
    for mine, theirs in zip(namespace["bigger"].get_layer("patch_whitening").get_weights(),
                            cifar.patch_whitening(images).get_weights()):
        np.testing.assert_allclose(mine, theirs, rtol=1e-6)
    # ...and the architecture hash tells other networks apart.
    assert cifar.architecture(cifar.bigger_cnn(widths=(48, 128), convs=(2, 1)))["sha256"] != copy["sha256"]
    assert cifar.architecture(cifar.bigger_cnn(dropout=0.3))["sha256"] != copy["sha256"]


def test_the_whitening_layer_whitens_and_stays_frozen():
    """Its 24 channels are uncorrelated with unit variance on the images it was computed from
    (12 filters and their negatives), and training does not move it."""
    rng = np.random.default_rng(0)
    smooth = rng.random((300, 8, 8, 3)).repeat(4, axis=1).repeat(4, axis=2)  # correlated neighbours
    images = (0.7 * smooth + 0.3 * rng.random((300, 32, 32, 3))).astype("float32")
    conv = cifar.patch_whitening(images)
    assert not conv.trainable and conv.count_params() == 2 * 2 * 3 * 24 + 24
    out = conv(images).numpy()[:, :31, :31]  # "same" padding adds a last row and column of zeros
    channels = out.reshape(-1, 24)
    np.testing.assert_allclose(np.cov(channels[:, :12], rowvar=False), np.eye(12), atol=0.05)
    np.testing.assert_allclose(channels[:, 12:], -channels[:, :12], atol=1e-5)
    raw = np.lib.stride_tricks.sliding_window_view(images, (2, 2), axis=(1, 2)).reshape(-1, 12)
    assert np.abs(np.corrcoef(raw, rowvar=False) - np.eye(12)).max() > 0.3  # the input was correlated
    # A training step inside the bigger CNN moves the other kernels but not the whitening layer.
    model = cifar.bigger_cnn(10, images)
    before = [w.copy() for w in model.get_layer("patch_whitening").get_weights()]
    dense_before = model.get_layer("features").kernel.numpy().copy()
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    model.train_on_batch(images[:32], keras.utils.to_categorical(rng.integers(0, 10, 32), 10))
    for old, new in zip(before, model.get_layer("patch_whitening").get_weights()):
        np.testing.assert_array_equal(old, new)
    assert not np.allclose(dense_before, model.get_layer("features").kernel.numpy())


def test_the_saved_model_reloads_and_its_card_says_what_it_is(outputs):
    for standin in (False, True):
        data = tiny_data(standin)
        model = cifar.bigger_cnn()
        path = cifar.save_trained(model, data, val_accuracy=0.5, profile="fast")
        assert path == outputs / "cifar10_bigger_cnn.keras"
        card = json.loads(path.with_suffix(".json").read_text())
        assert card["stands_in_for"] == ("CIFAR-10" if standin else None)
        assert card["data"] == data.source and card["train_images"] == 40 and card["validation_accuracy"] == 0.5
        assert card["profile"] == "fast" and card["class_names"] == list(CLASS_NAMES)
        assert card["architecture"] == cifar.architecture(model)
        np.testing.assert_allclose(keras.models.load_model(path).predict(data.x_test / 255.0, verbose=0),
                                   model.predict(data.x_test / 255.0, verbose=0), atol=1e-6)


def test_training_changes_the_weights_and_reports_each_epoch(capsys):
    data = tiny_data(standin=False, n=64)
    model = cifar.bigger_cnn()
    before = model.get_layer("features").kernel.numpy().copy()
    result = cifar.train_cifar_model(model, cifar.cifar_datasets(data, 16), epochs=2, verbose=0)
    assert len(result.epoch_seconds) == 2 and len(result.history["val_accuracy"]) == 2
    assert 0.0 <= result.test_accuracy <= 1.0
    assert not np.array_equal(model.get_layer("features").kernel.numpy(), before)
