"""Issue 34's ablation of lesson 01's bigger CNN: one change at a time, 3 seeds each, on full
CIFAR-10 (45,000 training and 5,000 validation images), every row with the same epochs.

Each row is the lesson's recipe before issue 34 (``baseline``: 24/48/96 filters, conv -> batch
norm -> ReLU -> pool, 4-pixel shifts) with one change (``ROWS``); the ``combined`` row, the
changes that won on validation together, is checked to be the lesson's bigger CNN since then
(``helpers.models.cifar.bigger_cnn``, itself kept identical to the notebook's cell by
``tests/test_models_cifar.py``). Every row reports validation accuracy three
ways: plain, averaged with the mirror images, and averaged over six views (mirror x shifts of
-1, 0 and +1 pixel). The test set is never read here: the choices are made on validation.

    python benchmarks/lesson01_ablation.py --epochs 3                  # every row, seeds 0,1,2
    python benchmarks/lesson01_ablation.py --rows baseline,pool_first --epochs 3 --seeds 0
    python benchmarks/lesson01_ablation.py --summary results.jsonl     # the table again

Each run appends one JSON line to ``--out`` (default ``ablation.jsonl``), so an interrupted
ablation resumes where it stopped (runs already in the file are skipped).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import helpers  # noqa: F401 (quiet TensorFlow start-up)
import numpy as np


@dataclass(frozen=True)
class Recipe:
    """What one ablation row trains: the lesson's recipe unless a field says otherwise."""

    pool_first: bool = False      # the block's last conv -> pool -> batch norm -> ReLU
    whiten: bool = False          # a frozen 2x2 patch-whitening first convolution
    bn_momentum: float = 0.9
    bn_scale: bool = True         # False: batch norm's scale frozen at 1
    label_smoothing: float = 0.1
    ema: bool = False             # an exponential moving average of the weights (momentum 0.99)
    shift: float = 0.125          # RandomTranslation's factor: 0.125 x 32 = 4 pixels
    batch_size: int = 64
    learning_rate: float = 3e-3


ROWS = {
    "baseline": Recipe(),
    "pool_first": Recipe(pool_first=True),
    "whiten": Recipe(whiten=True),
    "bn_momentum_0.6": Recipe(bn_momentum=0.6),
    "bn_scale_frozen": Recipe(bn_scale=False),
    "label_smoothing_0.2": Recipe(label_smoothing=0.2),
    "ema_0.99": Recipe(ema=True),
    "shift_2px": Recipe(shift=0.0625),
    "batch_128_lr_4.2e-3": Recipe(batch_size=128, learning_rate=4.2e-3),
    # the rows that won on validation, together: lesson 01's bigger CNN since issue 34
    "combined": Recipe(pool_first=True, whiten=True, shift=0.0625),
}


def build(recipe: Recipe, num_classes: int = 10, train_images: np.ndarray | None = None):
    """The bigger CNN with the recipe's architecture changes (the lesson's when none)."""
    import keras
    from keras import layers

    from helpers.models import cifar

    def bn_relu() -> list:
        return [layers.BatchNormalization(momentum=recipe.bn_momentum, scale=recipe.bn_scale),
                layers.Activation("relu")]

    def block(filters: int, convs: int, first: bool) -> list:
        out: list = []
        for i in range(convs):
            if first and i == 0 and recipe.whiten:
                conv = cifar.patch_whitening(train_images[:cifar.WHITENING_IMAGES])
            else:
                conv = layers.Conv2D(filters, 3, padding="same", use_bias=False)
            last = i == convs - 1
            if last and recipe.pool_first:
                out += [conv, layers.MaxPooling2D(2), *bn_relu()]
            else:
                out += [conv, *bn_relu()] + ([layers.MaxPooling2D(2)] if last else [])
        return out

    model = keras.Sequential([
        keras.Input(shape=(32, 32, 3)),
        layers.RandomFlip("horizontal"),
        layers.RandomTranslation(recipe.shift, recipe.shift, fill_mode="reflect"),
        *block(24, 1, True), *block(48, 2, False), *block(96, 2, False),
        layers.Flatten(),
        layers.Dense(128, activation="relu", name="features"),
        layers.Dropout(0.2),
        layers.Dense(num_classes, activation="softmax"),
    ], name="bigger_cnn")


def views(images: np.ndarray, count: int) -> list[np.ndarray]:
    """Test-time views: the images (1), with their mirror images (2), and each of those
    shifted by -1 and +1 pixel in both directions, edges reflected (6)."""
    out = [images, images[:, :, ::-1]][:count]
    if count == 6:
        padded = np.pad(images, ((0, 0), (1, 1), (1, 1), (0, 0)), mode="reflect")
        for offset in (0, 2):
            shifted = padded[:, offset:offset + 32, offset:offset + 32]
            out += [shifted, shifted[:, :, ::-1]]
    return out


