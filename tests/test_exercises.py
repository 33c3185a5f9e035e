"""Lesson 01's exercises accept right answers, name the mistake in wrong ones, and their worked
solutions pass their own checks; the shared Exercise and Quiz objects behave as documented."""

from __future__ import annotations

import importlib
import re

import numpy as np
import pytest

from helpers.exercises import core
from helpers.exercises import lesson01 as exercises
from helpers.exercises.core import NotYet

keras = pytest.importorskip("keras")


def test_output_shape_check():
    assert exercises.output_shape.check((2, 5, 5, 32))
    assert exercises.output_shape.check([2, 5, 5, 32])
    assert exercises.output_shape.check(tuple(np.array([2, 5, 5, 32])))  # NumPy integers are integers
    for wrong, message in [((2, 11, 11, 32), "height, the width"), ((5, 5, 32), "has 3 numbers"),
                           ((2, 5, 5, 64), "number of channels"), ((2, 6, 6, 32), "rounds down"),
                           ((2, 7, 7, 32), "'valid' padding shrinks"), (5, "not a shape"),
                           ("2,5,5,32", "not a shape")]:
        with pytest.raises(NotYet, match=message):
            exercises.output_shape.check(wrong)
    with pytest.raises(NotYet, match="not answered yet"):
        exercises.output_shape.check(None)


@pytest.mark.parametrize("answer, message", [
    ((2.9, 5.9, 5.9, 32.9), "2.9 is a float, not a whole number"),  # int() would make it right
    ((2, 5.0, 5, 32), "5.0 is a float"),
    (("2", "5", "5", "32"), "'2' is a string"),
    ((True, 5, 5, 32), "True is not a whole number"),
])
def test_output_shape_refuses_what_is_not_an_integer(answer, message):
    with pytest.raises(NotYet, match=message):
        exercises.output_shape.check(answer)


def test_conv_params_check_names_the_mistake():
    assert exercises.conv_params.check(5 * 5 * 3 * 16 + 16)
    with pytest.raises(NotYet, match="not the 16 biases"):
        exercises.conv_params.check(5 * 5 * 3 * 16)
    with pytest.raises(NotYet, match="forgets the depth"):
        exercises.conv_params.check((5 * 5 + 1) * 16)
    with pytest.raises(NotYet, match="1000 is too few"):
        exercises.conv_params.check(1000)
    with pytest.raises(NotYet, match="'lots' is a string"):
        exercises.conv_params.check("lots")
    assert exercises.conv_params.check(np.int64(1216))


@pytest.mark.parametrize("answer, message", [
    (1216.7, "1216.7 is a float, not a whole number"),   # int() would truncate it to the answer
    (1216.0, "1216.0 is a float"),
    ("1216", "'1216' is a string: give the number of parameters as a number, without quotes"),
    ([1216], "not a whole number"),
    (float("nan"), "nan is a float"),
])
def test_conv_params_refuses_what_is_not_an_integer(answer, message):
    with pytest.raises(NotYet, match=re.escape(message)):
        exercises.conv_params.check(answer)
    with pytest.raises(NotYet, match="not answered yet"):
        exercises.conv_params.check(None)


@pytest.mark.parametrize("kernel", [[[-1, 0, 1]] * 3, [[1, 0, -1], [2, 0, -2], [1, 0, -1]],
                                    [[0, 0, 0], [-1, 1, 0], [0, 0, 0]]])
def test_vertical_edge_kernels_pass(kernel):
    assert exercises.edge_kernel.check(kernel)


@pytest.mark.parametrize("kernel, message", [
    ([[-1, -1, -1], [0, 0, 0], [1, 1, 1]], "no response to a vertical edge"),   # horizontal edges
    ([[1 / 9] * 3] * 3, "flat area"),                                            # blur
    ([[0, -1, 0], [-1, 4, -1], [0, -1, 0]], "horizontal edge"),                  # Laplacian
    ([[0] * 3] * 3, "no response"),
    ([[-1, 1], [-1, 1]], "must be 3x3"),
    ([[-1, 0, np.nan]] * 3, "NaN or infinity"),           # said "Correct! edge response nan" once
    ([[np.nan] * 3] * 3, "NaN or infinity"),
    ([[-np.inf, 0, np.inf]] * 3, "NaN or infinity"),
    ([["a", "b", "c"]] * 3, "not a 3x3 grid of numbers"),
])
def test_other_kernels_fail_with_the_reason(kernel, message):
    with pytest.raises(NotYet, match=message):
        exercises.edge_kernel.check(kernel)


