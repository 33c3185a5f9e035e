"""Lesson 03's exercises (representations: PCA, t-SNE, visual search) and closing quiz.

Each judge computes the right answer itself from the learner's own features or map (or runs
the learner's function on them), and names the learner's mistake when there is one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from .core import Exercise, Question, Quiz, real_number, wrong

#: The rows the cosine search is checked on.
QUERIES = (0, 7, 42, 123)


def neighbourhood_purity(points: np.ndarray, labels: np.ndarray, k: int = 10) -> np.ndarray:
    """For each class, the mean share of a point's ``k`` nearest neighbours (in ``points``) of its class."""
    from sklearn.neighbors import NearestNeighbors

    labels = np.asarray(labels)
    _, index = NearestNeighbors(n_neighbors=k + 1).fit(points).kneighbors(points)
    same = (labels[index[:, 1:]] == labels[:, None]).mean(axis=1)
    return np.array([same[labels == c].mean() if np.any(labels == c) else np.nan
                     for c in range(labels.max() + 1)])


def _judge_worst_separated_class(answer: str, points: np.ndarray, labels: np.ndarray,
                                 class_names: Sequence[str], k: int = 10) -> str:
    class_names = list(class_names)
    if not isinstance(answer, str):
        wrong(f"{answer!r} is a {type(answer).__name__}; give the class's name as a string, one of "
              f"{', '.join(class_names)}.")
    if answer not in class_names:
        wrong(f"{answer!r} is not a class; choose from {', '.join(class_names)}.")
    purity = neighbourhood_purity(np.asarray(points), np.asarray(labels), k)
    order = [int(i) for i in np.argsort(purity)]
    rank = order.index(class_names.index(answer)) + 1  # 1 = the most scattered
    share = purity[class_names.index(answer)]
    if rank <= 2:  # either of the two most scattered classes is right: the eye cannot tell closer
        ranking = ", ".join(f"{class_names[i]} {purity[i]:.2f}" for i in order[:4])
        return (f"{answer}: {share:.0%} of its points' {k} nearest map neighbours share its class. "
                f"Lowest first: {ranking}.")
    if rank == len(class_names):
        wrong(f"{answer} is the *best*-separated class ({share:.0%} of its points' {k} nearest map "
              "neighbours share its class): its points form the tightest group. Look for the class "
              "whose points are most scattered among other colours.")
    wrong(f"{answer}: {share:.0%} of its points' {k} nearest map neighbours share its class; "
          f"{rank - 1} classes are more scattered than that. Look for the colour most mixed into "
          "the others.")


def _worked_worst_separated_class(points: np.ndarray, labels: np.ndarray,
                                  class_names: Sequence[str]) -> str:
    # Measure what the eye judges: for each class, the share of its points' 10 nearest map
    # neighbours that are of the same class. The lowest share is the most scattered class.
    purity = neighbourhood_purity(points, labels, k=10)
    return class_names[int(np.argmin(purity))]


worst_separated_class = Exercise(
    title="Exercise 2 (the worst-separated class)", answer_name="my_class",
    judge=_judge_worst_separated_class, worked=_worked_worst_separated_class,
    hint_text="on the coloured map, find the colour whose points are spread over many other "
              "colours' islands instead of forming one island of their own; the thumbnail map "
              "shows which images they are.")


def _cosine_similarity(features: np.ndarray, query: int) -> np.ndarray:
    """Every row's cosine similarity to row ``query``."""
    unit = features / np.maximum(np.linalg.norm(features, axis=1, keepdims=True), 1e-12)
    return unit @ unit[query]


def cosine_neighbours(features: np.ndarray, query: int, k: int) -> np.ndarray:
    """Indices of the ``k`` rows most cosine-similar to row ``query`` (itself excluded), best first."""
    similarity = _cosine_similarity(features, query)
    similarity[query] = -np.inf
    return np.argsort(-similarity, kind="stable")[:k]


def _ranked_by(score: np.ndarray, query: int, k: int, highest_first: bool = True) -> np.ndarray:
    """The ``k`` indices other than ``query`` with the highest (or lowest) ``score``."""
    score = np.where(np.arange(len(score)) == query, -np.inf if highest_first else np.inf, score)
    return np.argsort(-score if highest_first else score, kind="stable")[:k]


