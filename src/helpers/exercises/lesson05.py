"""Lesson 05's exercises (augmentation and fine-tuning on Fruits-360) and closing quiz.

Each judge computes the right answer itself (from the layer's documented units, or by running
the learner's function on models it builds) and names the learner's mistake when there is one.
"""

from __future__ import annotations

import math

from .core import Exercise, Question, Quiz, real_number, whole_number, wrong


def turn_fraction(degrees: float) -> float:
    """``RandomRotation``'s factor for a range of +-``degrees``: a fraction of a full turn."""
    return degrees / 360.0


def _judge_rotation_factor(answer: float, degrees: float = 40) -> str:
    value = real_number(answer, "RandomRotation's factor")
    expected = turn_fraction(degrees)
    if math.isclose(value, expected, rel_tol=1e-3):
        return (f"{expected:.4f} = {degrees} / 360: RandomRotation(f) turns by up to "
                "±f x 360 degrees.")
    if math.isclose(value, -expected, rel_tol=1e-3):
        wrong(f"{value:.4f} is negative; a single factor f already means ±f of a turn.")
    if math.isclose(value, expected, rel_tol=0.05):
        wrong(f"{value} is close but rounded too far; write the fraction itself ({degrees} / ...).")
    if math.isclose(value, degrees):
        wrong(f"{value:g} is the angle in degrees; the factor is a fraction of a full turn.")
    if math.isclose(value, math.radians(degrees), rel_tol=1e-3):
        wrong(f"{value:.4f} is {degrees} degrees in radians; the factor is a fraction of a full "
              "turn (2 pi radians).")
    if math.isclose(value, 2 * expected, rel_tol=1e-3):
        wrong(f"{value:.4f} is the whole span of {2 * degrees} degrees as a fraction of a turn (or "
              f"{degrees} / 180); the factor is how far to turn each way.")
    if math.isclose(value, degrees / 100):
        wrong(f"{value:g} reads {degrees} as a percentage; a full turn is 360 degrees, not 100.")
    direction = "too large" if abs(value) > expected else "too small"
    wrong(f"{value:g} is {direction}: the factor is the fraction of a full turn (360 degrees) "
          f"that ±{degrees} degrees makes.")


def _worked_rotation_factor() -> float:
    # RandomRotation(factor) turns by up to factor x 2 pi, i.e. factor x 360 degrees, each way.
    return 40 / 360


rotation_factor = Exercise(
    title="Exercise 1 (a rotation factor)", answer_name="my_factor",
    judge=_judge_rotation_factor, worked=_worked_rotation_factor,
    hint_text="RandomRotation's factor is neither degrees nor radians: it is a fraction of a full "
              "turn, and a factor f turns by up to f of a turn either way.")


def trainable_parameters(model) -> int:
    """The number of weights training updates: the sizes of the model's trainable variables."""
    import numpy as np

    return int(sum(np.prod(w.shape) for w in model.trainable_weights))


def _probe_model():
    """A small base with convolutions and BatchNorm, to run the learner's unfreezing on.

    Its layer names mislead on purpose (convolutions called ``..._bn``, batch normalizations
    called ``mix_...``): a rule that finds batch normalization by name fails here; by type it works.
    """
    import keras
    from keras import layers

    stack = [keras.Input((8, 8, 3))]
    for i, filters in enumerate((4, 8, 8)):
        stack += [layers.Conv2D(filters, 3, padding="same", name=f"stage{i}_bn"),
                  layers.BatchNormalization(name=f"mix_{i}"),
                  layers.Activation("relu", name=f"batch_norm_free_{i}")]
    return keras.Sequential(stack, name="probe_base")


def expected_trainable(layer_types: list[str], n: int) -> list[bool]:
    """The rule: the top ``n`` layers trainable, except BatchNormalization; all others frozen."""
    cut = max(len(layer_types) - n, 0)
    return [i >= cut and kind != "BatchNormalization" for i, kind in enumerate(layer_types)]


