"""The learner's origin, rehearsed: the files learners download, built here, served on 127.0.0.1.

Learners are online: their lessons download the source labs' own weights (VGG16, ResNet50,
InceptionV3, MobileNetV2, EfficientNetB0, NASNetMobile), TF Hub's EfficientNet-B0 modules and the
full datasets from their origins. None of that can be had on the course's machines, so
:func:`build_origin` makes files of the same formats: Keras Applications weight files (legacy
HDF5) written from randomly initialised models, the two hub modules as TF Hub's compressed
SavedModels (the same random EfficientNet-B0 as the Keras file, so the lesson's "two formats
agree" check still means something), and small real samples of the datasets (cut from the
mirror's copies). :class:`Origin` serves them under their origin URLs' paths, and
:meth:`Origin.prelude` is the code a rehearsal runs first in the notebook's kernel: it points the
registry's URLs and hashes, and Keras's own hash check, at these files. Nothing in the package
changes for it.

Accuracies on these files mean nothing; whether every line of the learner's path runs does.
"""

from __future__ import annotations

import functools
import hashlib
import json
import tarfile
import threading
import zipfile
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

#: The networks the lessons construct with their ImageNet weights on the learner's path:
#: (course name, include_top). tests/test_online_rehearsal.py checks each is requested.
KERAS_FILES = [("vgg16", True), ("resnet50", True), ("resnet50", False), ("inception_v3", True),
               ("mobilenet_v2", True), ("mobilenet_v2", False), ("efficientnet_b0", True),
               ("nasnet_mobile", False)]
HUB_ASSETS = {"classification": "efficientnet_b0_classification_1",
              "feature_vector": "efficientnet_b0_feature_vector_1"}
#: Small real samples of the datasets: photos per class (train or Training, validation or Test).
PETS_PER_CLASS = {"train": 40, "validation": 48}
FRUITS_PER_CLASS = {"Training": 20, "Test": 12}


@dataclass
class Origin:
    """The built files (URL path -> file) and the registry changes that point at them."""

    root: Path
    assets: dict[str, dict] = field(default_factory=dict)   # registry name -> fields to replace
    keras_hashes: dict[str, str] = field(default_factory=dict)  # Keras's pinned md5 -> the built file's
    base_url: str = ""
    requests: list[tuple[str, int]] = field(default_factory=list)  # (path, status) as served

    def add(self, asset, path: Path, pin: bool = True) -> None:
        """Serve ``path`` where ``asset``'s origin URL points, and pin its hashes if ``pin``."""
        where = urlsplit(asset.url)
        served = self.root / where.netloc / where.path.lstrip("/")
        served.parent.mkdir(parents=True, exist_ok=True)
        path.replace(served)
        change: dict = {"url": f"/{where.netloc}{where.path}" + (f"?{where.query}" if where.query else ""),
                        "size": served.stat().st_size}
        if pin:
            md5, sha256 = (_digest(served, a) for a in ("md5", "sha256"))
            change.update(hash=f"{asset.algorithm if asset.hash else 'sha256'}:"
                               f"{md5 if asset.algorithm == 'md5' else sha256}",
                          extra_hashes=(), content=None)
            if asset.algorithm == "md5":
                self.keras_hashes[asset.digest] = md5
        self.assets[asset.name] = change

    def plan(self) -> dict:
        """What the kernel prelude applies: absolute URLs on this server."""
        return {"assets": {name: {**change, "url": self.base_url + change["url"]}
                           for name, change in self.assets.items()},
                "keras_hashes": self.keras_hashes}


def _digest(path: Path, algorithm: str) -> str:
    digest = hashlib.new(algorithm)
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def build_origin(root: Path, mirror: Path, work: Path, pets: dict[str, int] | None = PETS_PER_CLASS,
                 fruits: dict[str, int] | None = FRUITS_PER_CLASS) -> Origin:
    """Every file the learner's path downloads, in its origin's format; see the module docstring.

    ``pets``, ``fruits``: photos per class of each split in the dataset samples (None: every
    photo of the mirror's copy, for ``benchmarks/online_full_profile.py``).
    """
    import keras
    from keras.src.legacy.saving import legacy_h5_format
    import h5py

    from helpers.assets.registry import get_asset
    from helpers.models import pretrained as pt

    origin = Origin(root)
    work.mkdir(parents=True, exist_ok=True)
    built = {}
    for name, top in KERAS_FILES:
        keras.utils.set_random_seed(0)
        spec = pt.SPECS[name]
        shape = None if top else (spec.input_size, spec.input_size, 3)
        model = spec.builder(weights=None, include_top=top, input_shape=shape)
        asset = pt.weights_asset(name, top)
        path = work / asset.filename
        with h5py.File(path, "w") as f:
            legacy_h5_format.save_weights_to_hdf5_group(f, model)
        origin.add(asset, path, pin=asset.hash is not None)  # MobileNetV2's: structure-checked, as for real
        built[(name, top)] = model
    _add_hub_modules(origin, built[("efficientnet_b0", True)], work)
    for name in ("imagenet_class_index",):  # the real file, from the mirror
        copy = work / get_asset(name).filename
        copy.write_bytes((mirror / copy.name).read_bytes())
        origin.add(get_asset(name), copy, pin=False)
    origin.add(get_asset("cats_and_dogs_filtered"),
               _sample_zip(mirror / "cats_and_dogs_filtered.zip", work / "cats_and_dogs_filtered.zip", pets))
    # Online, lessons 03 and 05 download the 120-class archive; here its 8-class sample stands for it.
    origin.add(get_asset("fruits360"),
               _sample_zip(mirror / "fruits-360-subset.zip", work / "fruits360.zip", fruits),
               pin=False)
    return origin


