"""Lesson 01's CNNs for CIFAR-10, and the trained model later lessons build on.

Lesson 01 shows these definitions and trains them; lesson 03 takes features from the trained
bigger CNN, and lesson 04 uses it as a base pretrained on CIFAR-10 when ImageNet weights are
out of reach. The trained model is saved as a ``.keras`` file with a JSON card beside it that
says what it was trained on, so a model trained on the stand-in is never mistaken for a real one.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf
from keras import layers

from ..datasets.cifar10 import ImageDataset
from ..pipelines import make_dataset
from ..training import TrainingResult, fit_and_evaluate, warmup_cosine

INPUT_SHAPE = (32, 32, 3)


def small_cnn(num_classes: int = 10) -> keras.Model:
    """Conv2D(8, 3x3) -> MaxPool -> Flatten -> Dense(100) -> Dense(num_classes)."""
    return keras.Sequential([
        keras.Input(shape=INPUT_SHAPE),
        layers.Conv2D(8, (3, 3), activation="relu"),
        layers.MaxPooling2D((2, 2)),
        layers.Flatten(),
        layers.Dense(100, activation="relu"),
        layers.Dense(num_classes, activation="softmax"),
    ], name="small_cnn")


def conv_block(filters: int, convs: int = 2) -> list[keras.Layer]:
    """``convs`` times (3x3 conv -> batch norm -> ReLU), then 2x2 max pooling."""
    block = []
    for _ in range(convs):
        block += [layers.Conv2D(filters, 3, padding="same", use_bias=False),
                  layers.BatchNormalization(),
                  layers.Activation("relu")]
    return block + [layers.MaxPooling2D(2)]


def bigger_cnn(num_classes: int = 10, widths: tuple[int, int, int] = (24, 48, 128),
               convs: tuple[int, int, int] = (1, 2, 1), dropout: float = 0.2) -> keras.Model:
    """Augmentation, three VGG-style blocks and a small dense classifier with dropout."""
    return keras.Sequential([
        keras.Input(shape=INPUT_SHAPE),
        layers.RandomFlip("horizontal"),
        layers.RandomTranslation(0.125, 0.125, fill_mode="reflect"),
        *[layer for width, n in zip(widths, convs) for layer in conv_block(width, n)],
        layers.Flatten(),
        layers.Dense(128, activation="relu", name="features"),
        layers.Dropout(dropout),
        layers.Dense(num_classes, activation="softmax"),
    ], name="bigger_cnn")


def cifar_datasets(data: ImageDataset, batch_size: int) -> tuple[tf.data.Dataset, ...]:
    """Lesson 01's input pipelines: (train, validation, test) ``tf.data`` datasets.

    Pixels are scaled to [0, 1] floats, labels one-hot encoded, and the first 10% of the
    training images held out for validation; batches are shuffled (training only) and prefetched.
    """
    num_classes = len(data.class_names)
    x_train = data.x_train.astype("float32") / 255.0
    y_train = keras.utils.to_categorical(data.y_train, num_classes)
    n_val = len(x_train) // 10
    return (make_dataset(x_train[n_val:], y_train[n_val:], batch_size, shuffle=True),
            make_dataset(x_train[:n_val], y_train[:n_val], batch_size),
            make_dataset(data.x_test.astype("float32") / 255.0,
                         keras.utils.to_categorical(data.y_test, num_classes), batch_size))


def train_cifar_model(model: keras.Model, datasets: tuple[tf.data.Dataset, ...], epochs: int,
                      learning_rate: float = 3e-3, label_smoothing: float = 0.1) -> TrainingResult:
    """Lesson 01's recipe: AdamW, warm-up then cosine decay, label smoothing; test set used once.

    ``datasets`` is ``(train, validation, test)`` as :func:`cifar_datasets` makes them.
    """
    train_ds, val_ds, test_ds = datasets
    steps = epochs * int(train_ds.cardinality())
    return fit_and_evaluate(
        model, train_ds, val_ds, test_ds, epochs,
        optimizer=keras.optimizers.AdamW(warmup_cosine(learning_rate, steps), weight_decay=5e-4),
        loss=keras.losses.CategoricalCrossentropy(label_smoothing=label_smoothing))


def outputs_dir() -> Path:
    """Where lessons save what they train (``COURSE_OUTPUTS``, default ``./outputs``)."""
    return Path(os.environ.get("COURSE_OUTPUTS") or "outputs").expanduser()


def saved_model_path() -> Path:
    """Where lesson 01 saves its trained bigger CNN."""
    return outputs_dir() / "cifar10_bigger_cnn.keras"


def save_trained(model: keras.Model, data: ImageDataset, test_accuracy: float,
                 path: Path | None = None) -> Path:
    """Save ``model`` as ``.keras`` with a JSON card: data source, stand-in or not, accuracy."""
    path = Path(path or saved_model_path())
    path.parent.mkdir(parents=True, exist_ok=True)
    model.save(path)
    card = {"data": data.source, "is_standin": data.is_standin, "train_images": len(data.x_train),
            "test_accuracy": round(float(test_accuracy), 4), "class_names": list(data.class_names)}
    path.with_suffix(".json").write_text(json.dumps(card, indent=2) + "\n")
    return path


def read_card(path: Path | None = None) -> dict | None:
    """The JSON card of a saved model, or None if there is no model or no card."""
    path = Path(path or saved_model_path())
    card = path.with_suffix(".json")
    if not (path.is_file() and card.is_file()):
        return None
    return json.loads(card.read_text())


def load_or_train(data: ImageDataset, epochs: int, batch_size: int,
                  path: Path | None = None) -> tuple[keras.Model, dict]:
    """Lesson 01's trained bigger CNN: loaded if saved from real CIFAR-10, else trained now and saved.

    ``data`` is used only when training is needed. A saved model trained on the stand-in is
    never reused for real data (or the other way round).
    """
    path = Path(path or saved_model_path())
    card = read_card(path)
    if card is not None and card["is_standin"] == data.is_standin:
        print(f"Loaded lesson 01's model from {path}: trained on {card['data']} "
              f"({card['train_images']:,} images), test accuracy {card['test_accuracy']:.3f}.")
        return keras.models.load_model(path), card
    print(f"No saved lesson 01 model for {data.source} at {path}: training one now "
          f"({epochs} epochs on {len(data.x_train):,} images).")
    model = bigger_cnn(len(data.class_names))
    result = train_cifar_model(model, cifar_datasets(data, batch_size), epochs)
    save_trained(model, data, result.test_accuracy, path)
    return model, read_card(path)


def feature_extractor(model: keras.Model, layer: str = "features") -> keras.Model:
    """A model that maps images to the activations of ``layer`` (by default the penultimate Dense)."""
    return keras.Model(model.inputs, model.get_layer(layer).output, name=f"{model.name}_{layer}")


def predict_features(model: keras.Model, images: np.ndarray, batch_size: int = 256) -> np.ndarray:
    """``model``'s outputs for uint8 images, scaled to [0, 1] as in training, in batches."""
    return model.predict(images.astype("float32") / 255.0, batch_size=batch_size, verbose=0)