def _unfreeze_mistake(base, n: int) -> str | None:
    """What is wrong with ``base``'s trainable flags after unfreezing its top ``n``; None if right."""
    kinds = [type(layer).__name__ for layer in base.layers]
    got = [layer.trainable for layer in base.layers]
    want = expected_trainable(kinds, n)
    cut = len(kinds) - n
    if n > 0 and not base.trainable:
        return ("base.trainable is still False, so Keras trains none of its layers whatever their "
                "own flags: set base.trainable = True first.")
    if got == want:
        return None
    norms = [f"#{i}" for i, (kind, g) in enumerate(zip(kinds, got)) if g and kind == "BatchNormalization"]
    if norms:
        return (f"with n={n}, BatchNormalization layer(s) {', '.join(norms)} are trainable; keep "
                "every BatchNormalization frozen, so small batches of fruit do not overwrite the "
                "statistics learnt in pretraining.")
    if n == 0 and got == expected_trainable(kinds, len(kinds)):
        return ("with n=0 every layer is trainable, but none should be: base.layers[-0:] is the "
                "whole list (-0 is 0). Slice with base.layers[len(base.layers) - n:].")
    below = [f"{kind} #{i}" for i, (kind, g) in enumerate(zip(kinds, got)) if g and i < cut]
    top = [f"{kind} #{i}" for i, (kind, g, w) in enumerate(zip(kinds, got, want)) if w and not g]
    if below and top:
        return (f"with n={n}, {', '.join(below)} train while {', '.join(top)} stay frozen: the "
                "top n are the *last* n of base.layers (they are listed from input to output).")
    if below:
        return (f"with n={n}, layers below the top n are trainable ({', '.join(below)}): "
                "base.trainable = True switches every layer on, so freeze all but the last n.")
    return (f"with n={n}, some of the top n layers stay frozen ({', '.join(top)}): make every "
            "layer of the last n trainable, except BatchNormalization.")


def _judge_unfreeze(unfreeze) -> str:
    if not callable(unfreeze):
        wrong(f"{type(unfreeze).__name__} is not a function; define my_unfreeze(base, n).")
    for n in (2, 5, 9, 0):  # n = 0 last: its classic slip is only named once the rest works
        base = _probe_model()
        base.trainable = False  # as after phase 1: the whole base frozen
        try:
            unfreeze(base, n)
        except Exception as error:  # noqa: BLE001 (the learner's code: report any failure)
            wrong(f"unfreeze(base, {n}) raised {type(error).__name__}: {error}")
        mistake = _unfreeze_mistake(base, n)
        if mistake:
            wrong(mistake)
    return ("the top n layers train, BatchNorm and everything below stay frozen "
            "(checked for n = 0, 2, 5 and 9 of 9 layers).")


def _worked_unfreeze():
    # Switch the whole base on (base.trainable = True sets every layer), then freeze all but the
    # last n layers, and every BatchNormalization layer.
    import keras

    def my_unfreeze(base, n):
        base.trainable = True
        for i, layer in enumerate(base.layers):
            layer.trainable = (i >= len(base.layers) - n
                               and not isinstance(layer, keras.layers.BatchNormalization))

    return my_unfreeze


unfreeze = Exercise(
    title="Exercise 2 (write the unfreezing)", answer_name="my_unfreeze",
    judge=_judge_unfreeze, worked=_worked_unfreeze,
    hint_text="set base.trainable = True first (it switches every layer on), then go through "
              "base.layers with their index: only the last n may train, and never a "
              "BatchNormalization layer. Mind n = 0.")


def _judge_left_trainable(answer: int, base, frozen: int = 600) -> str:
    total = len(base.layers)
    expected = total - frozen
    answer = whole_number(answer, "the number of layers")
    if answer == expected:
        return (f"{total} - {frozen} = {expected} of {base.name}'s {total} layers stay trainable "
                "(base.layers[600:]).")
    if answer == frozen:
        wrong(f"{frozen} is the number of layers frozen; the question asks how many are left trainable.")
    if answer == total:
        wrong(f"{total} is every layer of the base; {frozen} of them are frozen.")
    if answer in (expected - 1, expected + 1):
        wrong(f"{answer} is off by one: base.layers[:{frozen}] is exactly {frozen} layers (0 to "
              f"{frozen - 1}), and the rest, base.layers[{frozen}:], trains.")
    batch_norms = sum(type(layer).__name__ == "BatchNormalization" for layer in base.layers[frozen:])
    if answer == expected - batch_norms:
        wrong(f"{answer} leaves out the {batch_norms} BatchNormalization layers above layer {frozen}: "
              "this lesson keeps them frozen, but the source activity froze by position only.")
    wrong(f"{answer} is not the number of layers left trainable: count the base's layers "
          "(len(base.layers)) and take away the frozen ones.")


def _worked_left_trainable(base, frozen: int = 600) -> int:
    # Freezing base.layers[:600] leaves base.layers[600:] trainable: all the layers but 600.
    return len(base.layers) - frozen


left_trainable = Exercise(
    title="Exercise 3 (what 600 frozen layers leave)", answer_name="my_trainable_layers",
    judge=_judge_left_trainable, worked=_worked_left_trainable,
    hint_text="count the base's layers with len(...), and remember that base.layers[:600] is "
              "layers 0 to 599.")


def head_parameters(features: int, hidden: int = 1000, classes: int = 120) -> int:
    """Weights and biases of Dense(hidden) then Dense(classes) on ``features`` inputs."""
    return (features + 1) * hidden + (hidden + 1) * classes


