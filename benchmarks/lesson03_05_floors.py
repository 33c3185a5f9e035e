"""Do lessons 03-05's floors reject an untrained network? The same measurements with random weights.

    COURSE_PROFILE=fast COURSE_OFFLINE=1 COURSE_MIRROR=/work/shared/mirror python benchmarks/lesson03_05_floors.py
    ... python benchmarks/lesson03_05_floors.py --untrained-source   # also ResNet50, MobileNetV2 untrained

For each floor a notebook asserts, runs the notebook's measurement on the same photos with
EfficientNet-Lite0 built with ``weights=None`` (random weights: the "untrained" value), and, where
it applies, with the real weights but shuffled training labels. Prints one line per floor:
untrained value(s), the profile's floor, and the value with the real ImageNet weights.

Online a lesson runs the source's network instead (03: ResNet50 at 224; 04: MobileNetV2 at 224),
whose ImageNet weights cannot be had here; ``--untrained-source`` measures those networks
untrained too, on the same photos, since a floor must reject an untrained network of every
network that may run.
"""

from __future__ import annotations

import sys
import time

import keras
import numpy as np
from keras import layers
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.neighbors import KNeighborsClassifier, NearestNeighbors
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import helpers
from helpers.datasets.folders import cats_and_dogs, fruits360
from helpers.models import efficientnet_lite
from helpers.models.transfer import array_dataset, folder_features, load_photos

SUBSET = ["Apple Braeburn", "Apple Granny Smith", "Apple Red Delicious", "Clementine", "Lemon",
          "Mandarine", "Nectarine", "Peach"]


def embed(size: int, weights: str | None) -> keras.Model:
    """Lite0 without its top, average pooling: lessons 03 and 04's feature model (Lite0 path)."""
    keras.utils.set_random_seed(0)
    return efficientnet_lite.EfficientNetLite0(include_top=False, weights=weights, pooling="avg",
                                               input_shape=(size, size, 3))


def lesson03(features: np.ndarray, labels: np.ndarray, neighbours: tuple[int, ...]) -> dict[str, float]:
    """The notebook's three measurements, with its protocol: a 60/20/20 stratified split, k chosen
    on validation (ties: the larger k), kNN and linear accuracy on the test photos, precision@10."""
    x_rest, x_test, y_rest, y_test = train_test_split(features, labels, test_size=0.2,
                                                      stratify=labels, random_state=0)
    x_train, x_val, y_train, y_val = train_test_split(x_rest, y_rest, test_size=0.25,
                                                      stratify=y_rest, random_state=0)
    by_k = {k: KNeighborsClassifier(n_neighbors=k, metric="cosine").fit(x_train, y_train).score(x_val, y_val)
            for k in neighbours}
    best_k = max(reversed(neighbours), key=by_k.get)
    knn = KNeighborsClassifier(n_neighbors=best_k, metric="cosine").fit(x_train, y_train)
    linear = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000)).fit(x_train, y_train)
    _, found = NearestNeighbors(n_neighbors=11, metric="cosine").fit(features).kneighbors(features)
    return {"knn": float(knn.score(x_test, y_test)), "linear": float(linear.score(x_test, y_test)),
            "precision": float(np.mean(labels[found[:, 1:]] == labels[:, None]))}


def head_accuracy(train_x, train_y, val_x, val_y, classes: int, epochs: int, learning_rate: float) -> float:
    """Lessons 04/05's head (dropout + Dense) trained on features; accuracy on the held-out ones."""
    keras.utils.set_random_seed(0)
    units, activation, loss = ((1, "sigmoid", "binary_crossentropy") if classes == 2 else
                               (classes, "softmax", "sparse_categorical_crossentropy"))
    head = keras.Sequential([keras.Input(train_x.shape[1:]), layers.Dropout(0.2),
                             layers.Dense(units, activation=activation)])
    head.compile(optimizer=keras.optimizers.Adam(learning_rate), loss=loss, metrics=["accuracy"])
    head.fit(train_x, train_y, epochs=epochs, batch_size=32, verbose=0)
    return float(head.evaluate(val_x, val_y, verbose=0)[1])


