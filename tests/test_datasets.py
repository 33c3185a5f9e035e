"""CIFAR-10 loading through the asset layer, and the fast profile's stand-in."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import pickle
import shutil
import tarfile
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import make_tar_gz

from helpers.assets import registry
from helpers.datasets import load_cifar10
from helpers.assets.fetch import AssetUnavailableError, ChecksumMismatchError, fetch
from helpers.datasets.standin import SHAPE_CLASSES, make_shapes

CLASSES = [b"airplane", b"automobile", b"bird", b"cat", b"deer",
           b"dog", b"frog", b"horse", b"ship", b"truck"]


def cifar_format_archive(per_batch: int = 4) -> tuple[bytes, np.ndarray]:
    """A tiny archive laid out exactly like cifar-10-python.tar.gz; returns it and image 0."""
    rng = np.random.default_rng(0)
    members, first = {}, None
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        data = rng.integers(0, 256, (per_batch, 3072), dtype=np.uint8)
        first = data[0] if first is None else first
        labels = list(rng.integers(0, 10, per_batch))
        members[f"cifar-10-batches-py/{name}"] = pickle.dumps({b"data": data, b"labels": labels})
    members["cifar-10-batches-py/batches.meta"] = pickle.dumps({b"label_names": CLASSES})
    return make_tar_gz(members), first.reshape(3, 32, 32).transpose(1, 2, 0)


def mirror_cifar_format_archive(tmp_path, monkeypatch, register: bool = True) -> tuple[str, np.ndarray]:
    """Put a CIFAR-format archive in a mirror folder; with ``register``, make the registry trust it.

    Returns the archive's sha256 and its first training image.
    """
    archive, first_image = cifar_format_archive()
    (tmp_path / "mirror").mkdir()
    (tmp_path / "mirror" / "cifar-10-python.tar.gz").write_bytes(archive)
    monkeypatch.setenv("COURSE_MIRROR", str(tmp_path / "mirror"))
    sha = hashlib.sha256(archive).hexdigest()
    if register:
        monkeypatch.setitem(registry.ASSETS, "cifar10", dataclasses.replace(
            registry.ASSETS["cifar10"], hash=f"sha256:{sha}", size=len(archive)))
    return sha, first_image


def matching_npz(archive: bytes) -> bytes:
    """The npz that holds the same data as a CIFAR-format tarball, in keras.datasets' layout."""
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        def batch(name):
            return pickle.load(tar.extractfile(f"cifar-10-batches-py/{name}"), encoding="bytes")
        train = [batch(f"data_batch_{i}") for i in range(1, 6)]
        test = batch("test_batch")

    def images(batches):
        return np.concatenate([b[b"data"] for b in batches]).reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)

    def labels(batches):
        return np.concatenate([b[b"labels"] for b in batches]).astype(np.uint8).reshape(-1, 1)

    buffer = io.BytesIO()
    np.savez_compressed(buffer, x_train=images(train), y_train=labels(train),
                        x_test=images([test]), y_test=labels([test]))
    return buffer.getvalue()


def mirror_npz(tmp_path, monkeypatch, payload: bytes, register: bool = True) -> None:
    """Put ``payload`` as cifar10.npz in the mirror folder; with ``register``, pin its hash."""
    (tmp_path / "mirror").mkdir(exist_ok=True)
    (tmp_path / "mirror" / "cifar10.npz").write_bytes(payload)
    monkeypatch.setenv("COURSE_MIRROR", str(tmp_path / "mirror"))
    if register:
        monkeypatch.setitem(registry.ASSETS, "cifar10_npz", dataclasses.replace(
            registry.ASSETS["cifar10_npz"], hash=f"sha256:{hashlib.sha256(payload).hexdigest()}",
            size=len(payload)))


def test_reads_the_cifar10_archive_layout_from_a_mirror(tmp_path, monkeypatch):
    _, first_image = mirror_cifar_format_archive(tmp_path, monkeypatch)
    data = load_cifar10()
    assert data.x_train.shape == (20, 32, 32, 3) and data.x_test.shape == (4, 32, 32, 3)
    assert data.x_train.dtype == np.uint8 and data.y_train.shape == (20,)
    np.testing.assert_array_equal(data.x_train[0], first_image)  # channels-last, not scrambled
    assert data.class_names[3] == "cat" and data.stands_in_for is None

    subset = load_cifar10(train_samples=5, test_samples=2)
    assert subset.x_train.shape == (5, 32, 32, 3) and subset.y_test.shape == (2,)


def test_the_npz_route_gives_the_same_arrays_and_class_names(tmp_path, monkeypatch):
    archive, _ = cifar_format_archive()
    (tmp_path / "tar").mkdir()
    tar_mirror = tmp_path / "tar"
    (tar_mirror / "cifar-10-python.tar.gz").write_bytes(archive)
    monkeypatch.setitem(registry.ASSETS, "cifar10", dataclasses.replace(
        registry.ASSETS["cifar10"], hash=f"sha256:{hashlib.sha256(archive).hexdigest()}"))
    monkeypatch.setenv("COURSE_MIRROR", str(tar_mirror))
    from_tarball = load_cifar10()

    monkeypatch.setenv("COURSE_CACHE", str(tmp_path / "second-cache"))
    mirror_npz(tmp_path, monkeypatch, matching_npz(archive))  # the mirror now holds only the npz
    from_npz = load_cifar10()
    assert "cifar10.npz" in from_npz.source and "cifar-10-python.tar.gz" in from_tarball.source
    assert from_npz.class_names == from_tarball.class_names
    assert from_npz.class_names[0] == "airplane" and from_npz.class_names[9] == "truck"
    for split in ("x_train", "y_train", "x_test", "y_test"):
        a, b = getattr(from_tarball, split), getattr(from_npz, split)
        assert a.dtype == b.dtype and a.shape == b.shape, split
        np.testing.assert_array_equal(a, b)
    assert from_npz.y_train.shape == (20,)


