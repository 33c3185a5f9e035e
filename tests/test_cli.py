"""`python -m helpers`: what an instructor runs to prefetch a classroom or build a mirror."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from types import SimpleNamespace

import pytest

from helpers import cli
from helpers.assets import registry
from helpers.assets.fetch import cached_path


def test_list_runs_as_a_module():
    out = subprocess.run([sys.executable, "-m", "helpers", "list"], capture_output=True, text=True,
                         check=True, env=os.environ).stdout
    assert "cifar10" in out and "vgg16_weights_tf_dim_ordering_tf_kernels" in out


def test_fetch_offline_fails_with_the_way_out(capsys):
    assert cli.main(["fetch", "cifar10"]) == 1
    assert "COURSE_MIRROR" in capsys.readouterr().err


def test_unknown_names_and_missing_selection_are_refused():
    with pytest.raises(SystemExit, match="Known assets"):
        cli.main(["fetch", "cifar100"])
    with pytest.raises(SystemExit, match="--all"):
        cli.main(["fetch"])


def test_mirror_then_verify(file_server, monkeypatch, tmp_path, capsys):
    monkeypatch.delenv("COURSE_OFFLINE")
    payload = b"weights" * 1000
    asset = file_server.asset("tiny.h5", payload)
    monkeypatch.setattr(registry, "ASSETS", {"tiny": dataclasses.replace(asset, name="tiny")})
    monkeypatch.setattr(cli, "ASSETS", registry.ASSETS)
    assert cli.main(["mirror", str(tmp_path / "classroom"), "--all"]) == 0
    assert (tmp_path / "classroom" / "tiny.h5").read_bytes() == payload
    assert cli.main(["verify"]) == 0
    cached_path(asset).write_bytes(b"damaged")
    assert cli.main(["verify"]) == 1
    assert "CORRUPT" in capsys.readouterr().out


def test_fetch_sends_each_kind_to_its_own_route(monkeypatch):
    """Hub modules go to the hub cache, hashless archives are unpacked and checked, weights are files."""
    from helpers.models import hub

    routes = []
    monkeypatch.setattr(hub, "fetch_module", lambda name: routes.append(("hub", name)) or "hub")
    monkeypatch.setattr(cli, "fetch_folder", lambda asset: routes.append(("folder", asset.name)) or "folder")
    monkeypatch.setattr(cli, "fetch", lambda asset: routes.append(("file", asset.name)) or "file")
    hub_asset = registry.ASSETS[hub.SPECS["efficientnet_b0_feature_vector"].asset]
    cli.obtain(hub_asset)
    cli.obtain(registry.ASSETS["fruits360"])
    cli.obtain(registry.ASSETS["cats_and_dogs_filtered"])
    mobilenet = next(a for a in registry.ASSETS.values()
                     if a.kind is registry.Kind.KERAS_WEIGHTS and a.hash is None)
    cli.obtain(mobilenet)
    cli.obtain(registry.ASSETS["cifar10"])
    assert routes == [("hub", "efficientnet_b0_feature_vector"), ("folder", "fruits360"),
                      ("folder", "cats_and_dogs_filtered"), ("file", mobilenet.name), ("file", "cifar10")]


def test_prepare_fetches_what_can_be_had_and_derives_lite0_only_where_the_real_module_is_missing(
        file_server, monkeypatch, capsys):
    """An instructor's `prepare`, on the online branch: a served asset is fetched, a missing one is
    listed and does not fail the run, the real hub module found suppresses its Lite0 export, and a
    derivation that fails does."""
    from helpers.models import efficientnet_lite, hub, hub_lite0

    monkeypatch.delenv("COURSE_OFFLINE")
    served = dataclasses.replace(file_server.asset("tiny.h5", b"weights" * 1000), name="tiny")
    gone = dataclasses.replace(served, name="gone", file="gone.h5", url=served.url.replace("tiny", "gone"))
    monkeypatch.setattr(cli, "ASSETS", {"tiny": served, "gone": gone})
    monkeypatch.setattr(registry, "ASSETS", {"tiny": served, "gone": gone})
    made = []

    def derive(what: str):
        """A stand-in for one derivation: records that it ran (and its keyword values)."""
        def run(*_args, **kwargs):
            made.append(" ".join([what, *map(str, kwargs.values())]))
            return SimpleNamespace(source=what)
        return run

    monkeypatch.setattr("helpers.datasets.cifar10.load_cifar10", derive("cifar"))
    monkeypatch.setattr("helpers.datasets.folders.cats_and_dogs", derive("pets"))
    monkeypatch.setattr("helpers.datasets.folders.fruits360", derive("fruits"))
    monkeypatch.setattr(efficientnet_lite, "_cached_weights", lambda: made.append("lite0") or "w.h5")
    monkeypatch.setattr(hub_lite0, "ensure_module", lambda kind, handle: made.append(kind) or "exported")
    real = hub.SPECS["efficientnet_b0_classification"].handle
    monkeypatch.setattr(hub, "cached_module", lambda handle, cache: "real" if handle == real else None)

    assert cli.main(["prepare"]) == 0
    out = capsys.readouterr().out
    assert f"ok       tiny: {cached_path(served)}" in out and cached_path(served).is_file()
    assert "missing  gone:" in out
    assert made == ["cifar", "pets", "fruits True", "lite0", "feature_vector"]

    monkeypatch.setattr(efficientnet_lite, "_cached_weights", lambda: (_ for _ in ()).throw(OSError("disk full")))
    assert cli.main(["prepare"]) == 1
    assert "FAILED   efficientnet_lite0 (converted Keras weights): disk full" in capsys.readouterr().err
