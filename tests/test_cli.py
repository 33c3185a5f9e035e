"""`python -m helpers`: what an instructor runs to prefetch a classroom or build a mirror."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys

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
