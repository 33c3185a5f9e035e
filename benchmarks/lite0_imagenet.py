"""EfficientNet-Lite0 from its PyPI wheel: conversion and load time, and its input scaling settled
by measurement on the mirror's real photos.

    COURSE_MIRROR=../shared/mirror python benchmarks/lite0_imagenet.py

For each input scaling ("tf": (x - 127) / 128, the TensorFlow reference's; "torch": ImageNet mean
and std) it reports zero-shot cats vs dogs on the validation photos (dog classes 151-268 against
cat classes 281-285 of the 1,000 ImageNet probabilities) and a logistic regression on the 1,280
pooled features (train on train/, score on validation/), on cats vs dogs and on Fruits-360.
"""

from __future__ import annotations

import shutil
import time

import numpy as np

import helpers  # noqa: F401 (quiet TensorFlow start-up)
from helpers.assets.fetch import cache_dir
from helpers.datasets.folders import cats_and_dogs, fruits360, image_datasets
from helpers.models.efficientnet_lite import EfficientNetLite0, converted_weights_path
from helpers.models.imagenet_classes import CAT_INDICES, DOG_INDICES


def arrays(folder, size=224):
    ds = image_datasets(folder, (size, size), batch_size=64)
    xs, ys = zip(*[(x.numpy(), y.numpy()) for x, y in ds])
    return np.concatenate(xs), np.concatenate(ys)


def main() -> None:
    from sklearn.linear_model import LogisticRegression

    print(f"cache: {cache_dir()}")
    converted = converted_weights_path()
    for p in (converted, converted.with_name(converted.name + ".sha256")):
        p.unlink(missing_ok=True)
    start = time.perf_counter(); EfficientNetLite0(); convert = time.perf_counter() - start
    start = time.perf_counter(); EfficientNetLite0(); load = time.perf_counter() - start
    print(f"build + convert from the .pth: {convert:.2f} s; build + load cached weights: {load:.2f} s")

    cd, fr = cats_and_dogs(), fruits360(full=False)
    data = {"cats vs dogs": (arrays(cd.train_dir), arrays(cd.eval_dir)),
            "fruits-360 (8 classes)": (arrays(fr.train_dir), arrays(fr.eval_dir))}
    for scaling in ("tf", "torch"):
        top = EfficientNetLite0(input_scaling=scaling)
        (_, _), (xv, yv) = data["cats vs dogs"]
        start = time.perf_counter()
        p = top.predict(xv, batch_size=64, verbose=0)
        seconds = time.perf_counter() - start
        dog = p[:, DOG_INDICES].sum(1) > p[:, CAT_INDICES].sum(1)
        zero_shot = float(np.mean(dog.astype(int) == yv))  # classes: cats=0, dogs=1
        base = EfficientNetLite0(include_top=False, pooling="avg", input_scaling=scaling)
        line = [f"{scaling:5}: zero-shot cats vs dogs {zero_shot:.3f} on {len(yv)} photos "
                f"({len(yv) / seconds:.0f} images/s)"]
        for name, ((xt, yt), (xe, ye)) in data.items():
            ft, fe = base.predict(xt, batch_size=64, verbose=0), base.predict(xe, batch_size=64, verbose=0)
            clf = LogisticRegression(max_iter=2000).fit(ft, yt)
            line.append(f"features + logistic regression, {name}: {clf.score(fe, ye):.3f}")
        print("\n       ".join(line))


if __name__ == "__main__":
    main()