def _search_mistake(got: np.ndarray, features: np.ndarray, query: int, k: int) -> str:
    """What a wrong search result most likely did, or how cosine similarity is computed."""
    similarity = _cosine_similarity(features, query)
    if query in got:
        return "the query itself is its own best match: leave it out."
    if np.array_equal(got, _ranked_by(-np.linalg.norm(features - features[query], axis=1), query, k)):
        return ("these are the Euclidean nearest neighbours: divide each vector by its length "
                "first, then rank by the dot product.")
    if np.array_equal(got, _ranked_by(features @ features[query], query, k)):
        return ("you ranked by the plain dot product, which favours long vectors: divide each "
                "vector by its length first.")
    if np.array_equal(got, _ranked_by(similarity, query, k, highest_first=False)):
        return "these are the *least* similar rows: sort from the highest similarity down."
    if set(got.tolist()) == set(cosine_neighbours(features, query, k).tolist()):
        return "the right rows in the wrong order: most similar first."
    return ("cosine similarity = dot product of the two vectors divided by both lengths; rank "
            "from the highest.")


def unseen_features(seed: int = 3, n: int = 300, d: int = 24) -> np.ndarray:
    """Non-negative, sparse vectors of very different lengths: features the learner never saw."""
    rng = np.random.default_rng(seed)
    values = np.maximum(rng.normal(size=(n, d)), 0) * rng.uniform(0.05, 20, size=(n, 1))
    values[:, 0] += 1e-3  # no all-zero row
    return values


def _judge_cosine_search(search: Callable, features: np.ndarray, k: int = 5) -> str:
    if not callable(search):
        wrong(f"cosine_search is a {type(search).__name__}; define a function: "
              "def cosine_search(features, query, k): ...")
    _check_search(search, np.asarray(features, dtype="float64"), k)
    _check_search(search, unseen_features(), 7)  # other vectors, another k: no hard-coded answer
    return (f"the same neighbours, in the same order, for queries {list(QUERIES)} of your features "
            "and of vectors the check made up (k = 7).")


def _check_search(search: Callable, features: np.ndarray, k: int) -> None:
    for query in QUERIES:
        expected = cosine_neighbours(features, query, k)
        try:
            got = np.asarray(search(features.copy(), query, k)).reshape(-1)
        except Exception as error:  # noqa: BLE001 (the learner's code: report any failure)
            wrong(f"cosine_search(features, {query}, {k}) raised {type(error).__name__}: {error}")
        if got.shape != expected.shape:
            wrong(f"for query {query} you returned {got.size} indices; return k = {k}.")
        if not np.issubdtype(got.dtype, np.integer) or got.min() < 0 or got.max() >= len(features):
            wrong(f"for query {query} you returned {got.tolist()}: return row indices of "
                  f"features (whole numbers from 0 to {len(features) - 1}), as np.argsort gives them.")
        similarity = _cosine_similarity(features, query)
        # Rows as similar as each other may come in any order: compare similarities, not indices.
        if (query not in got and len(set(got.tolist())) == k
                and np.allclose(similarity[got], similarity[expected], rtol=0, atol=1e-9)):
            continue
        wrong(f"for query {query} you returned {got.tolist()}, expected {expected.tolist()}: "
              + _search_mistake(got, features, query, k))


def _worked_cosine_search(features: np.ndarray, k: int = 5) -> Callable[[np.ndarray, int, int], np.ndarray]:
    # Unit-length vectors, then one matrix-vector product gives every cosine similarity.
    def cosine_search(features, query, k):
        unit = features / np.linalg.norm(features, axis=1, keepdims=True).clip(min=1e-12)
        similarity = unit @ unit[query]
        similarity[query] = -np.inf          # the query is not its own neighbour
        return np.argsort(-similarity)[:k]   # highest similarity first

    print(cosine_search(features, 0, k))
    return cosine_search


