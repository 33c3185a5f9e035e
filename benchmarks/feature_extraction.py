"""Frozen-base feature extraction: a model called eagerly against ``predict_on_batch``.

    python benchmarks/feature_extraction.py eager            # model(images, training=False)
    python benchmarks/feature_extraction.py predict_on_batch # what helpers.models.transfer uses

ResNet50 without its top (random weights: speed and memory do not depend on them), 12 batches of
32 images at 224x224. Prints the process's peak resident memory after the first, fourth and last
batch, and photos per second. Run each mode in its own process, so peaks do not mix.
"""

from __future__ import annotations

import resource
import sys
import time

import helpers  # noqa: F401 (quiet TensorFlow start-up)
import keras
import tensorflow as tf


def main(mode: str) -> None:
    keras.utils.set_random_seed(0)
    base = keras.applications.ResNet50(include_top=False, weights=None, pooling="avg", input_shape=(224, 224, 3))
    inputs = keras.Input((224, 224, 3))
    embed = keras.Model(inputs, base(keras.applications.resnet50.preprocess_input(inputs)))
    images = tf.random.uniform([32, 224, 224, 3], 0, 255)
    start = time.perf_counter()
    for i in range(12):
        if mode == "eager":
            embed(images, training=False).numpy()
        elif mode == "predict_on_batch":
            embed.predict_on_batch(images)
        else:
            raise SystemExit(f"mode must be eager or predict_on_batch, not {mode!r}")
        if i in (0, 3, 11):
            print(f"after batch {i + 1}: peak {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MB")
    print(f"{mode}: {12 * 32 / (time.perf_counter() - start):.1f} photos/s")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "predict_on_batch")
