"""The asset layer against a real HTTP server on 127.0.0.1 and a real mirror folder."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from helpers.assets.fetch import (AssetUnavailableError, ChecksumMismatchError, cached_path, fetch,
                           keras_home)
from helpers.assets.registry import Kind

PAYLOAD = os.urandom(3 * 1024 * 1024 + 17)  # large enough for the progress bar and several chunks


def leftovers(folder: Path) -> list[str]:
    """Every file under ``folder`` (temporary ``.part`` files included)."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def mirror_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: bytes) -> None:
    """Point COURSE_MIRROR at a folder holding ``content`` as data.bin."""
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    (mirror / "data.bin").write_bytes(content)
    monkeypatch.setenv("COURSE_MIRROR", str(mirror))


@pytest.fixture
def online(monkeypatch):
    """Allow origin downloads (the origins in these tests are all on 127.0.0.1)."""
    monkeypatch.delenv("COURSE_OFFLINE")


def test_downloads_from_origin_verifies_and_caches(file_server, online, isolated_assets):
    asset = file_server.asset("data.bin", PAYLOAD)
    path = fetch(asset)
    assert path == cached_path(asset) and path.read_bytes() == PAYLOAD
    assert leftovers(isolated_assets) == ["data.bin"]
    fetch(asset)  # second call: served from the cache
    assert file_server.requests == ["data.bin"]


def test_truncated_download_is_rejected_and_leaves_nothing(file_server, online, isolated_assets):
    asset = file_server.asset("data.bin", PAYLOAD)
    file_server.truncate.add("data.bin")
    with pytest.raises(ChecksumMismatchError, match="data.bin"):
        fetch(asset)
    assert leftovers(isolated_assets) == []


def test_corrupt_download_is_rejected_and_leaves_nothing(file_server, online, isolated_assets):
    corrupt = bytearray(PAYLOAD)
    corrupt[1000] ^= 0xFF
    asset = file_server.asset("data.bin", bytes(corrupt), hash_of=PAYLOAD)
    with pytest.raises(ChecksumMismatchError) as error:
        fetch(asset)
    message = str(error.value)
    assert "no copy matches" in message and "python -m helpers fetch data.bin" in message
    assert leftovers(isolated_assets) == []


def test_wrong_hash_in_registry_is_rejected(file_server, online, isolated_assets):
    asset = dataclasses.replace(file_server.asset("data.bin", PAYLOAD), hash="sha256:" + "0" * 64)
    with pytest.raises(ChecksumMismatchError):
        fetch(asset)
    assert leftovers(isolated_assets) == []


def test_md5_published_hashes_are_verified_too(file_server, online):
    asset = file_server.asset("w.h5", PAYLOAD)
    good = dataclasses.replace(asset, hash="md5:" + hashlib.md5(PAYLOAD).hexdigest())
    assert fetch(good).read_bytes() == PAYLOAD
    bad = dataclasses.replace(asset, name="w2.h5", url=asset.url, hash="md5:" + "f" * 32)
    cached_path(asset).unlink()
    with pytest.raises(ChecksumMismatchError):
        fetch(bad)


def test_corrupt_cache_entry_is_replaced(file_server, online):
    asset = file_server.asset("data.bin", PAYLOAD)
    cached = cached_path(asset)
    cached.parent.mkdir(parents=True)
    cached.write_bytes(b"half a file")
    assert fetch(asset).read_bytes() == PAYLOAD


def test_mirror_folder_is_used_before_the_origin(file_server, online, tmp_path, monkeypatch):
    asset = file_server.asset("data.bin", PAYLOAD)
    mirror_folder(tmp_path, monkeypatch, PAYLOAD)
    assert fetch(asset).read_bytes() == PAYLOAD
    assert file_server.requests == []


def test_corrupt_mirror_file_falls_back_to_the_origin(file_server, online, tmp_path, monkeypatch):
    asset = file_server.asset("data.bin", PAYLOAD)
    mirror_folder(tmp_path, monkeypatch, PAYLOAD[:1000])
    assert fetch(asset).read_bytes() == PAYLOAD
    assert file_server.requests == ["data.bin"]


def test_corrupt_mirror_file_offline_names_the_truncation(file_server, tmp_path, monkeypatch, isolated_assets):
    asset = file_server.asset("data.bin", PAYLOAD)
    mirror_folder(tmp_path, monkeypatch, PAYLOAD[:1000])
    with pytest.raises(ChecksumMismatchError, match=r"truncated \(1,000 of"):
        fetch(asset)
    assert leftovers(isolated_assets) == []


def test_mirror_can_be_an_http_url(file_server, monkeypatch):
    asset = file_server.asset("data.bin", b"", path="origin/data.bin")
    file_server.files["mirror/data.bin"] = PAYLOAD
    asset = dataclasses.replace(asset, hash="sha256:" + hashlib.sha256(PAYLOAD).hexdigest())
    monkeypatch.setenv("COURSE_MIRROR", f"{file_server.base_url}/mirror/")
    assert fetch(asset).read_bytes() == PAYLOAD
    assert file_server.requests == ["mirror/data.bin"]


def test_offline_missing_asset_says_what_to_do(file_server):
    asset = file_server.asset("data.bin", PAYLOAD)
    with pytest.raises(AssetUnavailableError) as error:
        fetch(asset)
    message = str(error.value)
    for needed in ("'data.bin'", asset.url, "COURSE_MIRROR", "python -m helpers fetch data.bin",
                   "COURSE_OFFLINE is set"):
        assert needed in message
    assert file_server.requests == []


