"""Lesson 01's exercise checks (CNN basics).

Each check computes the right answer itself (by building and running the layers in
question, not from a stored number), prints a verdict for the learner and returns True
or False. An unanswered exercise (``None``) is reported, not failed, so "Run all" goes
through; the hidden solution cells ``assert`` their check, which is how CI proves every
solution is right.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .core import verdict


def output_shape_model():
    """Conv2D(64, 5, 'valid') -> Conv2D(32, 3, 'same') -> MaxPooling2D(2), as in lesson 01, exercise 2."""
    import keras

    return keras.Sequential([
        keras.Input((15, 15, 3)),
        keras.layers.Conv2D(64, 5, padding="valid"),
        keras.layers.Conv2D(32, 3, padding="same"),
        keras.layers.MaxPooling2D(2),
    ])


def check_output_shape(answer: tuple[int, ...] | None) -> bool:
    """Lesson 01, exercise 2: the output shape of ``output_shape_model()`` on a batch (2, 15, 15, 3)."""
    expected = tuple(output_shape_model()(np.zeros((2, 15, 15, 3), "float32")).shape)
    answer = tuple(answer) if answer is not None else None
    return verdict(answer, expected, "the output shape, a tuple of 4 integers",
                    "'valid' shrinks each side by kernel-1, 'same' keeps it, pooling halves "
                    "it (rounding down); the batch size and the filter count pass through.")


def check_conv_params(answer: int | None, filters: int = 16, kernel: int = 5, channels: int = 3) -> bool:
    """Lesson 01, exercise 3: trainable parameters of Conv2D(filters, kernel) on ``channels`` inputs."""
    import keras

    layer = keras.layers.Conv2D(filters, kernel)
    layer.build((None, 32, 32, channels))
    return verdict(answer, layer.count_params(), "the number of weights plus biases",
                    "each filter has kernel x kernel x input-channels weights and one bias.")


def _correlate(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    windows = np.lib.stride_tricks.sliding_window_view(image, kernel.shape)
    return np.einsum("ijkl,kl->ij", windows, kernel)


def check_vertical_edge_kernel(kernel: Sequence[Sequence[float]] | None) -> bool:
    """Lesson 01, exercise 1: a 3x3 kernel that responds to vertical edges, not to flat areas or horizontal edges."""
    if kernel is None:
        print("Not answered yet: replace None with a 3x3 list of numbers.")
        return False
    kernel = np.asarray(kernel, dtype="float64")
    if kernel.shape != (3, 3):
        print(f"Not quite: the kernel has shape {kernel.shape}, it must be 3x3.")
        return False
    step = np.zeros((9, 9))
    step[:, 5:] = 1.0  # dark left half, bright right half: one vertical edge
    vertical, horizontal, flat = (np.abs(_correlate(img, kernel)).max()
                                  for img in (step, step.T, np.ones((9, 9))))
    if vertical < 1e-6:
        print("Not quite: the kernel gives no response to a vertical edge. Hint: weigh the left "
              "column against the right column.")
        return False
    if flat > 1e-6 * vertical or horizontal > 1e-6 * vertical:
        print("Not quite: the kernel also responds to flat areas or horizontal edges. Hint: make "
              "every row sum to zero.")
        return False
    print(f"Correct: edge response {vertical:.2f}, flat and horizontal-edge response 0.")
    return True


def check_lowest_recall_class(answer: str | None, counts: np.ndarray, class_names: Sequence[str]) -> bool:
    """Lesson 01, exercise 4: the class with the lowest recall in a confusion matrix (rows: true class)."""
    recall = np.diag(counts) / np.maximum(counts.sum(axis=1), 1)
    lowest = [class_names[i] for i in np.flatnonzero(recall == recall.min())]
    expected = answer if answer in lowest else lowest[0]  # any class tied for lowest is right
    return verdict(answer, expected, "a class name",
                    "recall of a class = its diagonal count / the sum of its row.")
