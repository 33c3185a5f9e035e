"""Lessons 04 and 05: right answers pass, wrong ones are rejected with the specific mistake, the
worked solutions pass their own checks, and the quizzes explain every option."""

from __future__ import annotations


import numpy as np
import pytest

keras = pytest.importorskip("keras")

from helpers.exercises import lesson04, lesson05  # noqa: E402
from helpers.exercises.core import NotYet  # noqa: E402


def tiny_frozen_model():
    """The notebook's structure in small: frozen base + pooling as one model, a Dense head, stacked."""
    from keras import layers

    base = keras.Sequential([keras.Input((8, 8, 3)), layers.Conv2D(4, 3), layers.BatchNormalization()],
                            name="tiny_base")
    base.trainable = False
    inputs = keras.Input((8, 8, 3))
    features = keras.Model(inputs, layers.GlobalAveragePooling2D()(base(inputs, training=False)))
    head = keras.Sequential([keras.Input((4,)), layers.Dropout(0.2), layers.Dense(1, activation="sigmoid")],
                            name="head")
    return keras.Model(inputs, head(features(inputs)))


def test_trainable_count_counts_only_the_head():
    model = tiny_frozen_model()  # base: 3*3*3*4 + 4 conv, 4 * 4 batch norm (frozen); head: 4 + 1
    assert lesson04.trainable_count.check(4 + 1, model)
    assert lesson04.trainable_count.check(np.int64(5), model)
    for wrong, message in [(model.count_params(), "every weight of the model"),
                           (112 + 16, "the frozen base"),
                           (4, "not its bias"),
                           (7, "only layers that are not frozen"),
                           ("five", "not a whole number"), ("5", "not a whole number"),
                           (5.0, "not a whole number"), (float("nan"), "not a whole number"),
                           (float("inf"), "not a whole number"), (True, "not a whole number")]:
        with pytest.raises(NotYet, match=message):
            lesson04.trainable_count.check(wrong, model)
    with pytest.raises(NotYet, match="not answered yet"):
        lesson04.trainable_count.check(None, model)


def test_trainable_count_hint_names_only_layers_the_lessons_head_has(capsys):
    """The lesson's head is Dropout + Dense: no Normalization statistics to discount (issue 30)."""
    lesson04.trainable_count.hint()
    shown = capsys.readouterr().out
    assert "Dropout" in shown and "Normalization" not in shown


def test_the_cached_features_split_as_the_learners_pipeline_splits_the_photos(tmp_path):
    """Lesson 04 carves validation and test from the held-out folder with shard(2, 0) and
    shard(2, 1) of its own image_dataset_from_directory pipeline, and the cached features with
    rows(np.s_[0::2]) and rows(np.s_[1::2]): the same photos, in the same order, the same pixels."""
    import tensorflow as tf
    from PIL import Image

    from helpers.models.transfer import folder_features

    rng = np.random.default_rng(4)
    for name in ("cats", "dogs"):
        (tmp_path / name).mkdir()
        for i in range(5):  # odd counts: the halves differ in size, and cross the class boundary
            Image.fromarray(rng.integers(0, 255, (23, 31, 3), dtype=np.uint8)).save(tmp_path / name / f"{i}.jpg")
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((16, 16, 3)), keras.layers.Conv2D(3, 3),
                              keras.layers.GlobalAveragePooling2D()])
    held_out = keras.utils.image_dataset_from_directory(
        tmp_path, batch_size=None, shuffle=False, image_size=(16, 16), crop_to_aspect_ratio=True,
        interpolation="area", verbose=False)
    features = folder_features(model, tmp_path, (16, 16), "tiny")
    for shard, rows in ((0, np.s_[0::2]), (1, np.s_[1::2])):
        ds = held_out.shard(2, shard).batch(4).prefetch(tf.data.AUTOTUNE)
        labels = np.concatenate([y.numpy() for _, y in ds])
        from_photos = np.concatenate([model.predict_on_batch(x) for x, _ in ds])
        part = features.rows(rows)
        np.testing.assert_array_equal(part.labels, labels)
        np.testing.assert_allclose(part.features, from_photos, atol=1e-5)
        assert len(part.thumbnails) == len(labels)
    assert len(features.rows(np.s_[0::2]).labels) == 5 and len(features.rows(np.s_[1::2]).labels) == 5


