"""Lesson 01 on this machine's CPU: the bigger CNN's training time and test accuracy, its
untrained accuracy (what the notebook's floor must reject), test-time averaging (mirror images;
six views), and batched vs one-at-a-time prediction.

Trains ``helpers.models.cifar.bigger_cnn`` with ``train_cifar_model``: copies of the notebook's
cells (``tests/test_models_cifar.py`` checks the architecture is the notebook's, layer by layer).

    python benchmarks/lesson01_cpu.py                      # full profile: all of CIFAR-10, seed 42
    python benchmarks/lesson01_cpu.py --profile fast --seeds 0,1,2   # the fast profile's sample
    python benchmarks/lesson01_cpu.py --widths 48,128 --convs 2,1 --epochs 8   # a variant
    python benchmarks/lesson01_cpu.py --data random        # timing only, on random images

``--profile fast`` draws the fast profile's sample with ``load_cifar10(..., seed=s)`` and
seeds Keras with ``s``, as the notebook does with its own seed. Every epoch is timed
(validation included); the median and range are printed, since one epoch on a shared 2-core
machine can take 1.5x another.
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import time
from dataclasses import replace

import helpers  # noqa: F401 (quiet TensorFlow start-up)
import numpy as np


def load(kind: str, train_samples: int | None, test_samples: int | None, seed: int):
    from helpers.datasets import ImageDataset, load_cifar10
    from helpers.datasets.cifar10 import CLASS_NAMES

    if kind == "cifar10":
        return load_cifar10(train_samples, test_samples, allow_standin=False, seed=seed)
    rng = np.random.default_rng(0)
    n_train, n_test = train_samples or 50_000, test_samples or 10_000
    return ImageDataset(rng.integers(0, 256, (n_train, 32, 32, 3), dtype=np.uint8),
                        rng.integers(0, 10, n_train), rng.integers(0, 256, (n_test, 32, 32, 3), dtype=np.uint8),
                        rng.integers(0, 10, n_test), CLASS_NAMES, source="random images (timing only)")


def six_views(images: np.ndarray) -> list[np.ndarray]:
    """The notebook's test-time views: the images and their mirror images (flip averaging), then
    copies shifted one pixel down-right and up-left, each with its mirror image."""
    padded = np.pad(images, ((0, 0), (1, 1), (1, 1), (0, 0)), mode="reflect")
    return [view for shifted in (images, padded[:, :-2, :-2], padded[:, 2:, 2:])
            for view in (shifted, shifted[:, :, ::-1])]


def cpu_flags() -> str:
    """The vector extensions this CPU reports (they decide TensorFlow's speed)."""
    try:
        flags = next(line for line in open("/proc/cpuinfo") if line.startswith("flags")).split()
    except (OSError, StopIteration):
        return "unknown"
    return " ".join(f for f in ("avx2", "avx512f", "avx512_bf16", "amx_tile") if f in flags)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", choices=["cifar10", "random"], default="cifar10")
    parser.add_argument("--profile", choices=["fast", "full"], default="full")
    parser.add_argument("--epochs", type=int, help="epochs (default: the profile's bigger_epochs)")
    parser.add_argument("--seeds", default="42", help="comma-separated seeds, one run each")
    parser.add_argument("--widths", help="filters per block after the whitening layer, e.g. 48,128 (default: the lesson's)")
    parser.add_argument("--convs", help="convolutions per block, e.g. 2,1 (default: the lesson's)")
    parser.add_argument("--no-prediction-timing", action="store_true")
    args = parser.parse_args()

    import keras

    from helpers.models import cifar
    from helpers.profiles import LESSONS

    settings = replace(LESSONS["01"][args.profile], profile=args.profile)
    variant = {key: tuple(int(v) for v in value.split(","))
               for key, value in (("widths", args.widths), ("convs", args.convs)) if value}
    epochs = args.epochs or settings.bigger_epochs
    print(f"{datetime.date.today()} cores: {os.cpu_count()} ({cpu_flags()}), profile {args.profile}: "
          f"{settings}")
    for seed in (int(s) for s in args.seeds.split(",")):
        data = load(args.data, settings.train_samples, settings.test_samples, seed)
        datasets = cifar.cifar_datasets(data, settings.batch_size)
        keras.utils.set_random_seed(seed)
        whitening_images = np.concatenate([x for x, _ in datasets[0].take(80)])  # as the notebook does
        model = cifar.bigger_cnn(len(data.class_names), whitening_images, **variant)
        model.compile(loss="categorical_crossentropy", metrics=["accuracy"])
        untrained = float(model.evaluate(datasets[2], verbose=0)[1])
        result = cifar.train_cifar_model(model, datasets, epochs,
                                         learning_rate=settings.bigger_learning_rate)
        times = result.epoch_seconds
        x_test = data.x_test.astype("float32") / 255.0
        views = six_views(x_test)
        probabilities = [model.predict(view, batch_size=256, verbose=0) for view in views]
        flip_accuracy = float(np.mean(np.mean(probabilities[:2], axis=0).argmax(axis=1) == data.y_test))
        six_accuracy = float(np.mean(np.mean(probabilities, axis=0).argmax(axis=1) == data.y_test))
        real = args.data == "cifar10"
        print(f"RESULT bigger_cnn {variant or ''} seed {seed}: {model.count_params():,} parameters, "
              f"{len(data.x_train):,} images ({data.source}), {epochs} epochs, training "
              f"{result.seconds / 60:.1f} min, {statistics.median(times):.1f} s/epoch median "
              f"({min(times):.1f}-{max(times):.1f}; all: {', '.join(f'{t:.0f}' for t in times)}), "
              f"untrained {untrained:.4f}, floor {settings.min_test_accuracy}, test accuracy "
              + (f"{result.test_accuracy:.4f}, flip-averaged {flip_accuracy:.4f}, six views {six_accuracy:.4f}" if real
                 else "n/a (random data)"))

    if args.no_prediction_timing:
        return
    images = x_test[:1000]
    start = time.perf_counter()
    model.predict(images, batch_size=settings.batch_size, verbose=0)
    batched = (time.perf_counter() - start) / len(images)
    start = time.perf_counter()
    for image in images[:200]:
        model.predict(image[np.newaxis], verbose=0)
    looped = (time.perf_counter() - start) / 200
    print(f"RESULT {model.name} prediction: {batched * 1e3:.2f} ms/image batched, {looped * 1e3:.1f} "
          f"ms/image one at a time ({looped / batched:.0f}x slower)")


if __name__ == "__main__":
    main()