def _add_hub_modules(origin: Origin, classifier, work: Path) -> None:
    """The two TF Hub EfficientNet-B0 modules, compressed as tfhub.dev serves them."""
    import keras

    from helpers.assets.registry import get_asset
    from helpers.models.hub_lite0 import export_hub_format

    logits = keras.applications.EfficientNetB0(weights=None, classifier_activation=None)
    logits.set_weights(classifier.get_weights())
    features = keras.applications.EfficientNetB0(weights=None, include_top=False, pooling="avg")
    for layer, same in zip(features.layers, classifier.layers):  # the same layers, in the same order
        layer.set_weights(same.get_weights())
    for kind, network in (("classification", logits), ("feature_vector", features)):
        folder = export_hub_format(network, work / f"hub_{kind}", name=f"efficientnet_b0_{kind}")
        asset = get_asset(HUB_ASSETS[kind])
        archive = work / asset.filename
        with tarfile.open(archive, "w:gz") as tar:
            for item in sorted(folder.iterdir()):
                tar.add(item, arcname=item.name)
        origin.add(asset, archive, pin=False)  # nobody publishes a hash for hub modules


def _sample_zip(source: Path, dest: Path, per_class: dict[str, int] | None) -> Path:
    """The first photos of each class of each split of ``source``, stored in a zip at ``dest``
    (``per_class`` None: all of them)."""
    if per_class is None:
        dest.write_bytes(source.read_bytes())
        return dest
    taken: dict[tuple[str, str], int] = {}
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(dest, "w") as out:
        for info in src.infolist():
            parts = info.filename.split("/")
            if info.is_dir() or len(parts) < 3 or parts[-3] not in per_class:
                if not info.is_dir() and len(parts) >= 3 and "licen" in info.filename.lower():
                    out.writestr(info, src.read(info))
                continue
            key = (parts[-3], parts[-2])
            if taken.get(key, 0) < per_class[parts[-3]]:
                taken[key] = taken.get(key, 0) + 1
                out.writestr(info, src.read(info))
    if not taken:
        raise ValueError(f"no <split>/<class>/<photo> members in {source}")
    return dest


class _Handler(SimpleHTTPRequestHandler):
    origin: Origin

    def log_request(self, code="-", size="-"):  # noqa: D102 (http.server's hook)
        self.origin.requests.append((self.path, int(code) if str(code).isdigit() else 0))

    def log_message(self, *args):
        pass


def serve(origin: Origin):
    """Serve ``origin.root`` on 127.0.0.1 (a thread); sets ``origin.base_url``; returns the server."""
    handler = type("Handler", (_Handler,), {"origin": origin})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(origin.root)))
    origin.base_url = f"http://127.0.0.1:{httpd.server_address[1]}"
    threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return httpd


PRELUDE = """\
# The online rehearsal's first cell (tests/online_origin.py): not part of the lesson.
import ast as _ast, builtins as _builtins, dataclasses as _dataclasses, json as _json
_plan = _json.loads({plan!r})
from helpers import profiles as _profiles, substitution as _substitution
from helpers.assets import registry as _registry
for _name, _change in _plan["assets"].items():  # the origin on 127.0.0.1, its files' hashes
    _change = {{k: tuple(v) if isinstance(v, list) else v for k, v in _change.items()}}
    _registry.ASSETS[_name] = _dataclasses.replace(_registry.ASSETS[_name], **_change)
from keras.src.utils import file_utils as _file_utils
_validate = _file_utils.validate_file
def _validate_file(fpath, file_hash, *args, **kwargs):  # Keras's own check, pointed at the built files
    return _validate(fpath, _plan["keras_hashes"].get(file_hash, file_hash), *args, **kwargs)
_file_utils.validate_file = _validate_file
for _lesson, _change in _plan["settings"].items():
    _profiles.LESSONS[_lesson]["fast"] = _dataclasses.replace(_profiles.LESSONS[_lesson]["fast"], **_change)

_unchecked = []
def _keep(kind, statement):
    _unchecked.append({{"kind": kind, "statement": statement}})
    with open(_plan["unchecked"], "w") as _f:
        _json.dump(_unchecked, _f)
def _rehearsal_assert(holds, message, source):  # an assert that failed is kept, not raised
    if not holds:
        _keep("assert", source)
        print(f"not checked: random weights ({{source}})")
def _claim(ran, holds, statement):
    if not holds:
        _keep("claim", statement)
        print(f"not checked: random weights ({{ran.label}}: {{statement}})")
        return False
    print(f"checked ({{ran.label}}): {{statement}}")
    return True
_builtins._rehearsal_assert = _rehearsal_assert
_substitution.claim = _claim

class _Asserts(_ast.NodeTransformer):
    def visit_Assert(self, node):
        call = _ast.Call(_ast.Name("_rehearsal_assert", _ast.Load()),
                         [node.test, _ast.Constant(None), _ast.Constant(_ast.unparse(node.test))], [])
        return _ast.copy_location(_ast.Expr(call), node)
get_ipython().ast_transformers.append(_Asserts())
"""


def prelude(origin: Origin, settings: dict, unchecked: Path) -> str:
    """The rehearsal's first cell for a kernel: ``settings`` (lesson -> fields of its fast
    profile to change), and where failed asserts and claims are written."""
    plan = {**origin.plan(), "settings": settings, "unchecked": str(unchecked)}
    return PRELUDE.format(plan=json.dumps(plan, default=list))
