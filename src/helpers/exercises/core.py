"""What every lesson's exercises share: the ``Exercise`` and ``Quiz`` objects and their verdicts.

An exercise has ``check(answer, *context)``, ``hint()`` and ``solution(*context)``:

- ``check`` works the right answer out itself (by running layers, models or the learner's own
  function on fresh inputs), prints what was right and returns True; a wrong answer raises
  ``NotYet`` whose message says specifically what is wrong. Raising (not printing) is what
  lets CI prove the instructor notebooks' solutions right and stop "Run all" at a wrong answer.
- ``hint`` prints a nudge that gives nothing away.
- ``solution`` prints a worked solution (the source of a function in the lesson's module, so
  it is tested like any code) and returns its answer.
"""

from __future__ import annotations

import inspect
import math
import textwrap
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NoReturn


class NotYet(AssertionError):
    """A learner's answer that is not right yet; the message says what is wrong."""


def wrong(message: str) -> NoReturn:
    """Reject an answer with a message that says what is wrong (and, where useful, what to try)."""
    raise NotYet(message)


def plain(answer: object) -> object:
    """A scalar answer as a plain Python value, whatever made it: a NumPy scalar, a 0-d array or a
    TensorFlow/Keras scalar tensor gives its value; anything else is returned unchanged."""
    if not isinstance(answer, (str, bytes)) and hasattr(answer, "numpy") and callable(answer.numpy) \
            and len(getattr(answer, "shape", (None,))) == 0:
        answer = answer.numpy()
    if hasattr(answer, "ndim") and hasattr(answer, "item") and getattr(answer, "ndim", None) == 0:
        answer = answer.item()  # NumPy scalars and 0-d arrays
    return answer


def whole_number(answer: object, what: str = "the count") -> int:
    """``answer`` as an int, or a ``NotYet`` saying that a whole number is wanted.

    An integer passes as a Python or NumPy int, a 0-d array or a scalar tensor; 1216.7, NaN,
    infinity, a string such as "1216" and True are refused, never truncated or parsed.
    """
    import numbers

    value = plain(answer)
    if isinstance(value, str):
        wrong(f"{answer!r} is text, not a whole number: give {what} as a number, without quotes.")
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        wrong(f"{answer!r} is not a whole number; give {what} as an integer (e.g. 1216, not 1216.0 "
              "or \"1216\").")
    return int(value)


def real_number(answer: object, what: str = "the value") -> float:
    """``answer`` as a finite float: a Python, NumPy or TensorFlow scalar (0-d arrays too); a
    string, a bool, a sequence or NaN gets a ``NotYet`` that says what was given."""
    import numbers

    value = plain(answer)
    if isinstance(value, str):
        wrong(f"{answer!r} is text, not a number: give {what} as a number, without quotes.")
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        wrong(f"{answer!r} is not a number; give {what} as one number.")
    if not math.isfinite(value):
        wrong(f"{value} is not a finite number; give {what} as a finite number.")
    return float(value)


@dataclass(frozen=True)
class Exercise:
    """One exercise: a judge that checks an answer, a hint, and a worked solution."""

    title: str
    judge: Callable[..., str]       # (answer, *context) -> what was right; calls wrong(...) otherwise
    hint_text: str
    worked: Callable[..., Any]      # (*context) -> the solution's answer; its source is the worked solution
    answer_name: str = "your answer"

    def check(self, answer: Any, *context: Any) -> bool:
        """Check ``answer``; print what is right and return True, or raise ``NotYet`` saying what is wrong."""
        if answer is None or answer is ...:
            wrong(f"{self.title}: not answered yet. Set {self.answer_name}, then run the cell "
                  "again. Stuck? .hint() gives a hint.")
        try:
            message = self.judge(answer, *context)
        except NotYet as error:
            raise NotYet(f"{self.title}: {error} (.hint() gives a hint, .solution() a worked "
                         "solution.)") from None
        print(f"Correct! {message}")
        return True

    def hint(self) -> None:
        """Print the hint."""
        print(f"Hint ({self.title}): {self.hint_text}")

    def solution(self, *context: Any) -> Any:
        """Print the worked solution's code and return its answer (for ``check``)."""
        print(f"Worked solution ({self.title}):\n")
        print(textwrap.dedent(inspect.getsource(self.worked)))
        return self.worked(*context)


