"""Lessons 04 and 05: every exercise check accepts the right answer and rejects wrong ones."""

from __future__ import annotations

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from helpers.exercises import lesson04, lesson05  # noqa: E402
from helpers.models import transfer  # noqa: E402


def tiny_frozen_model():
    base = keras.Sequential([keras.Input((8, 8, 3)), keras.layers.Conv2D(4, 3),
                             keras.layers.BatchNormalization()], name="tiny_base")
    features = transfer.feature_model(base, (8, 8))
    head = transfer.make_head(np.random.default_rng(0).normal(size=(16, 4)).astype("float32"), 2)
    return transfer.stack(features, head)


def test_trainable_parameters_counts_only_the_head():
    model = tiny_frozen_model()
    assert lesson04.check_trainable_parameters(4 + 1, model)
    assert not lesson04.check_trainable_parameters(model.count_params(), model)  # the whole model
    assert not lesson04.check_trainable_parameters(4, model)  # forgot the bias
    assert not lesson04.check_trainable_parameters(None, model)


def separable_data(n=64, seed=0):
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, n)
    images = rng.normal(size=(n, 8, 8, 3)).astype("float32") * 0.1 + labels[:, None, None, None]
    return images, labels


def dataset(images, labels):
    import tensorflow as tf

    return tf.data.Dataset.from_tensor_slices((images, labels)).batch(16)


def linear_model(weight: float):
    model = keras.Sequential([keras.Input((8, 8, 3)), keras.layers.GlobalAveragePooling2D(),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.layers[-1].set_weights([np.full((3, 1), weight, "float32"), np.array([-1.5 * weight], "float32")])
    return model


def test_own_cnn_is_measured_by_the_check(capsys):
    val = dataset(*separable_data())
    assert lesson04.check_own_cnn(linear_model(10.0), val, transfer_accuracy=0.7)  # ~1.0: beats it
    assert "beats the transfer model" in capsys.readouterr().out
    assert lesson04.check_own_cnn(linear_model(10.0), val, transfer_accuracy=1.0)
    assert not lesson04.check_own_cnn(linear_model(0.0), val, transfer_accuracy=0.7)  # chance
    assert not lesson04.check_own_cnn(None, val, transfer_accuracy=0.7)
    ten_classes = keras.Sequential([keras.Input((8, 8, 3)), keras.layers.Flatten(),
                                    keras.layers.Dense(10, activation="softmax")])
    assert not lesson04.check_own_cnn(ten_classes, val, transfer_accuracy=0.7)


def test_rotation_factor():
    assert lesson05.check_rotation_factor(40 / 360)
    assert lesson05.check_rotation_factor(0.1111)
    for wrong in (40, 0.4, np.deg2rad(40), 0.2, None):
        assert not lesson05.check_rotation_factor(wrong)


def right_unfreeze(base, n):
    transfer.unfreeze_top(base, n)


def unfreezes_batchnorm_too(base, n):
    base.trainable = True
    for i, layer in enumerate(base.layers):
        layer.trainable = i >= len(base.layers) - n


def forgets_to_freeze_the_rest(base, n):
    base.trainable = True
    for layer in base.layers:
        if isinstance(layer, keras.layers.BatchNormalization):
            layer.trainable = False


def freezes_the_top_instead(base, n):
    base.trainable = True
    for i, layer in enumerate(base.layers):
        layer.trainable = i < n and not isinstance(layer, keras.layers.BatchNormalization)


def test_unfreeze_check():
    assert lesson05.check_unfreeze(right_unfreeze)
    for wrong in (unfreezes_batchnorm_too, forgets_to_freeze_the_rest, freezes_the_top_instead, None):
        assert not lesson05.check_unfreeze(wrong)


def test_unfreeze_top_keeps_batchnorm_frozen():
    base = lesson05._probe_model()
    assert transfer.unfreeze_top(base, 3) == 2  # Conv2D, Activation; BatchNormalization stays frozen
    assert [layer.trainable for layer in base.layers][-3:] == [True, False, True]
