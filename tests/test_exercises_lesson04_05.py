"""Lessons 04 and 05: right answers pass, wrong ones are rejected with the specific mistake, the
worked solutions pass their own checks, and the quizzes explain every option."""

from __future__ import annotations


import numpy as np
import pytest

keras = pytest.importorskip("keras")

from helpers.exercises import lesson04, lesson05  # noqa: E402
from helpers.exercises.core import NotYet  # noqa: E402
from helpers.models import transfer  # noqa: E402


def tiny_frozen_model():
    base = keras.Sequential([keras.Input((8, 8, 3)), keras.layers.Conv2D(4, 3),
                             keras.layers.BatchNormalization()], name="tiny_base")
    features = transfer.feature_model(base, (8, 8))
    head = transfer.make_head(np.random.default_rng(0).normal(size=(16, 4)).astype("float32"), 2)
    return transfer.stack(features, head)


def test_trainable_count_counts_only_the_head():
    model = tiny_frozen_model()  # base: 3*3*3*4 + 4 conv, 4 * 4 batch norm; head: 4 + 1, stats 4 + 4 + 1
    assert lesson04.trainable_count.check(4 + 1, model)
    for wrong, message in [(model.count_params(), "every weight of the model"),
                           (112 + 16, "the frozen base"),
                           (4 + 1 + 9, "Normalization's mean, variance"),
                           (4, "not its bias"),
                           (7, "only layers that are not frozen"),
                           ("five", "not a whole number")]:
        with pytest.raises(NotYet, match=message):
            lesson04.trainable_count.check(wrong, model)
    with pytest.raises(NotYet, match="not answered yet"):
        lesson04.trainable_count.check(None, model)