def bright_and_dark(n=128, size=32, seed=0):
    """Photos 0..255 that a CNN tells apart at once: label 1 bright, label 0 dark."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, n)
    images = 70 + 110 * labels[:, None, None, None] + rng.normal(0, 20, size=(n, size, size, 3))
    return np.clip(images, 0, 255).astype("float32"), labels


def dataset(images, labels):
    import tensorflow as tf

    return tf.data.Dataset.from_tensor_slices((images, labels)).batch(16)


def small_cnn(seed=0, rescale=True):
    from keras import layers

    keras.utils.set_random_seed(seed)
    scaling = [layers.Rescaling(1 / 255)] if rescale else []
    return keras.Sequential([keras.Input((32, 32, 3)), *scaling, layers.Conv2D(4, 3, activation="relu"),
                             layers.GlobalAveragePooling2D(), layers.Dense(1, activation="sigmoid")])


def trained(model, learning_rate=0.05, epochs=5, seed=0):
    """The model, its weights before training, after fitting on bright-and-dark photos."""
    before = [w.copy() for w in model.get_weights()]
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="binary_crossentropy")
    model.fit(*bright_and_dark(128, seed=seed), epochs=epochs, verbose=0)
    return model, before


def hand_weighted_linear(weight: float = 10.0):
    """Mean brightness -> one sigmoid unit, weights set by hand: accurate, but no CNN and no training."""
    model = keras.Sequential([keras.Input((32, 32, 3)), keras.layers.Rescaling(1 / 255),
                              keras.layers.GlobalAveragePooling2D(), keras.layers.Dense(1, activation="sigmoid")])
    model.layers[-1].set_weights([np.full((3, 1), weight, "float32"), np.array([-1.5 * weight], "float32")])
    return model


def test_own_cnn_is_measured_by_the_check(capsys):
    val = dataset(*bright_and_dark(64, seed=1))  # photos the model never trained on
    model, before = trained(small_cnn())
    assert lesson04.own_cnn.check(model, before, val, 0.5)
    assert "yours is ahead" in capsys.readouterr().out
    assert lesson04.own_cnn.check(model, before, val, 1.0)
    assert "transfer is ahead" in capsys.readouterr().out


def conv_frozen_then_trained():
    model = small_cnn(seed=2)
    model.layers[1].trainable = False  # the Conv2D
    return trained(model)


def nan_weights():
    model, before = trained(small_cnn(seed=3))
    model.layers[-1].set_weights([np.full((4, 1), np.nan, "float32"), np.zeros(1, "float32")])
    return model, before


def test_own_cnn_refuses_what_it_does_not_ask_for():
    val = dataset(*bright_and_dark(64, seed=1))
    linear = hand_weighted_linear()
    untrained = small_cnn(seed=4)
    ten_classes = keras.Sequential([keras.Input((32, 32, 3)), keras.layers.Conv2D(2, 3), keras.layers.Flatten(),
                                    keras.layers.Dense(10, activation="softmax")])
    model, before = trained(small_cnn(seed=5))
    cases = [((linear, [w.copy() for w in linear.get_weights()]), "no Conv2D layer"),  # accurate, hand-set
             ((untrained, [w.copy() for w in untrained.get_weights()]), "has not been trained yet"),
             (conv_frozen_then_trained(), "every Conv2D kernel"),
             ((model, before[:-1]), "does not match this model's weights"),
             ((model, "before"), "does not match this model's weights"),
             (nan_weights(), "NaN or inf"),
             ((ten_classes, ten_classes.get_weights()), r"output shape is \(None, 10\)"),
             (("my_model", []), "not a Keras model")]
    for (candidate, weights_before), message in cases:
        with pytest.raises(NotYet, match=message):
            lesson04.own_cnn.check(candidate, weights_before, val, 0.7)
    with pytest.raises(NotYet, match="not answered yet"):
        lesson04.own_cnn.check(None, [], val, 0.7)


def test_own_cnn_names_a_model_stuck_at_chance():
    val = dataset(*bright_and_dark(64, seed=1))
    model = small_cnn(seed=6, rescale=False)
    before = [w.copy() for w in model.get_weights()]
    model.compile(optimizer=keras.optimizers.SGD(1e-9), loss="binary_crossentropy")
    model.fit(*bright_and_dark(16), epochs=1, verbose=0)  # trained, but by almost nothing
    model.layers[-1].set_weights([np.zeros((4, 1), "float32"), np.array([-5.0], "float32")])
    with pytest.raises(NotYet, match="no Rescaling layer"):
        lesson04.own_cnn.check(model, before, val, 0.7)


def test_rotation_factor_names_the_unit_mix_up():
    assert lesson05.rotation_factor.check(40 / 360)
    assert lesson05.rotation_factor.check(0.1111)
    for wrong, message in [(40, "angle in degrees"), (np.deg2rad(40), "in radians"),
                           (80 / 360, "whole span"), (0.4, "percentage"), (-40 / 360, "negative"),
                           (0.11, "rounded too far"), (0.3, "0.3 is too large"), (0.05, "0.05 is too small"), ("40", "is text, not a number"),
                           ("forty", "not a number")]:
        with pytest.raises(NotYet, match=message):
            lesson05.rotation_factor.check(wrong)
    with pytest.raises(NotYet, match="not answered yet"):
        lesson05.rotation_factor.check(None)


def right_unfreeze(base, n):
    base.trainable = True
    for i, layer in enumerate(base.layers):
        layer.trainable = i >= len(base.layers) - n and not isinstance(layer, keras.layers.BatchNormalization)


def finds_batchnorm_by_name(base, n):
    """Right for Keras's default names (batch_normalization_3, ..._bn), wrong in general."""
    base.trainable = True
    for i, layer in enumerate(base.layers):
        named_bn = "bn" in layer.name or "batch_norm" in layer.name
        layer.trainable = i >= len(base.layers) - n and not named_bn