@dataclass(frozen=True)
class Question:
    """A multiple-choice question: each wrong option says why it is wrong."""

    text: str
    options: Mapping[str, str]     # letter -> option text
    answer: str                    # the right letter
    why: Mapping[str, str]         # letter -> why that option is right or wrong


@dataclass(frozen=True)
class Quiz:
    """A lesson's closing quiz: ``show()`` the questions, ``check({number: letter})`` the answers."""

    title: str
    questions: Sequence[Question]

    def show(self) -> None:
        """Display the questions (Markdown in a notebook, plain text elsewhere)."""
        lines = [f"**{self.title}**", ""]
        for number, question in enumerate(self.questions, start=1):
            lines.append(f"{number}. {question.text}")
            lines += [f"   - ({letter}) {text}" for letter, text in question.options.items()]
            lines.append("")
        text = "\n".join(lines)
        try:
            from IPython import get_ipython
            from IPython.display import Markdown, display
        except ImportError:  # pragma: no cover - IPython ships with JupyterLab
            print(text)
            return
        if get_ipython() is None:
            print(text)
        else:
            display(Markdown(text))

    def hint(self) -> None:
        """Point back to the lesson (a quiz's wrong answers are explained when checked)."""
        print(f"Hint ({self.title}): the Key points above answer every question; check your "
              "answers and each wrong one is explained.")

    def _by_number(self, answers: object) -> dict:
        """``{question number: letter}`` from any mapping (keys 1 or "1"), or a clear ``NotYet``."""
        example = "{1: 'a', 2: 'c', ...}"
        if isinstance(answers, str):
            wrong(f"{self.title}: {answers!r} is one string; give a dict of question number to "
                  f"letter, like {example}.")
        if not isinstance(answers, Mapping):
            wrong(f"{self.title}: a {type(answers).__name__} is not a dict of question number to "
                  f"letter; give one like {example} (a list leaves it unclear which answer is which).")
        by_number = {}
        for key, letter in answers.items():
            number = plain(key)
            if isinstance(number, str) and number.strip().isdigit():
                number = int(number)
            by_number[number] = letter
        return by_number

    def check(self, answers: Mapping[int, str] | None) -> bool:
        """Check ``{question number: letter}``: print why each answer is right, or raise ``NotYet``."""
        if answers is None or answers is ...:
            wrong(f"{self.title}: not answered yet. Set my_answers to a dict like "
                  "{1: 'a', 2: 'c', ...}, then run the cell again.")
        answers = self._by_number(answers)
        numbers = range(1, len(self.questions) + 1)
        missing = [n for n in numbers if n not in answers]
        unknown = sorted(set(answers) - set(numbers), key=str)
        if missing or unknown:
            wrong(f"{self.title}: answer every question by its number; missing {missing or 'none'}, "
                  f"not a question {unknown or 'none'}.")
        mistakes = []
        for n in numbers:
            question, letter = self.questions[n - 1], str(answers[n]).strip().lower()
            if letter not in question.options:
                mistakes.append(f"question {n}: {answers[n]!r} is not one of "
                                f"{', '.join(question.options)}")
            elif letter != question.answer:
                mistakes.append(f"question {n}: ({letter}) is not right: "
                                f"{question.why[letter].rstrip('.')}")
        if mistakes:
            wrong(f"{self.title}: {len(mistakes)} of {len(self.questions)} not right yet. "
                  + "; ".join(mistakes) + ".")
        for n, question in enumerate(self.questions, start=1):
            print(f"{n}. ({question.answer}) right: {question.why[question.answer]}")
        return True

