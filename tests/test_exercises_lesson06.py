"""Lesson 06's exercise checks accept the right answer and reject wrong ones with a specific verdict."""

from __future__ import annotations

import numpy as np

from helpers.exercises import lesson06 as ex


def test_prepare(capsys):
    assert ex.check_prepare(lambda images: images.astype("float32") / 255.0)
    assert not ex.check_prepare(None)
    assert not ex.check_prepare(lambda images: images.astype("float32") / 127.5 - 1)
    assert "from -1.000 to 1.000" in capsys.readouterr().out
    assert not ex.check_prepare(lambda images: images / 255.0)  # float64
    assert "dtype" in capsys.readouterr().out
    assert not ex.check_prepare(lambda images: images[:, ::2])
    assert "shape" in capsys.readouterr().out


def test_top_classes(class_index):
    from keras.src.applications import imagenet_utils

    logits = np.zeros(1000)
    logits[[281, 285, 282]] = [5.0, 4.0, 3.0]
    top = ex.top_classes(logits)
    # Keras reads its index where KERAS_HOME pointed at import: the made-up or the real one.
    assert top == [imagenet_utils.CLASS_INDEX[str(i)][1] for i in (281, 285, 282)]
    assert ex.check_top_classes(top, logits)
    assert not ex.check_top_classes([top[0], top[2], top[1]], logits)  # order matters
    assert not ex.check_top_classes(None, logits)


def test_head_parameters(capsys):
    assert ex.head_parameters() == 1280 * 500 + 500 + 500 + 1
    assert ex.check_head_parameters(641_001)
    assert not ex.check_head_parameters(640_000)  # weights without the biases
    assert "bias" in capsys.readouterr().out
