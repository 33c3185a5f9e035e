"""Lesson 01 on this machine's CPU: seconds per epoch at full-profile size, and batched vs
one-at-a-time prediction.

Runs the notebook's own model and training code (its cells tagged `model-definition`) on
random data of CIFAR-10's shape: speed does not depend on pixel values, so this needs no
dataset and says nothing about accuracy.

    python benchmarks/lesson01_cpu.py [--epochs 3]

Each epoch is timed on its own (one ``train`` call each, compile included) and the median
and range are printed: on a shared 2-core machine one epoch can take 1.5x another.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import statistics
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import nbformat  # noqa: E402
import numpy as np  # noqa: E402

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "01_cnn_basics_cifar10.ipynb"


def notebook_namespace() -> dict:
    """Execute the notebook's model-definition cells, with the setup cell's imports."""
    cells = nbformat.read(NOTEBOOK, as_version=4).cells
    namespace: dict = {}
    exec("import time\nimport keras\nimport numpy as np\nimport tensorflow as tf\nfrom keras import layers",
         namespace)
    for cell in cells:
        if "model-definition" in cell.metadata.get("tags", []):
            exec(cell.source, namespace)
    return namespace


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3, help="epochs timed per model")
    args = parser.parse_args()

    import keras
    from helpers.pipelines import make_dataset
    from helpers.profiles import LESSONS

    full = LESSONS["01"]["full"]
    rng = np.random.default_rng(0)
    x = rng.random((60_000, 32, 32, 3), dtype=np.float32)
    y = keras.utils.to_categorical(rng.integers(0, 10, 60_000), 10)
    ns = notebook_namespace()
    ns["train_ds"] = make_dataset(x[:45_000], y[:45_000], full.batch_size, shuffle=True)
    ns["val_ds"] = make_dataset(x[45_000:50_000], y[45_000:50_000], full.batch_size)
    ns["test_ds"] = make_dataset(x[50_000:], y[50_000:], full.batch_size)

    print(f"cores: {os.cpu_count()}, full profile: {full}")
    for name, planned in [("small_cnn", full.small_epochs), ("bigger_cnn", full.bigger_epochs)]:
        model = ns[name]()
        epoch_seconds = []
        for _ in range(args.epochs):
            with contextlib.redirect_stdout(io.StringIO()):  # its accuracy on noise means nothing
                epoch_seconds.append(ns["train"](model, 1)[1])
        median = statistics.median(epoch_seconds)
        print(f"{name}: {median:.1f} s/epoch median ({min(epoch_seconds):.1f}-{max(epoch_seconds):.1f} "
              f"over {args.epochs}; 45,000 images, incl. validation) -> {planned} full-profile "
              f"epochs = {median * planned / 60:.1f} min ({min(epoch_seconds) * planned / 60:.1f}-"
              f"{max(epoch_seconds) * planned / 60:.1f})")

    images = x[50_000:51_000]
    model(images[:1])  # build
    start = time.perf_counter()
    model.predict(images, batch_size=full.batch_size, verbose=0)
    batched = (time.perf_counter() - start) / len(images)
    start = time.perf_counter()
    for image in images[:200]:
        model.predict(image[np.newaxis], verbose=0)
    looped = (time.perf_counter() - start) / 200
    print(f"bigger_cnn prediction: {batched * 1e3:.2f} ms/image batched, {looped * 1e3:.1f} ms/image "
          f"one at a time ({looped / batched:.0f}x slower)")


if __name__ == "__main__":
    main()
