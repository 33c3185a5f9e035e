"""Lesson 06 offline: the cats-vs-dogs head on the stand-in feature-vector module, over seeds.

    COURSE_PROFILE=fast COURSE_OFFLINE=1 COURSE_MIRROR=../shared/mirror \
        python benchmarks/lesson06_standin.py [SEEDS]

Features are computed once (as in the notebook); the source lesson's head (Dense(500, relu) +
Dense(1, sigmoid)) is trained with each seed. The stand-in's features come from lesson 01's
CIFAR-10 CNN (``COURSE_OUTPUTS``, default ./outputs, else trained first): the numbers measure
that network, not EfficientNet.
"""

from __future__ import annotations

import sys
import time

import helpers  # noqa: F401 (quiet TensorFlow)
import keras
import numpy as np

from helpers.datasets.folders import cats_and_dogs, image_datasets
from helpers.models import hub as hubs
from helpers.models.transfer import extract_features
from helpers.pipelines import make_dataset
from helpers.profiles import LESSONS, active_profile
from helpers.training import fit_and_evaluate


def main(seeds: int = 5) -> None:
    settings = LESSONS["06"][active_profile()]
    module = hubs.load_module("efficientnet_b0_feature_vector")
    data = cats_and_dogs()
    inputs = keras.Input((*module.input_size, 3))
    features = keras.Model(inputs, module.layer()(keras.layers.Rescaling(1 / 255)(inputs)))
    start = time.perf_counter()
    x_train, y_train = extract_features(features, image_datasets(data.train_dir, module.input_size, 64))
    x_val, y_val = extract_features(features, image_datasets(data.eval_dir, module.input_size, 64))
    print(f"{module.label}: features of {len(y_train) + len(y_val):,} images in {time.perf_counter() - start:.1f} s")
    accuracies, seconds = [], []
    for seed in range(seeds):
        keras.utils.set_random_seed(seed)
        standardize = keras.layers.Normalization()
        standardize.adapt(x_train)
        head = keras.Sequential([keras.Input((x_train.shape[1],)), standardize,
                                 keras.layers.Dense(500, activation="relu"),
                                 keras.layers.Dense(1, activation="sigmoid")])
        result = fit_and_evaluate(head, make_dataset(x_train, y_train, settings.batch_size, shuffle=True, seed=seed),
                                  make_dataset(x_val, y_val, 256), None, settings.epochs,
                                  keras.optimizers.Adam(settings.learning_rate), "binary_crossentropy", verbose=0)
        accuracies.append(result.history["val_accuracy"][-1])
        seconds.append(result.seconds)
        print(f"seed {seed}: training {result.history['accuracy'][-1]:.3f}, validation {accuracies[-1]:.3f}, "
              f"{result.seconds:.1f} s")
    print(f"validation accuracy {min(accuracies):.3f}-{max(accuracies):.3f} (median {np.median(accuracies):.3f}); "
          f"head {np.median(seconds):.1f} s per run")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
