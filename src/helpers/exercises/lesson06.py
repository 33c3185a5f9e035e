"""Lesson 06's exercise checks (TensorFlow Hub under Keras 3).

Each check computes the right answer itself (running the learner's function and the module,
building the head), prints a verdict and returns True or False.
"""

from __future__ import annotations

import numpy as np

from .core import verdict


def check_prepare(prepare) -> bool:
    """Exercise 1: ``prepare(uint8 batch)`` gives what the hub image modules expect.

    Expected: float32, the same shape, values in [0, 1] (pixel / 255). Checked on a batch holding
    black, white and random pixels.
    """
    if prepare is None:
        print("Not answered yet: replace None with your function prepare(images).")
        return False
    rng = np.random.default_rng(6)
    images = rng.integers(0, 256, size=(2, 224, 224, 3), dtype=np.uint8)
    images[0, 0, 0], images[1, 0, 0] = 0, 255
    expected = images.astype("float32") / 255.0
    try:
        answer = np.asarray(prepare(images.copy()))
    except Exception as error:  # noqa: BLE001 (the learner's code: report any failure)
        print(f"Not quite: prepare raised {type(error).__name__}: {error}")
        return False
    if answer.shape != expected.shape:
        print(f"Not quite: the shape changed from {expected.shape} to {answer.shape}.")
        return False
    if answer.dtype != np.float32:
        print(f"Not quite: the dtype is {answer.dtype}; the module's signature takes float32.")
        return False
    if not np.allclose(answer, expected, atol=1e-6):
        low, high = float(answer.min()), float(answer.max())
        print(f"Not quite: values run from {low:.3f} to {high:.3f}. Hint: the EfficientNet hub "
              "modules take pixels in [0, 1] (no mean subtraction, no -1..1): divide by 255.")
        return False
    print("Correct: float32 in [0, 1], same shape.")
    return True


def top_classes(logits: np.ndarray, top: int = 3) -> list[str]:
    """The ``top`` ImageNet class names of one image's logits (softmax, decode_predictions)."""
    import keras

    from ..models.hub import imagenet_probabilities
    from ..models.pretrained import load_class_index

    load_class_index()
    probabilities = imagenet_probabilities(np.asarray(logits).reshape(1, -1))
    return [name for _, name, _ in keras.applications.imagenet_utils.decode_predictions(probabilities, top=top)[0]]


def check_top_classes(answer: list[str] | None, logits: np.ndarray) -> bool:
    """Exercise 2: the three most probable ImageNet classes, in order, for one image's ``logits``."""
    expected = top_classes(logits, 3)
    answer = None if answer is None else [str(a) for a in answer]
    return verdict(answer, expected, "the 3 class names from softmax(logits), most probable first",
                   "softmax keeps the order of the logits; decode_predictions wants probabilities "
                   "of shape (1, 1000) and returns (WordNet id, name, probability) triples.")


def head_parameters(features: int = 1280, hidden: int = 500) -> int:
    """Trainable parameters of Dense(hidden, relu) + Dense(1, sigmoid) on ``features`` inputs, built."""
    import keras

    head = keras.Sequential([keras.Input((features,)), keras.layers.Dense(hidden, activation="relu"),
                             keras.layers.Dense(1, activation="sigmoid")])
    return int(sum(np.prod(w.shape) for w in head.trainable_weights))


def check_head_parameters(answer: int | None, features: int = 1280) -> bool:
    """Exercise 3: how many weights the source lesson's head trains on the feature vector."""
    return verdict(answer, head_parameters(features), "the head's number of trainable weights",
                   "a Dense layer has inputs x units weights plus one bias per unit: count both "
                   "layers (the frozen module adds none).")
