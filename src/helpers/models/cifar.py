"""Lesson 01's plumbing: CIFAR-10 input pipelines, and the saved ``.keras`` file with its card.

Lesson 01 writes, compiles and fits its networks in visible notebook cells, and saves its bigger
CNN with :func:`save_trained`. The card (JSON beside the ``.keras`` file) says what the model was
trained on (CIFAR-10, or the stand-in shapes), in which profile, with what accuracy, and what
architecture it has (a SHA-256 of every layer's configuration without its name), so whoever picks
the file up later knows what it is.

:func:`bigger_cnn` and :func:`train_cifar_model` are a copy of lesson 01's cells for
``benchmarks/lesson01_cpu.py``; ``tests/test_models_cifar.py`` keeps the copy identical to the
notebook's architecture.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf
from keras import layers

from ..datasets.cifar10 import ImageDataset
from ..pipelines import make_dataset
from ..report import outputs_dir

INPUT_SHAPE = (32, 32, 3)
WIDTHS = (48, 96)  # filters of the blocks after the whitening layer (lesson 01, "A bigger CNN")
CONVS = (2, 2)     # 3x3 convolutions per block
WHITENING_IMAGES = 5120  # training images the whitening layer is computed from (80 batches of 64)


def conv_block(filters: int, convs: int = 2, batch_norm: bool = True) -> list[keras.Layer]:
    """``convs`` 3x3 convolutions, each followed by batch norm and ReLU; the last one is pooled
    2x2 first, so batch norm and ReLU run on a quarter of the pixels (lesson 01's cell)."""
    block: list[keras.Layer] = []
    for i in range(convs):
        block.append(layers.Conv2D(filters, 3, padding="same", use_bias=not batch_norm))
        if i == convs - 1:
            block.append(layers.MaxPooling2D(2))
        if batch_norm:
            block.append(layers.BatchNormalization(momentum=0.9))
        block.append(layers.Activation("relu"))
    return block


def patch_whitening(images: np.ndarray, eps: float = 5e-4) -> layers.Conv2D:
    """A frozen 2x2 convolution that whitens the images' 2x2 patches (lesson 01's cell).

    Its filters are the principal directions of the 12 values of a 2x2 RGB patch, each scaled to
    unit variance, and their negatives: 24 channels that carry decorrelated information.
    """
    patches = np.lib.stride_tricks.sliding_window_view(images, (2, 2), axis=(1, 2))
    patches = patches.transpose(0, 1, 2, 4, 5, 3).reshape(-1, 12).astype("float64")  # (row, column, channel)
    mean = patches.mean(axis=0)
    eigenvalues, eigenvectors = np.linalg.eigh(np.cov(patches - mean, rowvar=False))
    filters = eigenvectors / np.sqrt(eigenvalues + eps)           # one filter per column
    filters = np.concatenate([filters, -filters], axis=1)           # ReLU keeps both signs
    conv = layers.Conv2D(24, 2, padding="same", trainable=False, name="patch_whitening")
    conv.build((None, *INPUT_SHAPE))
    conv.set_weights([filters.reshape(2, 2, 3, 24).astype("float32"), (-mean @ filters).astype("float32")])
    return conv


def bigger_cnn(num_classes: int = 10, whitening_images: np.ndarray | None = None,
               widths: tuple[int, ...] = WIDTHS, convs: tuple[int, ...] = CONVS,
               dropout: float = 0.2) -> keras.Model:
    """Lesson 01's bigger CNN (a copy of its notebook cell): augmentation, a frozen whitening
    layer pooled to 16x16, two VGG-style blocks, a 128-unit ``features`` layer, dropout and the
    softmax classifier. ``whitening_images`` (floats in 0..1) default to random pixels, for
    timing and architecture checks only."""
    if whitening_images is None:
        whitening_images = np.random.default_rng(0).random((256, *INPUT_SHAPE), dtype=np.float32)
    return keras.Sequential([
        keras.Input(shape=INPUT_SHAPE),
        layers.RandomFlip("horizontal"),
        layers.RandomTranslation(0.0625, 0.0625, fill_mode="reflect"),
        patch_whitening(whitening_images),
        layers.MaxPooling2D(2),
        layers.BatchNormalization(momentum=0.9),
        layers.Activation("relu"),
        *[layer for width, n in zip(widths, convs) for layer in conv_block(width, n)],
        layers.Flatten(),
        layers.Dense(128, activation="relu", name="features"),
        layers.Dropout(dropout),
        layers.Dense(num_classes, activation="softmax"),
    ], name="bigger_cnn")


def architecture(model: keras.Model) -> dict:
    """What identifies a model's architecture: a SHA-256 of its input shape and every layer's
    class and configuration (layer names left out, as Keras numbers them by creation order),
    with the layer classes and parameter count for a reader."""
    described = [list(model.inputs[0].shape[1:])]
    for layer in model.layers:
        config = {k: v for k, v in layer.get_config().items() if k != "name"}
        described.append([type(layer).__name__, config])
    text = json.dumps(described, sort_keys=True, default=str)
    return {"sha256": hashlib.sha256(text.encode()).hexdigest(),
            "layers": [type(layer).__name__ for layer in model.layers],
            "parameters": int(model.count_params())}


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


@dataclass
class Trained:
    """One training run: the history, its wall time per epoch, and the test accuracy."""

    history: dict[str, list[float]]
    epoch_seconds: list[float] = field(default_factory=list)
    test_accuracy: float = float("nan")

    @property
    def seconds(self) -> float:
        return float(sum(self.epoch_seconds))


class _EpochTimer(keras.callbacks.Callback):
    """Records each epoch's wall time (its validation pass included)."""

    def __init__(self, seconds: list[float]):
        super().__init__()
        self.seconds = seconds

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self._start)


