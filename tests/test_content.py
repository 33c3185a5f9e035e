"""The content check: a dataset archive is kept only if every file it unpacks to is pinned.

Each test builds its own tiny archive and digest table; nothing is downloaded.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
from pathlib import Path

import pytest

from helpers.assets import content
from helpers.assets.archives import UnsafeArchiveError
from helpers.assets.content import (ContentMismatchError, check_image_folders, fetch_folder,
                                    load_digest_table, parse_digest_table, verified_folder)
from helpers.assets.fetch import AssetError, AssetUnavailableError, ChecksumMismatchError, fetch
from helpers.assets.registry import ASSETS, Asset, Kind

from conftest import make_zip

FULL = {f"pets/train/cats/cat.{i}.jpg": f"cat {i}".encode() for i in range(3)}
FULL |= {f"pets/train/dogs/dog.{i}.jpg": f"dog {i}".encode() for i in range(3)}
SUBSET = {p: b for p, b in FULL.items() if p.endswith((".0.jpg", ".1.jpg"))}


def table_text(files: dict[str, bytes], subset: dict[str, bytes]) -> str:
    rows = [f"{p}\t{len(b)}\t{hashlib.sha256(b).hexdigest()}\t{'full,mirror' if p in subset else 'full'}"
            for p, b in files.items()]
    return "# a comment line\npath\tbytes\tsha256\tsets\n" + "\n".join(rows) + "\n"


@pytest.fixture
def pets(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """A registered content-verified asset 'pets' whose archive is served from a mirror folder."""
    table = parse_digest_table(table_text(FULL, SUBSET), "pets.tsv")
    monkeypatch.setattr(content, "load_digest_table", lambda name: table)
    asset = Asset(name="pets", url=None, file="pets.zip", hash=None, kind=Kind.DATASET_ARCHIVE,
                  content="pets.tsv", tolerated=("pets/vectorize.py",))
    monkeypatch.setitem(ASSETS, "pets", asset)
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    monkeypatch.setenv("COURSE_MIRROR", str(mirror))

    def serve(members: dict[str, bytes]) -> None:
        (mirror / "pets.zip").write_bytes(make_zip(members))

    return asset, serve


def cache_is_clean(asset: Asset) -> bool:
    """Nothing of the asset is left in the cache: no folder, no archive, no temporary file."""
    folder = verified_folder(asset)
    return not folder.exists() and not [p for p in folder.parent.iterdir() if "pets" in p.name]


@pytest.mark.parametrize("members, expected_set", [(FULL, "full"), (SUBSET, "mirror")])
def test_a_good_archive_is_kept_with_a_marker(pets, members, expected_set, capsys):
    asset, serve = pets
    serve(members)
    folder = fetch_folder("pets")
    assert sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.jpg")) == sorted(members)
    assert (folder / content.MARKER).is_file()
    assert f"set {expected_set!r}" in capsys.readouterr().out
    assert fetch_folder("pets") == folder  # second call: the verified folder, nothing re-checked


def test_a_tolerated_non_data_file_is_removed(pets, capsys):
    _, serve = pets
    serve(FULL | {"pets/vectorize.py": b"print('hi')"})
    folder = fetch_folder("pets")
    assert not (folder / "pets/vectorize.py").exists()
    assert "removed the tolerated pets/vectorize.py" in capsys.readouterr().out


def test_a_missing_file_is_refused_and_nothing_is_kept(pets):
    asset, serve = pets
    serve({p: b for p, b in FULL.items() if p != "pets/train/dogs/dog.2.jpg"})
    with pytest.raises(ContentMismatchError, match=r"missing.*dog\.2\.jpg") as error:
        fetch_folder("pets")
    assert "What to do" in str(error.value)
    assert cache_is_clean(asset)


@pytest.mark.parametrize("extra", ["pets/train/cats/cat.99.jpg", "pets/notes.txt", "pets/train/dogs/x.py"])
def test_an_extra_file_is_refused(pets, extra):
    asset, serve = pets
    serve(FULL | {extra: b"not pinned"})
    with pytest.raises(ContentMismatchError, match=rf"unexpected extra files.*{extra}"):
        fetch_folder("pets")
    assert cache_is_clean(asset)


def test_an_altered_file_is_refused(pets):
    asset, serve = pets
    serve(FULL | {"pets/train/cats/cat.1.jpg": b"cat 7"})  # same size, other bytes
    with pytest.raises(ContentMismatchError, match=r"altered.*cat\.1\.jpg"):
        fetch_folder("pets")
    assert cache_is_clean(asset)
    assert issubclass(ContentMismatchError, ChecksumMismatchError)  # the asset layer's error


def test_a_set_that_is_neither_full_nor_the_subset_is_refused(pets):
    _, serve = pets
    serve({p: b for p, b in FULL.items() if "cats" in p})
    with pytest.raises(ContentMismatchError, match="missing"):
        fetch_folder("pets")


def test_path_traversal_is_still_refused_before_any_check(pets):
    asset, serve = pets
    serve(FULL | {"../evil.jpg": b"x"})
    with pytest.raises(UnsafeArchiveError):
        fetch_folder("pets")
    assert cache_is_clean(asset)


def test_no_copy_anywhere_is_the_asset_layers_unavailable_error(pets):
    with pytest.raises(AssetUnavailableError, match="pets.zip"):
        fetch_folder("pets")


def test_fetch_refuses_an_asset_without_a_pinned_archive_hash(pets):
    with pytest.raises(AssetError, match="fetch_folder"):
        fetch("pets")


def test_the_shipped_cats_and_dogs_table_pins_the_origin_and_the_mirror_subset():
    table = load_digest_table(ASSETS["cats_and_dogs_filtered"].content)
    assert len(table.paths("full")) == 3000 and len(table.paths("mirror")) == 1500
    assert all(len(d.sha256) == 64 for d in table.files.values())
    splits = {p.split("/")[1] for p in table.files}
    assert splits == {"train", "validation"}


def test_the_mirror_zip_when_present_passes_the_content_check(monkeypatch):
    mirror = Path(__file__).resolve().parents[2] / "shared" / "mirror"
    if not (mirror / "cats_and_dogs_filtered.zip").is_file():
        pytest.skip("no ../shared/mirror here")
    monkeypatch.setenv("COURSE_MIRROR", str(mirror))
    folder = fetch_folder("cats_and_dogs_filtered")
    assert len(list(folder.rglob("*.jpg"))) == 1500


def test_structure_check_finds_splits_and_classes(tmp_path):
    from PIL import Image

    for split in ("Training", "Test"):
        for name in ("Lemon", "Peach"):
            (tmp_path / "fruits" / split / name).mkdir(parents=True)
            Image.new("RGB", (100, 100)).save(tmp_path / "fruits" / split / name / "0_100.jpg")
    layout = check_image_folders(tmp_path, size=(100, 100))
    assert layout.class_names == ("Lemon", "Peach") and set(layout.splits) == {"Training", "Test"}
    with pytest.raises(ContentMismatchError, match="not 64x64"):
        check_image_folders(tmp_path, size=(64, 64))
    (tmp_path / "fruits" / "Test" / "Lemon" / "run.sh").write_text("rm -rf /")
    with pytest.raises(ContentMismatchError, match="non-image"):
        check_image_folders(tmp_path)


# --- Issue 22: messages name the file to act on -----------------------------------------------------

def test_a_damaged_mirror_archive_is_named_not_a_deleted_temporary_file(pets):
    asset, _ = pets
    mirror_file = Path(os.environ["COURSE_MIRROR"]) / "pets.zip"
    mirror_file.write_bytes(b"<html>Service unavailable</html>")
    with pytest.raises(AssetError) as error:
        fetch_folder("pets")
    message = str(error.value)
    assert str(mirror_file) in message and ".unverified" not in message
    assert cache_is_clean(asset)


def test_an_unpinned_file_check_names_the_mirror_file(pets):
    _, serve = pets
    serve(FULL | {"pets/train/cats/cat.1.jpg": b"cat 7"})
    with pytest.raises(ContentMismatchError) as error:
        fetch_folder("pets")
    assert str(Path(os.environ["COURSE_MIRROR"]) / "pets.zip") in str(error.value)


def test_a_pinned_archive_hash_that_fails_is_not_called_unpinned(pets, monkeypatch, capsys):
    asset, serve = pets
    monkeypatch.setitem(ASSETS, "pets", dataclasses.replace(asset, hash="sha256:" + "0" * 64))
    serve(FULL)
    fetch_folder("pets")
    out = capsys.readouterr().out
    assert "No hash is pinned" not in out and "no hash is pinned" not in out
    assert "not the pinned archive" in out and "checked file by file" in out


def test_a_cut_transfer_is_downloaded_once_and_called_cut(pets, file_server, monkeypatch):
    asset, _ = pets
    file_server.files["mirror/pets.zip"] = make_zip(FULL)
    file_server.truncate.add("mirror/pets.zip")
    monkeypatch.setenv("COURSE_MIRROR", f"{file_server.base_url}/mirror")
    monkeypatch.setitem(ASSETS, "pets", dataclasses.replace(asset, hash="sha256:" + "0" * 64))
    with pytest.raises(ChecksumMismatchError) as error:
        fetch_folder("pets")
    message = str(error.value)
    assert "cut short" in message and "could not reach" not in message
    assert file_server.requests == ["mirror/pets.zip"]
    assert cache_is_clean(asset)
