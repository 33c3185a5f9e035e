"""Lesson 01's exercises (CNN basics) and closing quiz.

Each judge computes the right answer itself, by building and running the layers in question,
not from a stored number, and names the learner's mistake when there is one.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .core import Exercise, Question, Quiz, whole_number, wrong


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
    kernel = np.asarray(kernel, dtype="float64")
    if kernel.shape != (3, 3):
        wrong(f"the kernel has shape {kernel.shape}; it must be 3x3.")
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
    try:
        answer = tuple(int(v) for v in answer)
    except (TypeError, ValueError):
        wrong(f"{answer!r} is not a shape: give a tuple of 4 integers, e.g. (2, 9, 9, 8).")
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
    answer = whole_number(answer, "the number of parameters")
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
    title="Exercise 4 (the hardest class)", answer_name="my_class",
    judge=_judge_lowest_recall, worked=_worked_lowest_recall,
    hint_text="a row of the confusion matrix holds all test images of one true class; its "
              "diagonal cell counts those the model got right.")


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
])
