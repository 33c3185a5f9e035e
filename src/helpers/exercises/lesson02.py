"""Lesson 02's exercises (pretrained ImageNet models) and closing quiz.

Each judge computes the right answer itself, with the very model the learner uses (so the
checks hold for real weights and for the fast profile's stand-ins alike), and names the
learner's mistake when there is one: above all, a photo fed with the wrong preprocessing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .core import Exercise, Question, Quiz, plain, real_number, wrong

#: The kinds of ``preprocess_input`` in ``keras.applications``, as exercise 1 names them.
PREPROCESSING_MODES = {
    "caffe": "RGB -> BGR, then the ImageNet mean pixel subtracted (values about -124..152)",
    "tf": "scaled to -1..1",
    "torch": "scaled to 0..1, then each channel standardised with ImageNet's mean and std",
    "none": "unchanged: the model rescales inside itself",
}

#: The three models of section 5, which exercise 3's fourth model must not be.
FIRST_THREE = ("vgg16", "resnet50", "inception_v3")


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


def _black_and_white(preprocess_input: Callable[[np.ndarray], np.ndarray]) -> tuple[list, list]:
    """What ``preprocess_input`` makes of a black and a white pixel, rounded for a message."""
    pixels = np.array([[[[0, 0, 0], [255, 255, 255]]]], dtype="float32")
    black, white = np.asarray(preprocess_input(pixels), dtype="float64")[0, 0]
    return np.round(black, 1).tolist(), np.round(white, 1).tolist()


def _judge_preprocessing_modes(answer: Mapping[str, str], names: Sequence[str]) -> str:
    from ..models.pretrained import SPECS

    if not isinstance(answer, Mapping):
        wrong(f"give a dict {{model name: mode}}, e.g. {{'vgg16': '...'}}, not a {type(answer).__name__}.")
    missing = [name for name in names if name not in answer]
    if missing:
        unknown = sorted(set(map(str, answer)) - set(names))
        wrong(f"give a mode for every model, by the names {', '.join(names)}; missing: "
              f"{', '.join(missing)}" + (f" (not among them: {', '.join(unknown)})." if unknown else "."))
    given = {name: str(answer[name]).strip().lower() for name in names}
    not_modes = {name: mode for name, mode in given.items() if mode not in PREPROCESSING_MODES}
    if not_modes:
        name, mode = next(iter(not_modes.items()))
        wrong(f"{mode!r} (for {name}) is not a kind of preprocessing; choose from "
              f"{', '.join(PREPROCESSING_MODES)}.")
    expected = {name: preprocessing_mode(SPECS[name].module.preprocess_input) for name in names}
    mistakes = [name for name in names if given[name] != expected[name]]
    if mistakes:
        # Show what the function really does to black and white; the learner matches it to a mode.
        details = []
        for name in mistakes:
            black, white = _black_and_white(SPECS[name].module.preprocess_input)
            details.append(f"{name} is not {given[name]!r} ({PREPROCESSING_MODES[given[name]]}): "
                           f"its preprocess_input turns black into {black} and white into {white}")
        wrong(f"{len(mistakes)} of {len(names)} not right: " + "; ".join(details) + ".")
    return ", ".join(f"{name} {mode}" for name, mode in expected.items()) + "."


def _worked_preprocessing_modes() -> dict[str, str]:
    # The Caffe models (VGG16, ResNet50) swap RGB to BGR and subtract the mean pixel, so black
    # becomes the negative mean; Google's InceptionV3 and MobileNetV2 map 0..255 to -1..1;
    # EfficientNet leaves pixels alone because its first layers rescale them.
    return {"vgg16": "caffe", "resnet50": "caffe", "inception_v3": "tf",
            "mobilenet_v2": "tf", "efficientnet_b0": "none"}


preprocessing_modes = Exercise(
    title="Exercise 1 (which preprocessing?)", answer_name="my_modes",
    judge=_judge_preprocessing_modes, worked=_worked_preprocessing_modes,
    hint_text="read the table above: where does black go, and where white? -1 and 1 is 'tf'; "
              "black becoming about -100 in every channel (the negative mean pixel) is 'caffe'; "
              "0 and 255 unchanged is 'none'.")


def _top1(model, images: np.ndarray) -> tuple[str, float]:
    """The top-1 (class name, probability) of ``model`` for a batch of one, preprocessed as given."""
    probabilities = model.model.predict(images, verbose=0)
    _, name, probability = model.decode_predictions(probabilities, top=1)[0][0]
    return name, float(probability)


def _misprepared_top1(model, path: str | Path) -> dict[str, tuple[str, float]]:
    """Top-1 answers for the photo prepared the wrong ways, each keyed by what went wrong."""
    from keras.applications import imagenet_utils

    pixels = model.load_batch([path]).astype("float32")
    own = preprocessing_mode(model.preprocess_input)
    results = {}
    if own != "none":
        results[f"you fed raw 0..255 pixels: apply {model.title}'s own preprocess_input first "
                "(the wrapper's predict does it for you)"] = _top1(model, pixels)
    for mode in ("caffe", "tf", "torch"):
        if mode != own:
            results[f"you used another model's preprocessing ('{mode}': {PREPROCESSING_MODES[mode]}); "
                    f"{model.title} needs its own preprocess_input"] = _top1(
                model, imagenet_utils.preprocess_input(pixels.copy(), mode=mode))
    return results


def _same(probability: float, expected: float, tolerance: float = 1e-3) -> bool:
    """Equal up to ``tolerance`` of ``expected`` (relative; a stand-in's are all about 0.001), or,
    for an answer rounded to 2 decimals, up to that rounding."""
    rounded = abs(probability - round(probability, 2)) < 1e-9
    return (abs(probability - expected) <= tolerance * abs(expected) + 1e-7
            or (rounded and abs(probability - expected) <= 0.005 + 1e-9))


def _is_wordnet_id(name: Any) -> bool:
    """True for a WordNet id such as 'n02123045', the first item of decode_predictions' tuples."""
    return isinstance(name, str) and len(name) == 9 and name[0] == "n" and name[1:].isdigit()


#: Photos the check also runs the learner's function on: ones the notebook never shows it.
UNSEEN_PHOTOS = ("rocket", "flower", "grace_hopper")


def _judge_readable_prediction(readable_prediction: Callable, model, path: str | Path) -> str:
    """Right for ``path`` and for photos the learner did not try (a hard-coded answer fails).

    ``model``: the network the function should use (section 3's Keras model, or a ``Pretrained``).
    """
    from ..datasets.photos import photo_path
    from ..models.pretrained import of_model

    model = of_model(model)
    if not callable(readable_prediction):
        wrong(f"readable_prediction is a {type(readable_prediction).__name__}; define a function: "
              "def readable_prediction(path): ...")
    said = _judge_one_prediction(readable_prediction, model, path)
    for other in UNSEEN_PHOTOS:
        _judge_one_prediction(readable_prediction, model, photo_path(other))
    return f"{said} It is also right for {len(UNSEEN_PHOTOS)} photos you did not try."


#: The loaders a right answer may use, besides the course's own Pillow one: each resizes a little
#: differently, which moves a top-1 probability by up to 43% of itself (EfficientNet-Lite0 on the
#: check's four photos: benchmarks/lesson02_loaders.py), so an answer is compared with each.
OWN_LOADER = "the course's load_rgb_image"


def loader_batches(path: str | Path, size: tuple[int, int]) -> dict[str, np.ndarray]:
    """The photo at ``size`` as a float32 batch of one, by each common loader."""
    import keras
    import tensorflow as tf

    from ..images import load_rgb_image

    decoded = tf.image.decode_image(tf.io.read_file(str(path)), channels=3, expand_animations=False)
    batches = {OWN_LOADER: load_rgb_image(path, size=size, convert=True).astype("float32")}
    for interpolation in ("nearest", "bilinear"):
        image = keras.utils.load_img(path, target_size=size, interpolation=interpolation)
        batches[f"keras.utils.load_img ({interpolation})"] = keras.utils.img_to_array(image)
    for method in ("area", "bilinear"):
        batches[f"tf.image.resize ({method})"] = tf.image.resize(decoded, size, method=method).numpy()
    return {loader: batch[None] for loader, batch in batches.items()}


def _judge_one_prediction(readable_prediction: Callable, model, path: str | Path) -> str:
    references = {loader: _top1(model, model.preprocess_input(batch))
                  for loader, batch in loader_batches(path, model.input_size).items()}
    name, probability = references[OWN_LOADER]
    answer = readable_prediction(path)
    if not (isinstance(answer, (tuple, list)) and len(answer) == 2):
        wrong(f"readable_prediction returned {answer!r}; it must return a tuple "
              "(class name, probability), e.g. ('tabby', 0.87).")
    got_name, got_probability = (plain(item) for item in answer)
    if isinstance(got_name, (int, float, np.number)) and isinstance(got_probability, str):
        wrong(f"{answer!r} has its items swapped: return (class name, probability).")
    got_probability = real_number(got_probability, "the probability")
    for loader, (ref_name, ref_probability) in references.items():
        if got_name == ref_name and _same(got_probability, ref_probability):
            how = "" if loader == OWN_LOADER else f", the photo loaded with {loader}"
            return f"{model.label} says {ref_name} ({ref_probability:.1%}{how})."
    if got_name == name and _same(got_probability, 100 * probability):
        wrong(f"{got_probability:.4g} is a percentage: return the probability as "
              "decode_predictions gives it, between 0 and 1.")
    if got_name == name:
        seen = ", ".join(f"{loader}: {p:.4f}" for loader, (n, p) in references.items() if n == name)
        wrong(f"the class is right but {got_probability:.4f} is not its probability with any common "
              f"loader ({seen}): return the top-1 probability decode_predictions gives.")
    if _is_wordnet_id(got_name):
        wrong(f"{got_name!r} is the WordNet id: return the class name, the second item of "
              "decode_predictions' (id, name, probability).")
    for mistake, (other_name, other_probability) in _misprepared_top1(model, path).items():
        if got_name == other_name and _same(got_probability, other_probability):
            wrong(f"({got_name!r}, {got_probability:.4f}): {mistake}.")
    wrong(f"({got_name!r}, {got_probability:.4f}) is not {model.title}'s top-1 for {Path(path).name}: "
          "(does your function use its `path` argument, or one fixed photo?) "
          f"load the photo at its input size {model.input_size}, apply its own preprocess_input, "
          "predict a batch of one, and read decode_predictions(..., top=1).")


def _worked_readable_prediction(model, path: str | Path) -> Callable[[str | Path], tuple[str, float]]:
    from ..models.pretrained import of_model

    # The four steps for one file, with section 3's model, its input size and its own preprocessing.
    network = of_model(model)  # the model with its input size, preprocess_input, decode_predictions
    def readable_prediction(path):
        batch = network.load_batch([path])                     # (1, 224, 224, 3) uint8 for ResNet50
        x = network.preprocess_input(batch.astype("float32"))  # its own preprocessing, on a float copy
        probabilities = network.model.predict(x, verbose=0)    # (1, 1000)
        _, label, probability = network.decode_predictions(probabilities, top=1)[0][0]
        return label, float(probability)

    print(readable_prediction(path))
    return readable_prediction


readable_prediction = Exercise(
    title="Exercise 2 (a readable prediction)", answer_name="readable_prediction",
    judge=_judge_readable_prediction, worked=_worked_readable_prediction,
    hint_text="it is section 3's four steps for one path, wrapped in a function; "
              "decode_predictions gives, per image, a list of (id, name, probability) tuples, "
              "best first.")


def _judge_fourth_model(answer: str, model, path: str | Path) -> str:
    if model is None:
        wrong("fourth is None: set it to a model from pretrained(...), e.g. the mobilenet of section 5.")
    if not hasattr(model, "decode_predictions"):
        wrong(f"fourth is a {type(model).__name__}; build it with pretrained(...), which keeps the "
              "model's own preprocessing and decode_predictions with it.")
    from ..models.pretrained import SPECS

    asked = model.stands_in_for or model.title  # the source network asked for, whatever ran for it
    if model.name in FIRST_THREE or asked in {SPECS[name].title for name in FIRST_THREE}:
        wrong(f"{asked} is one of the three models above; pick another, e.g. "
              "network_for('mobilenet_v2').")
    if not model.include_top:
        wrong(f"this {model.title} was built without its classifier (include_top=False); build it "
              "with its top to get ImageNet classes.")
    if isinstance(answer, (tuple, list)):
        wrong(f"{answer!r} is more than a class name; give the name alone, e.g. 'tabby'.")
    if _is_wordnet_id(answer):
        wrong(f"{answer!r} is the WordNet id: give the class name, the second item of "
              "decode_predictions' (id, name, probability).")
    top5 = model.decode_predictions(model.predict(model.load_batch([path])), top=5)[0]
    names = [label for _, label, _ in top5]
    if answer == names[0]:
        return f"{model.label} says {names[0]} ({float(top5[0][2]):.1%}) for {Path(path).name}."
    if answer in names:
        wrong(f"{answer!r} is number {names.index(answer) + 1} of {model.title}'s top 5, not its top-1.")
    for mistake, (other_name, _) in _misprepared_top1(model, path).items():
        if answer == other_name:
            wrong(f"{answer!r}: {mistake}.")
    wrong(f"{answer!r} is not {model.label}'s top-1 class name for {Path(path).name}: use this "
          "model's own load_batch (its input size) and predict (its own preprocess_input), then "
          "decode_predictions(..., top=1).")


def _worked_fourth_model(model, path: str | Path) -> str:
    # The model's own load_batch (its input size) and predict (its own preprocessing); the top 3
    # show how sure it is. Between tabby, tiger_cat and Egyptian_cat both answers of two models
    # are defensible (ImageNet's labels for striped cats are noisy); a cat against a fox is not.
    top = model.decode_predictions(model.predict(model.load_batch([path])), top=3)[0]
    print(model.label, [(label, round(float(p), 3)) for _, label, p in top])
    return top[0][1]


fourth_model = Exercise(
    title="Exercise 3 (a fourth model)", answer_name="my_top1",
    judge=_judge_fourth_model, worked=_worked_fourth_model,
    hint_text="section 5 already built one more model than the three it compares; a model "
              "from pretrained(...) loads at its own size and preprocesses inside its predict.")


quiz = Quiz("Lesson 02 quiz", [
    Question("You feed VGG16 a photo prepared with InceptionV3's `preprocess_input` (-1..1 "
             "instead of BGR minus the mean pixel). What happens?",
             {"a": "Keras raises an error about the value range",
              "b": "VGG16 still answers, often confidently and wrongly: nothing fails loudly",
              "c": "Keras notices and converts the input to VGG16's preprocessing"}, "b",
             {"a": "a model has no idea what range its inputs should have: any floats go through.",
              "b": "the weights only work on inputs prepared as in training; a mismatch fails "
                   "silently, which is why each model keeps its own preprocess_input.",
              "c": "preprocessing happens outside the model, in your code; Keras cannot see it."}),
    Question("Why is one `predict` call on 8 photos faster than 8 calls on one photo each?",
             {"a": "every call has a fixed cost, and a batch of one leaves most of the CPU's "
                   "vector units idle",
              "b": "a batch needs fewer multiply-adds per image",
              "c": "Keras predicts a batch at lower precision"}, "a",
             {"a": "one call pays the fixed cost (preparing the input, Keras's loop, copying back) "
                   "once, and a batch keeps the vector units busy.",
              "b": "each image needs the same multiply-adds, batched or not.",
              "c": "both run in the same float32."}),
    Question("VGG16 has 138 million parameters, ResNet50 25 million. Which is more accurate on "
             "ImageNet?",
             {"a": "VGG16: more parameters, more capacity",
              "b": "they are about equal: the data set decides, not the model",
              "c": "ResNet50: architecture matters more than the parameter count"}, "c",
             {"a": "most of VGG16's weights sit in its dense layers and add little accuracy; it "
                   "is the least accurate of the three in section 5 (MobileNetV2 matches it with 3.5 million).",
              "b": "on the same data, the published top-1 differs by several points.",
              "c": "residual connections made depth trainable: 74.9% top-1 against VGG16's 71.3% "
                   "with a fifth of the parameters."}),
    Question("A photo is a grayscale PNG of 45x30 pixels. What should happen before ResNet50 "
             "sees it?",
             {"a": "reject it: ResNet50 needs a 224x224 RGB photo",
              "b": "convert it to RGB, resize it to 224x224, then apply ResNet50's preprocess_input",
              "c": "feed its one channel as it is: the first convolution adapts"}, "b",
             {"a": "a loader can convert any mode and size; only a file that is not an image "
                   "should fail, with an error that names it.",
              "b": "the model needs 3 channels at its input size, prepared its own way.",
              "c": "the first convolution's weights expect exactly 3 channels; one channel fails."}),
])
