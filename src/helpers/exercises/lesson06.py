"""Lesson 06's exercises (TensorFlow Hub under Keras 3) and closing quiz.

Each judge computes the right answer itself (running the learner's function, decoding the
logits, building the head) and names the learner's mistake when there is one.
"""

from __future__ import annotations

import numpy as np

from .core import Exercise, Question, Quiz, whole_number, wrong


def _test_batch() -> np.ndarray:
    """A uint8 batch of random pixels that holds a black and a white one."""
    images = np.random.default_rng(6).integers(0, 256, size=(2, 224, 224, 3), dtype=np.uint8)
    images[0, 0, 0], images[1, 0, 0] = 0, 255
    return images


def _judge_input_scaling(prepare) -> str:
    if not callable(prepare):
        wrong(f"{type(prepare).__name__} is not a function; define prepare(images).")
    images = _test_batch()
    expected = images.astype("float32") / 255.0
    try:
        answer = np.asarray(prepare(images.copy()))
    except Exception as error:  # noqa: BLE001 (the learner's code: report any failure)
        wrong(f"prepare raised {type(error).__name__}: {error}")
    if answer.shape != expected.shape:
        wrong(f"the shape changed from {expected.shape} to {answer.shape}; scale the pixels only.")
    low, high = float(answer.min()), float(answer.max())
    if not np.allclose(answer, expected, atol=1e-6):
        if np.allclose(answer, images):
            wrong("the values still run 0..255, as Keras's EfficientNetB0 takes them; the hub "
                  "modules take [0, 1]: divide by 255.")
        if np.allclose(answer, images / 127.5 - 1, atol=1e-5):
            wrong("the values run from -1 to 1: that is MobileNetV2's and InceptionV3's "
                  "preprocess_input; the hub modules take [0, 1]: divide by 255, nothing else.")
        if set(np.unique(answer)) <= {0, 1}:
            wrong("every value is 0 or 1: // is integer division, which rounds down; use / and "
                  "float32.")
        if low < 0:
            wrong(f"values run from {low:.3f} to {high:.3f}: something is subtracted (a mean?); "
                  "the hub modules take plain pixel / 255, no mean subtraction.")
        wrong(f"values run from {low:.3f} to {high:.3f}, not pixel / 255; divide each pixel by "
              "255, nothing else.")
    if answer.dtype != np.float32:
        wrong(f"the values are right but the dtype is {answer.dtype}; the module's signature "
              "takes float32 (a uint8 array divided by 255 is float64 in NumPy).")
    return "float32 in [0, 1] (pixel / 255), same shape."


def _worked_input_scaling():
    # float32 in [0, 1], nothing else: no mean subtraction, no -1..1 (compare lesson 02).
    def prepare(images):
        return np.asarray(images).astype("float32") / 255.0

    return prepare


input_scaling = Exercise(
    title="Exercise 1 (feed the module what it expects)", answer_name="prepare",
    judge=_judge_input_scaling, worked=_worked_input_scaling,
    hint_text="the EfficientNet hub modules take float32 pixels in [0, 1]: no mean subtraction, "
              "no -1..1 as MobileNetV2's preprocess_input gives. Mind NumPy's dtypes.")


def _class_index() -> tuple[tuple[str, str], ...]:
    """Keras's ImageNet classes as (WordNet id, name), by index (the verified index file)."""
    from ..models.imagenet_classes import class_index

    return class_index()


def _ranking(logits: np.ndarray) -> np.ndarray:
    """Class indices of one image's logits (1,000, or 1,001 with a background), most probable first."""
    from ..models.hub import imagenet_probabilities

    probabilities = imagenet_probabilities(np.asarray(logits).reshape(1, -1))[0]
    return np.argsort(-probabilities, kind="stable")


def top_classes(logits: np.ndarray, top: int = 3) -> list[str]:
    """The ``top`` ImageNet class names of one image's logits (softmax, decode_predictions)."""
    from ..models.hub import imagenet_probabilities
    from ..models.imagenet_classes import decode_predictions

    probabilities = imagenet_probabilities(np.asarray(logits).reshape(1, -1))
    return [name for _, name, _ in decode_predictions(probabilities, top=top)[0]]


