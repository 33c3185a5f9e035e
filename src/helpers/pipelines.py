"""tf.data input pipelines: shuffle, batch and prefetch so the CPU never waits on input."""

from __future__ import annotations

import numpy as np
import tensorflow as tf


def make_dataset(images: np.ndarray, labels: np.ndarray, batch_size: int,
                 shuffle: bool = False, seed: int = 0) -> tf.data.Dataset:
    """A batched, prefetched ``tf.data.Dataset`` of (images, labels) from in-memory arrays.

    Shuffling reshuffles every epoch with a fixed seed, so runs are repeatable.
    """
    ds = tf.data.Dataset.from_tensor_slices((images, labels))
    if shuffle:
        ds = ds.shuffle(len(images), seed=seed, reshuffle_each_iteration=True)
    return ds.batch(batch_size).prefetch(tf.data.AUTOTUNE)