def finds_batchnorm_by_keras_default_name(base, n):
    base.trainable = True
    for i, layer in enumerate(base.layers):
        layer.trainable = i >= len(base.layers) - n and not layer.name.startswith("batch_normalization")


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
    (finds_batchnorm_by_name, "stay frozen|BatchNormalization layer"),
    (finds_batchnorm_by_keras_default_name, "BatchNormalization layer"),
    ("my_unfreeze", "not a function"),
    (None, "not answered yet"),
])
def test_unfreeze_check_names_the_mistake(unfreeze, message):
    with pytest.raises(NotYet, match=message):
        lesson05.unfreeze.check(unfreeze)


def test_unfreeze_check_accepts_the_rule():
    assert lesson05.unfreeze.check(right_unfreeze)


def test_the_probe_models_names_mislead():
    base = lesson05._probe_model()
    kinds = {layer.name: type(layer).__name__ for layer in base.layers}
    assert any("bn" in name and kind == "Conv2D" for name, kind in kinds.items())
    assert not any("bn" in name or "batch_norm" in name for name, kind in kinds.items()
                   if kind == "BatchNormalization")
    right_unfreeze(base, 3)
    assert [layer.trainable for layer in base.layers][-3:] == [True, False, True]


def test_worked_solutions_pass_their_checks(capsys):
    model = tiny_frozen_model()
    train = dataset(*bright_and_dark(128))
    val = dataset(*bright_and_dark(64, seed=1))
    assert lesson04.trainable_count.check(lesson04.trainable_count.solution(model), model)
    assert lesson04.own_cnn.check(*lesson04.own_cnn.solution(train, 32, 8), val, 0.7)
    assert lesson05.rotation_factor.check(lesson05.rotation_factor.solution())
    assert lesson05.unfreeze.check(lesson05.unfreeze.solution())
    for exercise in (lesson04.trainable_count, lesson04.own_cnn, lesson05.rotation_factor,
                     lesson05.unfreeze):
        exercise.hint()
    shown = capsys.readouterr().out
    assert "def _worked_own_cnn" in shown and "def my_unfreeze" in shown and "Hint (Exercise 2" in shown


# Issue 24: NASNetMobile as a second base (lesson 04), the source's recipe counted (lesson 05).

@pytest.fixture(scope="module")
def nasnet():
    """NASNetMobile without its classifier, random weights (architecture only), frozen."""
    model = keras.applications.NASNetMobile(include_top=False, weights=None, input_shape=(224, 224, 3))
    model.trainable = False
    return model


def fake_cells(side=32, channels=1056, dense=False):
    """A tiny model with NASNet-like layer names: for the checks' size, channel and classifier tests."""
    from keras import layers

    inputs = keras.Input((side, side, 3))
    x = layers.Conv2D(4, 3, name="normal_conv_1_0")(inputs)
    x = layers.Conv2D(channels, 1, name="reduction_conv_1_stem_1")(x)
    if dense:
        x = layers.Dense(10, name="predictions")(layers.GlobalAveragePooling2D()(x))
    model = keras.Model(inputs, x, name="fake_nasnet")
    model.trainable = False
    return model


def test_nasnet_base_accepts_the_frozen_base(nasnet, capsys):
    assert lesson04.nasnet_base.check(nasnet)
    assert "769 layers" in capsys.readouterr().out


