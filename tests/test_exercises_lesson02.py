"""Lesson 02's exercises accept right answers, name the mistake in wrong ones (above all a photo fed
with the wrong preprocessing), and their worked solutions pass their own checks."""

from __future__ import annotations

import dataclasses

import numpy as np

import pytest

keras = pytest.importorskip("keras")

from helpers.exercises import lesson02 as exercises  # noqa: E402
from helpers.exercises.core import NotYet  # noqa: E402
from helpers.datasets.photos import photo_path  # noqa: E402
from helpers.models.pretrained import SPECS, Pretrained  # noqa: E402

FIVE = ["vgg16", "resnet50", "inception_v3", "mobilenet_v2", "efficientnet_b0"]
RIGHT_MODES = {"vgg16": "caffe", "resnet50": "caffe", "inception_v3": "tf", "mobilenet_v2": "tf",
               "efficientnet_b0": "none"}


@pytest.fixture
def tiny(class_index) -> Pretrained:
    """A small 1,000-class model with MobileNetV2's preprocessing ('tf'), at 32x32."""
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((32, 32, 3)), keras.layers.Conv2D(8, 3, activation="relu"),
                              keras.layers.GlobalAveragePooling2D(),
                              keras.layers.Dense(1000, activation="softmax")])
    return Pretrained("mobilenet_v2", "Tiny", model, (32, 32), SPECS["mobilenet_v2"].module.preprocess_input,
                      weights="test: random weights, to exercise the checks only", include_top=True)


def prediction(model: Pretrained, path, prepare=None, top: int = 1) -> list[tuple[str, str, float]]:
    """``model``'s best classes for the photo, prepared by ``prepare`` (default: its own preprocessing)."""
    batch = model.load_batch([path]).astype("float32")
    x = (prepare or model.preprocess_input)(batch)
    return model.decode_predictions(model.model.predict(x, verbose=0), top=top)[0]


@pytest.mark.parametrize("name,mode", [("vgg16", "caffe"), ("resnet50", "caffe"), ("inception_v3", "tf"),
                                       ("mobilenet_v2", "tf"), ("efficientnet_b0", "none"),
                                       ("nasnet_mobile", "tf")])
def test_preprocessing_modes_are_measured(name, mode):
    assert exercises.preprocessing_mode(SPECS[name].module.preprocess_input) == mode


def test_preprocessing_modes_check():
    assert exercises.preprocessing_modes.check(RIGHT_MODES, FIVE)
    assert exercises.preprocessing_modes.check({k: f" {v.upper()}" for k, v in RIGHT_MODES.items()}, FIVE)
    for answer, message in [
        ({**RIGHT_MODES, "vgg16": "tf"}, r"1 of 5 not right: vgg16 is not 'tf' \(scaled to -1..1\): its "
                                         r"preprocess_input turns black into \[-103.9"),
        ({**RIGHT_MODES, "resnet50": "torch", "efficientnet_b0": "tf"}, "2 of 5 not right: resnet50 .*; efficientnet_b0"),
        ({**RIGHT_MODES, "inception_v3": "-1..1"}, "'-1..1' \\(for inception_v3\\) is not a kind of preprocessing"),
        ({"vgg16": "caffe", "resnet": "caffe"}, "missing: resnet50, inception_v3.*not among them: resnet"),
        ("caffe", "give a dict"),
    ]:
        with pytest.raises(NotYet, match=message):
            exercises.preprocessing_modes.check(answer, FIVE)
    with pytest.raises(NotYet, match="not answered yet"):
        exercises.preprocessing_modes.check(None, FIVE)


def test_readable_prediction_check_names_the_mistake(tiny):
    path = photo_path("coffee")
    (wnid, label, probability), = prediction(tiny, path)

    assert exercises.readable_prediction.check(lambda p: tuple(prediction(tiny, p)[0][1:]), tiny, path)
    for answer, message in [
        (lambda p: f"{label} ({probability:.0%})", "must return a tuple"),
        (lambda p: (label, probability * 100), "is a percentage"),
        (lambda p: (label, probability / 2), "the class is right but"),
        (lambda p: (probability, label), "swapped"),
        (lambda p: (label, f"{probability:.1%}"), "is text"),
        (lambda p: (wnid, probability), "is the WordNet id"),
        (lambda p: ("class_999999", probability), "is not Tiny's top-1 for coffee.png"),
        ("tabby", "define a function"),
        (lambda p: (label, probability), "does your function use its `path` argument"),  # hard-coded
    ]:
        with pytest.raises(NotYet, match=message):
            exercises.readable_prediction.check(answer, tiny, path)
    with pytest.raises(NotYet, match="not answered yet"):
        exercises.readable_prediction.check(None, tiny, path)