def test_lowest_recall_check_reads_rows_as_true_classes():
    counts = np.array([[8, 2, 0], [5, 5, 0], [1, 0, 9]])
    names = ["cat", "dog", "ship"]
    assert exercises.lowest_recall.check("dog", counts, names)
    with pytest.raises(NotYet, match="recall is 0.900"):
        exercises.lowest_recall.check("ship", counts, names)
    with pytest.raises(NotYet, match="lowest \\*precision\\*"):  # cat: 8 of the 14 predicted cats
        exercises.lowest_recall.check("cat", counts, names)
    with pytest.raises(NotYet, match="not one of the classes"):
        exercises.lowest_recall.check("zebra", counts, names)
    tied = np.array([[5, 5], [5, 5]])
    assert exercises.lowest_recall.check("b", tied, ["a", "b"])


def test_worked_solutions_pass_their_checks(capsys):
    counts = np.array([[8, 2, 0], [5, 5, 0], [1, 0, 9]])
    context = {exercises.lowest_recall: (counts, ["cat", "dog", "ship"])}
    for exercise in (exercises.edge_kernel, exercises.output_shape, exercises.conv_params,
                     exercises.lowest_recall):
        answer = exercise.solution(*context.get(exercise, ()))
        assert exercise.check(answer, *context.get(exercise, ()))
        exercise.hint()
    shown = capsys.readouterr().out
    assert "def _worked_edge_kernel" in shown and "Hint (Exercise 3" in shown
    # Exercises 4 and 6 (models and functions the check trains and runs) are tested in
    # tests/test_exercises_lesson01_models.py.


def test_quiz_explains_each_wrong_answer_and_needs_every_question():
    quiz = exercises.quiz
    right = {n: q.answer for n, q in enumerate(quiz.questions, start=1)}
    assert quiz.check(right)
    wrong_first = {**right, 1: "b"}
    with pytest.raises(NotYet, match=r"1 of 5 not right yet. question 1: \(b\) is not right: 15 is"):
        quiz.check(wrong_first)
    with pytest.raises(NotYet, match=r"missing \[4\]"):
        quiz.check({n: a for n, a in right.items() if n != 4})
    with pytest.raises(NotYet, match="'z' is not one of"):
        quiz.check({**right, 2: "z"})
    assert quiz.check({n: a.upper() for n, a in right.items()})  # letters in either case


LESSONS = [f"lesson{n:02d}" for n in range(1, 7)]


@pytest.mark.parametrize("lesson", LESSONS)
def test_every_quiz_is_well_formed_and_explains_every_wrong_option(lesson):
    quiz = importlib.import_module(f"helpers.exercises.{lesson}").quiz
    assert 3 <= len(quiz.questions) <= 5
    right = {n: q.answer for n, q in enumerate(quiz.questions, start=1)}
    assert quiz.check(right)
    for n, question in enumerate(quiz.questions, start=1):
        assert question.answer in question.options and 3 <= len(question.options) <= 4
        assert set(question.why) == set(question.options), question.text  # every option explained
        for letter in set(question.options) - {question.answer}:
            with pytest.raises(NotYet, match=rf"question {n}: \({letter}\) is not right: "
                                             + re.escape(question.why[letter])):
                quiz.check({**right, n: letter})


def test_a_judge_error_names_the_exercise():
    exercise = core.Exercise("Exercise 9 (demo)", judge=lambda a: core.wrong(f"{a} is odd"),
                             hint_text="even", worked=lambda: 2)
    with pytest.raises(NotYet, match=r"Exercise 9 \(demo\): 3 is odd \(.hint\(\) gives a hint"):
        exercise.check(3)