def test_nasnet_base_refuses_what_it_does_not_ask_for(nasnet):
    from keras import layers

    with pytest.raises(NotYet, match="not a Keras model"):
        lesson04.nasnet_base.check("NASNetMobile", 224)
    with pytest.raises(NotYet, match="not a Keras model"):
        lesson04.nasnet_base.check(float("nan"))
    with pytest.raises(NotYet, match="none of NASNet's normal and reduction cells"):
        lesson04.nasnet_base.check(tiny_frozen_model())
    with_top = keras.Model(nasnet.input, layers.Dense(1000)(layers.GlobalAveragePooling2D()(nasnet.output)))
    with pytest.raises(NotYet, match="ImageNet's classifier"):
        lesson04.nasnet_base.check(with_top)
    pooled = keras.Model(nasnet.input, layers.GlobalAveragePooling2D()(nasnet.output))
    with pytest.raises(NotYet, match="leave pooling out"):
        lesson04.nasnet_base.check(pooled)
    with pytest.raises(NotYet, match="4,032 feature maps.*NASNetLarge"):
        lesson04.nasnet_base.check(fake_cells(channels=4032))
    with pytest.raises(NotYet, match="input_shape=\\(224, 224, 3\\)"):
        lesson04.nasnet_base.check(fake_cells(side=32))
    with pytest.raises(NotYet, match="not answered yet"):
        lesson04.nasnet_base.check(None)
    nasnet.trainable = True
    try:
        with pytest.raises(NotYet, match="are trainable: freeze the base"):
            lesson04.nasnet_base.check(nasnet)
    finally:
        nasnet.trainable = False


def test_left_trainable_counts_from_the_models_layers(nasnet):
    assert lesson05.left_trainable.check(169, nasnet)  # 769 layers (Keras 3's NASNetMobile, no top)
    assert lesson05.left_trainable.check(np.int64(169), nasnet)
    batch_norms = sum(isinstance(layer, keras.layers.BatchNormalization) for layer in nasnet.layers[600:])
    for wrong, message in [(600, "number of layers frozen"), (769, "every layer of the base"),
                           (168, "off by one"), (170, "off by one"),
                           (169 - batch_norms, "BatchNormalization layers"),
                           (12, "not the number of layers left trainable"),
                           (169.0, "not a whole number"), ("169", "not a whole number"),
                           (float("nan"), "not a whole number"), (True, "not a whole number")]:
        with pytest.raises(NotYet, match=message):
            lesson05.left_trainable.check(wrong, nasnet)
    small = fake_cells()  # 3 layers: freezing 1 leaves 2; the rule, not a remembered 169
    assert lesson05.left_trainable.check(2, small, 1)
    with pytest.raises(NotYet, match="off by one"):
        lesson05.left_trainable.check(169, nasnet, 601)


def test_head_size_counts_weights_and_biases(nasnet):
    expected = (1056 + 1) * 1000 + (1000 + 1) * 120
    assert lesson05.head_parameters(1056) == expected == 1_177_120
    assert lesson05.head_size.check(expected, nasnet)
    for wrong, message in [(1056 * 1000 + 1000 * 120, "not the biases"),
                           (1056 * 1000 + 1000 + 1000 * 120, "biases of one Dense layer only"),
                           ((1056 + 1) * 1000, "Dense\\(1000\\) alone"),
                           ((1056 + 1) * 120, "straight on the features"),
                           (lesson05.head_parameters(7 * 7 * 1056), "flattened"),
                           (expected + 1, "not the head's parameter count"),
                           (float(expected), "not a whole number"), (str(expected), "not a whole number"),
                           (float("nan"), "not a whole number"), (None, "not answered yet")]:
        with pytest.raises(NotYet, match=message):
            lesson05.head_size.check(wrong, nasnet)
    other = fake_cells(channels=8)  # another width: the check computes, it does not remember
    assert lesson05.head_size.check(9 * 1000 + 1001 * 120, other)
    with pytest.raises(NotYet):
        lesson05.head_size.check(expected, other)


def test_issue24_worked_solutions_pass(nasnet, capsys):
    assert lesson05.left_trainable.check(lesson05.left_trainable.solution(nasnet), nasnet)
    assert lesson05.head_size.check(lesson05.head_size.solution(nasnet), nasnet)
    for exercise in (lesson04.nasnet_base, lesson05.left_trainable, lesson05.head_size):
        exercise.hint()
    shown = capsys.readouterr().out
    assert "Hint (Exercise 3 (another base" in shown and "Hint (Exercise 4" in shown


def test_nasnet_base_worked_solution_passes(capsys):
    assert lesson04.nasnet_base.check(lesson04.nasnet_base.solution(None))  # builds one more (about 10 s)
    assert "keras.applications.NASNetMobile(include_top=False" in capsys.readouterr().out