def run(name: str, recipe: Recipe, epochs: int, seed: int) -> dict:
    """Train one row with one seed; its validation accuracies and training minutes."""
    import keras

    from helpers.datasets import load_cifar10
    from helpers.pipelines import make_dataset

    data = load_cifar10(None, None, allow_standin=False)
    x = data.x_train.astype("float32") / 255.0
    y = keras.utils.to_categorical(data.y_train, 10)
    n_val = len(x) // 10  # the lesson's split: the first 10% is validation
    train_ds = make_dataset(x[n_val:], y[n_val:], recipe.batch_size, shuffle=True)
    val_ds = make_dataset(x[:n_val], y[:n_val], 256)
    keras.utils.set_random_seed(seed)
    model = build(recipe, train_images=x[n_val:])
    total = epochs * int(train_ds.cardinality())
    warmup = int(0.15 * total)
    schedule = keras.optimizers.schedules.CosineDecay(
        recipe.learning_rate / 10, decay_steps=total - warmup, warmup_target=recipe.learning_rate,
        warmup_steps=warmup)
    optimizer = keras.optimizers.AdamW(schedule, weight_decay=5e-4, use_ema=recipe.ema, ema_momentum=0.99)
    model.compile(optimizer=optimizer, metrics=["accuracy"],
                  loss=keras.losses.CategoricalCrossentropy(label_smoothing=recipe.label_smoothing))
    start = time.perf_counter()
    model.fit(train_ds, validation_data=val_ds, epochs=epochs, shuffle=False, verbose=0)
    minutes = (time.perf_counter() - start) / 60
    x_val, y_val = x[:n_val], data.y_train[:n_val]
    accuracy = {}
    for count, label in ((1, "plain"), (2, "flip"), (6, "six_views")):
        probabilities = np.mean([model.predict(v, batch_size=256, verbose=0) for v in views(x_val, count)], axis=0)
        accuracy[label] = float(np.mean(probabilities.argmax(axis=1) == y_val))
    return {"row": name, "seed": seed, "epochs": epochs, "minutes": round(minutes, 2),
            "parameters": int(model.count_params()), **accuracy, "recipe": asdict(recipe),
            "date": time.strftime("%Y-%m-%d")}


def summary(results: list[dict]) -> str:
    """A Markdown table: each row's mean (and range) over seeds, and its change from baseline."""
    rows: dict[str, list[dict]] = {}
    for result in results:
        rows.setdefault(result["row"], []).append(result)
    base = statistics.mean(r["plain"] for r in rows.get("baseline", [{"plain": float("nan")}]))
    lines = ["| row | seeds | validation (plain) | change | flip-averaged | six views | training minutes |",
             "|---|---|---|---|---|---|---|"]
    for name, runs in rows.items():
        def cell(key: str) -> str:
            values = [r[key] for r in runs]
            return f"{statistics.mean(values):.4f} ({min(values):.3f}-{max(values):.3f})"
        plain = statistics.mean(r["plain"] for r in runs)
        lines.append(f"| {name} | {len(runs)} | {cell('plain')} | {plain - base:+.4f} | {cell('flip')} | "
                     f"{cell('six_views')} | {statistics.mean(r['minutes'] for r in runs):.2f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default=",".join(ROWS), help=f"comma-separated, of: {', '.join(ROWS)}")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--out", type=Path, default=Path("ablation.jsonl"))
    parser.add_argument("--summary", type=Path, help="only print the table of this results file")
    args = parser.parse_args()
    if args.summary:
        print(summary([json.loads(line) for line in args.summary.read_text().splitlines() if line]))
        return

    from helpers.models import cifar

    images = np.random.default_rng(0).random((256, 32, 32, 3), dtype=np.float32)
    assert cifar.architecture(build(ROWS["combined"], train_images=images)) == \
        cifar.architecture(cifar.bigger_cnn(10, images)), "the combined row is no longer the lesson's bigger CNN"
    done = {(r["row"], r["seed"], r["epochs"]) for r in
            (json.loads(line) for line in args.out.read_text().splitlines() if line)} if args.out.exists() else set()
    for seed in (int(s) for s in args.seeds.split(",")):
        for name in args.rows.split(","):
            if (name, seed, args.epochs) in done:
                continue
            result = run(name, ROWS[name], args.epochs, seed)
            print("RESULT", json.dumps(result), flush=True)
            with args.out.open("a") as out:
                out.write(json.dumps(result) + "\n")
    print(summary([json.loads(line) for line in args.out.read_text().splitlines() if line]))


if __name__ == "__main__":
    main()
