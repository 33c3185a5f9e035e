"""Safe, atomic extraction, including archives served over HTTP and verified first."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import make_tar_gz, make_zip

from helpers.assets.archives import (LIMITS, ArchiveLimitError, CorruptArchiveError, Limits,
                                     UnsafeArchiveError, extract)
from helpers.assets.fetch import fetch

GOOD = {"pets/cat.txt": b"meow", "pets/dog.txt": b"woof"}


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("name, data", [("good.tar.gz", make_tar_gz(GOOD)), ("good.zip", make_zip(GOOD))],
                         ids=["good.tar.gz", "good.zip"])
def test_good_archives_unpack(tmp_path, name, data):
    dest = extract(write(tmp_path, name, data), tmp_path / "out")
    assert (dest / "pets" / "cat.txt").read_bytes() == b"meow"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


UNSAFE = [
    ("slip.zip", make_zip({"ok.txt": b"1", "../evil.txt": b"x"})),
    ("abs.zip", make_zip({"/tmp/evil.txt": b"x"})),
    ("slip.tar.gz", make_tar_gz({"ok.txt": b"1", "a/../../evil.txt": b"x"})),
    ("abs.tar.gz", make_tar_gz({"/tmp/evil.txt": b"x"})),
    ("link.tar.gz", make_tar_gz({"ok.txt": b"1"}, links={"escape": "../../etc/passwd"})),
    ("abslink.tar.gz", make_tar_gz({}, links={"escape": "/etc/passwd"})),
]


@pytest.mark.parametrize("name, data", UNSAFE, ids=[name for name, _ in UNSAFE])
def test_unsafe_archives_are_rejected_whole(tmp_path, name, data):
    work = tmp_path / "work"
    work.mkdir()
    with pytest.raises(UnsafeArchiveError, match="unsafe entry|outside"):
        extract(write(tmp_path, name, data), work / "out")
    assert list(work.iterdir()) == []  # not even the safe members, nor a temporary folder
    assert not (tmp_path / "evil.txt").exists()


DAMAGED = [
    ("cut.tar.gz", make_tar_gz(GOOD)[:60]),
    ("cut.zip", make_zip(GOOD)[:-30]),
    ("not-an-archive.zip", b"<html>Service unavailable</html>"),
]


@pytest.mark.parametrize("name, data", DAMAGED, ids=[name for name, _ in DAMAGED])
def test_damaged_archives_say_so_and_leave_nothing(tmp_path, name, data):
    work = tmp_path / "work"
    work.mkdir()
    with pytest.raises(CorruptArchiveError, match="Delete .* and fetch it again"):
        extract(write(tmp_path, name, data), work / "out")
    assert list(work.iterdir()) == []


def test_zip_slip_served_over_http_is_verified_then_refused(file_server, monkeypatch, tmp_path):
    """The hash matches (the file is what the registry says), but unpacking it is still refused."""
    monkeypatch.delenv("COURSE_OFFLINE")
    asset = file_server.asset("slip.zip", make_zip({"../../evil.txt": b"x"}))
    with pytest.raises(UnsafeArchiveError):
        extract(fetch(asset), tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_an_existing_destination_is_reused(tmp_path):
    archive = write(tmp_path, "good.zip", make_zip(GOOD))
    dest = extract(archive, tmp_path / "out")
    (dest / "marker").write_text("kept")
    assert (extract(archive, tmp_path / "out") / "marker").read_text() == "kept"


# --- Issue 22: limits ------------------------------------------------------------------------------

def deflated_zip(members: dict[str, bytes]) -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def test_a_zip_bomb_is_refused_before_anything_is_written(tmp_path):
    bomb = write(tmp_path, "bomb.zip", deflated_zip({"zeros.bin": bytes(64 << 20)}))  # 64 MiB from ~64 KiB
    assert bomb.stat().st_size < 1 << 20
    work = tmp_path / "work"
    work.mkdir()
    with pytest.raises(ArchiveLimitError, match=r"times its own size") as error:
        extract(bomb, work / "out")
    assert str(bomb) in str(error.value)
    assert list(work.iterdir()) == []


def test_two_thousand_nested_folders_are_a_clear_error_not_a_recursion_error(tmp_path):
    deep = "/".join(["d"] * 2000) + "/f.txt"
    for name, data in [("deep.zip", make_zip({deep: b"x"})), ("deep.tar.gz", make_tar_gz({deep: b"x"}))]:
        work = tmp_path / name.split(".")[0] / "work"
        work.mkdir(parents=True, exist_ok=True)
        with pytest.raises(ArchiveLimitError, match="nested 2,001 deep"):
            extract(write(tmp_path, name, data), work / "out")
        assert list(work.iterdir()) == []


@pytest.mark.parametrize("limits, members, words", [
    (Limits(entries=10), {f"f{i}.txt": b"x" for i in range(11)}, "11 entries"),
    (Limits(total_bytes=1000), {"a.bin": os.urandom(600), "b.bin": os.urandom(600)}, "1,200 bytes"),
])
def test_entry_count_and_total_size_limits(tmp_path, limits, members, words):
    for name, data in [("many.zip", make_zip(members)), ("many.tar.gz", make_tar_gz(members))]:
        with pytest.raises(ArchiveLimitError, match=words):
            extract(write(tmp_path, name, data), tmp_path / "out" / name, limits=limits)


def test_the_default_limits_leave_room_for_the_course_archives():
    assert LIMITS.total_bytes >= 4 << 30 and LIMITS.entries >= 100_000 and LIMITS.depth >= 16
