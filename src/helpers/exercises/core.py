"""What every lesson's exercise checks share."""

from __future__ import annotations


def verdict(answer, expected, what: str, hint: str) -> bool:
    """Print the learner's verdict for ``answer`` against ``expected``; True when they match."""
    if answer is None:
        print(f"Not answered yet: replace None with {what}.")
        return False
    if answer == expected:
        print(f"Correct: {answer}.")
        return True
    print(f"Not quite: {answer!r} is not {what}. Hint: {hint}")
    return False
