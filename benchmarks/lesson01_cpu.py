"""Lesson 01 on this machine's CPU: the full profile's training, and batched vs one-at-a-time
prediction.

Runs the notebook's own models and recipe (``helpers.models.cifar``) with the full profile's
settings. With ``--data cifar10`` (the default) it trains on real CIFAR-10 from the asset layer
(set COURSE_MIRROR offline) and reports test accuracy; with ``--data random`` it times the same
work on random images of CIFAR-10's shape, which says nothing about accuracy.

    python benchmarks/lesson01_cpu.py [--data cifar10|random] [--epochs N] [--models small,bigger]
                                      [--widths 24,48,128 --convs 1,2,1]  (a bigger-CNN variant)

Every epoch is timed (validation included); the median and range are printed, since one epoch
on a shared 2-core machine can take 1.5x another.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402


def load(kind: str):
    from helpers.datasets import ImageDataset, load_cifar10
    from helpers.datasets.cifar10 import CLASS_NAMES

    if kind == "cifar10":
        return load_cifar10(allow_standin=False)
    rng = np.random.default_rng(0)
    return ImageDataset(rng.integers(0, 256, (50_000, 32, 32, 3), dtype=np.uint8),
                        rng.integers(0, 10, 50_000), rng.integers(0, 256, (10_000, 32, 32, 3), dtype=np.uint8),
                        rng.integers(0, 10, 10_000), CLASS_NAMES, source="random images (timing only)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", choices=["cifar10", "random"], default="cifar10")
    parser.add_argument("--epochs", type=int, help="epochs per model (default: the full profile's)")
    parser.add_argument("--models", default="small,bigger")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--widths", help="bigger CNN's filters per block, e.g. 24,48,96 (default: the lesson's)")
    parser.add_argument("--convs", help="bigger CNN's convolutions per block, e.g. 1,2,2 (default: the lesson's)")
    args = parser.parse_args()

    import keras

    from helpers.models import cifar
    from helpers.profiles import LESSONS

    full = LESSONS["01"]["full"]
    data = load(args.data)
    datasets = cifar.cifar_datasets(data, full.batch_size)
    print(f"cores: {os.cpu_count()}, data: {data.source}, seed {args.seed}, full profile: {full}")
    for name in args.models.split(","):
        keras.utils.set_random_seed(args.seed)
        variant = {key: tuple(int(v) for v in value.split(","))
                   for key, value in (("widths", args.widths), ("convs", args.convs)) if value and name == "bigger"}
        model = getattr(cifar, f"{name}_cnn")(len(data.class_names), **variant)
        epochs = args.epochs or getattr(full, f"{name}_epochs")
        result = cifar.train_cifar_model(model, datasets, epochs,
                                         learning_rate=getattr(full, f"{name}_learning_rate"))
        times = result.epoch_seconds
        accuracy = f"{result.test_accuracy:.4f}" if args.data == "cifar10" else "n/a (random data)"
        print(f"RESULT {name}_cnn {variant or ''}: {model.count_params():,} parameters, {epochs} epochs, "
              f"training {result.seconds / 60:.1f} min, "
              f"{statistics.median(times):.1f} s/epoch median ({min(times):.1f}-{max(times):.1f}), "
              f"test accuracy {accuracy}")

    images = datasets[2].unbatch().batch(1000).take(1).get_single_element()[0].numpy()
    start = time.perf_counter()
    model.predict(images, batch_size=full.batch_size, verbose=0)
    batched = (time.perf_counter() - start) / len(images)
    start = time.perf_counter()
    for image in images[:200]:
        model.predict(image[np.newaxis], verbose=0)
    looped = (time.perf_counter() - start) / 200
    print(f"RESULT {model.name} prediction: {batched * 1e3:.2f} ms/image batched, {looped * 1e3:.1f} "
          f"ms/image one at a time ({looped / batched:.0f}x slower)")


if __name__ == "__main__":
    main()