@pytest.mark.parametrize("prepare, message", [
    (lambda x: x, "you fed raw 0..255 pixels: apply Tiny's own preprocess_input"),
    (lambda x: keras.applications.vgg16.preprocess_input(x), "another model's preprocessing \\('caffe'"),
])
def test_readable_prediction_names_a_wrong_preprocessing(tiny, prepare, message):
    path = photo_path("cat")
    with pytest.raises(NotYet, match=message):
        exercises.readable_prediction.check(lambda p: tuple(prediction(tiny, p, prepare)[0][1:]), tiny, path)


def test_fourth_model_check_names_the_mistake(tiny):
    path = photo_path("cat")
    top5 = prediction(tiny, path, top=5)
    raw = prediction(tiny, path, prepare=lambda x: x)[0][1]
    assert raw not in {label for _, label, _ in top5}  # else the raw-pixel mistake could not be told apart

    assert exercises.fourth_model.check(top5[0][1], tiny, path)
    for answer, model, message in [
        (top5[1][1], tiny, "is number 2 of Tiny's top 5, not its top-1"),
        (raw, tiny, "you fed raw 0..255 pixels"),
        ("class_999999", tiny, "is not Tiny's top-1 class name"),
        (top5[0], tiny, "more than a class name"),
        (top5[0][0], tiny, "is the WordNet id"),
        (top5[0][1], None, "fourth is None"),
        (top5[0][1], tiny.model, "build it with pretrained"),
        (top5[0][1], dataclasses.replace(tiny, name="resnet50"), "one of the three models above"),
        (top5[0][1], dataclasses.replace(tiny, include_top=False), "without its classifier"),
    ]:
        with pytest.raises(NotYet, match=message):
            exercises.fourth_model.check(answer, model, path)
    with pytest.raises(NotYet, match="not answered yet"):
        exercises.fourth_model.check(None, tiny, path)


def test_worked_solutions_pass_their_checks(tiny, capsys):
    assert exercises.preprocessing_modes.check(exercises.preprocessing_modes.solution(), FIVE)
    for exercise, context in [(exercises.readable_prediction, (tiny, photo_path("coffee"))),
                              (exercises.fourth_model, (tiny, photo_path("cat")))]:
        assert exercise.check(exercise.solution(*context), *context)
        exercise.hint()
    shown = capsys.readouterr().out
    assert "def readable_prediction(path):" in shown and "Hint (Exercise 3" in shown


def test_readable_prediction_is_judged_with_the_keras_model_the_lesson_built(class_index):
    """The check takes section 3's Keras model itself (no name a later cell can rebind), with the
    network's own input size and preprocessing, and compares with that model, not another."""
    from helpers.models.pretrained import of_model

    keras.utils.set_random_seed(0)
    model = keras.applications.MobileNetV2(weights=None)  # named as the constructor names it
    network = of_model(model)
    assert (network.name, network.input_size, network.model) == ("mobilenet_v2", (224, 224), model)
    path = photo_path("coffee")

    def right(p):
        return tuple(prediction(network, p)[0][1:])

    assert exercises.readable_prediction.check(right, model, path)
    other = keras.applications.MobileNetV2(weights=None)  # another network: sure of class 5
    kernel, bias = other.get_layer("predictions").get_weights()
    other.get_layer("predictions").set_weights([kernel, bias + 10 * (np.arange(1000) == 5)])
    with pytest.raises(NotYet, match="Exercise 2"):  # another network's answer is refused
        exercises.readable_prediction.check(lambda p: tuple(prediction(of_model(other), p)[0][1:]), model, path)
    with pytest.raises(ValueError, match="not one of the course's ImageNet networks"):
        of_model(keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)], name="mine"))
