"""Lesson 01's exercises (CNN basics) and closing quiz.

Each judge computes the right answer itself, by building and running the layers in question,
not from a stored number, and names the learner's mistake when there is one.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .core import Exercise, Question, Quiz, plain, wrong


def _integer(value: object, what: str) -> int:
    """``value`` if it is an integer (a Python or NumPy int, not a bool), else ``NotYet`` saying
    why: a float is not truncated and a string is not parsed, since neither is a count."""
    value = plain(value)
    if isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        wrong(f"{value!r} is a float, not a whole number: {what} is an integer, so give it "
              "without a fractional part or decimal point.")
    if isinstance(value, str):
        wrong(f"{value!r} is a string: give {what} as a number, without quotes.")
    wrong(f"{value!r} is not a whole number; give {what} as an integer.")


def output_shape_model():
    """Conv2D(64, 5, 'valid') -> Conv2D(32, 3, 'same') -> MaxPooling2D(2), as in exercise 2."""
    import keras

    return keras.Sequential([
        keras.Input((15, 15, 3)),
        keras.layers.Conv2D(64, 5, padding="valid"),
        keras.layers.Conv2D(32, 3, padding="same"),
        keras.layers.MaxPooling2D(2),
    ])


def _correlate(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    windows = np.lib.stride_tricks.sliding_window_view(image, kernel.shape)
    return np.einsum("ijkl,kl->ij", windows, kernel)


def _judge_edge_kernel(kernel: Sequence[Sequence[float]]) -> str:
    try:
        kernel = np.asarray(kernel, dtype="float64")
    except (TypeError, ValueError):
        wrong(f"{kernel!r} is not a 3x3 grid of numbers.")
    if kernel.shape != (3, 3):
        wrong(f"the kernel has shape {kernel.shape}; it must be 3x3.")
    if not np.isfinite(kernel).all():
        wrong("the kernel holds NaN or infinity; every weight must be a finite number.")
    if not np.any(kernel):
        wrong("every weight is 0: the kernel gives no response to anything, edges included.")
    kernel = kernel / np.abs(kernel).max()  # the scale of the weights does not make an edge detector
    step = np.zeros((9, 9))
    step[:, 5:] = 1.0  # dark left half, bright right half: one vertical edge
    vertical, horizontal, flat = (np.abs(_correlate(img, kernel)).max()
                                  for img in (step, step.T, np.ones((9, 9))))
    if vertical < 1e-6:
        wrong("the kernel gives no response to a vertical edge.")
    if flat > 1e-6 * vertical:
        wrong(f"the kernel responds to a flat area ({flat:.2f} against {vertical:.2f} on the "
              "edge): its weights must sum to zero.")
    if horizontal > 1e-6 * vertical:
        wrong(f"the kernel responds to a horizontal edge ({horizontal:.2f} against "
              f"{vertical:.2f} on the vertical one): make every row sum to zero.")
    return f"edge response {vertical:.2f}; flat areas and horizontal edges give 0."


def _worked_edge_kernel() -> list[list[int]]:
    # Left column against right column: each row sums to 0, so a flat area, and an edge that
    # runs horizontally (constant along each row), gives 0.
    return [[-1, 0, 1],
            [-1, 0, 1],
            [-1, 0, 1]]


edge_kernel = Exercise(
    title="Exercise 1 (an edge detector)", answer_name="my_kernel",
    judge=_judge_edge_kernel, worked=_worked_edge_kernel,
    hint_text="a kernel multiplies each pixel of a 3x3 window and adds the products. Weigh the "
              "left column against the right column, so that a window with the same value "
              "everywhere sums to 0.")


def _judge_output_shape(answer: Sequence[int]) -> str:
    expected = tuple(output_shape_model()(np.zeros((2, 15, 15, 3), "float32")).shape)
    if isinstance(answer, (str, bytes)) or not hasattr(answer, "__iter__"):
        wrong(f"{answer!r} is not a shape: give a tuple of 4 integers, e.g. (2, 9, 9, 8).")
    answer = tuple(_integer(v, "each size in a shape") for v in answer)
    if len(answer) != 4:
        wrong(f"{answer} has {len(answer)} numbers; give (batch, height, width, channels).")
    labels = ["the batch size", "the height", "the width", "the number of channels"]
    mistakes = [f"{label} is {e}, not {a}" for label, a, e in zip(labels, answer, expected) if a != e]
    if mistakes and answer[1:3] == (6, 6):
        wrong("pooling rounds down: 11 // 2 is 5, not 6.")
    if mistakes and answer[1:3] in ((7, 7), (15, 15)):
        wrong("'valid' padding shrinks each side by kernel - 1 (15 -> 11); 'same' keeps it.")
    if mistakes:
        # Say which dimension is off without giving its value away.
        off = [label for label, a, e in zip(labels, answer, expected) if a != e]
        wrong(f"{', '.join(off)} {'is' if len(off) == 1 else 'are'} not right.")
    return f"{expected}: 15 -> 11 ('valid' 5x5) -> 11 ('same') -> 5 (pooling rounds down), 32 filters."


def _worked_output_shape() -> tuple[int, int, int, int]:
    # 15 -> 'valid' 5x5 -> 11 -> 'same' 3x3 -> 11 -> pool 2 -> 5 (rounded down);
    # the depth is the last convolution's 32 filters; the batch of 2 passes through.
    return (2, 5, 5, 32)


output_shape = Exercise(
    title="Exercise 2 (an output shape)", answer_name="my_shape",
    judge=_judge_output_shape, worked=_worked_output_shape,
    hint_text="follow one side: 'valid' shrinks it by kernel - 1, 'same' keeps it, pooling "
              "halves it (rounding down). The batch size passes through; the depth is the last "
              "convolution's number of filters.")


def _judge_conv_params(answer: int, filters: int = 16, kernel: int = 5, channels: int = 3) -> str:
    import keras

    layer = keras.layers.Conv2D(filters, kernel)
    layer.build((None, 32, 32, channels))
    expected = layer.count_params()
    weights = kernel * kernel * channels * filters
    answer = _integer(answer, "the number of parameters")
    if answer == expected:
        return f"{expected} = ({kernel} * {kernel} * {channels} + 1) * {filters}."
    if answer == weights:
        wrong(f"{answer} counts the weights but not the {filters} biases (one per filter).")
    if answer == (kernel * kernel + 1) * filters:
        wrong(f"{answer} forgets the depth: each filter spans all {channels} input channels.")
    direction = "too many" if answer > expected else "too few"
    wrong(f"{answer} is {direction}: count one filter's weights (its height, width and depth) "
          "plus its bias, then multiply by the number of filters.")


def _worked_conv_params() -> int:
    # Each of the 16 filters has 5 * 5 * 3 weights (it spans the 3 colour channels) and 1 bias.
    return (5 * 5 * 3 + 1) * 16


conv_params = Exercise(
    title="Exercise 3 (count parameters)", answer_name="my_params",
    judge=_judge_conv_params, worked=_worked_conv_params,
    hint_text="each filter has kernel x kernel x input-channels weights and one bias.")


def recall_by_class(counts: np.ndarray) -> np.ndarray:
    """Each class's recall from a confusion matrix whose rows are the true classes."""
    return np.diag(counts) / np.maximum(counts.sum(axis=1), 1)


