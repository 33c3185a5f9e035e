"""Lesson 05's exercise checks (augmentation and fine-tuning on Fruits-360).

Each check computes the right answer itself (from the layer's documented units, or by
running the learner's function on a model it builds), prints a verdict and returns True or False.
"""

from __future__ import annotations

import math

from .core import verdict


def rotation_factor(degrees: float) -> float:
    """``RandomRotation``'s factor for a range of +-``degrees``: a fraction of a full turn."""
    return degrees / 360.0


def check_rotation_factor(answer: float | None, degrees: float = 40) -> bool:
    """Exercise 1: ``ImageDataGenerator(rotation_range=degrees)`` as ``RandomRotation(factor)``."""
    expected = rotation_factor(degrees)
    if answer is not None and math.isclose(float(answer), expected, rel_tol=1e-3):
        answer = expected
    return verdict(answer, expected, f"the factor of RandomRotation for +-{degrees} degrees",
                   "RandomRotation's factor is a fraction of a full turn (2 pi, or 360 degrees), "
                   "not degrees or radians.")


def _probe_model():
    """A small base with convolutions and BatchNorm, to run the learner's unfreezing on."""
    import keras
    from keras import layers

    stack = [keras.Input((8, 8, 3))]
    for filters in (4, 8, 8):
        stack += [layers.Conv2D(filters, 3, padding="same"), layers.BatchNormalization(),
                  layers.Activation("relu")]
    return keras.Sequential(stack, name="probe_base")


def expected_trainable(layer_types: list[str], n: int) -> list[bool]:
    """The rule: the top ``n`` layers trainable, except BatchNormalization; all others frozen."""
    cut = max(len(layer_types) - n, 0)
    return [i >= cut and kind != "BatchNormalization" for i, kind in enumerate(layer_types)]


def check_unfreeze(unfreeze) -> bool:
    """Exercise 2: ``unfreeze(base, n)`` makes the top ``n`` layers trainable, BatchNorm and the rest frozen.

    The check runs ``unfreeze`` on fresh models for several ``n`` and compares every layer's
    ``trainable`` flag with the rule.
    """
    if unfreeze is None:
        print("Not answered yet: replace None with your function unfreeze(base, n).")
        return False
    for n in (0, 2, 5, 9):
        base = _probe_model()
        unfreeze(base, n)
        kinds = [type(layer).__name__ for layer in base.layers]
        got = [layer.trainable for layer in base.layers]
        want = expected_trainable(kinds, n)
        if got != want:
            wrong = [f"{kind} #{i}" for i, (kind, g, w) in enumerate(zip(kinds, got, want)) if g != w]
            print(f"Not quite: with n={n}, these layers have the wrong trainable flag: "
                  f"{', '.join(wrong)}. Hint: set base.trainable = True first (it switches every "
                  "layer), then freeze all but the last n layers, and keep BatchNormalization frozen.")
            return False
    print("Correct: the top n layers train, BatchNorm and everything below stay frozen.")
    return True
