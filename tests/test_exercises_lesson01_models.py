"""Lesson 01's model-writing exercises: the add-a-block check builds, trains and tests the
learner's model on images the notebook never used, and verifies what it asks for; the
flip-averaging check runs the learner's function on unseen images."""

from __future__ import annotations

import re

import numpy as np
import pytest

keras = pytest.importorskip("keras")
from keras import layers  # noqa: E402

from helpers.datasets import ImageDataset  # noqa: E402
from helpers.datasets.standin import SHAPE_CLASSES, make_shapes  # noqa: E402
from helpers.exercises import lesson01 as exercises  # noqa: E402
from helpers.exercises.core import NotYet  # noqa: E402

from conftest import REAL_MIRROR  # noqa: E402


@pytest.fixture(scope="module")
def standin() -> ImageDataset:
    x, y = make_shapes(300, seed=0)
    return ImageDataset(x[:200], y[:200], x[200:], y[200:], SHAPE_CLASSES, "stand-in", stands_in_for="CIFAR-10")


def small_cnn() -> keras.Model:
    """The notebook's small CNN."""
    return keras.Sequential([
        keras.Input((32, 32, 3)), layers.Conv2D(8, 3, activation="relu"), layers.MaxPooling2D(2),
        layers.Flatten(), layers.Dense(100, activation="relu"), layers.Dense(10, activation="softmax"),
    ])


def builder(*middle, head=None, inputs=(32, 32, 3)):
    """A build function: small CNN's first block, ``middle`` layers, then the classifier."""
    def build():
        return keras.Sequential([
            keras.Input(inputs), layers.Conv2D(8, 3, activation="relu"), layers.MaxPooling2D(2),
            *[make() for make in middle], layers.Flatten(), layers.Dense(100, activation="relu"),
            *(head() if head else [layers.Dense(10, activation="softmax")])])
    return build


def test_the_worked_solution_passes_and_the_message_reports_what_was_checked(standin, capsys):
    build = exercises.add_block.solution(standin, small_cnn())
    assert exercises.add_block.check(build, standin, small_cnn())
    out = capsys.readouterr().out
    assert "2 Conv2D layers, 2 poolings, 60,102 parameters (small CNN: 181,334)" in out
    assert "every kernel changed in training" in out and "others it never trained on" in out


@pytest.mark.parametrize("build, message", [
    (builder(), "1 Conv2D layer(s), as many as the small CNN"),
    (builder(lambda: layers.Conv2D(16, 3, activation="relu")), "1 pooling layer(s)"),
    (builder(lambda: layers.Conv2D(16, 3, activation="relu"), lambda: layers.MaxPooling2D(2),
             head=lambda: [layers.Dense(10)]), "do not sum to 1"),
    (builder(lambda: layers.Conv2D(16, 3), lambda: layers.MaxPooling2D(2), inputs=(28, 28, 3)),
     "start it with keras.Input"),
    (builder(lambda: layers.Conv2D(16, 3), lambda: layers.MaxPooling2D(2),
             head=lambda: [layers.Dense(5, activation="softmax")]), "end it with Dense(10"),
    (builder(lambda: layers.Conv2D(16, 3, activation="relu", trainable=False),
             lambda: layers.MaxPooling2D(2)), "left the kernels of conv2d"),
    (lambda: "a model", "returned str, not a Keras model"),
])
def test_models_that_miss_what_is_asked_are_refused(standin, build, message):
    with pytest.raises(NotYet, match=re.escape(message)):
        exercises.add_block.check(build, standin, small_cnn())


def test_a_model_or_one_shared_object_is_refused(standin):
    model = builder(lambda: layers.Conv2D(16, 3), lambda: layers.MaxPooling2D(2))()
    with pytest.raises(NotYet, match="give the function that builds your model"):
        exercises.add_block.check(model, standin, small_cnn())
    with pytest.raises(NotYet, match="returns the same model object every time"):
        exercises.add_block.check(lambda: model, standin, small_cnn())


def test_a_model_that_trains_but_learns_nothing_is_refused_by_the_floor(standin):
    # Nearly every unit dropped in training: the kernels change, the classifier learns only
    # its biases, so the model stays at chance and must fail the accuracy floor.
    build = builder(lambda: layers.Conv2D(16, 3, activation="relu"), lambda: layers.MaxPooling2D(2),
                    head=lambda: [layers.Dropout(0.999), layers.Dense(10, activation="softmax")])
    with pytest.raises(NotYet, match=f"below {exercises.MIN_CHECK_ACCURACY}"):
        exercises.add_block.check(build, standin, small_cnn())


