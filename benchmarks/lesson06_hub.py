"""Lesson 06's floor against an untrained network: the same features + head measurement with
EfficientNet-Lite0's real ImageNet weights and with random weights (weights=None).

    COURSE_MIRROR=../shared/mirror python benchmarks/lesson06_hub.py [--seeds 3]

The lesson's feature-vector module is Lite0 exported in TF Hub format (offline); its features are
those of ``EfficientNetLite0(include_top=False, pooling="avg")`` on 0..255 pixels, used here
directly. The head and its training are the lesson's (Normalization, Dense(500), Dense(1), Adam
1e-3, 8 epochs, batch 32). The floor (profiles.LESSONS["06"]) must sit between the two.
"""

from __future__ import annotations

import argparse

import keras
import numpy as np

import helpers  # noqa: F401 (quiet TensorFlow start-up)
from helpers.datasets.folders import cats_and_dogs, image_datasets
from helpers.models.efficientnet_lite import EfficientNetLite0
from helpers.models.transfer import extract_features
from helpers.profiles import LESSONS


def head_accuracy(train, val, seed: int) -> float:
    """The lesson's head on cached features: validation accuracy after 8 epochs."""
    (xt, yt), (xv, yv) = train, val
    keras.utils.set_random_seed(seed)
    standardize = keras.layers.Normalization()
    standardize.adapt(xt)
    head = keras.Sequential([keras.Input((xt.shape[1],)), standardize,
                             keras.layers.Dense(500, activation="relu"), keras.layers.Dense(1, activation="sigmoid")])
    head.compile(keras.optimizers.Adam(1e-3), "binary_crossentropy", metrics=["accuracy"])
    head.fit(xt, yt, epochs=8, batch_size=32, verbose=0)
    return float(head.evaluate(xv, yv, verbose=0)[1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=3)
    seeds = range(parser.parse_args().seeds)
    data = cats_and_dogs()
    floor = LESSONS["06"]["fast"].min_accuracy
    for label, weights in (("ImageNet weights", "imagenet"), ("untrained (weights=None)", None)):
        keras.utils.set_random_seed(0)
        base = EfficientNetLite0(include_top=False, pooling="avg", weights=weights)
        train = extract_features(base, image_datasets(data.train_dir, (224, 224), 64))
        val = extract_features(base, image_datasets(data.eval_dir, (224, 224), 64))
        scores = [head_accuracy(train, val, s) for s in seeds]
        print(f"{label:26} validation accuracy {np.min(scores):.3f}..{np.max(scores):.3f} over "
              f"{len(scores)} seeds (floor {floor})")


if __name__ == "__main__":
    main()
