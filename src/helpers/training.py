"""Training loops the lessons share: compile, fit with validation, time every epoch, evaluate."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import keras
import tensorflow as tf


@dataclass
class TrainingResult:
    """What one training run produced: the history, its timings and the test accuracy."""

    history: dict[str, list[float]]
    seconds: float
    epoch_seconds: list[float] = field(default_factory=list)
    test_accuracy: float | None = None


class EpochTimer(keras.callbacks.Callback):
    """Records the wall time of every epoch (validation included)."""

    def on_train_begin(self, logs=None):
        self.seconds: list[float] = []

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self._start)


def warmup_cosine(peak: float, total_steps: int, warmup_fraction: float = 0.15) -> keras.optimizers.schedules.LearningRateSchedule:
    """A one-cycle-style schedule: linear warm-up from peak/10 to ``peak``, then cosine decay to 0."""
    warmup = int(total_steps * warmup_fraction)
    return keras.optimizers.schedules.CosineDecay(
        peak / 10, decay_steps=max(total_steps - warmup, 1), warmup_target=peak, warmup_steps=warmup)


def fit_and_evaluate(model: keras.Model, train_ds: tf.data.Dataset, val_ds: tf.data.Dataset,
                     test_ds: tf.data.Dataset | None, epochs: int, optimizer: keras.optimizers.Optimizer,
                     loss: keras.losses.Loss | str, verbose: int = 2) -> TrainingResult:
    """Compile ``model``, fit it with validation after every epoch, and evaluate once on ``test_ds``.

    Prints one line per epoch and a closing line with the time and the test accuracy.
    """
    model.compile(optimizer=optimizer, loss=loss, metrics=["accuracy"])
    timer = EpochTimer()
    start = time.perf_counter()
    # shuffle=False: the datasets reshuffle themselves every epoch (Keras cannot shuffle a tf.data.Dataset).
    history = model.fit(train_ds, validation_data=val_ds, epochs=epochs, shuffle=False,
                        callbacks=[timer], verbose=verbose)
    result = TrainingResult(history.history, time.perf_counter() - start, timer.seconds)
    if test_ds is not None:
        result.test_accuracy = float(model.evaluate(test_ds, verbose=0)[1])
    accuracy = "" if result.test_accuracy is None else f", test accuracy {result.test_accuracy:.3f}"
    print(f"{model.name}: {epochs} epochs in {result.seconds:.0f} s{accuracy}")
    return result
