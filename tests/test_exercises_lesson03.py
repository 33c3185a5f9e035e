"""Lesson 03's exercises accept right answers, name the mistake in wrong ones, and their worked
solutions pass their own checks."""

from __future__ import annotations

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from helpers.exercises import lesson03 as exercises
from helpers.exercises.core import NotYet


def make_features(seed: int = 0) -> np.ndarray:
    """Non-negative vectors of varied lengths, from their own seeded generator."""
    rng = np.random.default_rng(seed)
    return np.abs(rng.normal(size=(200, 16))) * rng.uniform(0.1, 5, size=(200, 1))


FEATURES = make_features(0)  # read-only: every test that draws random numbers has its own generator


def cosine_search(features, query, k):
    unit = features / np.linalg.norm(features, axis=1, keepdims=True)
    similarity = unit @ unit[query]
    similarity[query] = -np.inf
    return np.argsort(-similarity)[:k]


def unit(features):
    return features / np.linalg.norm(features, axis=1, keepdims=True)


def test_cosine_search_check_accepts_a_right_search():
    assert exercises.cosine_search.check(cosine_search, FEATURES)
    assert exercises.cosine_search.check(lambda f, q, k: list(cosine_search(f, q, k)), FEATURES)


def test_cosine_search_check_accepts_equally_similar_rows_in_any_order():
    features = np.repeat(FEATURES[:100], 2, axis=0)  # every row twice: ties everywhere

    def ties_last_row_first(f, q, k):
        similarity = unit(f) @ unit(f)[q]
        similarity[q] = -np.inf
        return (len(f) - 1 - np.argsort(-similarity[::-1], kind="stable"))[:k]

    assert not np.array_equal(ties_last_row_first(features, 0, 5), cosine_search(features, 0, 5))
    assert exercises.cosine_search.check(ties_last_row_first, features)


@pytest.mark.parametrize("wrong,message", [
    (lambda f, q, k: np.argsort(np.linalg.norm(f - f[q], axis=1))[1:k + 1], "Euclidean nearest neighbours"),
    (lambda f, q, k: np.argsort(-(unit(f) @ unit(f)[q]))[:k], "the query itself"),
    (lambda f, q, k: cosine_search(f, q, k)[::-1], "the right rows in the wrong order"),
    (lambda f, q, k: cosine_search(f, q, k + 1), "returned 6 indices; return k = 5"),
    (lambda f, q, k: np.argsort(-np.where(np.arange(len(f)) == q, -np.inf, f @ f[q]))[:k], "plain dot product"),
    (lambda f, q, k: np.argsort(unit(f) @ unit(f)[q])[:k], "the \\*least\\* similar"),
    (lambda f, q, k: np.arange(k) + 150, "cosine similarity = dot product"),
    (lambda f, q, k: cosine_search(f, q, k) / 1.0, "return row indices"),
    ("argsort", "define a function"),
])
def test_cosine_search_check_names_the_mistake(wrong, message):
    with pytest.raises(NotYet, match=message):
        exercises.cosine_search.check(wrong, FEATURES)


def test_cosine_search_unanswered():
    with pytest.raises(NotYet, match="not answered yet"):
        exercises.cosine_search.check(None, FEATURES)