def _judge_lowest_recall(answer: str, counts: np.ndarray, class_names: Sequence[str]) -> str:
    recall = recall_by_class(counts)
    lowest = [class_names[i] for i in np.flatnonzero(recall == recall.min())]
    answer = plain(answer)
    if not isinstance(answer, str):
        wrong(f"{answer!r} is a {type(answer).__name__}, not a class name: give one name as a string, "
              "e.g. 'cat' (from a pandas Series sorted by recall, its .index[0]; or .idxmin()).")
    if answer not in class_names:
        wrong(f"{answer!r} is not one of the classes: {', '.join(class_names)}.")
    if answer in lowest:  # any class tied for lowest is right
        return f"{answer} has the lowest recall, {recall.min():.3f}."
    given = recall[list(class_names).index(answer)]
    precision = np.diag(counts) / np.maximum(counts.sum(axis=0), 1)
    if precision[list(class_names).index(answer)] == precision.min():
        wrong(f"{answer} has the lowest *precision* (read down its column); recall reads "
              "along the row of the true class.")
    wrong(f"{answer}'s recall is {given:.3f}; at least one class is lower.")


def _worked_lowest_recall(counts: np.ndarray, class_names: Sequence[str]) -> str:
    # Recall = the diagonal count (right) / the row sum (all test images of that class).
    recall = np.diag(counts) / counts.sum(axis=1)
    return class_names[int(np.argmin(recall))]