def _judge_top_labels(answer: list[str], logits: np.ndarray) -> str:
    if isinstance(answer, str):
        wrong(f"{answer!r} is one string; give a list of 3 class names, most probable first.")
    answer = [str(a) for a in answer]
    expected = top_classes(logits, 3)
    if answer == expected:
        return (f"{expected}: softmax keeps the order of the logits, so the top 3 logits are the top "
                "3 classes.")
    if len(answer) != 3:
        wrong(f"{len(answer)} names; give exactly 3, most probable first.")
    index = _class_index()
    if all(a in {wnid for wnid, _ in index} for a in answer):
        wrong("those are WordNet ids, the first item of each (id, name, probability) triple; give "
              "the names, the second item.")
    if sorted(answer) == sorted(expected):
        if answer == expected[::-1]:
            wrong("the right classes, least probable first: argsort sorts ascending, so reverse "
                  "it (most probable first).")
        wrong("the right three classes in the wrong order; list them most probable first.")
    ranking = _ranking(logits)
    names = [name for _, name in index]
    if answer == [names[i] for i in ranking[-3:][::-1]] or answer == [names[i] for i in ranking[-3:]]:
        wrong("those are the three *least* probable classes; take the top of the ranking.")
    for shift in (1, -1):
        if answer == [names[(i + shift) % 1000] for i in ranking[:3]]:
            wrong("every class is one index off; the EfficientNet modules give 1,000 logits, in "
                  "the order of Keras's class index (no background class at index 0).")
    right = sum(a in expected for a in answer)
    wrong(f"{right} of your 3 names are among the three most probable classes.")


def _worked_top_labels(logits: np.ndarray) -> list[str]:
    # Softmax keeps the order of the logits, so the top 3 logits are the top 3 classes;
    # decode_predictions wants probabilities of shape (1, 1000) and returns
    # (WordNet id, name, probability) triples, most probable first.
    import keras

    probabilities = np.exp(logits - logits.max()) / np.exp(logits - logits.max()).sum()
    decoded = keras.applications.imagenet_utils.decode_predictions(probabilities[None, :], top=3)[0]
    return [name for _, name, _ in decoded]


top_labels = Exercise(
    title="Exercise 2 (from logits to labels)", answer_name="my_top3",
    judge=_judge_top_labels, worked=_worked_top_labels,
    hint_text="softmax keeps the order of the logits; decode_predictions wants probabilities of "
              "shape (1, 1000) and returns (WordNet id, name, probability) triples.")


def head_parameters(features: int = 1280, hidden: int = 500) -> int:
    """Trainable parameters of Dense(hidden, relu) + Dense(1, sigmoid) on ``features`` inputs, built."""
    import keras

    head = keras.Sequential([keras.Input((features,)), keras.layers.Dense(hidden, activation="relu"),
                             keras.layers.Dense(1, activation="sigmoid")])
    return int(sum(np.prod(w.shape) for w in head.trainable_weights))


def _shape_of(head) -> tuple[int, int, int]:
    """(features in, hidden units, trainable weights) of the learner's head: counted, not assumed."""
    import keras

    dense = [layer for layer in head.layers if isinstance(layer, keras.layers.Dense)]
    if len(dense) < 2:
        return int(head.input_shape[-1]), 0, int(sum(np.prod(w.shape) for w in head.trainable_weights))
    return (int(dense[0].kernel.shape[0]), int(dense[0].units),
            int(sum(np.prod(w.shape) for w in head.trainable_weights)))


def _judge_head_weights(answer: int, head=None) -> str:
    features, hidden, expected = (1280, 500, head_parameters()) if head is None else _shape_of(head)
    answer = whole_number(answer, "the count of weights")
    if answer == expected:
        return (f"{expected:,}: every Dense layer trains inputs x units weights plus one bias per unit "
                f"(here {features:,} features into {hidden} hidden units, then one output unit).")
    if answer == features * hidden:
        wrong(f"{answer:,} counts the first layer's weights only; add its biases and the output "
              "layer's weights and bias.")
    if answer == features * hidden + hidden:
        wrong(f"{answer:,} is missing either both layers' biases or the whole output layer: each "
              "Dense layer has inputs x units weights plus one bias per unit; count both layers.")
    if answer == expected - 1:
        wrong(f"{answer:,} forgets the output unit's bias.")
    if answer == expected - hidden:
        wrong(f"{answer:,} forgets the hidden layer's {hidden} biases.")
    if answer in (expected + 2 * features, expected + 2 * features + 1):
        wrong(f"{answer:,} counts Normalization's mean and variance too: statistics, not trained "
              "weights.")
    if answer == head_parameters() and head is not None:
        wrong(f"{answer:,} is the count for the source lab's 1,280 -> 500 -> 1 head; count the head "
              "you built, whose layers differ.")
    direction = "too many" if answer > expected else "too few"
    wrong(f"{answer:,} is {direction}: each Dense layer has inputs x units weights plus one bias "
          "per unit; add up the layers of your head.")