cosine_search = Exercise(
    title="Exercise 3 (cosine-similarity search)", answer_name="cosine_search",
    judge=_judge_cosine_search, worked=_worked_cosine_search,
    hint_text="the cosine similarity of two vectors is the dot product of their unit-length "
              "versions; with every row made unit length, one matrix-vector product compares "
              "the query with all rows at once. Do not return the query itself.")


def threshold_neighbours(features: np.ndarray, query: int, threshold: float) -> np.ndarray:
    """Indices of every row (the query left out) with cosine similarity above ``threshold``, best first."""
    similarity = _cosine_similarity(features, query)
    similarity[query] = -np.inf
    order = np.argsort(-similarity, kind="stable")
    return order[similarity[order] > threshold]


#: (query, threshold) pairs the threshold search is checked on; the last finds nothing.
THRESHOLD_CASES = ((0, 0.5), (7, 0.3), (42, 0.7), (123, 0.5), (0, 1.0))


def _threshold_mistake(got: np.ndarray, features: np.ndarray, query: int, threshold: float) -> str:
    """What a wrong threshold search most likely did."""
    similarity = _cosine_similarity(features, query)
    expected = threshold_neighbours(features, query, threshold)
    if query in got:
        return "the query itself is in the result (its similarity to itself is 1): leave it out."
    if set(got.tolist()) == set(expected.tolist()):
        return "the right photos in the wrong order: most similar first."
    dot = features @ features[query]
    if set(got.tolist()) == set(np.flatnonzero((dot > threshold) & (np.arange(len(dot)) != query)).tolist()):
        return ("you compared the plain dot product with the threshold: divide each vector by its "
                "length first.")
    if set(got.tolist()) == set(np.flatnonzero((similarity < threshold)
                                               & (np.arange(len(similarity)) != query)).tolist()):
        return "these are the photos *below* the threshold: keep similarity > threshold."
    if len(got) and len(got) != len(expected) and np.array_equal(
            got, _ranked_by(similarity, query, len(got))):
        return (f"the {len(got)} most similar photos, a fixed number: keep every photo above the "
                f"threshold, however many ({len(expected)} here).")
    return ("keep every other row whose cosine similarity to the query is above the threshold, "
            "sorted from the most similar.")


def _check_threshold_search(search: Callable, features: np.ndarray, cases) -> None:
    for query, threshold in cases:
        expected = threshold_neighbours(features, query, threshold)
        try:
            got = np.asarray(search(features.copy(), query, threshold)).reshape(-1)
            if got.size == 0:
                got = got.astype(int)  # an empty list is a right answer where nothing is similar enough
        except Exception as error:  # noqa: BLE001 (the learner's code: report any failure)
            wrong(f"threshold_search(features, {query}, {threshold}) raised {type(error).__name__}: {error}")
        if got.size and (not np.issubdtype(got.dtype, np.integer) or got.min() < 0
                         or got.max() >= len(features)):
            wrong(f"for query {query} at {threshold} you returned {got[:8].tolist()}...: return row "
                  f"indices of features (whole numbers from 0 to {len(features) - 1}), not similarities.")
        if got.size == 0 and expected.size:
            wrong(f"for query {query} at {threshold} you returned nothing; {expected.size} rows are "
                  "above the threshold.")
        similarity = _cosine_similarity(features, query)
        # Rows as similar as each other may come in any order: compare similarities, not indices.
        if (got.shape == expected.shape and query not in got and len(set(got.tolist())) == got.size
                and np.allclose(similarity[got], similarity[expected], rtol=0, atol=1e-9)):
            continue
        wrong(f"for query {query} at threshold {threshold} you returned {got.size} rows, expected "
              f"{expected.size}: " + _threshold_mistake(got, features, query, threshold))


def _judge_threshold_search(search: Callable, features: np.ndarray) -> str:
    if not callable(search):
        wrong(f"threshold_search is a {type(search).__name__}; define a function: "
              "def threshold_search(features, query, threshold): ...")
    features = np.asarray(features, dtype="float64")
    _check_threshold_search(search, features, THRESHOLD_CASES)
    _check_threshold_search(search, unseen_features(seed=5), ((3, 0.4), (11, 0.8), (250, 0.6)))
    counts = [len(threshold_neighbours(features, q, t)) for q, t in THRESHOLD_CASES]
    return (f"the same photos, most similar first, on your features ({', '.join(map(str, counts))} "
            "photos for the five query/threshold pairs: a threshold returns as many as it finds, "
            "even none) and on vectors the check made up.")