lowest_recall = Exercise(
    title="Exercise 5 (the hardest class)", answer_name="my_class",
    judge=_judge_lowest_recall, worked=_worked_lowest_recall,
    hint_text="a row of the confusion matrix holds all test images of one true class; its "
              "diagonal cell counts those the model got right.")


# --- Exercise 4: write a model (add a block); the check builds, trains and evaluates it -------

CHECK_TRAIN_IMAGES = 4000  # images the check trains a learner's model on (not the notebook's)
CHECK_TEST_IMAGES = 1000   # images it evaluates on (neither the notebook's nor the check's training)
CHECK_EPOCHS = 2
# Measured 2026-12-03 on CIFAR-10 (tests/test_exercises_lesson01_models.py prints all three):
# the worked solution untrained 0.105 to 0.113, trained by the check 0.339; the small CNN
# trained the same way 0.387. The floor sits between, so it tells a trained model from an untrained one.
MIN_CHECK_ACCURACY = 0.25


def unseen_images(data, n_train: int, n_test: int, seed: int = 2024, fallback=None):
    """Images for a check, from the same source as ``data`` but not among its images.

    Real CIFAR-10: a sample of the full dataset minus every image ``data`` holds (train and
    test), so the check never trains or evaluates on what the notebook used. When ``data`` is
    all of CIFAR-10 (the full profile) nothing is left over; the check then samples
    ``fallback`` (default: the notebook's training split with its validation images, never its
    test images) with its own seed.
    Stand-in data: freshly generated shapes with another seed.
    Returns ``(x_train, y_train, x_test, y_test)``, uint8 images and integer labels.
    """
    rng = np.random.default_rng(seed)
    if data.stands_in_for:
        from ..datasets.standin import make_shapes

        x, y = make_shapes(n_train + n_test, seed=seed)
        return x[:n_train], y[:n_train], x[n_train:], y[n_train:]
    from ..datasets import load_cifar10

    full = load_cifar10(allow_standin=False)
    seen = {hash(image.tobytes()) for image in (*data.x_train, *data.x_test)}
    pool_x = np.concatenate([full.x_train, full.x_test])
    pool_y = np.concatenate([full.y_train, full.y_test])
    fresh = np.array([hash(image.tobytes()) not in seen for image in pool_x])
    if fresh.sum() >= n_train + n_test:
        pool_x, pool_y = pool_x[fresh], pool_y[fresh]
    else:
        pool_x, pool_y = fallback if fallback is not None else (data.x_train, data.y_train)
    pick = rng.permutation(len(pool_x))[:n_train + n_test]
    x, y = pool_x[pick], pool_y[pick]
    return x[:n_train], y[:n_train], x[n_train:], y[n_train:]


def _nested_layers(model):
    """Every layer of ``model``, looking inside nested models."""
    import keras

    for layer in model.layers:
        if isinstance(layer, keras.Model):
            yield from _nested_layers(layer)
        else:
            yield layer


