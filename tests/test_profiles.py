"""The COURSE_PROFILE switch."""

from __future__ import annotations

from dataclasses import fields, replace

import pytest

from helpers.profiles import LESSONS, active_profile, lesson_settings


def test_learners_get_the_full_profile_by_default(monkeypatch):
    monkeypatch.delenv("COURSE_PROFILE", raising=False)
    assert active_profile() == "full"


def test_fast_profile_is_chosen_by_the_switch_and_announced(monkeypatch, capsys):
    monkeypatch.setenv("COURSE_PROFILE", " FAST ")
    settings = lesson_settings("01")
    assert settings == replace(LESSONS["01"]["fast"], profile="fast") and settings.profile == "fast"
    assert "Course profile: FAST" in capsys.readouterr().out


def test_an_unknown_profile_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("COURSE_PROFILE", "quick")
    with pytest.raises(ValueError, match="fast, full"):
        active_profile()


@pytest.mark.parametrize("lesson", sorted(LESSONS))
def test_fast_only_shrinks(lesson):
    fast, full = LESSONS[lesson]["fast"], LESSONS[lesson]["full"]
    for field in fields(fast):
        small, big = getattr(fast, field.name), getattr(full, field.name)
        if field.name == "batch_size" or isinstance(small, (bool, str)):
            continue
        assert small is not None and (big is None or small <= big), field.name


def test_only_the_profiles_module_reads_the_switch():
    """Lessons pass their settings in; no helper reads COURSE_PROFILE behind their back."""
    import re
    from pathlib import Path

    import helpers

    reads = re.compile(r"environ.*COURSE_PROFILE|active_profile\(")
    package = Path(helpers.__file__).parent
    readers = [p.relative_to(package).as_posix() for p in package.rglob("*.py") if reads.search(p.read_text())]
    assert readers == ["profiles.py"], readers