def clusters_with_a_scattered_class(seed: int = 1) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Three well-separated clusters (a, b, c), and class d spread over all of them."""
    rng = np.random.default_rng(seed)
    centres = np.array([[0, 0], [10, 0], [0, 10]])
    labels = np.repeat([0, 1, 2], 60)
    points = centres[labels] + rng.normal(scale=0.5, size=(180, 2))
    labels = labels.copy()
    labels[::3] = 3
    return points, labels, ["a", "b", "c", "d"]


def test_worst_separated_class_check():
    points, labels, names = clusters_with_a_scattered_class()
    purity = exercises.neighbourhood_purity(points, labels)
    order = [names[i] for i in np.argsort(purity)]
    assert order[0] == "d"
    assert exercises.worst_separated_class.check("d", points, labels, names)
    assert exercises.worst_separated_class.check(order[1], points, labels, names)  # either of the two worst
    with pytest.raises(NotYet, match=f"{order[-1]} is the \\*best\\*-separated class"):
        exercises.worst_separated_class.check(order[-1], points, labels, names)
    with pytest.raises(NotYet, match=f"{order[2]}: .* 2 classes are more scattered"):
        exercises.worst_separated_class.check(order[2], points, labels, names)
    with pytest.raises(NotYet, match="'zebra' is not a class; choose from a, b, c, d"):
        exercises.worst_separated_class.check("zebra", points, labels, names)
    for not_a_name in (3, 3.0, float("nan"), ["d"]):
        with pytest.raises(NotYet, match="give the class's name as a string"):
            exercises.worst_separated_class.check(not_a_name, points, labels, names)
    with pytest.raises(NotYet, match="not answered yet"):
        exercises.worst_separated_class.check(None, points, labels, names)


def test_zero_share_check():
    features = np.array([[0.0, 1, 0, 2], [0, 0, 3, 4], [0, 5, 0, 0], [0, 6, 7, 8]])  # 8 of 16 are 0
    assert exercises.zero_share.check(0.5, features)
    assert exercises.zero_share.check(np.float32(0.503), features)
    for answer, message in [(50, "is a percentage"), (8, "counts the zeros; divide by the number of values \\(16\\)"),
                            (0.25, "share of units that are 0 for every image"),
                            (0.75, "is not the fraction of zeros"), ("half", "not a number"),
                            ("0.5", "not a number"), (True, "not a number"),
                            (float("nan"), "not a finite number"), (float("inf"), "not a finite number"),
                            (np.float32("nan"), "not a finite number")]:
        with pytest.raises(NotYet, match=message):
            exercises.zero_share.check(answer, features)
    other = np.array([[0.0, 1.0], [2.0, 3.0], [4.0, 5.0], [6.0, 7.0]])  # 1 of 8 is 0
    with pytest.raises(NotYet, match="share of values that are \\*not\\* 0"):
        exercises.zero_share.check(0.875, other)
    with pytest.raises(NotYet, match="not answered yet"):
        exercises.zero_share.check(None, features)


def test_cosine_search_check_runs_the_search_on_vectors_the_learner_never_saw():
    remembered = {q: exercises.cosine_neighbours(FEATURES, q, 5) for q in exercises.QUERIES}

    def only_knows_the_notebook(features, query, k):  # right on the learner's features only
        if features.shape == FEATURES.shape:
            return remembered[query][:k]
        return np.arange(k)

    with pytest.raises(NotYet, match="for query 0 you returned"):
        exercises.cosine_search.check(only_knows_the_notebook, FEATURES)
    with pytest.raises(NotYet, match="raised ZeroDivisionError"):
        exercises.cosine_search.check(lambda f, q, k: 1 / 0, FEATURES)


def test_cosine_search_rejects_nan_indices():
    def nan_indices(features, query, k):
        return np.full(k, np.nan)

    with pytest.raises(NotYet, match="return row indices"):
        exercises.cosine_search.check(nan_indices, FEATURES)


def learner_cut(model, layer_name):
    return keras.Model(model.input, model.get_layer(layer_name).output)


def test_cut_at_check_runs_the_learners_function_on_unseen_networks():
    assert exercises.cut_at.check(learner_cut)

    def last_layer(model, layer_name):  # ignores the name: the classifier's output
        return keras.Model(model.input, model.output)

    def rebuilt(model, layer_name):  # a new network with fresh weights
        return learner_cut(keras.models.clone_model(model), layer_name)

    def trains_it(model, layer_name):
        model.get_layer(layer_name).kernel.assign(model.get_layer(layer_name).kernel * 2)
        return learner_cut(model, layer_name)

    def nan_output(model, layer_name):
        cut = learner_cut(model, layer_name)
        return lambda images: np.asarray(cut(images)) * np.nan

    for wrong, message in [(last_layer, "should output"), (rebuilt, "outputs differ"),
                           (trains_it, "changed the network's weights"),
                           (lambda m, n: m.get_layer(n), "returned a"),
                           (lambda m, n: m.layers[99], "raised IndexError"),
                           ("keras.Model", "define a function"), (None, "not answered yet")]:
        with pytest.raises(NotYet, match=message):
            exercises.cut_at.check(wrong)


def test_worked_solutions_pass_their_checks(capsys):
    points, labels, names = clusters_with_a_scattered_class()
    for exercise, context in [(exercises.worst_separated_class, (points, labels, names)),
                              (exercises.cosine_search, (FEATURES,)),
                              (exercises.zero_share, (FEATURES * (FEATURES > 1),)),
                              (exercises.cut_at, ())]:
        assert exercise.check(exercise.solution(*context), *context)
        exercise.hint()
    shown = capsys.readouterr().out
    assert "def cosine_search(features, query, k):" in shown and "Hint (Exercise 1 (how sparse" in shown
    assert "def cut_at(model, layer_name):" in shown


# Issue 24: search by a similarity threshold.

def right_threshold_search(features, query, threshold):
    unit = features / np.linalg.norm(features, axis=1, keepdims=True).clip(min=1e-12)
    similarity = unit @ unit[query]
    similarity[query] = -np.inf
    order = np.argsort(-similarity)
    return order[similarity[order] > threshold]


def test_threshold_search_check_accepts_a_right_search_and_empty_results():
    assert exercises.threshold_search.check(right_threshold_search, FEATURES)
    assert len(exercises.threshold_neighbours(FEATURES, 0, 1.0)) == 0  # the check asks for an empty result too
    assert exercises.threshold_search.check(lambda f, q, t: list(right_threshold_search(f, q, t)), FEATURES)


def _with_query(features, query, threshold):
    found = right_threshold_search(features, query, threshold)
    return np.concatenate([[query], found])


def _top_k(features, query, threshold):
    return exercises.cosine_neighbours(features, query, 5)


def _dot(features, query, threshold):
    dot = features @ features[query]
    dot[query] = -np.inf
    order = np.argsort(-dot)
    return order[dot[order] > threshold]


@pytest.mark.parametrize("wrong, message", [
    (_with_query, "the query itself is in the result"),
    (lambda f, q, t: right_threshold_search(f, q, t)[::-1], "right photos in the wrong order"),
    (lambda f, q, t: right_threshold_search(f, q, t)[1:], "returned .* rows, expected"),  # off by one
    (_top_k, "returned 5 rows"),
    (_dot, "plain dot product"),
    (lambda f, q, t: np.sort(exercises._cosine_similarity(f, q))[::-1][:3], "not similarities"),
    (lambda f, q, t: np.full(3, np.nan), "return row indices"),
    (lambda f, q, t: right_threshold_search(f, q, t).astype(float), "return row indices"),
    (lambda f, q, t: np.array([], dtype=int), "you returned nothing"),
    (lambda f, q, t: 1 / 0, "raised ZeroDivisionError"),
    ("order[similarity > t]", "define a function"),
])
def test_threshold_search_check_names_the_mistake(wrong, message):
    with pytest.raises(NotYet, match=message):
        exercises.threshold_search.check(wrong, FEATURES)


def test_threshold_search_check_runs_on_vectors_the_learner_never_saw():
    remembered = {(q, t): exercises.threshold_neighbours(FEATURES, q, t) for q, t in exercises.THRESHOLD_CASES}

    def only_knows_the_notebook(features, query, threshold):
        if features.shape == FEATURES.shape:
            return remembered[(query, threshold)]
        return np.arange(3)

    with pytest.raises(NotYet, match="for query 3 at threshold 0.4"):
        exercises.threshold_search.check(only_knows_the_notebook, FEATURES)
    with pytest.raises(NotYet, match="not answered yet"):
        exercises.threshold_search.check(None, FEATURES)


def test_threshold_search_worked_solution_passes(capsys):
    assert exercises.threshold_search.check(exercises.threshold_search.solution(FEATURES), FEATURES)
    exercises.threshold_search.hint()
    shown = capsys.readouterr().out
    assert "def threshold_search" in shown and "Hint (Exercise 4 (search by a similarity" in shown
