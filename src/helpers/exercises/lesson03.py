"""Lesson 03's exercise checks (representations: PCA, t-SNE, visual search).

Each check computes the right answer itself from the learner's own features or map, prints a
verdict and returns True or False. An unanswered exercise (``None``) is reported, not failed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from .core import verdict

QUERIES = (0, 7, 42, 123)


def cosine_neighbours(features: np.ndarray, query: int, k: int) -> np.ndarray:
    """Indices of the ``k`` rows most cosine-similar to row ``query`` (itself excluded), best first."""
    unit = features / np.maximum(np.linalg.norm(features, axis=1, keepdims=True), 1e-12)
    similarity = unit @ unit[query]
    similarity[query] = -np.inf
    return np.argsort(-similarity, kind="stable")[:k]


def _euclidean_neighbours(features: np.ndarray, query: int, k: int) -> np.ndarray:
    distance = np.linalg.norm(features - features[query], axis=1)
    distance[query] = np.inf
    return np.argsort(distance, kind="stable")[:k]


def check_cosine_search(search: Callable | None, features: np.ndarray, k: int = 5) -> bool:
    """Exercise 2: ``search(features, query, k)`` returns the k most cosine-similar rows, best first."""
    if search is None:
        print("Not answered yet: replace None with your function cosine_search(features, query, k).")
        return False
    features = np.asarray(features, dtype="float64")
    for query in QUERIES:
        expected = cosine_neighbours(features, query, k)
        got = np.asarray(search(features.copy(), query, k)).reshape(-1)
        if got.shape != expected.shape:
            print(f"Not quite: for query {query} you returned {got.size} indices, expected {k}.")
            return False
        if np.array_equal(got, expected):
            continue
        if query in got:
            hint = "the query itself is its own best match: leave it out."
        elif np.array_equal(got, _euclidean_neighbours(features, query, k)):
            hint = ("these are the Euclidean nearest neighbours: divide each vector by its length "
                    "first, then rank by the dot product.")
        elif set(got) == set(expected):
            hint = "the right images in the wrong order: most similar first."
        else:
            hint = ("cosine similarity = dot product of the two vectors divided by both lengths; "
                    "rank from the highest.")
        print(f"Not quite: for query {query} you returned {got.tolist()}, expected "
              f"{expected.tolist()}. Hint: {hint}")
        return False
    print(f"Correct: the same {k} neighbours, in the same order, for queries {list(QUERIES)}.")
    return True


def neighbourhood_purity(points: np.ndarray, labels: np.ndarray, k: int = 10) -> np.ndarray:
    """For each class, the mean share of a point's ``k`` nearest neighbours (in ``points``) of its class."""
    from sklearn.neighbors import NearestNeighbors

    labels = np.asarray(labels)
    _, index = NearestNeighbors(n_neighbors=k + 1).fit(points).kneighbors(points)
    same = (labels[index[:, 1:]] == labels[:, None]).mean(axis=1)
    return np.array([same[labels == c].mean() if np.any(labels == c) else np.nan
                     for c in range(labels.max() + 1)])


def check_worst_separated_class(answer: str | None, points: np.ndarray, labels: np.ndarray,
                                class_names: Sequence[str], k: int = 10) -> bool:
    """Exercise 1: a class t-SNE separates worst (one of the two with the lowest neighbourhood purity)."""
    purity = neighbourhood_purity(np.asarray(points), np.asarray(labels), k)
    order = np.argsort(purity)
    worst_two = [class_names[i] for i in order[:2]]
    if answer is not None and answer not in class_names:
        print(f"Not quite: {answer!r} is not a class; choose from {', '.join(class_names)}.")
        return False
    ranking = ", ".join(f"{class_names[i]} {purity[i]:.2f}" for i in order[:4])
    ok = verdict(answer, answer if answer in worst_two else worst_two[0],
                 "one of the two worst-separated classes",
                 f"look for the class whose points are most scattered among other colours. "
                 f"Measured share of same-class neighbours, lowest first: {ranking}.")
    if ok:
        print(f"Share of each point's {k} nearest map neighbours in its own class, lowest first: {ranking}.")
    return ok


def check_zero_share(answer: float | None, features: np.ndarray) -> bool:
    """Exercise 3: the fraction of exactly-zero values in ``features``, within 0.005."""
    expected = float(np.mean(np.asarray(features) == 0))
    if answer is None:
        print("Not answered yet: replace None with a fraction between 0 and 1.")
        return False
    if abs(float(answer) - expected) <= 0.005:
        print(f"Correct: {expected:.3f} of the values are exactly 0.")
        return True
    hint = ("give a fraction (0..1), not a percentage." if 1 < answer <= 100 else
            "compare with 0 (features == 0) and take the mean over all values.")
    print(f"Not quite: {answer} is not the fraction of zeros. Hint: {hint}")
    return False