def _train_and_score(model, images, epochs: int = CHECK_EPOCHS) -> tuple[float, list[float]]:
    """Compile and fit ``model`` on the check's training images; its accuracy on the check's
    test images, and the training losses."""
    import keras

    x_train, y_train, x_test, y_test = images
    classes = int(model.outputs[0].shape[-1])
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="categorical_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(x_train / 255.0, keras.utils.to_categorical(y_train, classes),
                        batch_size=64, epochs=epochs, verbose=0)
    _, accuracy = model.evaluate(x_test / 255.0, keras.utils.to_categorical(y_test, classes),
                                 batch_size=256, verbose=0)
    return float(accuracy), [float(v) for v in history.history["loss"]]


def _judge_add_block(build, data, small) -> str:
    import keras

    if isinstance(build, keras.Model) or not callable(build):
        wrong("give the function that builds your model (build_my_model, without parentheses), "
              "so the check can build a fresh, untrained one.")
    keras.utils.set_random_seed(0)
    model = build()
    if not isinstance(model, keras.Model):
        wrong(f"build_my_model returned {type(model).__name__}, not a Keras model; return the "
              "keras.Sequential([...]).")
    if build() is model:
        wrong("build_my_model returns the same model object every time; build a new one inside "
              "it (call keras.Sequential there), so each call starts from fresh weights.")
    classes = len(data.class_names)
    if tuple(model.inputs[0].shape[1:]) != (32, 32, 3):
        wrong(f"the model's input is {tuple(model.inputs[0].shape[1:])}; start it with "
              "keras.Input((32, 32, 3)).")
    if tuple(model.outputs[0].shape[1:]) != (classes,):
        wrong(f"the model's output is {tuple(model.outputs[0].shape[1:])}; end it with "
              f"Dense({classes}, activation='softmax'), one probability per class.")
    layers = list(_nested_layers(model))
    convs = [layer for layer in layers if isinstance(layer, keras.layers.Conv2D)]
    pools = [layer for layer in layers
             if isinstance(layer, (keras.layers.MaxPooling2D, keras.layers.AveragePooling2D))]
    small_convs = sum(isinstance(layer, keras.layers.Conv2D) for layer in _nested_layers(small))
    if len(convs) <= small_convs:
        wrong(f"the model has {len(convs)} Conv2D layer(s), as many as the small CNN: add a "
              "block, a Conv2D followed by MaxPooling2D, after the first pooling.")
    if len(pools) < 2:
        wrong(f"the model has {len(pools)} pooling layer(s); a block ends in MaxPooling2D(2), so "
              "the new block halves the feature maps again.")
    order = "".join("C" if isinstance(layer, keras.layers.Conv2D) else "P" for layer in layers
                    if isinstance(layer, (keras.layers.Conv2D, keras.layers.MaxPooling2D,
                                          keras.layers.AveragePooling2D)))
    later = order[order.index("P") + 1:]  # what comes after the first pooling
    if "C" not in later or "P" not in later[later.index("C"):]:
        wrong(f"the layers run {' -> '.join({'C': 'Conv2D', 'P': 'pooling'}[k] for k in order)}: the new "
              "block is a Conv2D followed by MaxPooling2D, after the first pooling.")
    images = unseen_images(data, CHECK_TRAIN_IMAGES, CHECK_TEST_IMAGES)
    probabilities = model.predict(images[2][:8] / 255.0, verbose=0)
    if not np.all(np.isfinite(probabilities)):
        wrong("the untrained model already outputs NaN or infinity; check its layers.")
    if not np.allclose(probabilities.sum(axis=1), 1.0, atol=1e-3):
        wrong(f"the outputs do not sum to 1; the last layer must be Dense({classes}, "
              "activation='softmax').")
    before = [conv.kernel.numpy().copy() for conv in convs]
    accuracy, losses = _train_and_score(model, images)
    if not np.all(np.isfinite(losses)) or not np.isfinite(accuracy):
        wrong(f"training diverged: the losses were {losses}. Look for a layer that blows up "
              "(no activation between layers is fine; a huge initial scale is not).")
    frozen = [conv.name for conv, kernel in zip(convs, before) if np.array_equal(conv.kernel.numpy(), kernel)]
    if frozen:
        wrong(f"training left the kernels of {', '.join(frozen)} unchanged: is a layer frozen "
              "(trainable=False), or cut off from the output?")
    keras.utils.set_random_seed(0)
    reference, _ = _train_and_score(keras.models.clone_model(small), images)
    where = (f"{CHECK_EPOCHS} epochs on {CHECK_TRAIN_IMAGES:,} images, tested on "
             f"{CHECK_TEST_IMAGES:,} others it never trained on")
    if accuracy < MIN_CHECK_ACCURACY:
        wrong(f"after {where}, the model's accuracy is {accuracy:.3f}, below "
              f"{MIN_CHECK_ACCURACY} (an untrained model scores about {1 / classes:.2f}; the "
              f"small CNN trained the same way {reference:.3f}). Use ReLU activations and "
              "padding that keeps enough of the 32x32 image.")
    return (f"{len(convs)} Conv2D layers, {len(pools)} poolings, {model.count_params():,} "
            f"parameters (small CNN: {small.count_params():,}); every kernel changed in "
            f"training. After {where}: accuracy {accuracy:.3f} on them, the small CNN trained "
            f"the same way {reference:.3f}.")


