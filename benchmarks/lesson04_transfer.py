"""Lesson 04 over several seeds: transfer vs the same network from scratch, and the caching speed-up.

    COURSE_PROFILE=fast COURSE_OFFLINE=1 COURSE_MIRROR=../shared/mirror python benchmarks/lesson04_transfer.py [seeds]

Runs the notebook's own code path (helpers.models.transfer) on the cats-vs-dogs images at hand,
with the base the notebook would choose (lesson 01's saved CIFAR-10 model offline), and prints
one line per seed and the range: these are the measurements the notebook's floors come from.
"""

from __future__ import annotations

import sys
import time

import keras
import numpy as np

import helpers
from helpers.datasets.folders import cats_and_dogs, image_datasets
from helpers.models.transfer import (choose_base, extract_features, feature_model, make_head,
                                     scratch_copy, stack)
from helpers.pipelines import make_dataset


def fit(model, train, val, epochs, learning_rate):
    steps = epochs * int(train.cardinality())
    model.compile(optimizer=keras.optimizers.Adam(keras.optimizers.schedules.CosineDecay(learning_rate, steps)),
                  loss="binary_crossentropy", metrics=["accuracy"])
    start = time.perf_counter()
    history = model.fit(train, validation_data=val, epochs=epochs, verbose=0, shuffle=False).history
    return history, time.perf_counter() - start


def main(seeds: int = 5) -> None:
    settings = helpers.lesson_settings("04")
    data = cats_and_dogs()
    base = choose_base("mobilenet_v2", settings.cifar_train_samples, settings.cifar_epochs)
    train_ds = image_datasets(data.train_dir, base.input_size, settings.batch_size, shuffle=True)
    val_ds = image_datasets(data.eval_dir, base.input_size, settings.batch_size)
    features = feature_model(base.model, base.input_size, base.preprocess)
    start = time.perf_counter()
    f_train, y_train = extract_features(features, image_datasets(data.train_dir, base.input_size, 128))
    f_val, y_val = extract_features(features, val_ds)
    extract = time.perf_counter() - start
    frozen = stack(features, make_head(f_train, 2))
    e2e, _ = fit(frozen, train_ds, val_ds, 1, settings.head_learning_rate)  # fills the image cache
    _, e2e_seconds = fit(frozen, train_ds, val_ds, 3, settings.head_learning_rate)
    rows = []
    for seed in range(seeds):
        keras.utils.set_random_seed(seed)
        head, head_seconds = fit(make_head(f_train, 2), make_dataset(f_train, y_train, settings.batch_size, True, seed),
                                 make_dataset(f_val, y_val, settings.batch_size), settings.epochs,
                                 settings.head_learning_rate)
        keras.utils.set_random_seed(seed)
        scratch, scratch_seconds = fit(scratch_copy(base, 2), train_ds, val_ds, settings.epochs,
                                       settings.scratch_learning_rate)
        row = (head["val_accuracy"][-1], scratch["val_accuracy"][-1],
               np.mean(head["val_accuracy"]) - np.mean(scratch["val_accuracy"]), head_seconds, scratch_seconds)
        rows.append(row)
        print(f"seed {seed}: transfer {row[0]:.3f}, scratch {row[1]:.3f}, final gap {row[0] - row[1]:+.3f}, "
              f"budget-averaged gap {row[2]:+.3f}; head {row[3]:.1f} s, scratch {row[4]:.1f} s", flush=True)
    rows = np.array(rows)
    head_epoch = np.median(rows[:, 3]) / settings.epochs
    print(f"\n{base.label} | {data.source}")
    print(f"transfer {rows[:, 0].min():.3f}-{rows[:, 0].max():.3f}, scratch {rows[:, 1].min():.3f}-{rows[:, 1].max():.3f}, "
          f"final gap {(rows[:, 0] - rows[:, 1]).min():+.3f}..{(rows[:, 0] - rows[:, 1]).max():+.3f}, "
          f"budget-averaged gap {rows[:, 2].min():+.3f}..{rows[:, 2].max():+.3f}")
    print(f"feature extraction {extract:.1f} s once; per epoch: end to end {e2e_seconds / 3:.2f} s, "
          f"cached {head_epoch:.3f} s ({e2e_seconds / 3 / head_epoch:.0f}x)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
