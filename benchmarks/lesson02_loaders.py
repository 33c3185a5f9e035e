"""Lesson 02, exercise 2: how far apart the common image loaders put a top-1 probability.

    COURSE_MIRROR=../shared/mirror python benchmarks/lesson02_loaders.py

EfficientNet-Lite0 (real ImageNet weights) on the photos the check uses (coffee and the three it
keeps unseen), each loaded at 224x224 by every loader the check accepts (``lesson02.loader_batches``: the
course's Pillow loader, ``keras.utils.load_img`` as the source labs use it, ``tf.io`` +
``tf.image.resize`` as lesson 02's section 2 does). Prints each photo's top-1 class and probability
by loader, and the largest relative difference from the course loader's: too large for one
tolerance, so the check compares an answer with each loader's probability instead.
"""

from __future__ import annotations

import helpers  # noqa: F401 (quiet TensorFlow start-up)
from helpers.datasets.photos import photo_path
from helpers.exercises.lesson02 import OWN_LOADER, UNSEEN_PHOTOS, loader_batches
from helpers.models.pretrained import pretrained


def main() -> None:
    network = pretrained("efficientnet_lite0")
    worst = 0.0
    for name in ("coffee", *UNSEEN_PHOTOS):
        results = {}
        for loader, batch in loader_batches(photo_path(name), network.input_size).items():
            x = network.preprocess_input(batch)
            _, label, probability = network.decode_predictions(network.model.predict(x, verbose=0), top=1)[0][0]
            results[loader] = (label, float(probability))
        reference = results[OWN_LOADER]
        for label, probability in results.values():
            if label == reference[0]:
                worst = max(worst, abs(probability - reference[1]) / reference[1])
        print(f"{name}: " + " | ".join(f"{loader}: {label} {p:.4f}" for loader, (label, p) in results.items()))
    print(f"largest relative difference of a top-1 probability from the course loader's: {worst:.3f}")


if __name__ == "__main__":
    main()
