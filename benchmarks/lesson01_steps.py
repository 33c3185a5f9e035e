"""Lesson 01's bigger CNN, training steps only: images per second, FLOPs per image, share of peak.

The first measurements for issue 34 (lesson 01 at 0.85 within 8 training minutes): what one
training step of the lesson's network costs on this CPU, under a dtype policy, so a speed-up
claim is a ratio of two whole runs (``farm-bench ... --vs ...``), not a guess.

    python benchmarks/lesson01_steps.py                            # float32, the lesson's batch (64)
    python benchmarks/lesson01_steps.py --policy mixed_bfloat16    # bfloat16 compute, float32 weights
    python benchmarks/lesson01_steps.py --batch 256 --steps 60
    python benchmarks/lesson01_steps.py --peak                     # this machine's matmul yardstick

Random images (timing only: the values do not change the work). FLOPs are counted from the
layers' shapes: 2 x multiply-adds of every Conv2D and Dense layer in the forward pass, and 3x that
for a training step (forward, and the two products of the backward pass); batch norm, ReLU,
pooling and the optimizer are left out, so the share of peak is a slight underestimate.
"""

from __future__ import annotations

import argparse
import os
import time

import helpers  # noqa: F401 (quiet TensorFlow start-up)
import numpy as np


def forward_flops(model) -> int:
    """2 x the multiply-adds of the model's Conv2D and Dense layers, for one image."""
    import keras

    total = 0
    for layer in model.layers:
        if isinstance(layer, keras.layers.Conv2D):
            _, h, w, out = layer.output.shape
            k = layer.kernel_size[0] * layer.kernel_size[1] * layer.input.shape[-1]
            total += 2 * h * w * out * k
        elif isinstance(layer, keras.layers.Dense):
            total += 2 * layer.input.shape[-1] * layer.units
    return int(total)


def matmul_peak(dtype: str, n: int = 2048, repeats: int = 20) -> float:
    """GFLOP/s of a large square matmul in ``dtype``: what TensorFlow reaches at best here, the
    yardstick for a network's share (the CPU's nominal peak is not reported by this machine)."""
    import tensorflow as tf

    a = tf.random.normal((n, n), dtype=tf.float32)
    a = tf.cast(a, dtype)
    tf.linalg.matmul(a, a).numpy()
    start = time.perf_counter()
    for _ in range(repeats):
        product = tf.linalg.matmul(a, a)
    product.numpy()
    return 2 * n**3 * repeats / (time.perf_counter() - start) / 1e9


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--policy", choices=["float32", "mixed_bfloat16"], default="float32")
    parser.add_argument("--batch", type=int, default=64, help="images per step (the lesson's: 64)")
    parser.add_argument("--steps", type=int, default=150, help="timed steps, after 5 untimed ones")
    parser.add_argument("--peak", action="store_true", help="only the matmul yardstick, float32 and bfloat16")
    args = parser.parse_args()
    if args.peak:
        print(f"RESULT matmul 2048x2048 on {os.cpu_count()} cores: float32 {matmul_peak('float32'):.0f} "
              f"GFLOP/s, bfloat16 {matmul_peak('bfloat16'):.0f} GFLOP/s")
        return

    import keras

    from helpers.models import cifar

    keras.mixed_precision.set_global_policy(args.policy)
    keras.utils.set_random_seed(0)
    model = cifar.bigger_cnn(10)
    model.compile(optimizer=keras.optimizers.Adam(3e-3), loss="categorical_crossentropy")
    rng = np.random.default_rng(0)
    x = rng.random((args.batch, 32, 32, 3), dtype=np.float32)
    y = keras.utils.to_categorical(rng.integers(0, 10, args.batch), 10)
    for _ in range(5):  # builds the training function
        model.train_on_batch(x, y)
    start = time.perf_counter()
    for _ in range(args.steps):
        model.train_on_batch(x, y)
    seconds = time.perf_counter() - start
    images = args.steps * args.batch / seconds
    flops = forward_flops(model)
    achieved = 3 * flops * images
    print(f"RESULT {args.policy} batch {args.batch}: {images:,.0f} images/s on {os.cpu_count()} cores; "
          f"{flops / 1e6:.1f} MFLOP forward per image, {3 * flops / 1e6:.1f} MFLOP per trained image; "
          f"{achieved / 1e9:.1f} GFLOP/s achieved; an epoch of 45,000 images {45_000 / images:.0f} s")


if __name__ == "__main__":
    main()