def test_unreachable_origin_is_unavailable(closed_port_url, online, isolated_assets):
    from helpers.assets.registry import Asset

    asset = Asset("gone.bin", f"{closed_port_url}/gone.bin", "sha256:" + "0" * 64, Kind.IMAGE)
    with pytest.raises(AssetUnavailableError, match="could not reach"):
        fetch(asset)
    assert leftovers(isolated_assets) == []


def test_missing_at_origin_is_unavailable(file_server, online):
    asset = file_server.asset("data.bin", PAYLOAD)
    del file_server.files["data.bin"]
    with pytest.raises(AssetUnavailableError, match="answered 404"):
        fetch(asset)


def test_keras_finds_fetched_weights_without_downloading(file_server, online, closed_port_url):
    """Keras's own get_file (what keras.applications calls), in a fresh process, uses our file."""
    pytest.importorskip("keras")
    name = "tiny_weights_tf_dim_ordering_tf_kernels.h5"
    asset = file_server.asset(name, PAYLOAD, kind=Kind.KERAS_WEIGHTS, keras_path=f"models/{name}")
    asset = dataclasses.replace(asset, hash="md5:" + hashlib.md5(PAYLOAD).hexdigest())
    fetch(asset)
    code = ("import keras; print(keras.utils.get_file("
            f"{name!r}, {closed_port_url + '/' + name!r}, cache_subdir='models', file_hash={asset.digest!r}))")
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert Path(found.stdout.strip().splitlines()[-1]) == keras_home() / "models" / name


# --- Issue 22 -------------------------------------------------------------------------------------

@pytest.fixture
def trickle_server():
    """An origin that announces 1,000 bytes and then sends one byte every 0.2 s (a stalled link).

    It stops after 40 bytes and hangs up, so a test of code without a deadline ends too."""
    import socket
    import threading
    import time
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's naming)
            self.send_response(200)
            self.send_header("Content-Length", "1000")
            self.end_headers()
            try:
                for _ in range(40):
                    self.wfile.write(b"x")
                    self.wfile.flush()
                    time.sleep(0.2)
            except OSError:
                pass  # the client gave up

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_a_trickling_download_hits_the_overall_deadline(trickle_server, online, monkeypatch, isolated_assets):
    import importlib

    from helpers.assets.registry import Asset

    fetching = importlib.import_module("helpers.assets.fetch")  # (helpers.assets.fetch is the function)

    monkeypatch.setattr(fetching, "DOWNLOAD_DEADLINE_S", 1.0)
    asset = Asset("slow.bin", f"{trickle_server}/slow.bin", "sha256:" + "0" * 64, Kind.IMAGE, size=1000)
    with pytest.raises(AssetUnavailableError, match="deadline") as error:
        fetch(asset)
    assert "cut short" not in str(error.value)
    assert leftovers(isolated_assets) == []


def test_stale_temporary_files_of_killed_runs_are_removed_at_the_next_start(isolated_assets, monkeypatch):
    import fcntl

    from conftest import REAL_MIRROR

    cache, models = isolated_assets, keras_home() / "models"
    models.mkdir(parents=True)
    cache.mkdir()
    (cache / "tmpa1b2c3d4").write_bytes(b"a killed pooch download")
    (cache / ".cats_and_dogs_filtered.zip.unverified").write_bytes(b"old")
    (cache / ".imagenet_class_index.json.download").write_bytes(b"old")
    (cache / ".cifar10-arrays.k2j3h4.part").mkdir()
    (cache / ".cats_and_dogs_filtered.ab12cd.check" / "unpacked").mkdir(parents=True)
    (cache / ".cats_and_dogs_filtered.ab12cd.check" / "unpacked" / "x.jpg").write_bytes(b"x")
    (cache / ".staging-dead0001" / "x").mkdir(parents=True)  # a killed run of the new code
    (models / ".imagenet_class_index.json.part").write_bytes(b"old")
    live = cache / ".staging-live0001"  # another process's, still running: kept
    live.mkdir()
    held = os.open(live, os.O_RDONLY)
    fcntl.flock(held, fcntl.LOCK_EX)
    (cache / "notes.txt").write_text("the user's own file: kept")
    monkeypatch.setenv("COURSE_MIRROR", str(REAL_MIRROR))
    try:
        fetch("imagenet_class_index")
    finally:
        os.close(held)
    assert sorted(p.name for p in cache.iterdir()) == [".staging-live0001", "imagenet_class_index.json", "notes.txt"]
    assert sorted(p.name for p in models.iterdir()) == ["imagenet_class_index.json"]


def test_an_html_page_in_the_mirror_is_called_an_html_page(file_server, tmp_path, monkeypatch):
    asset = file_server.asset("data.bin", PAYLOAD)
    mirror_folder(tmp_path, monkeypatch, b"<!DOCTYPE html>\n<html><body>Sign in to continue</body></html>")
    with pytest.raises(ChecksumMismatchError) as error:
        fetch(asset)
    message = str(error.value)
    assert "HTML page" in message and "truncated" not in message
    assert str(tmp_path / "mirror" / "data.bin") in message  # the file to delete


@pytest.mark.parametrize("value, offline", [("1", True), ("true", True), ("YES", True), ("on", True),
                                            ("0", False), ("false", False), ("no", False), ("off", False),
                                            ("", False)])
def test_course_offline_understands_the_usual_words(monkeypatch, value, offline):
    from helpers.assets.fetch import is_offline

    monkeypatch.setenv("COURSE_OFFLINE", value)
    assert is_offline() is offline


def test_course_offline_refuses_other_words_clearly(file_server, monkeypatch):
    from helpers.assets.fetch import AssetError

    monkeypatch.setenv("COURSE_OFFLINE", "sometimes")
    with pytest.raises(AssetError, match=r"COURSE_OFFLINE='sometimes'.*on.*off"):
        fetch(file_server.asset("data.bin", PAYLOAD))
    assert file_server.requests == []
