"""Lesson 03's exercise checks accept right answers and reject wrong ones with a specific message."""

from __future__ import annotations

import numpy as np
import pytest

from helpers.exercises import lesson03 as exercises

RNG = np.random.default_rng(0)
FEATURES = np.abs(RNG.normal(size=(200, 16))) * RNG.uniform(0.1, 5, size=(200, 1))  # varied lengths


def cosine_search(features, query, k):
    unit = features / np.linalg.norm(features, axis=1, keepdims=True)
    similarity = unit @ unit[query]
    similarity[query] = -np.inf
    return np.argsort(-similarity)[:k]


def test_cosine_search_check_accepts_a_right_search():
    assert exercises.check_cosine_search(cosine_search, FEATURES)


@pytest.mark.parametrize("wrong,message", [
    (lambda f, q, k: np.argsort(np.linalg.norm(f - f[q], axis=1))[1:k + 1], "Euclidean"),
    (lambda f, q, k: np.argsort(-(f / np.linalg.norm(f, axis=1, keepdims=True)) @ (f[q] / np.linalg.norm(f[q])))[:k],
     "the query itself"),
    (lambda f, q, k: cosine_search(f, q, k)[::-1], "wrong order"),
    (lambda f, q, k: cosine_search(f, q, k + 1), "indices"),
    (lambda f, q, k: np.argsort(f @ f[q])[:k], "cosine similarity"),
])
def test_cosine_search_check_names_the_mistake(wrong, message, capsys):
    assert not exercises.check_cosine_search(wrong, FEATURES)
    assert message in capsys.readouterr().out


def test_cosine_search_unanswered():
    assert not exercises.check_cosine_search(None, FEATURES)


def test_worst_separated_class_check():
    # Three well-separated clusters, and class "c" scattered over all of them.
    centres = np.array([[0, 0], [10, 0], [0, 10]])
    labels = np.repeat([0, 1, 2], 60)
    points = centres[labels] + RNG.normal(scale=0.5, size=(180, 2))
    labels = labels.copy()
    labels[::3] = 3  # every third point becomes class "d", spread over every cluster
    names = ["a", "b", "c", "d"]
    purity = exercises.neighbourhood_purity(points, labels)
    worst_two = {names[i] for i in np.argsort(purity)[:2]}
    assert "d" in worst_two
    assert exercises.check_worst_separated_class("d", points, labels, names)
    best = names[int(np.argmax(purity))]
    assert not exercises.check_worst_separated_class(best, points, labels, names)
    assert not exercises.check_worst_separated_class("zebra", points, labels, names)
    assert not exercises.check_worst_separated_class(None, points, labels, names)


def test_zero_share_check(capsys):
    features = np.array([[0.0, 1.0], [0.0, 0.0], [2.0, 3.0], [0.0, 5.0]])  # 4 of 8 are 0
    assert exercises.check_zero_share(0.5, features)
    assert not exercises.check_zero_share(None, features)
    assert not exercises.check_zero_share(50, features)
    assert "percentage" in capsys.readouterr().out
    assert not exercises.check_zero_share(0.25, features)
