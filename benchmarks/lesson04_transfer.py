"""Lesson 04 over several seeds: the head on frozen ImageNet features against the small CNN from scratch.

    COURSE_PROFILE=fast COURSE_OFFLINE=1 COURSE_MIRROR=/work/shared/mirror python benchmarks/lesson04_transfer.py [seeds]

Runs the notebook's code (Lite0, or MobileNetV2 where its weights can be had; the head: dropout
and one sigmoid unit on cached features; the small CNN of section 7) and prints one line per seed
and the range: the measurements the notebook's floors (accuracy, gap) come from.
"""

from __future__ import annotations

import sys

import keras
import numpy as np
from keras import layers

import helpers
from helpers.datasets.folders import cats_and_dogs
from helpers.models import efficientnet_lite
from helpers.models.pretrained import which_network
from helpers.models.transfer import array_dataset, folder_features, load_photos


def feature_model(settings) -> tuple[keras.Model, str, tuple[int, int]]:
    name = which_network("mobilenet_v2", include_top=False)
    if name == "mobilenet_v2":
        size = (224, 224)
        base = keras.applications.MobileNetV2(include_top=False, weights="imagenet", input_shape=(*size, 3))
        preprocess = layers.Rescaling(1 / 127.5, offset=-1)
    else:
        size = (settings.image_size, settings.image_size)
        base = efficientnet_lite.EfficientNetLite0(include_top=False, weights="imagenet", input_shape=(*size, 3))
        preprocess = layers.Identity()
    base.trainable = False
    inputs = keras.Input((*size, 3))
    return keras.Model(inputs, layers.GlobalAveragePooling2D()(base(preprocess(inputs), training=False))), name, size


def small_cnn(size: tuple[int, int]) -> keras.Model:
    return keras.Sequential([
        keras.Input((*size, 3)), layers.Rescaling(1 / 255), layers.RandomFlip("horizontal"),
        layers.Conv2D(16, 3, activation="relu"), layers.MaxPooling2D(2),
        layers.Conv2D(32, 3, activation="relu"), layers.MaxPooling2D(2),
        layers.Conv2D(64, 3, activation="relu"), layers.MaxPooling2D(2),
        layers.GlobalAveragePooling2D(), layers.Dense(1, activation="sigmoid")])


def main(seeds: int = 3) -> None:
    settings = helpers.lesson_settings("04")
    data = cats_and_dogs()
    model, name, size = feature_model(settings)
    train = folder_features(model, data.train_dir, size, name)
    val = folder_features(model, data.eval_dir, size, name)
    small = (settings.scratch_size, settings.scratch_size)
    x, y = load_photos(data.train_dir, small)
    vx, vy = load_photos(data.eval_dir, small)
    rows = []
    for seed in range(seeds):
        keras.utils.set_random_seed(seed)
        head = keras.Sequential([keras.Input(train.features.shape[1:]), layers.Dropout(0.2),
                                 layers.Dense(1, activation="sigmoid")])
        head.compile(optimizer=keras.optimizers.Adam(settings.head_learning_rate), loss="binary_crossentropy",
                     metrics=["accuracy"])
        head.fit(train.features, train.labels, epochs=settings.epochs, batch_size=settings.batch_size, verbose=0)
        transfer = float(head.evaluate(val.features, val.labels, verbose=0)[1])
        keras.utils.set_random_seed(seed)
        scratch = small_cnn(small)
        scratch.compile(optimizer=keras.optimizers.Adam(settings.scratch_learning_rate), loss="binary_crossentropy",
                        metrics=["accuracy"])
        scratch.fit(array_dataset(x, y, settings.batch_size, shuffle=True, seed=seed),
                    epochs=settings.scratch_epochs, verbose=0)
        from_scratch = float(scratch.evaluate(array_dataset(vx, vy, 64), verbose=0)[1])
        rows.append((transfer, from_scratch))
        print(f"seed {seed}: transfer {transfer:.3f}, small CNN {from_scratch:.3f}, gap {transfer - from_scratch:+.3f}",
              flush=True)
    rows = np.array(rows)
    gaps = rows[:, 0] - rows[:, 1]
    print(f"\n{name} at {size[0]} | {data.source}")
    print(f"transfer {rows[:, 0].min():.3f}-{rows[:, 0].max():.3f}, small CNN {rows[:, 1].min():.3f}-"
          f"{rows[:, 1].max():.3f}, gap {gaps.min():+.3f}..{gaps.max():+.3f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