def _worked_threshold_search(features: np.ndarray) -> Callable[[np.ndarray, int, float], np.ndarray]:
    # Every cosine similarity at once, the query left out; keep those above the threshold, best first.
    def threshold_search(features, query, threshold):
        unit = features / np.linalg.norm(features, axis=1, keepdims=True).clip(min=1e-12)
        similarity = unit @ unit[query]
        similarity[query] = -np.inf          # the query is not its own result
        order = np.argsort(-similarity)      # highest similarity first
        return order[similarity[order] > threshold]

    print(len(threshold_search(features, 0, 0.5)), "photos above 0.5 for photo 0")
    return threshold_search


threshold_search = Exercise(
    title="Exercise 4 (search by a similarity threshold)", answer_name="threshold_search",
    judge=_judge_threshold_search, worked=_worked_threshold_search,
    hint_text="start from your cosine_search: the same similarities, but instead of the first k of "
              "the sorted order keep every index whose similarity is above the threshold (a "
              "boolean mask on the sorted similarities). Leave out the query; an empty result is "
              "a right answer when nothing is similar enough.")


def _judge_zero_share(answer: float, features: np.ndarray) -> str:
    features = np.asarray(features)
    expected = float(np.mean(features == 0))
    answer = real_number(answer, "a fraction between 0 and 1")
    if abs(answer - expected) <= 0.005:
        return f"{expected:.3f} of the values are exactly 0."
    if abs(answer / 100 - expected) <= 0.005:
        wrong(f"{answer} is a percentage; give a fraction between 0 and 1.")
    if abs(answer - round(answer)) < 1e-9 and round(answer) == int(np.sum(features == 0)):
        wrong(f"{answer:.0f} counts the zeros; divide by the number of values ({features.size:,}).")
    if abs(answer - (1 - expected)) <= 0.005:
        wrong(f"{answer} is the share of values that are *not* 0.")
    if abs(answer - float(np.mean(np.all(features == 0, axis=0)))) <= 0.005:
        wrong(f"{answer} is the share of units that are 0 for every image; the question asks "
              "for the share of all values.")
    wrong(f"{answer} is not the fraction of zeros: compare the whole array with 0 and take the "
          "mean over all values.")


def _worked_zero_share(features: np.ndarray) -> float:
    # Compare with 0 and take the mean over all values (True counts as 1).
    return float(np.mean(features == 0))


zero_share = Exercise(
    title="Exercise 1 (how sparse are the features?)", answer_name="my_share",
    judge=_judge_zero_share, worked=_worked_zero_share,
    hint_text="a comparison with 0 gives an array of True and False, and NumPy counts True as "
              "1 in arithmetic.")


def _probe_classifier(seed: int):
    """A small classifier with random weights and unusual layer names: an unseen network to cut."""
    import keras
    from keras import layers

    keras.utils.set_random_seed(seed)
    inputs = keras.Input((12, 12, 3), name="pixels")
    x = layers.Conv2D(6, 3, activation="relu", name="look")(inputs)
    x = layers.GlobalAveragePooling2D(name="squeeze")(x)
    x = layers.Dense(5, activation="relu", name="meaning")(x)
    outputs = layers.Dense(3, activation="softmax", name="verdict")(x)
    return keras.Model(inputs, outputs, name="probe_classifier")


