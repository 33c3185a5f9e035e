"""``python -m helpers``: list, prefetch, verify and mirror the course's assets.

    python -m helpers list                 what the course uses, and what is cached
    python -m helpers fetch NAME... | --all  get assets into the cache (and where Keras looks)
    python -m helpers verify               re-hash every cached asset, unpacked folder and decoded
                                           array; repair from verified archives, or say what to fetch
    python -m helpers mirror DIR [--all | NAME...]  build a mirror folder for a classroom
    python -m helpers prepare              fill a cache for a classroom: every asset that can be had
                                           and what the lessons derive from them, so learners'
                                           accounts can read it without writing
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from .assets.content import fetch_folder, verified_folder, verify_folder
from .assets.fetch import AssetError, _install_for_keras, cache_dir, cached_path, fetch, keras_home, matches
from .assets.registry import ASSETS, Asset, Kind, get_asset
from .assets.storage import discard


def _selected(args: argparse.Namespace) -> list[Asset]:
    if args.all == bool(args.names):
        raise SystemExit("Name assets to work on, or pass --all (see `python -m helpers list`).")
    try:
        return list(ASSETS.values()) if args.all else [get_asset(n) for n in args.names]
    except KeyError as unknown:
        raise SystemExit(unknown.args[0]) from None


def cmd_list(_: argparse.Namespace) -> int:
    print(f"cache: {cache_dir()}")
    for asset in ASSETS.values():
        state = "cached" if cached_path(asset).exists() else "-"
        print(f"{asset.name:58} {state:7} {asset.kind.value:16} {asset.description}")
    return 0


def obtain(asset: Asset) -> Path:
    """Get ``asset`` the way the lessons do: a hub module into the hub cache, an archive checked
    by content or layout unpacked into the cache, any other file byte- or structure-checked."""
    if asset.kind is Kind.HUB_MODULE:
        from .models import hub

        name = next(n for n, spec in hub.SPECS.items() if spec.asset == asset.name)
        return hub.fetch_module(name)
    if asset.kind is Kind.DATASET_ARCHIVE and (asset.content or asset.hash is None):
        return fetch_folder(asset)
    return fetch(asset)


def cmd_fetch(args: argparse.Namespace) -> int:
    failures = 0
    for asset in _selected(args):
        try:
            path = obtain(asset)
            print(f"ok       {asset.name}: {path}")
        except AssetError as error:
            failures += 1
            print(f"FAILED   {asset.name}: {error}", file=sys.stderr)
    return 1 if failures else 0


def cmd_prepare(_: argparse.Namespace) -> int:
    """Every asset that can be had (a missing one is reported: the lessons fall back without it),
    then what the lessons derive from them: decoded CIFAR-10, EfficientNet-Lite0's converted Keras
    weights, and its TF Hub exports where the real modules are missing."""
    from .assets.fetch import AssetUnavailableError
    from .datasets.cifar10 import load_cifar10
    from .datasets.folders import cats_and_dogs, fruits360
    from .models import efficientnet_lite, hub, hub_lite0

    failures = 0
    for asset in ASSETS.values():
        try:
            print(f"ok       {asset.name}: {obtain(asset)}")
        except AssetUnavailableError as missing:
            print(f"missing  {asset.name}: {str(missing).splitlines()[0]} The lessons run without it.")
        except AssetError as error:
            failures += 1
            print(f"FAILED   {asset.name}: {error}", file=sys.stderr)
    steps = [("cifar10-arrays (decoded CIFAR-10)", lambda: load_cifar10().source),
             ("cats and dogs, unpacked", lambda: cats_and_dogs().source),
             ("Fruits-360, unpacked", lambda: fruits360(full=True).source),
             ("efficientnet_lite0 (converted Keras weights)", efficientnet_lite._cached_weights)]
    for name, spec in hub.SPECS.items():
        if hub.cached_module(spec.handle, hub.tfhub_cache_dir()) is None:  # the real module is not here
            steps.append((f"tfhub_lite0/{name} (Lite0 in TF Hub format)",
                          lambda spec=spec: hub_lite0.ensure_module(spec.kind, spec.handle)))
    for what, make in steps:
        try:
            print(f"ok       {what}: {make()}")
        except (AssetError, OSError) as error:
            failures += 1
            print(f"FAILED   {what}: {error}", file=sys.stderr)
    print(f"Cache ready: {cache_dir()}. Learners read it with COURSE_CACHE={cache_dir()}; cached "
          "features are added when a lesson runs with a cache it can write.")
    return 1 if failures else 0


def cmd_verify(_: argparse.Namespace) -> int:
    """Re-hash everything in the cache; repair what can be repaired; say what to fetch otherwise."""
    bad = 0
    for asset in ASSETS.values():
        state, good = verify_asset(asset)
        bad += not good
        print(f"{asset.name:58} {state}")
    from .datasets.cifar10 import verify_arrays

    arrays = verify_arrays()
    if arrays is not None:
        print(f"{'cifar10-arrays (decoded CIFAR-10)':58} {arrays[0]}")
        bad += not arrays[1]
    for what, state, good in derived_files():
        print(f"{what:58} {state}")
        bad += not good
    return 1 if bad else 0


def derived_files() -> list[tuple[str, str, bool]]:
    """What the course made itself in the cache: converted weights, cached features, hub exports."""
    from .models import efficientnet_lite, hub_lite0
    from .models.transfer import verify_cached_features

    found = []
    converted = efficientnet_lite.verify_converted()
    if converted is not None:
        found.append(("efficientnet_lite0 (converted Keras weights)", *converted))
    found += [(f"features/{name}", state, good) for name, state, good in verify_cached_features()]
    found += [(f"tfhub_lite0/{name} (Lite0 in TF Hub format)", state, good)
              for name, state, good in hub_lite0.verify_exports()]
    return found


def verify_asset(asset: Asset) -> tuple[str, bool]:
    """(What was found and done, whether it is good now) for one asset's file, copy where Keras
    looks, and unpacked folder. A file that fails is removed: it cannot be used."""
    states, good = [], True
    path = cached_path(asset)
    try:
        if path.exists():
            if matches(path, asset):
                states.append("ok")
            else:
                discard(path)
                states.append(f"CORRUPT (removed; run `python -m helpers fetch {asset.name}`)")
                good = False
        placed = keras_home() / asset.keras_path if asset.keras_path else None
        if placed is not None and placed.exists() and not matches(placed, asset):
            discard(placed, "KERAS_HOME")
            if path.exists():
                _install_for_keras(asset, path)
                states.append("copy in KERAS_HOME was damaged: replaced")
            else:
                states.append("copy in KERAS_HOME was damaged: removed")
        if asset.kind in (Kind.DATASET_ARCHIVE, Kind.HUB_MODULE):
            folder = verify_folder(asset)
            if folder is not None:
                states.append(f"unpacked: {folder[0]}")
                good = good and folder[1]
    except AssetError as error:
        states.append(f"NOT CHECKED ({str(error).splitlines()[0]})")
        good = False
    return "; ".join(states) or "missing", good


def cmd_mirror(args: argparse.Namespace) -> int:
    """Fetch the selected assets and copy them into DIR under their origin names."""
    target = args.dir.expanduser()
    if target.exists() and not target.is_dir():
        print(f"{target} is a file: the mirror is a folder. Name a folder (it is created if missing).",
              file=sys.stderr)
        return 2
    cache = cache_dir().resolve()
    if target.resolve() == cache or cache in target.resolve().parents:
        print(f"{target} is the course cache ({cache}) or inside it: a mirror is another folder, "
              "which learners' machines read through COURSE_MIRROR.", file=sys.stderr)
        return 2
    status = cmd_fetch(args)
    try:
        for asset in _selected(args):
            source = cached_path(asset)
            if source.exists():
                target.mkdir(parents=True, exist_ok=True)  # only once there is something to copy
                shutil.copyfile(source, target / asset.filename)
            elif asset.kind is Kind.HUB_MODULE or verified_folder(asset).exists():
                print(f"not copied: {asset.name} is kept unpacked (its archive has no pinned hash); "
                      f"put {asset.filename} from {asset.url} into {target} by hand.")
    except OSError as error:
        print(f"cannot write the mirror folder {target} ({error.strerror or error}): choose a folder you "
              "can write, with room for the files.", file=sys.stderr)
        return 1
    if target.is_dir():
        print(f"Mirror folder ready: export COURSE_MIRROR={target.resolve()}")
    return status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers", description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("list", help="list the registered assets").set_defaults(run=cmd_list)
    commands.add_parser("verify", help="re-hash the cached assets").set_defaults(run=cmd_verify)
    commands.add_parser("prepare", help="fill a cache for a classroom (what lessons derive included)"
                        ).set_defaults(run=cmd_prepare)
    for name, run, helptext in [("fetch", cmd_fetch, "get assets into the cache"),
                                ("mirror", cmd_mirror, "copy assets into a mirror folder")]:
        sub = commands.add_parser(name, help=helptext)
        if name == "mirror":
            sub.add_argument("dir", type=Path, help="the mirror folder to fill")
        sub.add_argument("names", nargs="*", metavar="NAME", help="asset names (see list)")
        sub.add_argument("--all", action="store_true", help="every registered asset")
        sub.set_defaults(run=run)
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
