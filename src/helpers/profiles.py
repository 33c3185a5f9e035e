"""The one switch between the learner's full lessons and CI's fast run.

``COURSE_PROFILE=full`` (the default) gives each lesson its real sizes; ``fast`` only
shrinks them (fewer samples, fewer epochs) so CI can run every notebook on two CPU
cores. The code path is the same in both.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields

PROFILES = ("fast", "full")


@dataclass(frozen=True)
class Lesson01:
    """Sizes for notebook 01 (CNN basics on CIFAR-10)."""

    train_samples: int | None  # None: the whole training set
    test_samples: int | None   # None: the whole test set
    small_epochs: int
    bigger_epochs: int
    batch_size: int


LESSONS = {
    "01": {
        "fast": Lesson01(train_samples=10000, test_samples=1000, small_epochs=5, bigger_epochs=5,
                         batch_size=64),
        "full": Lesson01(train_samples=None, test_samples=None, small_epochs=10, bigger_epochs=8,
                         batch_size=128),
    },
}


def active_profile() -> str:
    """The profile chosen by ``COURSE_PROFILE`` (``fast`` or ``full``; default ``full``)."""
    profile = os.environ.get("COURSE_PROFILE", "full").strip().lower() or "full"
    if profile not in PROFILES:
        raise ValueError(
            f"COURSE_PROFILE={profile!r} is not a profile. Use one of {', '.join(PROFILES)}: "
            "`full` for the real lesson, `fast` for a quick check (what CI runs)."
        )
    return profile


def lesson_settings(lesson: str):
    """The sizes of ``lesson`` (e.g. ``"01"``) under the active profile, printed for the reader."""
    try:
        by_profile = LESSONS[lesson]
    except KeyError:
        raise KeyError(f"No settings for lesson {lesson!r}; known: {', '.join(LESSONS)}") from None
    profile = active_profile()
    settings = by_profile[profile]
    print(describe(profile, settings))
    return settings


def describe(profile: str, settings) -> str:
    """One banner line naming the profile and its sizes."""
    sizes = ", ".join(f"{f.name}={getattr(settings, f.name) or 'all'}" for f in fields(settings))
    note = ("fast: CI-sized samples and epochs; set COURSE_PROFILE=full for the real lesson"
            if profile == "fast" else "full: the real lesson")
    return f"Course profile: {profile.upper()} ({note})\n  {sizes}"