def _worked_head_weights(head=None) -> int:
    # Each Dense layer: inputs x units weights + one bias per unit. The source lab's head:
    # Dense(500): 1,280 x 500 + 500; Dense(1): 500 x 1 + 1. The frozen module and Normalization's
    # statistics add no trained weights.
    import keras

    if head is None:
        return 1280 * 500 + 500 + 500 * 1 + 1
    return sum(int(np.prod(layer.kernel.shape)) + layer.units
               for layer in head.layers if isinstance(layer, keras.layers.Dense))


head_weights = Exercise(
    title="Exercise 3 (what does the head train?)", answer_name="my_head_weights",
    judge=_judge_head_weights, worked=_worked_head_weights,
    hint_text="a Dense layer has inputs x units weights plus one bias per unit: count both layers "
              "(the frozen module adds none, Normalization's statistics are not trained).")


quiz = Quiz("Lesson 06 quiz", [
    Question("Why does `keras.Sequential([hub.KerasLayer(handle), ...])` fail with Keras 3?",
             {"a": "the module must be downloaded first",
              "b": "`hub.KerasLayer` is a tf-keras (Keras 2) layer, and Keras 3 accepts only its "
                   "own `keras.Layer`",
              "c": "hub modules cannot be used in Keras models at all"}, "b",
             {"a": "the lesson tried it with a module already loaded: the error is about the "
                   "layer's class.",
              "b": "\"Only instances of `keras.Layer` can be added\": use Keras 3's "
                   "`keras.layers.TFSMLayer` on the module's folder, or tf-keras for the whole model.",
              "c": "`keras.layers.TFSMLayer` on the module's folder works in Sequential and "
                   "functional models."}),
    Question("You put `keras.layers.TFSMLayer(folder, call_endpoint=\"serving_default\")` under a new "
             "head, compile the model and `fit` it. What does `fit` update?",
             {"a": "the module's weights and the head's: `TFSMLayer` is trainable by default",
              "b": "only the head: a layer loaded from a SavedModel is frozen",
              "c": "nothing: a SavedModel cannot be trained"}, "a",
             {"a": "like any Keras layer it is created with `trainable=True`; pass `trainable=False` "
                   "to freeze the module, and count the model's trainable weights to check.",
              "b": "`TFSMLayer`'s `trainable` argument defaults to True, so the module's trainable "
                   "variables are trainable weights of the model: the lesson counted them.",
              "c": "section 5 fine-tunes the module through the same layer, with `trainable=True`."}),
    Question("What input do the EfficientNet-B0 hub modules expect?",
             {"a": "uint8 pixels 0..255, like Keras's `EfficientNetB0`",
              "b": "floats in -1..1, like MobileNetV2",
              "c": "224x224 RGB floats in [0, 1]"}, "c",
             {"a": "Keras's EfficientNetB0 rescales inside the model; the hub module does not.",
              "b": "that is MobileNetV2's preprocess_input; each model has its own scaling.",
              "c": "pixel / 255 as float32: exercise 1."}),
    Question("How do you keep a trained model whose first layer is a hub module?",
             {"a": "`model.save('model.keras')`, as for any Keras model",
              "b": "save the trained head and keep the handle; rebuild by loading the module "
                   "again and stacking",
              "c": "pickle the model"}, "b",
             {"a": "a `.keras` file stores layers by configuration; TFSMLayer's is only the "
                   "SavedModel's path, and Keras refuses to load it by default (safe_mode).",
              "b": "the head is a plain Keras model; the module comes back from the cache by its "
                   "handle.",
              "c": "pickling is not a supported format and breaks across versions."}),
])
