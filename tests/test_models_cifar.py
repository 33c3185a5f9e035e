"""Lesson 01's models: the saved model and its card, and how later lessons reuse it."""

from __future__ import annotations

import json

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from helpers.datasets import ImageDataset  # noqa: E402
from helpers.datasets.cifar10 import CLASS_NAMES  # noqa: E402
from helpers.models import cifar  # noqa: E402


def tiny_data(is_standin: bool, n: int = 40) -> ImageDataset:
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (n, 32, 32, 3), dtype=np.uint8)
    y = rng.integers(0, 10, n)
    return ImageDataset(x, y, x[:10], y[:10], CLASS_NAMES,
                        source="stand-in" if is_standin else "CIFAR-10 (test)", is_standin=is_standin)


@pytest.fixture
def outputs(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_OUTPUTS", str(tmp_path / "outputs"))
    return tmp_path / "outputs"


def test_models_have_the_lessons_shapes():
    assert cifar.small_cnn().count_params() == 181_334  # the number lesson 01's text explains
    bigger = cifar.bigger_cnn()
    assert bigger.layers[-1].output.shape == (None, 10)
    assert cifar.feature_extractor(bigger).output.shape == (None, 128)


def test_saved_model_has_a_card_and_is_reused_for_the_same_kind_of_data(outputs, capsys):
    data = tiny_data(is_standin=False)
    model = cifar.bigger_cnn()
    path = cifar.save_trained(model, data, test_accuracy=0.5)
    assert path == outputs / "cifar10_bigger_cnn.keras"
    card = json.loads(path.with_suffix(".json").read_text())
    assert card["is_standin"] is False and card["train_images"] == 40 and card["test_accuracy"] == 0.5

    loaded, card = cifar.load_or_train(data, epochs=1, batch_size=8)
    assert "Loaded lesson 01's model" in capsys.readouterr().out
    np.testing.assert_allclose(loaded.predict(data.x_test / 255.0, verbose=0),
                               model.predict(data.x_test / 255.0, verbose=0), atol=1e-6)


def test_a_standin_model_is_never_reused_for_real_data(outputs, capsys):
    cifar.save_trained(cifar.bigger_cnn(), tiny_data(is_standin=True), test_accuracy=0.9)
    real = tiny_data(is_standin=False)
    _, card = cifar.load_or_train(real, epochs=1, batch_size=8)
    assert "training one now" in capsys.readouterr().out
    assert card["is_standin"] is False and card["data"] == "CIFAR-10 (test)"


def test_features_are_computed_in_batches_on_scaled_images():
    model = cifar.feature_extractor(cifar.bigger_cnn())
    images = tiny_data(False).x_train
    features = cifar.predict_features(model, images, batch_size=16)
    assert features.shape == (40, 128)
    np.testing.assert_allclose(features[:3], model.predict(images[:3] / 255.0, verbose=0), atol=1e-5)


def test_the_bigger_cnns_base_ends_in_4x4x128_maps():
    """Lessons 04 to 06 build on it; lesson 06's hub stand-in needs 5 views x 2 poolings x 128 = 1,280."""
    from helpers.models.transfer import cifar_base

    assert cifar_base(cifar.bigger_cnn()).output.shape == (None, 4, 4, 128)
