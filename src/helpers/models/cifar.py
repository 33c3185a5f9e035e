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
import tensorflow as tf
from keras import layers

from ..datasets.cifar10 import ImageDataset
from ..pipelines import make_dataset
from ..report import outputs_dir

INPUT_SHAPE = (32, 32, 3)
WIDTHS = (24, 48, 96)  # filters per block (lesson 01, "A bigger CNN")
CONVS = (1, 2, 2)      # 3x3 convolutions per block


def conv_block(filters: int, convs: int = 2, batch_norm: bool = True) -> list[keras.Layer]:
    """``convs`` times (3x3 conv -> batch norm -> ReLU), then 2x2 max pooling (lesson 01's cell)."""
    block: list[keras.Layer] = []
    for _ in range(convs):
        if batch_norm:
            block += [layers.Conv2D(filters, 3, padding="same", use_bias=False),
                      layers.BatchNormalization(momentum=0.9), layers.Activation("relu")]
        else:
            block.append(layers.Conv2D(filters, 3, padding="same", activation="relu"))
    return block + [layers.MaxPooling2D(2)]


def bigger_cnn(num_classes: int = 10, widths: tuple[int, ...] = WIDTHS,
               convs: tuple[int, ...] = CONVS, dropout: float = 0.2) -> keras.Model:
    """Lesson 01's bigger CNN (a copy of its notebook cell): augmentation, three VGG-style
    blocks, a 128-unit ``features`` layer, dropout and the softmax classifier."""
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
