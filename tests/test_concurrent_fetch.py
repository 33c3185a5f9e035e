"""Issue 22, finding 2: several processes fetching the same asset at once all succeed.

Each round forks a few workers that wait at a barrier and then fetch the same asset into the same,
empty cache and Keras home; the rounds are bounded, and nothing is timed.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import REAL_MIRROR, make_zip

from helpers.assets import content
from helpers.assets.content import fetch_folder, parse_digest_table
from helpers.assets.fetch import fetch, keras_home
from helpers.assets.registry import ASSETS, Asset, Kind

WORKERS = 4
ROUNDS = 25


def together(work: Callable[[], object], workers: int = WORKERS) -> list[str]:
    """Run ``work`` in ``workers`` forked processes released at once; "ok" or the error of each."""
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(workers)
    pipes, processes = [], []
    for _ in range(workers):
        receive, send = context.Pipe(duplex=False)

        def child(send=send) -> None:
            try:
                barrier.wait(timeout=60)
                work()
                send.send("ok")
            except BaseException as error:  # noqa: BLE001 (everything goes back to the test)
                send.send(f"{type(error).__name__}: {error}")

        process = context.Process(target=child)
        process.start()
        send.close()
        pipes.append(receive)
        processes.append(process)
    results = []
    for receive, process in zip(pipes, processes):
        try:
            results.append(receive.recv())
        except EOFError:
            results.append("died without an answer")
        process.join()
    return results


def rounds(tmp_path: Path, monkeypatch, work: Callable[[], object], count: int = ROUNDS) -> list[str]:
    """``count`` rounds, each into a fresh cache and Keras home; the failures, with their round."""
    failures = []
    for i in range(count):
        monkeypatch.setenv("COURSE_CACHE", str(tmp_path / f"round{i}" / "cache"))
        monkeypatch.setenv("KERAS_HOME", str(tmp_path / f"round{i}" / "keras"))
        failures += [f"round {i}: {r}" for r in together(work) if r != "ok"]
    return failures


CLASS_INDEX = ASSETS["imagenet_class_index"]


def class_index_is_in_place() -> None:
    path = fetch(CLASS_INDEX)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == CLASS_INDEX.extra_hashes[0].split(":")[1]
    assert (keras_home() / CLASS_INDEX.keras_path).read_bytes() == path.read_bytes()


def test_concurrent_fetches_from_a_mirror_folder_all_succeed(tmp_path, monkeypatch):
    """The class index and nine more small files Keras reads: ten chances to collide per round."""
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    shutil.copyfile(REAL_MIRROR / CLASS_INDEX.filename, mirror / CLASS_INDEX.filename)
    others = []
    for i in range(9):
        data = os.urandom(40_000)
        (mirror / f"meta{i}.json").write_bytes(data)
        others.append(Asset(f"meta{i}", None, f"sha256:{hashlib.sha256(data).hexdigest()}", Kind.METADATA,
                            file=f"meta{i}.json", keras_path=f"models/meta{i}.json"))
    monkeypatch.setenv("COURSE_MIRROR", str(mirror))

    def all_in_place() -> None:
        class_index_is_in_place()
        for asset in others:
            cached = fetch(asset).read_bytes()
            assert (keras_home() / asset.keras_path).read_bytes() == cached

    assert rounds(tmp_path, monkeypatch, all_in_place, count=45) == []


def test_concurrent_fetches_from_an_http_mirror_all_succeed(tmp_path, monkeypatch, file_server):
    file_server.files["mirror/imagenet_class_index.json"] = (REAL_MIRROR / "imagenet_class_index.json").read_bytes()
    monkeypatch.setenv("COURSE_MIRROR", f"{file_server.base_url}/mirror")
    assert rounds(tmp_path, monkeypatch, class_index_is_in_place) == []


def test_concurrent_unpacking_of_the_same_archive_all_succeeds(tmp_path, monkeypatch):
    files = {f"pets/{kind}/{i}.jpg": f"{kind} {i}".encode() for kind in ("cats", "dogs") for i in range(20)}
    table = "path\tbytes\tsha256\tsets\n" + "".join(
        f"{p}\t{len(b)}\t{hashlib.sha256(b).hexdigest()}\tfull\n" for p, b in files.items())
    monkeypatch.setattr(content, "load_digest_table", lambda name: parse_digest_table(table))
    monkeypatch.setitem(ASSETS, "pets", Asset(name="pets", url=None, file="pets.zip", hash=None,
                                              kind=Kind.DATASET_ARCHIVE, content="pets.tsv"))
    (tmp_path / "mirror").mkdir()
    (tmp_path / "mirror" / "pets.zip").write_bytes(make_zip(files))
    monkeypatch.setenv("COURSE_MIRROR", str(tmp_path / "mirror"))

    def unpacked() -> None:
        folder = fetch_folder("pets")
        assert sum(1 for p in folder.rglob("*.jpg")) == len(files)

    assert rounds(tmp_path, monkeypatch, unpacked, count=10) == []