def bright_and_dark(n=128, size=32, seed=0):
    """Photos 0..255 that a CNN tells apart at once: label 1 bright, label 0 dark."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, n)
    images = 70 + 110 * labels[:, None, None, None] + rng.normal(0, 20, size=(n, size, size, 3))
    return np.clip(images, 0, 255).astype("float32"), labels


def dataset(images, labels):
    import tensorflow as tf

    return tf.data.Dataset.from_tensor_slices((images, labels)).batch(16)


def linear_model(weight: float, rescale: bool = True):
    """Mean brightness -> one sigmoid unit, with hand-set weights (threshold between the classes)."""
    scaling = [keras.layers.Rescaling(1 / 255)] if rescale else []
    model = keras.Sequential([keras.Input((32, 32, 3)), *scaling, keras.layers.GlobalAveragePooling2D(),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.layers[-1].set_weights([np.full((3, 1), weight, "float32"), np.array([-1.5 * weight], "float32")])
    return model


def trained_at_chance(rescale: bool):
    """Compiled and fitted (a step with learning rate 0), yet predicting label 0 for everything."""
    model = linear_model(0.0, rescale)
    model.compile(optimizer=keras.optimizers.SGD(0.0), loss="binary_crossentropy")
    model.fit(*bright_and_dark(16), epochs=1, verbose=0)
    return model


def test_own_cnn_is_measured_by_the_check(capsys):
    val = dataset(*bright_and_dark(64, seed=1))
    assert lesson04.own_cnn.check(linear_model(10.0), val, 0.7)  # ~1.0: beats it
    assert "yours is ahead" in capsys.readouterr().out
    assert lesson04.own_cnn.check(linear_model(10.0), val, 1.0)
    assert "a tie" in capsys.readouterr().out
    images, labels = bright_and_dark(64, seed=1)
    mislabelled = dataset(images, np.where(np.arange(64) % 4 == 0, 1 - labels, labels))  # 0.75 at best
    assert lesson04.own_cnn.check(linear_model(10.0), mislabelled, 0.9)
    assert "transfer is ahead by 0.150" in capsys.readouterr().out
    ten_classes = keras.Sequential([keras.Input((32, 32, 3)), keras.layers.Flatten(),
                                    keras.layers.Dense(10, activation="softmax")])
    for wrong, message in [(linear_model(0.0), "has not been trained yet"),
                           (trained_at_chance(rescale=False), "no Rescaling layer"),
                           (trained_at_chance(rescale=True), "predicts label 0 for every photo"),
                           (ten_classes, r"output shape is \(None, 10\)"),
                           ("my_model", "not a Keras model")]:
        with pytest.raises(NotYet, match=message):
            lesson04.own_cnn.check(wrong, val, 0.7)
    with pytest.raises(NotYet, match="not answered yet"):
        lesson04.own_cnn.check(None, val, 0.7)


def test_rotation_factor_names_the_unit_mix_up():
    assert lesson05.rotation_factor.check(40 / 360)
    assert lesson05.rotation_factor.check(0.1111)
    for wrong, message in [(40, "angle in degrees"), (np.deg2rad(40), "in radians"),
                           (80 / 360, "whole span"), (0.4, "percentage"), (-40 / 360, "negative"),
                           (0.11, "rounded too far"), (0.3, "0.3 is too large"), (0.05, "0.05 is too small"), ("40", "angle in degrees"),
                           ("forty", "not a number")]:
        with pytest.raises(NotYet, match=message):
            lesson05.rotation_factor.check(wrong)
    with pytest.raises(NotYet, match="not answered yet"):
        lesson05.rotation_factor.check(None)


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


def slices_with_minus_n(base, n):
    base.trainable = True
    for layer in base.layers:
        layer.trainable = False
    for layer in base.layers[-n:]:  # with n = 0 this is every layer
        layer.trainable = not isinstance(layer, keras.layers.BatchNormalization)


def leaves_the_base_frozen(base, n):
    for i, layer in enumerate(base.layers):
        layer.trainable = i >= len(base.layers) - n and not isinstance(layer, keras.layers.BatchNormalization)


def unfreezes_one_too_few(base, n):
    right_unfreeze(base, n)
    base.layers[-1].trainable = False


def raises(base, n):
    raise IndexError("list index out of range")


@pytest.mark.parametrize("unfreeze, message", [
    (unfreezes_batchnorm_too, "BatchNormalization layer"),
    (forgets_to_freeze_the_rest, "layers below the top n are trainable"),
    (freezes_the_top_instead, r"the top n are the \*last\* n"),
    (slices_with_minus_n, r"base.layers\[-0:\] is the whole list"),
    (leaves_the_base_frozen, "base.trainable is still False"),
    (unfreezes_one_too_few, "some of the top n layers stay frozen"),
    (raises, "raised IndexError"),
    ("my_unfreeze", "not a function"),
    (None, "not answered yet"),
])
def test_unfreeze_check_names_the_mistake(unfreeze, message):
    with pytest.raises(NotYet, match=message):
        lesson05.unfreeze.check(unfreeze)


def test_unfreeze_check_accepts_the_rule():
    assert lesson05.unfreeze.check(right_unfreeze)


def test_unfreeze_top_keeps_batchnorm_frozen():
    base = lesson05._probe_model()
    assert transfer.unfreeze_top(base, 3) == 2  # Conv2D, Activation; BatchNormalization stays frozen
    assert [layer.trainable for layer in base.layers][-3:] == [True, False, True]


def test_worked_solutions_pass_their_checks(capsys):
    model = tiny_frozen_model()
    train = dataset(*bright_and_dark(128))
    val = dataset(*bright_and_dark(64, seed=1))
    assert lesson04.trainable_count.check(lesson04.trainable_count.solution(model), model)
    assert lesson04.own_cnn.check(lesson04.own_cnn.solution(train, 8), val, 0.7)
    assert lesson05.rotation_factor.check(lesson05.rotation_factor.solution())
    assert lesson05.unfreeze.check(lesson05.unfreeze.solution())
    for exercise in (lesson04.trainable_count, lesson04.own_cnn, lesson05.rotation_factor,
                     lesson05.unfreeze):
        exercise.hint()
    shown = capsys.readouterr().out
    assert "def _worked_own_cnn" in shown and "def my_unfreeze" in shown and "Hint (Exercise 2" in shown
