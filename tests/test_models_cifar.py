"""Lesson 01's saved model: its card, when later lessons reuse it, and the helpers' copy of the
notebook's bigger CNN."""

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


def tiny_data(is_standin: bool, n: int = 40) -> ImageDataset:
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (n, 32, 32, 3), dtype=np.uint8)
    y = rng.integers(0, 10, n)
    return ImageDataset(x, y, x[:10], y[:10], CLASS_NAMES,
                        source="stand-in" if is_standin else "CIFAR-10 (test)", is_standin=is_standin)


@pytest.fixture
def outputs(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_OUTPUTS", str(tmp_path / "outputs"))
    monkeypatch.setenv("COURSE_PROFILE", "fast")
    return tmp_path / "outputs"


def notebook_cell(start: str) -> str:
    """The source of lesson 01's code cell that starts with ``start``."""
    cells = json.loads(NOTEBOOK.read_text())["cells"]
    sources = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
    matches = [s for s in sources if s.startswith(start)]
    assert len(matches) == 1, f"lesson 01 has {len(matches)} code cells starting with {start!r}"
    return matches[0]


def test_the_helpers_copy_is_the_notebooks_bigger_cnn(capsys):
    """Lessons 03 to 05 retrain from the copy when lesson 01 saved nothing: it must be the same network."""
    from keras import layers

    namespace = {"keras": keras, "layers": layers, "num_classes": 10}
    exec(notebook_cell("def conv_block("), namespace)
    exec(notebook_cell("bigger = keras.Sequential(["), namespace)  # also prints its summary
    notebook = cifar.architecture(namespace["bigger"])
    copy = cifar.architecture(cifar.bigger_cnn())
    assert notebook == copy
    assert copy["parameters"] == 355_442 and copy["layers"].count("Conv2D") == 5
    # ...and the architecture hash tells other networks apart.
    assert cifar.architecture(cifar.bigger_cnn(widths=(24, 48, 128), convs=(1, 2, 1)))["sha256"] != copy["sha256"]
    assert cifar.architecture(cifar.bigger_cnn(dropout=0.3))["sha256"] != copy["sha256"]


def test_the_models_feature_layer_and_base():
    bigger = cifar.bigger_cnn()
    assert bigger.layers[-1].output.shape == (None, 10)
    assert cifar.feature_extractor(bigger).output.shape == (None, 128)
    from helpers.models.transfer import cifar_base

    assert cifar_base(bigger).output.shape == (None, 4, 4, 96)


def test_saved_model_has_a_card_and_is_reused_for_the_same_kind_of_data(outputs, capsys):
    data = tiny_data(is_standin=False)
    model = cifar.bigger_cnn()
    path = cifar.save_trained(model, data, test_accuracy=0.5)
    assert path == outputs / "cifar10_bigger_cnn.keras"
    card = json.loads(path.with_suffix(".json").read_text())
    assert card["is_standin"] is False and card["train_images"] == 40 and card["test_accuracy"] == 0.5
    assert card["profile"] == "fast"
    assert card["architecture"] == cifar.architecture(model)

    loaded, card = cifar.load_or_train(data, epochs=1, batch_size=8)
    assert "Loaded lesson 01's model" in capsys.readouterr().out
    np.testing.assert_allclose(loaded.predict(data.x_test / 255.0, verbose=0),
                               model.predict(data.x_test / 255.0, verbose=0), atol=1e-6)


def retrained(data: ImageDataset, capsys) -> tuple[str, dict]:
    """load_or_train's message and the card it leaves."""
    _, card = cifar.load_or_train(data, epochs=1, batch_size=8)
    return capsys.readouterr().out, card


def test_a_standin_model_is_never_reused_for_real_data(outputs, capsys):
    cifar.save_trained(cifar.bigger_cnn(), tiny_data(is_standin=True), test_accuracy=0.9)
    real = tiny_data(is_standin=False)
    message, card = retrained(real, capsys)
    assert "trained on stand-in, not on CIFAR-10 (test)" in message and "Training" in message
    assert card["is_standin"] is False and card["data"] == "CIFAR-10 (test)"


def test_another_architecture_is_retrained_not_reused(outputs, capsys):
    data = tiny_data(is_standin=False)
    old = cifar.bigger_cnn(widths=(24, 48, 128), convs=(1, 2, 1))  # the course's earlier network
    cifar.save_trained(old, data, test_accuracy=0.8)
    message, card = retrained(data, capsys)
    assert "is not lesson 01's current bigger CNN" in message and "351602 parameters" in message
    assert card["architecture"] == cifar.architecture(cifar.bigger_cnn())
    assert keras.models.load_model(outputs / "cifar10_bigger_cnn.keras").count_params() == 355_442


def test_a_card_without_an_architecture_is_not_trusted(outputs, capsys):
    data = tiny_data(is_standin=False)
    path = cifar.save_trained(cifar.bigger_cnn(), data, test_accuracy=0.8)
    card = json.loads(path.with_suffix(".json").read_text())
    del card["architecture"]  # a card written before cards named the architecture
    path.with_suffix(".json").write_text(json.dumps(card))
    message, _ = retrained(data, capsys)
    assert "is not lesson 01's current bigger CNN" in message


def test_a_file_that_does_not_match_its_card_is_not_trusted(outputs, capsys):
    data = tiny_data(is_standin=False)
    path = cifar.save_trained(cifar.bigger_cnn(widths=(8, 8, 8)), data, test_accuracy=0.8)
    card = json.loads(path.with_suffix(".json").read_text())
    card["architecture"] = cifar.architecture(cifar.bigger_cnn())  # a card that lies
    path.with_suffix(".json").write_text(json.dumps(card))
    message, _ = retrained(data, capsys)
    assert "the saved file's architecture is not the one its card names" in message


def test_a_fast_profile_model_is_not_reused_in_the_full_profile(outputs, capsys, monkeypatch):
    data = tiny_data(is_standin=False)
    cifar.save_trained(cifar.bigger_cnn(), data, test_accuracy=0.5)  # saved in the fast profile
    monkeypatch.setenv("COURSE_PROFILE", "full")
    message, card = retrained(data, capsys)
    assert "trained in the fast profile; this is the full profile" in message
    assert card["profile"] == "full"
    monkeypatch.setenv("COURSE_PROFILE", "fast")  # a full-profile model serves the fast profile
    message, _ = retrained(data, capsys)
    assert "Loaded lesson 01's model" in message


def test_features_are_computed_in_batches_on_scaled_images():
    model = cifar.feature_extractor(cifar.bigger_cnn())
    images = tiny_data(False).x_train
    features = cifar.predict_features(model, images, batch_size=16)
    assert features.shape == (40, 128)
    np.testing.assert_allclose(features[:3], model.predict(images[:3] / 255.0, verbose=0), atol=1e-5)


def test_training_changes_the_weights_and_reports_each_epoch(capsys):
    data = tiny_data(is_standin=False, n=64)
    model = cifar.bigger_cnn()
    before = model.get_layer("features").kernel.numpy().copy()
    result = cifar.train_cifar_model(model, cifar.cifar_datasets(data, 16), epochs=2, verbose=0)
    assert len(result.epoch_seconds) == 2 and len(result.history["val_accuracy"]) == 2
    assert 0.0 <= result.test_accuracy <= 1.0
    assert not np.array_equal(model.get_layer("features").kernel.numpy(), before)