def _worked_add_block(*_context):
    # The small CNN with a second block (Conv2D + MaxPooling2D) after the first pooling.
    # The second pooling halves the maps again (15x15 -> 6x6), so the Dense layer that
    # follows Flatten gets 6 * 6 * 16 = 576 inputs instead of 1,800: fewer parameters.
    import keras
    from keras import layers

    def build_my_model() -> keras.Model:
        return keras.Sequential([
            keras.Input((32, 32, 3)),
            layers.Conv2D(8, 3, activation="relu"),
            layers.MaxPooling2D(2),
            layers.Conv2D(16, 3, activation="relu"),
            layers.MaxPooling2D(2),
            layers.Flatten(),
            layers.Dense(100, activation="relu"),
            layers.Dense(10, activation="softmax"),
        ])

    return build_my_model


add_block = Exercise(
    title="Exercise 4 (add a block)", answer_name="build_my_model",
    judge=_judge_add_block, worked=_worked_add_block,
    hint_text="copy the small CNN's layers into keras.Sequential([...]) inside the function and "
              "insert a Conv2D (say 16 filters, 3x3, ReLU) and a MaxPooling2D(2) right after the "
              "first MaxPooling2D. Return the model; do not compile or fit it, the check does.")


# --- Exercise 6: test-time flip averaging ---------------------------------------------------

def _judge_flip_average(predict, model, data) -> str:
    if not callable(predict):
        wrong("give your function (predict_flip_averaged, without parentheses).")
    n_val = len(data.x_train) // 10  # lesson 01's validation split: the first 10% (cifar_datasets)
    _, _, x, y = unseen_images(data, 0, 500, seed=7, fallback=(data.x_train[:n_val], data.y_train[:n_val]))
    images = x.astype("float32") / 255.0
    plain = model.predict(images, batch_size=256, verbose=0)
    mirrored = model.predict(images[:, :, ::-1], batch_size=256, verbose=0)
    expected = (plain + mirrored) / 2
    answer = np.asarray(predict(model, images), dtype="float64")
    if answer.shape != expected.shape:
        wrong(f"the function returned shape {answer.shape}; it must return one row of "
              f"probabilities per image, {expected.shape}.")
    if not np.all(np.isfinite(answer)):
        wrong("the function returned NaN or infinity.")
    if np.allclose(answer, expected, atol=1e-5):
        gain = (expected.argmax(1) == y).mean() - (plain.argmax(1) == y).mean()
        return (f"on {len(y)} images the model did not train on, flip averaging changes the "
                f"accuracy by {gain:+.3f}.")
    if np.allclose(answer, plain, atol=1e-5):
        wrong("that is the plain prediction; average it with the prediction for the mirrored "
              "images.")
    upside_down = model.predict(images[:, ::-1], batch_size=256, verbose=0)
    if np.allclose(answer, (plain + upside_down) / 2, atol=1e-5):
        wrong("images[:, ::-1] turns the images upside down (axis 1 is the height); mirror "
              "left-right along axis 2, the width: images[:, :, ::-1].")
    if np.allclose(answer, mirrored, atol=1e-5):
        wrong("that is only the mirrored images' prediction; average it with the plain one.")
    wrong("the result is not the average of the predictions for the images and their mirror "
          "images.")


