"""Lesson 04's exercises (transfer learning, cats vs dogs) and closing quiz.

Each judge computes the right answer itself (counting the model's weights, evaluating the
learner's model on held-out images) and names the learner's mistake when there is one.
"""

from __future__ import annotations

import numpy as np

from .core import Exercise, Question, Quiz, whole_number, wrong


def trainable_parameters(model) -> int:
    """The number of weights training updates: the sizes of the model's trainable variables."""
    return int(sum(np.prod(w.shape) for w in model.trainable_weights))


def _nested_layers(model) -> list:
    """Every layer of ``model``, including those inside its sub-models."""
    found = []
    for layer in getattr(model, "layers", []):
        found.append(layer)
        found += _nested_layers(layer)
    return found


def _size(weights) -> int:
    return int(sum(np.prod(w.shape) for w in weights))


def _judge_trainable_count(answer: int, model) -> str:
    import keras

    expected = trainable_parameters(model)
    answer = whole_number(answer, "the count of weights")
    if answer == expected:
        return (f"{expected:,}: the base is frozen, so only the head's Dense layer trains (one weight "
                "per feature, one bias).")
    statistics = _size(w for layer in _nested_layers(model)
                       if isinstance(layer, keras.layers.Normalization) for w in layer.weights)
    kernels = _size(w for w in model.trainable_weights if len(w.shape) >= 2)
    if answer == model.count_params():
        wrong(f"{answer:,} is every weight of the model, the frozen base's too; training updates "
              "only the trainable ones.")
    if answer == model.count_params() - expected - statistics:
        wrong(f"{answer:,} is the frozen base: exactly the weights training does *not* update.")
    if answer == expected + statistics:
        wrong(f"{answer:,} counts Normalization's mean, variance and count too: statistics adapted "
              "once to the features, not trained.")
    if answer == kernels:
        wrong(f"{answer:,} counts the Dense layer's weights but not its bias.")
    wrong(f"{answer:,} is not the number of weights training updates: only layers that are not "
          "frozen count.")


def _worked_trainable_count(model) -> int:
    # The base is frozen, so training updates only the head's Dense layer: one weight per feature
    # it receives, plus one bias. (Dropout has no weights.)
    dense = model.get_layer("head").layers[-1]
    features = dense.input.shape[-1]
    return features * dense.units + dense.units


trainable_count = Exercise(
    title="Exercise 1 (what does training update?)", answer_name="my_count",
    judge=_judge_trainable_count, worked=_worked_trainable_count,
    hint_text="the base is frozen, so only the new head trains. A Dense layer has one weight per "
              "input and unit plus one bias per unit; Dropout has no weights.")


def _predictions(model, validation) -> tuple[np.ndarray, np.ndarray]:
    """The model's probabilities of label 1 on every batch of ``validation`` (a dataset of
    batches, or an ``(images, labels)`` pair of arrays), and the labels. A model that ends in
    logits (no sigmoid: trained with ``from_logits=True``) has them turned into probabilities."""
    if isinstance(validation, (tuple, list)) and len(validation) == 2 and hasattr(validation[0], "shape"):
        images, labels = (np.asarray(part) for part in validation)
        validation = [(images[i:i + 64], labels[i:i + 64]) for i in range(0, len(images), 64)]
    outputs, labels = [], []
    try:
        for images, batch_labels in validation:
            outputs.append(np.ravel(model.predict_on_batch(images)))
            labels.append(np.ravel(batch_labels))
    except (TypeError, ValueError) as error:
        wrong(f"the validation data could not be read as (images, labels) batches ({error}); pass "
              "small_val, or a pair (images, labels) of arrays.")
    outputs = np.concatenate(outputs).astype("float64")
    return (_sigmoid(outputs) if _ends_in_logits(model, outputs) else outputs), np.concatenate(labels)


