"""Structure checks for files nobody publishes a hash for: they must prove they open.

    keras_h5_problem        a Keras weight file (``.h5``): every layer group it lists is there, and
                            every weight in it can be read
    check_saved_model_loads a TF Hub module: TensorFlow loads the SavedModel (in a subprocess, with a
                            timeout, so a hostile or broken file cannot hang or crash the caller)
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from .errors import ContentMismatchError

#: Seconds a SavedModel may take to load in the check (TensorFlow's import included).
SAVED_MODEL_LOAD_TIMEOUT_S = 900
_LOAD = "import sys, tensorflow as tf; tf.saved_model.load(sys.argv[1])"
_HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"


def keras_h5_problem(path: Path) -> str | None:
    """Why ``path`` is not a Keras HDF5 weight file (as ``keras.applications`` ships), or None if it is.

    The file must open with h5py, list its layers (``layer_names``), hold a group for each, and
    every weight a group lists (``weight_names``) must be a dataset that can be read in full.
    """
    import h5py

    with open(path, "rb") as f:
        if f.read(len(_HDF5_SIGNATURE)) != _HDF5_SIGNATURE:
            return "not an HDF5 file"
    try:
        with h5py.File(path, "r") as f:
            root = f["model_weights"] if "model_weights" in f else f  # a whole-model save
            layers = _keras_list(root.attrs, "layer_names")
            if not layers:
                return "an HDF5 file, but not Keras weights: it lists no layer groups (layer_names)"
            for layer in layers:
                if layer not in root:
                    return f"a Keras HDF5 file whose layer group {layer!r} is missing"
                for weight in _keras_list(root[layer].attrs, "weight_names"):
                    if weight not in root[layer]:
                        return f"a Keras HDF5 file whose weight {layer}/{weight} is missing"
                    root[layer][weight][()]  # reading it proves the bytes are there
    except Exception as error:  # h5py raises OSError, KeyError, ValueError... for damaged files
        return f"not a readable Keras HDF5 weight file ({type(error).__name__}: {error})"
    return None


def _keras_list(attrs, name: str) -> list[str]:
    """A list attribute as Keras writes it: whole, or split into ``name0``, ``name1``... when large."""
    if name in attrs:
        values = list(attrs[name])
    else:
        values, i = [], 0
        while f"{name}{i}" in attrs:
            values += list(attrs[f"{name}{i}"])
            i += 1
    return [v.decode("utf8") if isinstance(v, bytes) else str(v) for v in values]


def saved_model_root(folder: Path) -> Path:
    """The SavedModel inside an unpacked module: the folder, or its only sub-folder if it wraps one."""
    folder = Path(folder)
    entries = [p for p in folder.iterdir() if not p.name.startswith(".content-verified")]
    if not (folder / "saved_model.pb").exists() and len(entries) == 1 and entries[0].is_dir():
        return entries[0]
    return folder


def saved_model_files(folder: Path) -> str:
    """Layout check of an unpacked hub module: ``saved_model.pb`` and ``variables/variables.index``.

    Raises:
        ContentMismatchError: either is missing.
    """
    root = saved_model_root(folder)
    missing = [name for name in ("saved_model.pb", "variables/variables.index") if not (root / name).is_file()]
    if missing:
        raise ContentMismatchError(
            f"{root} is not a TF2 SavedModel (no {' and no '.join(missing)}). Nothing was kept. What "
            "to do: the mirror must hold the compressed module (a tar.gz of a SavedModel), not a web "
            "page or a TF1 module; delete the bad copy and fetch it again on a connected machine.")
    return f"a SavedModel ({root.name})"


def check_saved_model_loads(folder: Path, source: str = "the module",
                            timeout: float | None = None) -> None:
    """Load the SavedModel in ``folder`` with TensorFlow, in a subprocess with a timeout.

    Raises:
        ContentMismatchError: it does not load (or not within the timeout), naming ``source``.
    """
    root = saved_model_root(folder)
    timeout = SAVED_MODEL_LOAD_TIMEOUT_S if timeout is None else timeout
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="-1")
    what_to_do = (f"Nothing was kept. What to do: delete {source} (a damaged or different file) and "
                  "fetch the module again on a connected machine, or ask for a good mirror copy.")
    try:
        run = subprocess.run([sys.executable, "-c", _LOAD, str(root)], capture_output=True, text=True,
                             timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        raise ContentMismatchError(f"{source} holds a SavedModel that TensorFlow did not finish loading "
                                   f"within {timeout:.0f} s. {what_to_do}") from None
    if run.returncode != 0:
        lines = [line for line in run.stderr.strip().splitlines() if line.strip()]
        raise ContentMismatchError(f"{source} holds a saved_model.pb, but TensorFlow cannot load it as a "
                                   f"SavedModel ({lines[-1] if lines else f'exit code {run.returncode}'}). "
                                   f"{what_to_do}")
