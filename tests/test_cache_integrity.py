"""Issue 22: damaged or partly written cache entries are never used silently, a cache can be shared.

Unpacked folders and decoded arrays record what they must hold; a cheap check on every use finds
missing, extra and resized files (the arrays are re-hashed), ``python -m helpers verify`` re-hashes
everything and repairs from the verified archive. Keras weights without a published hash must open
as Keras HDF5 files; hub modules must load. Cache files follow the umask, a cache filled by another
account works read-only, and an unwritable one says which variable to set.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import multiprocessing
import os
import shutil
import stat
import subprocess
import sys
import tarfile
import tempfile
import textwrap
from pathlib import Path

import numpy as np
import pytest
from conftest import REAL_MIRROR, make_zip

from helpers import cli
from helpers.assets import content, registry
from helpers.assets.content import ContentMismatchError, fetch_folder, parse_digest_table, verified_folder
from helpers.assets.fetch import AssetError, ChecksumMismatchError, cached_path, fetch, keras_home
from helpers.assets.registry import ASSETS, Asset, Kind
from helpers.datasets import cats_and_dogs, load_cifar10

FULL = {f"pets/train/{kind}s/{kind}.{i}.jpg": f"{kind} {i}".encode() * 50
        for kind in ("cat", "dog") for i in range(3)}


def digest_table(files: dict[str, bytes]) -> str:
    rows = [f"{p}\t{len(b)}\t{hashlib.sha256(b).hexdigest()}\tfull" for p, b in files.items()]
    return "path\tbytes\tsha256\tsets\n" + "\n".join(rows) + "\n"


def files_under(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


@pytest.fixture
def pets(monkeypatch, tmp_path):
    """A content-verified asset 'pets' in a mirror folder; ``pin=True`` also pins the archive's bytes
    (as cats_and_dogs_filtered's mirror zip is), so the verified archive is kept for repairs."""
    monkeypatch.setattr(content, "load_digest_table", lambda name: parse_digest_table(digest_table(FULL)))
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    monkeypatch.setenv("COURSE_MIRROR", str(mirror))
    archive = make_zip(FULL)
    (mirror / "pets.zip").write_bytes(archive)

    def register(pin: bool = False) -> Asset:
        asset = Asset(name="pets", url=None, file="pets.zip", kind=Kind.DATASET_ARCHIVE, content="pets.tsv",
                      hash=f"sha256:{hashlib.sha256(archive).hexdigest()}" if pin else None)
        monkeypatch.setitem(ASSETS, "pets", asset)
        return asset

    return register, mirror


# --- 1. Unpacked and decoded caches are checked on every use ------------------------------------------

@pytest.mark.skipif(not (REAL_MIRROR / "cats_and_dogs_filtered.zip").is_file(), reason="no course mirror")
def test_cats_and_dogs_with_a_deleted_class_folder_is_repaired_not_used(monkeypatch, capsys):
    monkeypatch.setenv("COURSE_MIRROR", str(REAL_MIRROR))
    first = cats_and_dogs()
    assert first.counts() == {"train": 1000, "validation": 500}
    shutil.rmtree(first.eval_dir / "dogs")
    monkeypatch.delenv("COURSE_MIRROR")  # the repair must come from the verified archive in the cache
    again = cats_and_dogs()
    assert again.counts() == {"train": 1000, "validation": 500}
    assert again.class_names == ("cats", "dogs") and len(list((again.eval_dir / "dogs").iterdir())) == 250
    assert "damaged" in capsys.readouterr().out


@pytest.mark.parametrize("damage", ["missing", "extra", "resized"])
def test_the_cheap_check_finds_missing_extra_and_resized_files_and_repairs(pets, damage, capsys):
    register, _ = pets
    register()
    folder = fetch_folder("pets")
    victim = folder / "pets/train/dogs/dog.1.jpg"
    if damage == "missing":
        victim.unlink()
    elif damage == "extra":
        (folder / "pets/train/dogs/notes.txt").write_text("mine")
    else:
        victim.write_bytes(victim.read_bytes()[:10])
    assert fetch_folder("pets") == folder
    assert files_under(folder) == sorted([*FULL, content.MARKER])
    assert victim.read_bytes() == FULL["pets/train/dogs/dog.1.jpg"]
    assert "damaged" in capsys.readouterr().out


def test_damage_that_cannot_be_repaired_is_one_clear_error(pets):
    register, mirror = pets
    register()
    folder = fetch_folder("pets")
    (folder / "pets/train/cats/cat.0.jpg").unlink()
    (mirror / "pets.zip").unlink()  # nothing left to repair from
    with pytest.raises(AssetError) as error:
        fetch_folder("pets")
    message = str(error.value)
    assert "damaged" in message and "cat.0.jpg" in message and "python -m helpers fetch pets" in message


def tiny_cifar_npz() -> bytes:
    rng = np.random.default_rng(0)
    buffer = io.BytesIO()
    np.savez(buffer, x_train=rng.integers(0, 256, (20, 32, 32, 3), dtype=np.uint8),
             y_train=rng.integers(0, 10, (20, 1)).astype(np.uint8),
             x_test=rng.integers(0, 256, (4, 32, 32, 3), dtype=np.uint8),
             y_test=rng.integers(0, 10, (4, 1)).astype(np.uint8))
    return buffer.getvalue()


@pytest.fixture
def tiny_cifar(monkeypatch, tmp_path) -> Path:
    """A registered, pinned, tiny cifar10.npz in a mirror folder; returns the decoded-arrays folder."""
    payload = tiny_cifar_npz()
    mirror = tmp_path / "cifar-mirror"
    mirror.mkdir()
    (mirror / "cifar10.npz").write_bytes(payload)
    monkeypatch.setenv("COURSE_MIRROR", str(mirror))
    monkeypatch.setitem(registry.ASSETS, "cifar10_npz", dataclasses.replace(
        registry.ASSETS["cifar10_npz"], hash=f"sha256:{hashlib.sha256(payload).hexdigest()}", size=len(payload)))
    return mirror


def test_cifar_arrays_with_altered_labels_are_rebuilt_from_the_verified_archive(tiny_cifar, isolated_assets, capsys):
    first = load_cifar10()
    shutil.rmtree(tiny_cifar)  # the repair must come from the verified archive in the cache
    np.save(isolated_assets / "cifar10-arrays" / "y_train.npy", np.full_like(first.y_train, 3))
    again = load_cifar10()
    np.testing.assert_array_equal(again.y_train, first.y_train)
    assert "damaged" in capsys.readouterr().out
    np.testing.assert_array_equal(load_cifar10().y_train, first.y_train)  # and the cache itself was repaired


def test_verify_rehashes_unpacked_and_decoded_caches_and_repairs_them(pets, tiny_cifar, isolated_assets, monkeypatch,
                                                                      capsys):
    register, mirror = pets
    register(pin=True)
    monkeypatch.setenv("COURSE_MIRROR", str(mirror))
    folder = fetch_folder("pets")
    monkeypatch.setenv("COURSE_MIRROR", str(tiny_cifar))
    data = load_cifar10()
    altered = folder / "pets/train/cats/cat.2.jpg"
    altered.write_bytes(altered.read_bytes()[::-1])  # same size: only re-hashing sees it
    np.save(isolated_assets / "cifar10-arrays" / "y_train.npy", np.full_like(data.y_train, 3))
    shutil.rmtree(mirror)
    shutil.rmtree(tiny_cifar)
    capsys.readouterr()
    assert cli.main(["verify"]) == 0  # both repaired from the verified archives in the cache
    out = capsys.readouterr().out
    assert "DAMAGED" in next(line for line in out.splitlines() if line.startswith("pets "))
    assert "cat.2.jpg" in out and "cifar10-arrays" in out and "repaired" in out
    assert altered.read_bytes() == FULL["pets/train/cats/cat.2.jpg"]
    np.testing.assert_array_equal(load_cifar10().y_train, data.y_train)

    altered.write_bytes(altered.read_bytes()[::-1])
    cached_path(ASSETS["pets"]).unlink()  # no verified archive left: verify says what to fetch
    assert cli.main(["verify"]) == 1
    assert "python -m helpers fetch pets" in capsys.readouterr().out


# --- 3. Damage that repairs itself; a full disk is not a corrupt archive -------------------------------

def test_a_folder_whose_marker_was_removed_is_repaired_not_re_extracted_into_a_full_folder(pets):
    register, _ = pets
    register()
    folder = fetch_folder("pets")
    (folder / content.MARKER).unlink()
    for _ in range(2):
        assert fetch_folder("pets") == folder
        assert files_under(folder) == sorted([*FULL, content.MARKER])


def test_a_deleted_cifar_array_is_rebuilt_not_a_raw_file_not_found(tiny_cifar, isolated_assets):
    first = load_cifar10()
    (isolated_assets / "cifar10-arrays" / "y_test.npy").unlink()
    for _ in range(2):
        np.testing.assert_array_equal(load_cifar10().y_test, first.y_test)


def test_a_full_disk_while_unpacking_is_not_called_a_corrupt_archive(tmp_path):
    """A real refusal from the kernel: a file-size limit makes every write past 1 MiB fail."""
    archive = tmp_path / "good.zip"
    archive.write_bytes(make_zip({"big.bin": os.urandom(3 << 20)}))
    code = textwrap.dedent("""
        import resource, signal, sys
        from helpers.assets.archives import extract
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (1 << 20, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))
        try:
            extract(sys.argv[1], sys.argv[2])
        except Exception as error:
            print(type(error).__name__)
            print(error)
    """)
    run = subprocess.run([sys.executable, "-c", code, str(archive), str(tmp_path / "cache" / "out")],
                         capture_output=True, text=True, timeout=120)
    kind, _, message = run.stdout.partition("\n")
    assert kind == "CacheWriteError", run.stdout + run.stderr
    assert "COURSE_CACHE" in message and "Delete" not in message
    assert not (tmp_path / "cache" / "out").exists()


# --- 4. Structure checks that prove the file opens --------------------------------------------------

def keras_h5_bytes(tmp_path: Path) -> bytes:
    """A tiny weight file in the layout keras.applications' .h5 files have (Keras 2's HDF5 format)."""
    import h5py

    path = tmp_path / "made.h5"
    with h5py.File(path, "w") as f:
        f.attrs["layer_names"] = np.array([b"conv", b"flatten"])
        f.attrs["backend"], f.attrs["keras_version"] = b"tensorflow", b"2.2.4"
        conv = f.create_group("conv")
        conv.attrs["weight_names"] = np.array([b"conv/kernel:0", b"conv/bias:0"])
        conv.create_dataset("conv/kernel:0", data=np.ones((3, 3, 3, 4), "float32"))
        conv.create_dataset("conv/bias:0", data=np.zeros(4, "float32"))
        f.create_group("flatten").attrs["weight_names"] = np.array([], dtype="S1")
    return path.read_bytes()


@pytest.fixture
def unpinned_weights(monkeypatch, tmp_path):
    """A Keras weight file with no published hash (like MobileNetV2's), served from a mirror folder."""
    mirror = tmp_path / "weights-mirror"
    mirror.mkdir()
    monkeypatch.setenv("COURSE_MIRROR", str(mirror))
    asset = Asset(name="tiny_weights", url=None, file="tiny_weights.h5", hash=None, kind=Kind.KERAS_WEIGHTS,
                  keras_path="models/tiny_weights.h5")
    return asset, mirror / "tiny_weights.h5"


JUNK_H5 = b"\x89HDF\r\n\x1a\n" + b"7 bytes"


def test_an_hdf5_signature_with_junk_is_refused_and_never_placed(unpinned_weights, isolated_assets):
    asset, in_mirror = unpinned_weights
    in_mirror.write_bytes(JUNK_H5)
    with pytest.raises(ChecksumMismatchError, match="HDF5"):
        fetch(asset)
    assert not cached_path(asset).exists() and not (keras_home() / asset.keras_path).exists()


def test_a_valid_hdf5_file_without_keras_layers_is_refused(unpinned_weights, tmp_path):
    import h5py

    asset, in_mirror = unpinned_weights
    with h5py.File(in_mirror, "w") as f:
        f.create_dataset("x", data=np.zeros(3))
    with pytest.raises(ChecksumMismatchError, match="layer"):
        fetch(asset)


def test_a_junk_h5_already_cached_is_reported_removed_and_replaced(unpinned_weights, tmp_path, monkeypatch, capsys):
    asset, in_mirror = unpinned_weights
    good = keras_h5_bytes(tmp_path)
    for where in (cached_path(asset), keras_home() / asset.keras_path):  # what the old code accepted
        where.parent.mkdir(parents=True, exist_ok=True)
        where.write_bytes(JUNK_H5)
    monkeypatch.setattr(registry, "ASSETS", {"tiny_weights": asset})
    monkeypatch.setattr(cli, "ASSETS", registry.ASSETS)
    assert cli.main(["verify"]) == 1
    assert "CORRUPT" in capsys.readouterr().out and not cached_path(asset).exists()
    in_mirror.write_bytes(good)
    assert fetch(asset).read_bytes() == good
    assert (keras_home() / asset.keras_path).read_bytes() == good


def test_a_keras_h5_weight_file_passes_the_structure_check(unpinned_weights, tmp_path):
    asset, in_mirror = unpinned_weights
    in_mirror.write_bytes(keras_h5_bytes(tmp_path))
    assert fetch(asset).read_bytes() == in_mirror.read_bytes()


def test_a_hub_archive_whose_saved_model_does_not_load_is_never_placed(tmp_path, monkeypatch):
    from helpers.models import hub as hubs

    spec = hubs.SPECS["efficientnet_b0_classification"]
    asset = ASSETS[spec.asset]
    monkeypatch.delenv("TFHUB_CACHE_DIR", raising=False)
    mirror = tmp_path / "hub-mirror"
    mirror.mkdir()
    with tarfile.open(mirror / asset.filename, "w:gz") as tar:
        for name, data in {"saved_model.pb": b"not a protobuf", "variables/variables.index": b"x",
                           "variables/variables.data-00000-of-00001": b"y"}.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    monkeypatch.setenv("COURSE_MIRROR", str(mirror))
    with pytest.raises(ContentMismatchError, match="cannot load"):
        hubs.fetch_module("efficientnet_b0_classification")
    assert hubs.cached_module(spec.handle, hubs.tfhub_cache_dir()) is None
    assert not verified_folder(asset).exists()


# --- 5. Shared and read-only caches ----------------------------------------------------------------

CLASS_INDEX = ASSETS["imagenet_class_index"]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def umask():
    """Set the process umask for the test; restored afterwards."""
    before = os.umask(0o022)
    yield lambda mask: os.umask(mask)
    os.umask(before)


@pytest.mark.parametrize("mask, file_mode, dir_mode", [(0o022, 0o644, 0o755), (0o027, 0o640, 0o750)])
def test_cache_files_follow_the_umask(pets, tiny_cifar, umask, monkeypatch, mask, file_mode, dir_mode):
    umask(mask)
    register, pets_mirror = pets
    register()
    monkeypatch.setenv("COURSE_MIRROR", str(REAL_MIRROR))
    index = fetch(CLASS_INDEX)
    assert mode(index) == file_mode and mode(keras_home() / CLASS_INDEX.keras_path) == file_mode
    monkeypatch.setenv("COURSE_MIRROR", str(pets_mirror))
    folder = fetch_folder("pets")
    assert {mode(p) for p in [folder, *folder.rglob("*")] if p.is_dir()} == {dir_mode}
    assert {mode(p) for p in folder.rglob("*") if p.is_file()} == {file_mode}
    monkeypatch.setenv("COURSE_MIRROR", str(tiny_cifar))
    load_cifar10()
    arrays = index.parent / "cifar10-arrays"
    assert mode(arrays) == dir_mode and {mode(p) for p in arrays.iterdir()} == {file_mode}


@pytest.fixture
def shared(umask):
    """A folder outside pytest's private temporary folder, so another account can reach it."""
    root = Path(tempfile.mkdtemp(prefix="cnn-course-shared-"))
    root.chmod(0o755)
    yield root
    for path in [root, *root.rglob("*")]:
        if path.is_dir() and not path.is_symlink():
            path.chmod(0o755)
    shutil.rmtree(root)


def as_learner(shared_root: Path, work) -> str:
    """Run ``work()`` as another account (root drops to nobody), or, when this is not root, with the
    shared folder made read-only. Returns "ok <result>" or "<ErrorType>: <message>"."""
    if os.getuid() != 0:
        for path in [shared_root, *shared_root.rglob("*")]:
            path.chmod(path.stat().st_mode & ~0o222)
    receive, send = multiprocessing.get_context("fork").Pipe(duplex=False)

    def child() -> None:
        try:
            if os.getuid() == 0:
                os.setgroups([])
                os.setgid(65534)
                os.setuid(65534)
            send.send(f"ok {work()}")
        except BaseException as error:  # noqa: BLE001 (everything goes back to the test)
            send.send(f"{type(error).__name__}: {error}")

    process = multiprocessing.get_context("fork").Process(target=child)
    process.start()
    send.close()
    try:
        return receive.recv()
    except EOFError:
        return f"the learner's process died (exit code {process.join() or process.exitcode})"
    finally:
        process.join()
        if os.getuid() != 0:
            for path in [shared_root, *shared_root.rglob("*")]:
                path.chmod(path.stat().st_mode | 0o200)


def fill_shared_cache(root: Path, monkeypatch, pets, tiny_cifar) -> None:
    """What an instructor does: fetch into a cache and a Keras home that learners then use."""
    monkeypatch.setenv("COURSE_CACHE", str(root / "cache"))
    monkeypatch.setenv("KERAS_HOME", str(root / "keras"))
    monkeypatch.setenv("COURSE_MIRROR", str(REAL_MIRROR))
    fetch(CLASS_INDEX)
    register, pets_mirror = pets
    register()
    monkeypatch.setenv("COURSE_MIRROR", str(pets_mirror))
    fetch_folder("pets")
    monkeypatch.setenv("COURSE_MIRROR", str(tiny_cifar))
    load_cifar10()
    monkeypatch.delenv("COURSE_MIRROR")


def test_a_cache_filled_by_another_account_works_read_only(shared, monkeypatch, pets, tiny_cifar):
    fill_shared_cache(shared, monkeypatch, pets, tiny_cifar)
    before = sorted((p.relative_to(shared).as_posix(), p.stat().st_mtime_ns) for p in shared.rglob("*"))

    def learn() -> str:
        index = fetch(CLASS_INDEX).read_bytes()
        folder = fetch_folder("pets")
        data = load_cifar10()
        return f"{len(index)} {len(files_under(folder))} {len(data.x_train)}"

    assert as_learner(shared, learn) == f"ok {CLASS_INDEX.size} {len(FULL) + 1} 20"
    assert sorted((p.relative_to(shared).as_posix(), p.stat().st_mtime_ns) for p in shared.rglob("*")) == before


def test_an_asset_missing_from_a_read_only_cache_and_the_mirror_is_unavailable_not_unwritable(
        shared, monkeypatch, pets, tiny_cifar):
    """Issue 31, found by running the lessons on a classroom's read-only cache: an asset that no
    mirror holds (offline) raised CacheWriteError, because a staging folder was made before looking,
    so which_network and the hub modules never fell back to EfficientNet-Lite0. Nothing to copy is
    now said before anything is written, for single files and for archives alike."""
    fill_shared_cache(shared, monkeypatch, pets, tiny_cifar)
    empty_mirror = shared / "empty-mirror"
    empty_mirror.mkdir()
    monkeypatch.setenv("COURSE_MIRROR", str(empty_mirror))
    weights = ASSETS["resnet50_weights_tf_dim_ordering_tf_kernels"]
    hub_archive = ASSETS["efficientnet_b0_feature_vector_1"]

    outcome = as_learner(shared, lambda: fetch(weights))
    assert outcome.startswith("AssetUnavailableError") and "no file" in outcome, outcome
    outcome = as_learner(shared, lambda: fetch_folder(hub_archive))
    assert outcome.startswith("AssetUnavailableError") and "no file" in outcome, outcome
    assert not list((shared / "cache").glob(".staging*"))


def test_an_unwritable_cache_or_keras_home_says_which_variable_to_set(shared, monkeypatch, pets, tiny_cifar):
    fill_shared_cache(shared, monkeypatch, pets, tiny_cifar)
    mirror = shared / "mirror"
    mirror.mkdir()
    shutil.copyfile(REAL_MIRROR / "imagenet_class_index.json", mirror / "imagenet_class_index.json")
    monkeypatch.setenv("COURSE_MIRROR", str(mirror))
    (keras_home() / CLASS_INDEX.keras_path).unlink()
    cached_path(CLASS_INDEX).unlink()

    outcome = as_learner(shared, lambda: fetch(CLASS_INDEX))
    assert outcome.startswith("CacheWriteError") and "COURSE_CACHE" in outcome, outcome
    assert str(shared / "cache") in outcome and ".part" not in outcome

    own = shared / "own-cache"
    own.mkdir(mode=0o777)
    own.chmod(0o777)
    monkeypatch.setenv("COURSE_CACHE", str(own))
    outcome = as_learner(shared, lambda: fetch(CLASS_INDEX))
    if os.getuid() == 0:  # (not root: the learner's own cache is read-only too; the first case covers it)
        assert outcome.startswith("CacheWriteError") and "KERAS_HOME" in outcome, outcome


def test_what_the_course_derives_in_a_cache_filled_by_another_account_is_used_read_only(shared, monkeypatch):
    """Issue 31: the converted Lite0 weights, their .sha256 and cached features were written 0600
    (mkstemp), so a learner reading an instructor's cache got PermissionError building Lite0."""
    import keras
    from PIL import Image

    from helpers.models import efficientnet_lite
    from helpers.models.transfer import folder_features

    monkeypatch.setenv("COURSE_CACHE", str(shared / "cache"))
    monkeypatch.setenv("KERAS_HOME", str(shared / "keras"))
    rng = np.random.default_rng(0)
    for name in ("cats", "dogs"):
        (shared / "photos" / name).mkdir(parents=True)
        for i in range(2):
            Image.fromarray(rng.integers(0, 255, (16, 16, 3), dtype=np.uint8)).save(shared / "photos" / name / f"{i}.png")
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((16, 16, 3)), keras.layers.GlobalAveragePooling2D()])
    efficientnet_lite._cached_weights()
    folder_features(model, shared / "photos", (16, 16), "tiny")
    before = sorted((p.relative_to(shared).as_posix(), p.stat().st_mtime_ns) for p in shared.rglob("*"))

    (features,) = (shared / "cache" / "features").glob("*.npz")
    import encodings.cp437  # noqa: F401 (zipfile's, imported before the learner cannot read this venv)

    def learn() -> str:  # what building Lite0 and loading cached features read (no TensorFlow after fork)
        weights = efficientnet_lite._cached_weights()  # checked against its .sha256, not converted again
        with np.load(features) as stored:
            hdf5 = weights.read_bytes()[:4] == b"\x89HDF"
            return f"{hdf5} {stored['features'].shape}"

    assert as_learner(shared, learn) == "ok True (4, 3)"
    assert sorted((p.relative_to(shared).as_posix(), p.stat().st_mtime_ns) for p in shared.rglob("*")) == before