def _ends_in_logits(model, outputs: np.ndarray) -> bool:
    """True when the last layer has no squashing activation, or the outputs leave [0, 1]."""
    import keras

    last = [layer for layer in _nested_layers(model) if hasattr(layer, "activation")]
    if last and last[-1].activation in (keras.activations.sigmoid, keras.activations.softmax):
        return False
    if last and last[-1].activation is keras.activations.linear:
        return True
    return bool(np.any(outputs < 0) or np.any(outputs > 1))


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-x))


def _changed(before, after) -> bool:
    return any(not np.array_equal(a, b) for a, b in zip(before, after))


def _judge_own_cnn(model, weights_before, validation, transfer_accuracy: float, chance: float = 0.5,
                   margin: float = 0.05) -> str:
    import keras

    if not isinstance(model, keras.Model):
        wrong(f"{type(model).__name__} is not a Keras model; pass your trained model itself.")
    convolutions = [layer for layer in _nested_layers(model) if isinstance(layer, keras.layers.Conv2D)]
    if not convolutions:
        wrong("your model has no Conv2D layer: the exercise asks for a convolutional network "
              "(Conv2D and pooling blocks before the classifier).")
    if tuple(model.output_shape[1:]) != (1,):
        wrong(f"the model's output shape is {model.output_shape}; a binary classifier ends in "
              "Dense(1, activation='sigmoid') and trains with binary cross-entropy.")
    after = model.get_weights()
    if isinstance(weights_before, (list, tuple)) and any(isinstance(w, keras.Variable) for w in weights_before):
        wrong("weights_before holds the model's variables themselves (my_model.weights), which fit "
              "changes in place, so it cannot show what training changed: take a copy before fit, "
              "[w.copy() for w in my_model.get_weights()] or [w.numpy() for w in my_model.weights].")
    if isinstance(weights_before, (list, tuple)):
        weights_before = [np.asarray(w) for w in weights_before]
    if not isinstance(weights_before, (list, tuple)) or len(weights_before) != len(after) or any(
            np.shape(a) != np.shape(b) for a, b in zip(weights_before, after)):
        wrong("weights_before does not match this model's weights: take "
              "[w.copy() for w in my_model.get_weights()] after building the model, before fit.")
    if not all(np.all(np.isfinite(w)) for w in after):
        wrong("some of the model's weights are NaN or inf: training diverged. Lower the learning "
              "rate, and check the pixels are scaled (Rescaling(1 / 255)).")
    if not _changed(weights_before, after):
        wrong("training did not change the weights: the model has not been trained yet. Compile "
              "it and call my_model.fit(...) on the training photos.")
    kernels = {c.kernel.path for c in convolutions}
    kernel_index = [i for i, w in enumerate(model.weights) if w.path in kernels]
    if not _changed([weights_before[i] for i in kernel_index], [after[i] for i in kernel_index]):
        wrong("training left every Conv2D kernel as it was: were the convolutions frozen? "
              "Train the whole network.")
    probabilities, labels = _predictions(model, validation)
    if not np.all(np.isfinite(probabilities)):
        wrong("the model outputs NaN or inf on the validation photos.")
    predicted = probabilities > 0.5
    accuracy = float(np.mean(predicted == labels))
    constant = predicted.all() or not predicted.any()
    if constant or accuracy < chance + margin:
        problem = (f"it predicts label {int(predicted[0])} for every photo (validation accuracy "
                   f"{accuracy:.3f})" if constant else
                   f"the validation accuracy is {accuracy:.3f}, no better than guessing ({chance:.2f})")
        scaling = (keras.layers.Rescaling, keras.layers.Normalization)
        if not any(isinstance(layer, scaling) for layer in _nested_layers(model)):
            wrong(f"{problem}: the model gets pixels 0..255 and has no Rescaling layer; start it "
                  "with layers.Rescaling(1 / 255).")
        if constant:
            wrong(f"{problem}. Try a lower learning rate or more epochs, and check the loss falls "
                  "while it trains.")
        wrong(f"{problem}. Train it longer, on the same training images and input scaling.")
    gap = transfer_accuracy - accuracy
    measured = f"your CNN {accuracy:.3f}, the transfer model {transfer_accuracy:.3f}"
    if abs(gap) < 0.005:
        return f"{measured}: a tie."
    if gap > 0:
        return f"{measured}: transfer is ahead by {gap:.3f}. That gap is what pretraining bought."
    return (f"{measured}: yours is ahead by {-gap:.3f}. Check it holds over several seeds before "
            "you believe it.")


