"""Lesson 06: right answers pass, wrong ones are rejected with the specific mistake, the worked
solutions pass their own checks, and the quiz explains every option."""

from __future__ import annotations


import numpy as np
import pytest

from helpers.exercises import lesson06 as ex
from helpers.exercises.core import NotYet


def test_input_scaling_accepts_pixels_over_255():
    assert ex.input_scaling.check(lambda images: images.astype("float32") / 255.0)
    assert ex.input_scaling.check(lambda images: (images / 255).astype("float32"))


@pytest.mark.parametrize("prepare, message", [
    (lambda images: images.astype("float32") / 127.5 - 1, "from -1 to 1"),
    (lambda images: images / 255.0, "dtype is float64"),
    (lambda images: images.astype("float32"), "still run 0..255"),
    (lambda images: images, "still run 0..255"),
    (lambda images: images // 255, "integer division"),
    (lambda images: (images - images.mean()) / 255.0, "subtracted"),
    (lambda images: images.astype("float32") / 256.0, "not pixel / 255"),
    (lambda images: images[:, ::2], "shape changed"),
    (lambda images: images.to_float(), "raised AttributeError"),
    ("images / 255", "not a function"),
    (None, "not answered yet"),
])
def test_input_scaling_names_the_mistake(prepare, message):
    with pytest.raises(NotYet, match=message):
        ex.input_scaling.check(prepare)


def test_top_labels(class_index):
    logits = np.zeros(1000)
    logits[[281, 285, 282]] = [5.0, 4.0, 3.0]
    logits[[10, 11, 12]] = [-3.0, -4.0, -5.0]
    top = ex.top_classes(logits)
    names = [name for _, name in class_index]
    assert top == [names[i] for i in (281, 285, 282)]
    assert ex.top_labels.check(top, logits)
    assert ex.top_labels.check(tuple(top), logits)
    wnids = [class_index[i][0] for i in (281, 285, 282)]
    for wrong, message in [([top[0], top[2], top[1]], "wrong order"),
                           (top[::-1], "least probable first"),
                           ([names[i] for i in (12, 11, 10)], r"three \*least\* probable"),
                           ([names[i] for i in (282, 286, 283)], "one index off"),
                           ([names[i] for i in (280, 284, 281)], "one index off"),
                           (wnids, "WordNet ids"),
                           (top[:2], "2 names"),
                           (top[0], "one string"),
                           ([top[0], names[0], names[1]], "1 of your 3 names")]:
        with pytest.raises(NotYet, match=message):
            ex.top_labels.check(wrong, logits)
    with pytest.raises(NotYet, match="not answered yet"):
        ex.top_labels.check(None, logits)


def test_head_weights_names_the_mistake():
    assert ex.head_parameters() == 1280 * 500 + 500 + 500 + 1
    assert ex.head_weights.check(641_001)
    for wrong, message in [(640_000, "first layer's weights only"), (640_500, "both layers' biases"),
                           (641_000, "output unit's bias"), (640_501, "hidden layer's 500 biases"),
                           (641_001 + 2560, "Normalization"), (641_001 + 2561, "Normalization"),
                           (1_000, "1,000 is too few"), (10**7, "is too many"), ("many", "not a whole number")]:
        with pytest.raises(NotYet, match=message):
            ex.head_weights.check(wrong)


def test_head_weights_counts_the_head_the_lesson_built():
    import keras

    head = keras.Sequential([keras.Input((1280,)), keras.layers.Normalization(), keras.layers.Dense(64, activation="relu"),
                             keras.layers.Dense(1, activation="sigmoid")])
    expected = 1280 * 64 + 64 + 64 + 1
    assert ex.head_weights.check(expected, head)
    assert ex.head_weights.solution(head) == expected
    with pytest.raises(NotYet, match="source lab's 1,280 -> 500 -> 1 head"):
        ex.head_weights.check(641_001, head)
    for wrong, message in [(float("nan"), "whole number"), (expected + 0.5, "whole number"), (str(expected), "whole number")]:
        with pytest.raises(NotYet, match=message):
            ex.head_weights.check(wrong, head)


def test_worked_solutions_pass_their_checks(class_index, capsys):
    logits = np.random.default_rng(0).normal(size=1000)
    assert ex.input_scaling.check(ex.input_scaling.solution())
    assert ex.top_labels.check(ex.top_labels.solution(logits), logits)
    assert ex.head_weights.check(ex.head_weights.solution())
    for exercise in (ex.input_scaling, ex.top_labels, ex.head_weights):
        exercise.hint()
    shown = capsys.readouterr().out
    assert "def prepare(images)" in shown and "Hint (Exercise 3" in shown
