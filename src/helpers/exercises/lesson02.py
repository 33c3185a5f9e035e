"""Lesson 02's exercise checks (pretrained ImageNet models).

Each check computes the right answer itself, with the very model the learner uses (so the
checks hold for real weights and for the fast profile's stand-ins alike), prints a verdict and
returns True or False. An unanswered exercise (``None``) is reported, not failed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import numpy as np

from .core import verdict

#: The kinds of ``preprocess_input`` in ``keras.applications``, as exercise 2 names them.
PREPROCESSING_MODES = {
    "caffe": "RGB -> BGR, then the ImageNet mean pixel subtracted (values about -124..152)",
    "tf": "scaled to -1..1",
    "torch": "scaled to 0..1, then each channel standardised with ImageNet's mean and std",
    "none": "unchanged: the model rescales inside itself",
}


def _top1(model, path) -> tuple[str, float]:
    probabilities = model.predict(model.load_batch([path]))
    _, name, probability = model.decode_predictions(probabilities, top=1)[0][0]
    return name, float(probability)


def check_readable_prediction(readable_prediction: Callable | None, model, path: str | Path) -> bool:
    """Exercise 1: ``readable_prediction(path)`` returns ``(class name, probability)`` of ``model``'s top-1."""
    if readable_prediction is None:
        print("Not answered yet: replace None with your function readable_prediction(path).")
        return False
    name, probability = _top1(model, path)
    answer = readable_prediction(path)
    if not (isinstance(answer, tuple) and len(answer) == 2):
        print(f"Not quite: readable_prediction returned {answer!r}; it must return a tuple "
              "(class name, probability), e.g. ('tabby', 0.87).")
        return False
    got_name, got_probability = answer[0], float(answer[1])
    if got_name == name and abs(got_probability - probability) <= 1e-4 * max(1.0, probability) + 1e-6:
        print(f"Correct: {model.label} says {name} ({probability:.1%}).")
        return True
    raw = model.model.predict(model.load_batch([path]).astype("float32"), verbose=0)
    unprocessed = model.decode_predictions(raw, top=1)[0][0]
    if got_name == unprocessed[1] and abs(got_probability - float(unprocessed[2])) < 1e-4:
        hint = f"you fed raw pixels: apply {model.title}'s preprocess_input first."
    elif got_name == name:
        hint = ("the class is right but the probability is not: return the top-1 probability as "
                "decode_predictions gives it (a number between 0 and 1, not a percentage).")
    else:
        hint = (f"load the photo at {model.title}'s input size {model.input_size}, apply its own "
                "preprocess_input, predict a batch of one, and read decode_predictions(..., top=1).")
    print(f"Not quite: got ({got_name!r}, {got_probability:.4f}), expected another answer. Hint: {hint}")
    return False


def preprocessing_mode(preprocess_input: Callable[[np.ndarray], np.ndarray]) -> str:
    """Which kind of preprocessing a ``preprocess_input`` applies, found by running it on probe pixels."""
    probe = np.array([[[[0, 0, 0], [255, 255, 255], [255, 0, 0]]]], dtype="float32")  # black, white, red
    out = np.asarray(preprocess_input(probe.copy()), dtype="float64")[0, 0]
    if np.allclose(out, probe[0, 0]):
        return "none"
    if np.allclose(out[0], -1) and np.allclose(out[1], 1):
        return "tf"
    if out[2, 2] > out[2, 0] and out[0].min() < -100:  # red went to the last channel: BGR, mean removed
        return "caffe"
    if out[0].min() < -1.5 and out[1].max() > 2:
        return "torch"
    return "unknown"


def check_preprocessing_modes(answer: Mapping[str, str] | None, names: Sequence[str]) -> bool:
    """Exercise 2: for each model name, the kind of its ``preprocess_input`` (a key of PREPROCESSING_MODES)."""
    from ..models.pretrained import SPECS

    if answer is None:
        print("Not answered yet: replace None with a dict {model name: mode}, modes from "
              f"{sorted(PREPROCESSING_MODES)}.")
        return False
    expected = {name: preprocessing_mode(SPECS[name].module.preprocess_input) for name in names}
    missing = sorted(set(expected) - set(answer))
    if missing:
        print(f"Not quite: give a mode for every model; missing: {', '.join(missing)}.")
        return False
    wrong = sorted(name for name in expected if answer[name] != expected[name])
    if wrong:
        print(f"Not quite: {len(wrong)} of {len(expected)} wrong, e.g. {wrong[0]!r} is not "
              f"{answer[wrong[0]]!r}. Hint: run its preprocess_input on black and white pixels, "
              "np.array([[[[0, 0, 0], [255, 255, 255]]]], 'float32'), and compare with the modes: "
              + "; ".join(f"{k}: {v}" for k, v in PREPROCESSING_MODES.items()))
        return False
    print("Correct: " + ", ".join(f"{name} {mode}" for name, mode in expected.items()) + ".")
    return True


def check_fourth_model(answer: str | None, model, path: str | Path,
                       first_three: Sequence[str] = ("vgg16", "resnet50", "inception_v3")) -> bool:
    """Exercise 3: the top-1 class name of a fourth model (not one of ``first_three``) on ``path``."""
    if model is None or answer is None:
        print("Not answered yet: build a fourth model with pretrained(...) and give its top-1 class name.")
        return False
    if model.name in first_three:
        print(f"Not quite: {model.title} is one of the three models above; pick another, e.g. "
              "pretrained('mobilenet_v2').")
        return False
    name, _ = _top1(model, path)
    return verdict(answer, name, f"{model.label}'s top-1 class name for {Path(path).name}",
                   "use this model's own load_batch (its input size) and its own preprocess_input "
                   "(model.predict does both), then decode_predictions(..., top=1).")