def _worked_own_cnn(train, size: int, epochs: int):
    # A small CNN from scratch: pixels scaled to [0, 1], random flips, three convolution + pooling
    # blocks, a dense layer, one sigmoid unit. Returns the model and its weights before training.
    import keras
    from keras import layers

    keras.utils.set_random_seed(1)
    model = keras.Sequential([
        keras.Input((size, size, 3)),
        layers.Rescaling(1 / 255),
        layers.RandomFlip("horizontal"),
        layers.Conv2D(32, 3, activation="relu"),
        layers.MaxPooling2D(2),
        layers.Conv2D(64, 3, activation="relu"),
        layers.MaxPooling2D(2),
        layers.Conv2D(64, 3, activation="relu"),
        layers.GlobalMaxPooling2D(),
        layers.Dense(64, activation="relu"),
        layers.Dense(1, activation="sigmoid"),
    ], name="my_cnn")
    weights_before = [w.copy() for w in model.get_weights()]
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="binary_crossentropy",
                  metrics=["accuracy"])
    model.fit(train, epochs=epochs, verbose=0)
    return model, weights_before


own_cnn = Exercise(
    title="Exercise 2 (your own small CNN)", answer_name="my_model",
    judge=_judge_own_cnn, worked=_worked_own_cnn,
    hint_text="start from the small CNN above: Rescaling(1 / 255), Conv2D + MaxPooling2D blocks, "
              "a pooling or Flatten layer, Dense(1, activation='sigmoid'); keep weights_before "
              "from before fit; compile with binary_crossentropy and fit it on small_train.")


#: NASNetMobile's last cell outputs this many feature maps (NASNetLarge's: 4,032).
NASNET_MOBILE_FEATURES = 1056


def _judge_nasnet_base(model, size: int = 224) -> str:
    import keras

    if not isinstance(model, keras.Model):
        wrong(f"{type(model).__name__} is not a Keras model; build it with "
              "keras.applications.NASNetMobile(...).")
    names = [layer.name for layer in model.layers]
    if not (any(n.startswith("normal_") for n in names) and any(n.startswith("reduction_") for n in names)):
        wrong(f"{model.name} has none of NASNet's normal and reduction cells: build "
              "keras.applications.NASNetMobile, not another network.")
    if any(isinstance(layer, keras.layers.Dense) for layer in _nested_layers(model)):
        wrong("the model still has ImageNet's classifier (a Dense layer): build it with "
              "include_top=False, the new head comes on top.")
    if len(model.output_shape) != 4:
        wrong(f"the model outputs {model.output_shape}: leave pooling out (no pooling= argument), "
              "the feature model pools with GlobalAveragePooling2D as in section 5.")
    channels = model.output_shape[-1]
    if channels != NASNET_MOBILE_FEATURES:
        wrong(f"its last cell outputs {channels:,} feature maps, NASNetMobile's {NASNET_MOBILE_FEATURES:,}: "
              "is it NASNetLarge? Build keras.applications.NASNetMobile.")
    if tuple(model.input_shape[1:]) != (size, size, 3):
        wrong(f"its input is {model.input_shape[1:]}; NASNetMobile's ImageNet weights are for "
              f"({size}, {size}, 3): pass input_shape=({size}, {size}, 3).")
    trainable = trainable_parameters(model)
    if trainable:
        wrong(f"{trainable:,} of its weights are trainable: freeze the base (nasnet.trainable = False), "
              "as section 3 froze the lesson's base.")
    return (f"NASNetMobile without its classifier, frozen: {len(model.layers)} layers, "
            f"{model.count_params():,} parameters, {channels:,} feature maps of {model.output_shape[1]}x"
            f"{model.output_shape[2]} per photo.")