def test_a_wrong_hash_npz_is_refused_like_a_wrong_hash_tarball(tmp_path, monkeypatch, isolated_assets):
    archive, _ = cifar_format_archive()
    mirror_npz(tmp_path, monkeypatch, matching_npz(archive), register=False)  # real pin: no match
    with pytest.raises(ChecksumMismatchError, match="no copy matches"):
        load_cifar10()
    assert [p for p in isolated_assets.rglob("*") if p.is_file()] == []  # nothing half-kept


def test_after_the_first_load_the_decoded_arrays_come_from_the_cache(tmp_path, monkeypatch):
    archive, _ = cifar_format_archive()
    mirror_npz(tmp_path, monkeypatch, matching_npz(archive))
    first = load_cifar10()
    shutil.rmtree(tmp_path / "mirror")  # nothing left to fetch from: only the cache can serve it
    again = load_cifar10()
    np.testing.assert_array_equal(first.x_train, again.x_train)
    assert again.source == first.source and again.stands_in_for is None


def test_a_local_npz_wins_over_downloading_the_origin(tmp_path, monkeypatch, file_server):
    archive, _ = cifar_format_archive()
    origin = file_server.asset("cifar-10-python.tar.gz", archive)
    monkeypatch.setitem(registry.ASSETS, "cifar10", dataclasses.replace(
        registry.ASSETS["cifar10"], url=origin.url, hash=origin.hash, size=origin.size))
    monkeypatch.delenv("COURSE_OFFLINE")
    mirror_npz(tmp_path, monkeypatch, matching_npz(archive))
    assert "cifar10.npz" in load_cifar10().source
    assert file_server.requests == []  # the 170 MB origin was not downloaded


def test_online_without_a_mirror_downloads_the_origin_tarball(monkeypatch, file_server):
    archive, first_image = cifar_format_archive()
    origin = file_server.asset("cifar-10-python.tar.gz", archive)
    monkeypatch.setitem(registry.ASSETS, "cifar10", dataclasses.replace(
        registry.ASSETS["cifar10"], url=origin.url, hash=origin.hash, size=origin.size))
    monkeypatch.delenv("COURSE_OFFLINE")
    data = load_cifar10()
    assert file_server.requests == ["cifar-10-python.tar.gz"]
    np.testing.assert_array_equal(data.x_train[0], first_image)


def test_the_real_registry_hash_refuses_a_look_alike(tmp_path, monkeypatch):
    mirror_cifar_format_archive(tmp_path, monkeypatch, register=False)
    with pytest.raises(ChecksumMismatchError, match="no copy matches"):
        load_cifar10()


def test_offline_a_standin_if_asked_loud_and_labelled(capsys):
    data = load_cifar10(train_samples=50, test_samples=20, allow_standin=True)  # lesson 01, fast profile
    assert data.stands_in_for == "CIFAR-10" and data.class_names == SHAPE_CLASSES
    assert data.x_train.shape == (50, 32, 32, 3) and data.x_test.shape == (20, 32, 32, 3)
    out = capsys.readouterr().out
    assert "Data: STAND-IN coloured shapes" in out and "in place of CIFAR-10" in out
    assert data.label == "STAND-IN coloured shapes (not CIFAR-10) (in place of CIFAR-10)"


def test_without_permission_never_a_standin_and_both_files_are_named():
    with pytest.raises(AssetUnavailableError) as missing:
        load_cifar10(train_samples=50, test_samples=20)
    message = str(missing.value)
    assert "cifar-10-python.tar.gz" in message and "cifar10.npz" in message
    assert "mirror-only" in message and "COURSE_MIRROR" in message


def test_standin_is_repeatable_and_covers_every_class():
    x1, y1 = make_shapes(300, seed=3)
    x2, y2 = make_shapes(300, seed=3)
    np.testing.assert_array_equal(x1, x2)
    assert set(y1) == set(range(len(SHAPE_CLASSES)))
    assert x1.dtype == np.uint8 and x1.shape == (300, 32, 32, 3)


def test_standin_classes_differ_in_shape_not_colour():
    """A per-class mean-colour classifier must be near chance: colour carries no label."""
    x, y = make_shapes(2000, seed=1)
    colour = x.reshape(len(x), -1, 3).mean(axis=1)
    centroids = np.stack([colour[y == c].mean(axis=0) for c in range(10)])
    guess = np.argmin(((colour[:, None] - centroids[None]) ** 2).sum(-1), axis=1)
    assert (guess == y).mean() < 0.25


def test_keras_own_cifar10_loader_layout_finds_the_fetched_archive(tmp_path, monkeypatch, closed_port_url):
    """keras.datasets.cifar10 calls get_file('cifar-10-batches-py-target', extract=True, file_hash=...):
    with the archive where fetch() put it, Keras unpacks it instead of downloading."""
    pytest.importorskip("keras")
    sha, _ = mirror_cifar_format_archive(tmp_path, monkeypatch)
    fetch("cifar10")
    code = ("import keras; print(keras.utils.get_file('cifar-10-batches-py-target', "
            f"{closed_port_url + '/cifar-10-python.tar.gz'!r}, extract=True, file_hash={sha!r}))")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    folder = Path(run.stdout.strip().splitlines()[-1])
    assert (folder / "cifar-10-batches-py" / "data_batch_1").is_file()