def _judge_cut_at(cut_at: Callable) -> str:
    import keras

    if not callable(cut_at):
        wrong(f"cut_at is a {type(cut_at).__name__}; define a function: def cut_at(model, layer_name): ...")
    rng = np.random.default_rng(11)
    for seed, name in ((1, "meaning"), (2, "squeeze")):
        model = _probe_classifier(seed)
        images = rng.uniform(0, 1, size=(4, 12, 12, 3)).astype("float32")
        before = [w.copy() for w in model.get_weights()]
        try:
            cut = cut_at(model, name)
        except Exception as error:  # noqa: BLE001 (the learner's code: report any failure)
            wrong(f"cut_at(model, {name!r}) raised {type(error).__name__}: {error}")
        if not isinstance(cut, keras.Model):
            wrong(f"cut_at returned a {type(cut).__name__}; return a keras.Model.")
        if any(not np.array_equal(a, b) for a, b in zip(before, model.get_weights())):
            wrong("cut_at changed the network's weights; cut it, do not train or rebuild it.")
        expected = keras.Model(model.input, model.get_layer(name).output)(images).numpy()
        got = np.asarray(cut(images))
        if not np.all(np.isfinite(got)):
            wrong("the cut model's output holds NaN or inf.")
        if got.shape != expected.shape:
            wrong(f"cut at {name!r}, the model should output {expected.shape[1:]} per image; yours "
                  f"outputs {got.shape[1:]}. Take the output of model.get_layer(layer_name).")
        if not np.allclose(got, expected, atol=1e-5):
            wrong(f"cut at {name!r}, your model's outputs differ from the layer's: use the "
                  "network's own layers and weights (model.input to that layer's output).")
    return ("your cut gives the very outputs of the named layer, with the network's own weights "
            "(checked on two networks you had not seen, cut at two layers).")


def _worked_cut_at():
    # The network's own input, the named layer's output: a new model sharing the same weights.
    import keras

    def cut_at(model, layer_name):
        return keras.Model(model.input, model.get_layer(layer_name).output)

    return cut_at


cut_at = Exercise(
    title="Exercise 5 (cut a network at its representation)", answer_name="cut_at",
    judge=_judge_cut_at, worked=_worked_cut_at,
    hint_text="a functional Keras model can be cut anywhere: keras.Model(inputs, outputs) with "
              "the network's own inputs and the output of model.get_layer(layer_name). No new "
              "layers, no training.")


quiz = Quiz("Lesson 03 quiz", [
    Question("On a t-SNE map two clusters lie far apart, and one cluster is much larger than "
             "another. What can you conclude?",
             {"a": "the two classes are very different, and the large cluster's class varies most",
              "b": "little: t-SNE keeps neighbours together, but distances between clusters and "
                   "their sizes mean little",
              "c": "the features need more principal components"}, "b",
             {"a": "t-SNE preserves neighbourhoods, not global distances or spreads; another "
                   "perplexity or seed moves clusters and changes their sizes.",
              "b": "read a t-SNE map for which points are neighbours, not for distances between "
                   "groups.",
              "c": "t-SNE works on all the features; PCA's components play no part in what the "
                   "distances on the map mean."}),
    Question("Two images activate the same units in the same proportions, but every activation "
             "of one is twice that of the other. Which distance calls them identical?",
             {"a": "Euclidean distance", "b": "neither", "c": "cosine distance"}, "c",
             {"a": "Euclidean distance compares them as points: doubling a vector moves it away.",
              "b": "cosine distance ignores length: the two vectors point the same way.",
              "c": "cosine compares only the angle, i.e. which units are active in what proportion."}),
    Question("The first two principal components of the features separate the classes poorly, "
             "yet a kNN classifier on the features is far above chance. Why?",
             {"a": "kNN uses all the dimensions; the two directions of largest variance are not "
                   "the ones that separate classes",
              "b": "kNN trains a small neural network on the features",
              "c": "PCA needs standardised features, so its plot is wrong"}, "a",
             {"a": "a flat projection loses the other directions, where classes do differ.",
              "b": "kNN does not train at all: it labels by the majority of the nearest "
                   "training images.",
              "c": "PCA on these features is correct; it answers another question (variance, "
                   "not separation)."}),
    Question("Why are many of the pretrained network's pooled feature values exactly 0?",
             {"a": "float32 rounds small activations to 0",
              "b": "dropout zeroes them at inference",
              "c": "a ReLU comes last before the average pooling: a feature map negative "
                   "everywhere in an image averages to 0"}, "c",
             {"a": "float32 represents numbers far smaller than these activations.",
              "b": "dropout is off at inference.",
              "c": "ReLU cuts negative responses to 0, so an absent pattern gives exactly 0: "
                   "the features are sparse."}),
])