def _worked_nasnet_base(weights: str | None):
    # The same constructor call as the lesson's base, another network: no classifier, its own input
    # size, then frozen. weights=None (no ImageNet weights here) is only for shapes and speed.
    import keras

    nasnet = keras.applications.NASNetMobile(include_top=False, weights=weights, input_shape=(224, 224, 3))
    nasnet.trainable = False
    return nasnet


nasnet_base = Exercise(
    title="Exercise 3 (another base: NASNetMobile)", answer_name="nasnet",
    judge=_judge_nasnet_base, worked=_worked_nasnet_base,
    hint_text="the same three steps as section 3, with keras.applications.NASNetMobile: no "
              "classifier (include_top=False), weights=nasnet_weights, input_shape=(224, 224, 3), "
              "then freeze it.")


quiz = Quiz("Lesson 04 quiz", [
    Question("Which part of a CNN trained on ImageNet is worth keeping for cats vs dogs?",
             {"a": "the classifier: its Dense layers already know 1,000 classes",
              "b": "the convolutional base: its filters respond to edges, textures and parts",
              "c": "neither: pretrained weights only help on the same classes"}, "b",
             {"a": "the classifier maps features to the *old* task's classes; a new head replaces it.",
              "b": "general visual features transfer; a new head learns the new classes on top.",
              "c": "the base's features help on new classes: the lesson measured the gain over "
                   "a small CNN trained from scratch on the same photos."}),
    Question("Why can the head train on features extracted once, instead of running the base "
             "every epoch?",
             {"a": "cached features are more accurate than the base's live output",
              "b": "caching is what lets the pipeline augment the images",
              "c": "the base is frozen and has no randomness at inference, so each image's "
                   "features never change"}, "c",
             {"a": "they are the very same numbers: the lesson checked the stacked model against "
                   "the head on cached features.",
              "b": "the opposite: augmentation changes the images every epoch, so the base must "
                   "run again each time (lesson 05).",
              "c": "same input, same frozen weights, same output: compute it once, train many "
                   "epochs on it."}),
    Question("The frozen base is called with `training=False`. Lesson 05 later unfreezes its top "
             "layers. What does `training=False` do then?",
             {"a": "batch normalization keeps using (and keeping) the statistics learnt in "
                   "pretraining, while the layers around it train",
              "b": "it stops the unfrozen weights from being updated",
              "c": "nothing: `training` only matters when predicting"}, "a",
             {"a": "while the base is frozen Keras 3 already runs its batch normalization in "
                   "inference mode; `training=False` keeps it so after unfreezing, so small "
                   "batches cannot overwrite the pretrained statistics.",
              "b": "that is `trainable`; `training` chooses how layers such as batch "
                   "normalization and dropout behave in the call.",
              "c": "`training` is the mode of the call inside the model, and `fit` trains "
                   "through that call."}),
    Question("What does a small CNN trained from scratch on the same photos measure?",
             {"a": "how much faster cached features train",
              "b": "what pretraining buys on these photos, against a network that learns from "
                   "them alone",
              "c": "whether the head overfits"}, "b",
             {"a": "the speed-up was measured in section 6, end to end against cached features.",
              "b": "same photos, a comparable time budget: the gap is what the base learnt from "
                   "ImageNet's 1.3 million images (a larger network from scratch would need far "
                   "more photos and time).",
              "c": "overfitting shows as a gap between a model's own training and validation "
                   "curves."}),
])
