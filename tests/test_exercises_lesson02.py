"""Lesson 02's exercise checks accept right answers and reject wrong ones with a specific message."""

from __future__ import annotations

import dataclasses

import pytest

keras = pytest.importorskip("keras")

from helpers.exercises import lesson02 as exercises  # noqa: E402
from helpers.models.pretrained import SPECS, Pretrained, photo_path  # noqa: E402


@pytest.fixture
def tiny(class_index) -> Pretrained:
    """A small 1,000-class model with MobileNetV2's preprocessing, at 32x32."""
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((32, 32, 3)), keras.layers.Conv2D(8, 3, activation="relu"),
                              keras.layers.GlobalAveragePooling2D(),
                              keras.layers.Dense(1000, activation="softmax")])
    return Pretrained("mobilenet_v2", "Tiny", model, (32, 32), SPECS["mobilenet_v2"].module.preprocess_input,
                      real_weights=False, weights="test", include_top=True)


def test_readable_prediction_check(tiny):
    path = photo_path("coffee")

    def right(p):
        probabilities = tiny.model.predict(tiny.preprocess_input(tiny.load_batch([p]).astype("float32")), verbose=0)
        _, label, probability = tiny.decode_predictions(probabilities, top=1)[0][0]
        return label, float(probability)

    assert exercises.check_readable_prediction(right, tiny, path)
    assert not exercises.check_readable_prediction(None, tiny, path)
    assert not exercises.check_readable_prediction(lambda p: "class_1 (50%)", tiny, path)
    label, probability = right(path)
    assert not exercises.check_readable_prediction(lambda p: (label, probability * 100), tiny, path)
    assert not exercises.check_readable_prediction(lambda p: ("class_999999", probability), tiny, path)


def test_readable_prediction_names_a_missing_preprocessing(tiny, capsys):
    def raw_pixels(p):
        probabilities = tiny.model.predict(tiny.load_batch([p]).astype("float32"), verbose=0)
        _, label, probability = tiny.decode_predictions(probabilities, top=1)[0][0]
        return label, float(probability)

    assert not exercises.check_readable_prediction(raw_pixels, tiny, photo_path("cat"))
    assert "preprocess_input" in capsys.readouterr().out


@pytest.mark.parametrize("name,mode", [("vgg16", "caffe"), ("resnet50", "caffe"), ("inception_v3", "tf"),
                                       ("mobilenet_v2", "tf"), ("efficientnet_b0", "none"),
                                       ("nasnet_mobile", "tf")])
def test_preprocessing_modes_are_measured(name, mode):
    assert exercises.preprocessing_mode(SPECS[name].module.preprocess_input) == mode


def test_preprocessing_modes_check(capsys):
    names = ["vgg16", "inception_v3", "efficientnet_b0"]
    assert exercises.check_preprocessing_modes({"vgg16": "caffe", "inception_v3": "tf", "efficientnet_b0": "none"}, names)
    assert not exercises.check_preprocessing_modes(None, names)
    assert not exercises.check_preprocessing_modes({"vgg16": "caffe"}, names)
    capsys.readouterr()
    assert not exercises.check_preprocessing_modes({"vgg16": "tf", "inception_v3": "tf", "efficientnet_b0": "none"}, names)
    assert "'vgg16' is not 'tf'" in capsys.readouterr().out


def test_fourth_model_check(tiny):
    path = photo_path("cat")
    top1 = tiny.decode_predictions(tiny.predict(tiny.load_batch([path])), top=1)[0][0][1]
    assert exercises.check_fourth_model(top1, tiny, path)
    assert not exercises.check_fourth_model("tabby" if top1 != "tabby" else "x", tiny, path)
    assert not exercises.check_fourth_model(top1, None, path)
    assert not exercises.check_fourth_model(top1, dataclasses.replace(tiny, name="resnet50"), path)