def train_cifar_model(model: keras.Model, datasets: tuple[tf.data.Dataset, ...], epochs: int,
                      learning_rate: float = 3e-3, label_smoothing: float = 0.1,
                      verbose: int = 2) -> Trained:
    """Lesson 01's recipe (a copy of its cells): AdamW with a warm-up then cosine decay,
    label smoothing; validation every epoch, the test set once at the end."""
    train_ds, val_ds, test_ds = datasets
    total = epochs * int(train_ds.cardinality())
    warmup = int(0.15 * total)
    schedule = keras.optimizers.schedules.CosineDecay(
        learning_rate / 10, decay_steps=max(total - warmup, 1), warmup_target=learning_rate,
        warmup_steps=warmup)
    model.compile(optimizer=keras.optimizers.AdamW(schedule, weight_decay=5e-4),
                  loss=keras.losses.CategoricalCrossentropy(label_smoothing=label_smoothing),
                  metrics=["accuracy"])
    result = Trained({})
    # shuffle=False: train_ds reshuffles itself every epoch (Keras cannot shuffle a tf.data.Dataset).
    history = model.fit(train_ds, validation_data=val_ds, epochs=epochs, shuffle=False,
                        verbose=verbose, callbacks=[_EpochTimer(result.epoch_seconds)])
    result.history = history.history
    result.test_accuracy = float(model.evaluate(test_ds, verbose=0)[1])
    print(f"{model.name}: {epochs} epochs in {result.seconds:.0f} s, "
          f"test accuracy {result.test_accuracy:.3f}")
    return result


def saved_model_path() -> Path:
    """Where lesson 01 saves its trained bigger CNN."""
    return outputs_dir() / "cifar10_bigger_cnn.keras"


def save_trained(model: keras.Model, data: ImageDataset, val_accuracy: float, profile: str,
                 path: Path | None = None) -> Path:
    """Save ``model`` as ``.keras`` with a JSON card: data, profile, architecture, validation accuracy."""
    path = Path(path or saved_model_path())
    path.parent.mkdir(parents=True, exist_ok=True)
    model.save(path)
    card = {"data": data.source, "stands_in_for": data.stands_in_for, "train_images": len(data.x_train),
            "profile": profile, "architecture": architecture(model),
            "validation_accuracy": round(float(val_accuracy), 4), "class_names": list(data.class_names)}
    path.with_suffix(".json").write_text(json.dumps(card, indent=2) + "\n")
    return path
