"""The 1,000 ImageNet classes, from the asset layer's verified class index, where Keras looks.

``keras.applications.*.decode_predictions`` reads ``imagenet_class_index.json`` from its own
``KERAS_HOME/models`` folder and downloads it when it is missing, which fails offline.
:func:`install_class_index` puts the verified copy there first, through Keras's public
``keras.utils.get_file`` (from a ``file://`` URL, with the md5 Keras pins), so the lessons'
``decode_predictions`` calls work unchanged, online or off.
"""

from __future__ import annotations

import contextlib
import functools
import io
import json
from pathlib import Path

import numpy as np

from ..assets.fetch import fetch
from ..assets.registry import get_asset

#: ImageNet class names (Keras's class index) for the claims the lessons check.
CAT_CLASSES = frozenset({"tabby", "tiger_cat", "Persian_cat", "Siamese_cat", "Egyptian_cat"})
COFFEE_CLASSES = frozenset({"espresso", "cup", "coffee_mug"})
#: Index ranges in the class index: the dog breeds (151-268) and the domestic cats (281-285).
DOG_INDICES = range(151, 269)
CAT_INDICES = range(281, 286)


@functools.cache
def install_class_index() -> Path:
    """Place the verified class index where Keras's ``decode_predictions`` reads it; its path."""
    import keras

    asset = get_asset("imagenet_class_index")
    verified = fetch(asset)
    with contextlib.redirect_stdout(io.StringIO()):  # not "Downloading data from file://..." (a local copy)
        return Path(keras.utils.get_file(asset.filename, origin=verified.as_uri(), cache_subdir="models",
                                         file_hash=asset.digest))


@functools.cache
def class_index() -> tuple[tuple[str, str], ...]:
    """The 1,000 classes as (WordNet id, name), by index."""
    index = json.loads(fetch("imagenet_class_index").read_text())
    return tuple(tuple(index[str(i)]) for i in range(1000))


def decode_predictions(probabilities: np.ndarray, top: int = 5) -> list[list[tuple[str, str, float]]]:
    """Keras's ``decode_predictions`` for any 1,000-class ImageNet output, offline or online."""
    import keras

    install_class_index()
    return keras.applications.imagenet_utils.decode_predictions(np.asarray(probabilities), top=top)