def _judge_head_parameters(answer: int, base, hidden: int = 1000, classes: int = 120) -> str:
    features = int(base.output_shape[-1])
    expected = head_parameters(features, hidden, classes)
    answer = whole_number(answer, "the number of parameters")
    if answer == expected:
        return (f"({features:,} + 1) x {hidden:,} + ({hidden:,} + 1) x {classes} = {expected:,} weights "
                "and biases, all trained from the start.")
    flat = 1
    for side in base.output_shape[1:]:
        flat *= int(side)
    if answer == features * hidden + hidden * classes:
        wrong(f"{answer:,} counts the weights but not the biases (one per unit of each Dense layer).")
    if answer in (features * hidden + hidden + hidden * classes, features * hidden + hidden * classes + classes):
        wrong(f"{answer:,} counts the biases of one Dense layer only; each has one per unit.")
    if answer == (features + 1) * hidden:
        wrong(f"{answer:,} is Dense({hidden}) alone; add Dense({classes}) on its {hidden} outputs.")
    if answer == (features + 1) * classes:
        wrong(f"{answer:,} is Dense({classes}) straight on the features; the head has Dense({hidden}) first.")
    if answer == head_parameters(flat, hidden, classes):
        wrong(f"{answer:,} puts the head on the flattened {base.output_shape[1:]} maps; here it sits "
              f"on the {features:,} pooled features (global average pooling).")
    wrong(f"{answer:,} is not the head's parameter count: a Dense layer with n inputs and u units has "
          "(n + 1) x u weights and biases; the first gets the pooled features.")


def _worked_head_parameters(base, hidden: int = 1000, classes: int = 120) -> int:
    # Dense(u) on n inputs: n x u weights + u biases. The first gets the base's pooled features,
    # the second the first's 1000 outputs.
    features = base.output_shape[-1]
    return (features + 1) * hidden + (hidden + 1) * classes


head_size = Exercise(
    title="Exercise 4 (the source head's parameters)", answer_name="my_head_parameters",
    judge=_judge_head_parameters, worked=_worked_head_parameters,
    hint_text="a Dense layer with n inputs and u units has n x u weights and u biases. The first "
              "layer's inputs are the base's pooled features (its last output dimension), the "
              "second's are the first layer's units.")


quiz = Quiz("Lesson 05 quiz", [
    Question("What do the augmentation layers (`RandomFlip`, `RandomRotation`, ...) do when the "
             "model predicts (`training=False`)?",
             {"a": "they apply a random change, so predictions vary from run to run",
              "b": "they pass the images through unchanged",
              "c": "they apply their strongest setting"}, "b",
             {"a": "they are random only while training; the lesson checked that inference leaves "
                   "the images unchanged.",
              "b": "augmentation is for training only: every epoch sees new versions of the "
                   "images, predictions see the images themselves.",
              "c": "at inference they do nothing at all."}),
    Question("Why is the base kept frozen while the new head trains (phase 1)?",
             {"a": "the head starts random: its large early gradients would wreck the pretrained "
                   "filters",
              "b": "a frozen base uses less memory, which is the only reason",
              "c": "Keras cannot train a base and a head together"}, "a",
             {"a": "first let the head learn on fixed features, then unfreeze the top gently.",
              "b": "it does save work, but the reason is protecting the pretrained filters.",
              "c": "it can (phase 2 does); it is a choice, for the pretrained filters' sake."}),
    Question("In phase 2, why do the `BatchNormalization` layers stay frozen, with the base "
             "called with `training=False`?",
             {"a": "they have no weights to train",
              "b": "so that they normalise with each new batch's statistics",
              "c": "so that small batches of fruit do not overwrite the statistics learnt in "
                   "pretraining"}, "c",
             {"a": "they have a scale and a shift (trainable) and moving statistics.",
              "b": "the opposite: inference mode uses the stored moving statistics.",
              "c": "the filters above were trained on those statistics; keeping them keeps the "
                   "base's features meaningful while it fine-tunes."}),
    Question("Why does this lesson take its validation photos from half of the `Test` sample, "
             "not from a random part of `Training`?",
             {"a": "`Training` has too few photos to spare any",
              "b": "a random part of `Training` holds frames of the same turning fruits as the "
                   "training photos, so its accuracy would flatter every candidate",
              "c": "Keras only accepts validation photos from a folder called `Test`"}, "b",
             {"a": "it has thousands; the trouble is which photos they are, not how many.",
              "b": "near-duplicates of training photos make every choice look good; photos of "
                   "other fruits judge the choices honestly, and the other half of `Test`, used "
                   "for no choice, is scored once at the end.",
              "c": "`validation_data` takes any arrays or dataset; the folder name does not matter."}),
])