@pytest.fixture
def real_cifar(tmp_path_factory, monkeypatch):
    """Real CIFAR-10 from the course mirror, decoded once for this module's tests."""
    if not (REAL_MIRROR / "cifar10.npz").is_file():
        pytest.skip(f"no cifar10.npz in {REAL_MIRROR}")
    monkeypatch.setenv("COURSE_MIRROR", str(REAL_MIRROR))
    cache = tmp_path_factory.getbasetemp() / "lesson01-cifar-cache"
    monkeypatch.setenv("COURSE_CACHE", str(cache))
    from helpers.datasets import load_cifar10

    return load_cifar10


def test_unseen_images_are_not_the_notebooks(real_cifar):
    data = real_cifar(2000, 500, allow_standin=False)
    x_train, _, x_test, _ = exercises.unseen_images(data, 3000, 1000)
    seen = {image.tobytes() for image in (*data.x_train, *data.x_test)}
    assert not any(image.tobytes() in seen for image in (*x_train, *x_test))
    picked = {image.tobytes() for image in x_train}
    assert not any(image.tobytes() in picked for image in x_test)  # train and test apart too


def test_on_cifar10_the_floor_rejects_an_untrained_model_and_passes_the_worked_one(real_cifar, capsys):
    """The three numbers of the check's floor: untrained, floor, the worked solution's accuracy."""
    data = real_cifar(8000, 1000, allow_standin=False)  # the fast profile's sample
    build = exercises.add_block.solution(data, small_cnn())
    _, _, x_test, y_test = exercises.unseen_images(data, exercises.CHECK_TRAIN_IMAGES,
                                                    exercises.CHECK_TEST_IMAGES)
    untrained = build()
    untrained.compile(loss="categorical_crossentropy", metrics=["accuracy"])
    untrained_accuracy = untrained.evaluate(x_test / 255.0, keras.utils.to_categorical(y_test, 10),
                                            verbose=0)[1]
    assert exercises.add_block.check(build, data, small_cnn())
    out = capsys.readouterr().out
    trained = float(re.search(r"accuracy (\d\.\d+) on them", out).group(1))
    with capsys.disabled():
        print(f"\nadd_block floor: untrained {untrained_accuracy:.3f}, floor "
              f"{exercises.MIN_CHECK_ACCURACY}, worked solution {trained:.3f}")
    assert untrained_accuracy < exercises.MIN_CHECK_ACCURACY <= trained


@pytest.fixture(scope="module")
def classifier() -> keras.Model:
    keras.utils.set_random_seed(0)
    return small_cnn()


def test_flip_averaging_worked_solution_passes(standin, classifier, capsys):
    predict = exercises.flip_average.solution(classifier, standin)
    assert exercises.flip_average.check(predict, classifier, standin)
    assert "on 500 images the model did not train on" in capsys.readouterr().out


@pytest.mark.parametrize("predict, message", [
    (lambda m, x: m.predict(x, verbose=0), "that is the plain prediction"),
    (lambda m, x: (m.predict(x, verbose=0) + m.predict(x[:, ::-1], verbose=0)) / 2, "upside down"),
    (lambda m, x: m.predict(x[:, :, ::-1], verbose=0), "only the mirrored images' prediction"),
    (lambda m, x: np.full((len(x), 10), np.nan), "NaN or infinity"),
    (lambda m, x: m.predict(x, verbose=0)[:10], "returned shape (10, 10)"),
    (lambda m, x: m.predict(x, verbose=0) * 0.5 + 0.05, "not the average"),
])
def test_flip_averaging_names_the_mistake(standin, classifier, predict, message):
    with pytest.raises(NotYet, match=message.replace("(", r"\(").replace(")", r"\)")):
        exercises.flip_average.check(predict, classifier, standin)


def test_when_the_notebook_used_every_image_the_checks_still_never_touch_its_test_split(monkeypatch):
    """The full profile uses all of CIFAR-10: the checks then sample the training split (exercise 4)
    or the validation images (exercise 6, which measures a trained model), never the test split."""
    from types import SimpleNamespace

    import helpers.datasets

    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(300, 32, 32, 3), dtype=np.uint8)
    labels = rng.integers(0, 10, size=300)
    whole = SimpleNamespace(x_train=images[:200], y_train=labels[:200], x_test=images[200:],
                            y_test=labels[200:], stands_in_for=None)
    monkeypatch.setattr(helpers.datasets, "load_cifar10", lambda **_: whole)
    test_images = {image.tobytes() for image in whole.x_test}
    x_train, _, x_test, _ = exercises.unseen_images(whole, 120, 60)
    assert not any(image.tobytes() in test_images for image in (*x_train, *x_test))
    validation = (whole.x_train[:20], whole.y_train[:20])
    _, _, x, _ = exercises.unseen_images(whole, 0, 20, fallback=validation)
    assert {image.tobytes() for image in x} == {image.tobytes() for image in validation[0]}