def test_half(images: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Lesson 05's test split: of each class's Test photos, the half that is not validation."""
    rng = np.random.default_rng(0)
    to_validation = np.zeros(len(labels), dtype=bool)
    for k in np.unique(labels):
        of_k = rng.permutation(np.flatnonzero(labels == k))
        to_validation[of_k[: len(of_k) // 2]] = True
    return images[~to_validation], labels[~to_validation]


def main() -> None:
    s03, s04, s05 = (helpers.profiles.LESSONS[n][helpers.profiles.active_profile()] for n in ("03", "04", "05"))
    pets, fruits = cats_and_dogs(), fruits360(full=s05.full_fruits360)
    classes = [c for c in SUBSET if c in fruits.class_names] or list(fruits.class_names[:8])
    shuffle = np.random.default_rng(0).permutation
    rows = []

    # Lessons 03 and 04: the same photos at the same size, real and random weights.
    size = (s03.image_size, s03.image_size)
    sets = {}
    for weights in ("imagenet", None):
        model = embed(s03.image_size, weights)
        parts = [folder_features(model, pets.train_dir, size, "efficientnet_lite0", use_cache=weights is not None),
                 folder_features(model, pets.eval_dir, size, "efficientnet_lite0", use_cache=weights is not None),
                 folder_features(model, fruits.eval_dir, size, "efficientnet_lite0", max_images=s03.fruit_photos,
                                 classes=classes, use_cache=weights is not None)]
        sets[weights] = parts
    for weights, parts in sets.items():
        features = np.concatenate([p.features for p in parts])
        labels = np.concatenate([parts[0].labels, parts[1].labels, parts[2].labels + 2])
        sets[weights] = (parts, lesson03(features, labels, s03.neighbours))
    real03, random03 = sets["imagenet"][1], sets[None][1]
    for key, floor in (("knn", s03.min_knn_accuracy), ("linear", s03.min_linear_accuracy),
                       ("precision", s03.min_precision)):
        rows.append((f"03 {key}", f"random weights {random03[key]:.3f}", floor, real03[key]))

    # Lesson 04: the head on cats-vs-dogs features (Lite0 at the profile's size; 03's size is the same).
    if s04.image_size == s03.image_size:
        (train, held, _), _ = sets["imagenet"]
        (rtrain, rheld, _), _ = sets[None]
        val, rval = held.rows(np.s_[1::2]), rheld.rows(np.s_[1::2])  # the notebook's test half
        real = head_accuracy(train.features, train.labels, val.features, val.labels, 2, s04.epochs, s04.head_learning_rate)
        random = head_accuracy(rtrain.features, rtrain.labels, rval.features, rval.labels, 2, s04.epochs,
                               s04.head_learning_rate)
        shuffled = head_accuracy(train.features, train.labels[shuffle(len(train.labels))], val.features,
                                 val.labels, 2, s04.epochs, s04.head_learning_rate)
        rows.append(("04 test accuracy (the held-out photos' second half)", f"random weights {random:.3f}, shuffled labels {shuffled:.3f}",
                     s04.min_accuracy, real))
        rows.append(("04 gap to the small CNN (needs the notebook's scratch accuracy)",
                     f"random weights: {random:.3f} - scratch", s04.min_gap, float("nan")))

    # Lesson 05: phase 1's head on Fruits-360 features at 128 (the fine-tuned value is the notebook's).
    size5 = (s05.image_size, s05.image_size)
    images, labels = load_photos(fruits.train_dir, size5, max_images=s05.train_images, seed=0)
    held_x, held_y = load_photos(fruits.eval_dir, size5, max_images=s05.test_images, seed=0)
    test_x, test_y = test_half(held_x, held_y)  # the notebook's test split: half of each class
    order = np.arange(len(labels))               # every training photo trains, as in the notebook
    for weights in ("imagenet", None):
        model = embed(s05.image_size, weights)
        start = time.perf_counter()
        f_train = model.predict(array_dataset(images[order], labels[order], 64), verbose=0)
        f_test = model.predict(array_dataset(test_x, test_y, 64), verbose=0)
        n = len(fruits.class_names)
        accuracy = head_accuracy(f_train, labels[order], f_test, test_y, n, s05.head_epochs, s05.head_learning_rate)
        if weights is None:
            random5 = accuracy
        else:
            real5 = accuracy
            shuffled5 = head_accuracy(f_train, labels[order][shuffle(len(order))], f_test, test_y, n,
                                      s05.head_epochs, s05.head_learning_rate)
        print(f"05 features ({weights}): {time.perf_counter() - start:.0f} s", flush=True)
    rows.append(("05 test accuracy (phase 1 here; the notebook asserts the model chosen on validation)",
                 f"random weights {random5:.3f}, shuffled labels {shuffled5:.3f}", s05.min_accuracy, real5))

    if "--untrained-source" in sys.argv:
        rows += untrained_source_networks(pets, fruits, classes, s03, s04)

    print(f"\nprofile {helpers.profiles.active_profile()} | untrained | floor | real ImageNet weights (Lite0)")
    for name, untrained, floor, real in rows:
        print(f"{name}: {untrained} | floor {floor} | real {real:.3f}")


def untrained_source_networks(pets, fruits, classes, s03, s04) -> list[tuple[str, str, float, float]]:
    """Lessons 03 and 04's floors against the online networks with random weights, at 224x224."""
    rows = []
    size = (224, 224)
    keras.utils.set_random_seed(0)
    base = keras.applications.ResNet50(include_top=False, weights=None, pooling="avg", input_shape=(*size, 3))
    inputs = keras.Input((*size, 3))
    resnet = keras.Model(inputs, base(keras.applications.resnet50.preprocess_input(inputs)))
    start = time.perf_counter()
    parts = [folder_features(resnet, pets.train_dir, size, "resnet50", use_cache=False),
             folder_features(resnet, pets.eval_dir, size, "resnet50", use_cache=False),
             folder_features(resnet, fruits.eval_dir, size, "resnet50", max_images=s03.fruit_photos,
                             classes=classes, use_cache=False)]
    print(f"03 ResNet50 (random weights) features: {time.perf_counter() - start:.0f} s", flush=True)
    features = np.concatenate([p.features for p in parts])
    labels = np.concatenate([parts[0].labels, parts[1].labels, parts[2].labels + 2])
    measured = lesson03(features, labels, s03.neighbours)
    for key, floor in (("knn", s03.min_knn_accuracy), ("linear", s03.min_linear_accuracy),
                       ("precision", s03.min_precision)):
        rows.append((f"03 {key}, ResNet50", f"random weights {measured[key]:.3f}", floor, float("nan")))

    keras.utils.set_random_seed(0)
    base = keras.applications.MobileNetV2(include_top=False, weights=None, pooling="avg", input_shape=(*size, 3))
    mobilenet = keras.Model(inputs, base(layers.Rescaling(1 / 127.5, offset=-1)(inputs)))
    train = folder_features(mobilenet, pets.train_dir, size, "mobilenet_v2", use_cache=False)
    val = folder_features(mobilenet, pets.eval_dir, size, "mobilenet_v2", use_cache=False).rows(np.s_[1::2])
    random = head_accuracy(train.features, train.labels, val.features, val.labels, 2, s04.epochs,
                           s04.head_learning_rate)
    rows.append(("04 test accuracy, MobileNetV2", f"random weights {random:.3f}", s04.min_accuracy,
                 float("nan")))
    return rows


if __name__ == "__main__":
    main()
