"""The registry's origins and hashes agree with the installed Keras, so a wrong URL cannot slip in.

Keras downloads its weights and class index itself (``keras.utils.get_file``); the asset layer
places verified copies where Keras looks. For that to work online and offline, every origin URL
in the registry must be the one Keras builds, and every hash Keras pins must be the registry's.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re

import pytest

from helpers.assets.registry import ASSETS, Kind

keras_apps = pytest.importorskip("keras.src.applications")
APP_MODULES = [importlib.import_module(f"keras.src.applications.{m.name}")
               for m in pkgutil.iter_modules(keras_apps.__path__) if not m.name.endswith("_test")]
WEIGHTS = [a for a in ASSETS.values() if a.kind is Kind.KERAS_WEIGHTS]


def url_constants(module) -> set[str]:
    """The https URLs a Keras module defines at its top level."""
    return {v for v in vars(module).values() if isinstance(v, str) and v.startswith("https://")}


def keras_builds(url: str, module, filename: str) -> bool:
    """True if ``module`` has ``url`` as a constant, or a base URL that ``filename`` completes."""
    constants = url_constants(module)
    return url in constants or any(base.endswith("/") and base + filename == url for base in constants)


def test_the_class_index_comes_from_where_keras_downloads_it():
    from keras.src.applications import imagenet_utils

    asset = ASSETS["imagenet_class_index"]
    assert asset.url == imagenet_utils.CLASS_INDEX_PATH
    assert asset.digest in inspect.getsource(imagenet_utils)  # Keras's file_hash
    assert any(h.startswith("sha256:") for h in asset.hashes)


@pytest.mark.parametrize("asset", WEIGHTS, ids=lambda a: a.name)
def test_each_weight_file_has_the_url_and_hash_keras_uses(asset):
    builders = [m for m in APP_MODULES if keras_builds(asset.url, m, asset.filename)]
    assert builders, f"no keras.applications module builds {asset.url}"
    source = inspect.getsource(builders[0])
    keras_pins = re.findall(r"\b[0-9a-f]{32}\b", source)
    if keras_pins:  # Keras pins MD5s for this module's files: ours must be one of them
        assert asset.algorithm == "md5" and asset.digest in keras_pins
    # Keras saves a file under its URL's name, or under a name its get_file call spells out (NASNet).
    keras_name = asset.keras_path.removeprefix("models/")
    assert asset.keras_path.startswith("models/")
    assert keras_name == asset.filename or f'"{keras_name}"' in source


def test_a_wrong_origin_would_be_caught():
    vgg16 = importlib.import_module("keras.src.applications.vgg16")
    wrong = "https://storage.googleapis.com/tensorflow/keras-applications/imagenet_class_index.json"
    assert not any(keras_builds(wrong, m, "imagenet_class_index.json") for m in APP_MODULES)
    assert keras_builds(vgg16.WEIGHTS_PATH, vgg16, "ignored")