def _worked_flip_average(*_context):
    import numpy as np

    def predict_flip_averaged(model, images: np.ndarray) -> np.ndarray:
        # Axis 2 of a (batch, height, width, channels) array is the width: reversing it
        # mirrors every image left-right, as the RandomFlip augmentation did in training.
        plain = model.predict(images, batch_size=256, verbose=0)
        mirrored = model.predict(images[:, :, ::-1], batch_size=256, verbose=0)
        return (plain + mirrored) / 2

    return predict_flip_averaged


flip_average = Exercise(
    title="Exercise 6 (flip averaging)", answer_name="predict_flip_averaged",
    judge=_judge_flip_average, worked=_worked_flip_average,
    hint_text="predict the images once as they are and once mirrored left-right (reverse the "
              "width axis), then average the two arrays of probabilities.")


quiz = Quiz("Lesson 01 quiz", [
    Question("A `Conv2D(32, 3, strides=2, padding='same')` layer gets a 32x32x16 input. What is "
             "its output shape (without the batch)?",
             {"a": "16x16x32", "b": "15x15x32", "c": "32x32x32", "d": "16x16x16"}, "a",
             {"a": "'same' with stride 2 gives ceil(32 / 2) = 16 per side, and the depth is the "
                   "number of filters.",
              "b": "15 is what 'valid' padding would give: floor((32 - 3) / 2) + 1.",
              "c": "stride 2 visits every other position, which halves each side.",
              "d": "the output depth is the number of filters (32), not the input's channels."}),
    Question("Why does the bigger CNN put `BatchNormalization` after its convolutions?",
             {"a": "it adds capacity: more trainable weights per layer",
              "b": "it keeps each layer's inputs standardised, so a higher learning rate trains "
                   "stably and faster",
              "c": "it replaces dropout, which is not needed any more"}, "b",
             {"a": "it has only a scale and a shift per channel: its point is the normalisation.",
              "b": "normalised activations let a larger learning rate train stably.",
              "c": "the bigger CNN uses both; they do different jobs."}),
    Question("Training accuracy keeps rising while validation accuracy has stopped rising and "
             "starts to fall. What is happening?",
             {"a": "underfitting: the model is too small",
              "b": "overfitting: the model starts to memorise the training images",
              "c": "the learning rate is too low"}, "b",
             {"a": "an underfitting model is poor on both sets.",
              "b": "the gap between the curves is the tell-tale of overfitting; augmentation, "
                   "dropout and more data push back.",
              "c": "a low learning rate slows both curves alike."}),
    Question("Which file keeps the architecture, the weights and the optimizer state of a "
             "Keras 3 model in one file?",
             {"a": "model.save('model.keras')", "b": "model.save_weights('model.weights.h5')",
              "c": "pickle.dump(model, f)"}, "a",
             {"a": "the .keras format holds all three and reloads with keras.models.load_model.",
              "b": "that file holds the weights only; the code must rebuild the architecture.",
              "c": "pickling a model is not the supported format and breaks across versions."}),
    Question("Two models, A and B: which split should decide which one you keep?",
             {"a": "the test split: it is the most honest estimate",
              "b": "the validation split; the test split is scored once, for the model kept",
              "c": "the training split: it has the most images"}, "b",
             {"a": "a test set used to choose is no longer unseen: the kept model's test score "
                   "is then biased upwards, and nothing honest is left to report.",
              "b": "choices are made on validation; the test set then measures the final model "
                   "once, on images that influenced nothing.",
              "c": "training accuracy rewards memorising: the model that overfits most wins."}),
])
