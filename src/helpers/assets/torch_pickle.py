"""Read a PyTorch state dict (the legacy, pre-1.6 ``.pth`` format) into NumPy, without PyTorch.

Such a file is five pickles in a row (a magic number, the protocol version, system info, the
state dict whose tensors point at storages by key, the list of storage keys), then each storage's
raw little-endian bytes behind an 8-byte element count. Unpickling can run any code a file names,
so every pickle here goes through :class:`StateDictUnpickler`, which allows exactly the globals a
state dict of float and integer tensors needs and refuses everything else before it runs.
"""

from __future__ import annotations

import pickle
import struct
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

_MAGIC = 0x1950A86A20F9469CFC6C
_DTYPES = {"FloatStorage": np.float32, "LongStorage": np.int64, "IntStorage": np.int32,
           "DoubleStorage": np.float64, "HalfStorage": np.float16}


class UnsafePickleError(pickle.UnpicklingError):
    """A pickle asked for something a plain state dict never needs (it was not run)."""


@dataclass(frozen=True)
class _Storage:
    dtype: type


@dataclass(frozen=True)
class _TensorRef:
    key: str
    dtype: type
    offset: int
    shape: tuple[int, ...]
    stride: tuple[int, ...]


def _rebuild_tensor_v2(storage, offset, shape, stride, requires_grad=False, hooks=None, *rest):
    key, dtype = storage
    return _TensorRef(key, dtype, offset, tuple(shape), tuple(stride))


class StateDictUnpickler(pickle.Unpickler):
    """An unpickler that knows ordered dicts, tensor rebuilding and storages, and nothing else."""

    def find_class(self, module: str, name: str):
        if (module, name) == ("collections", "OrderedDict"):
            return OrderedDict
        if (module, name) == ("torch._utils", "_rebuild_tensor_v2"):
            return _rebuild_tensor_v2
        if module == "torch" and name in _DTYPES:
            return _Storage(_DTYPES[name])
        raise UnsafePickleError(f"refused {module}.{name}: a state dict of tensors never needs it, "
                                "so this file is not a plain PyTorch weight file")

    def persistent_load(self, pid):
        kind, storage, key, _location, _size, *view = pid
        if kind != "storage" or not isinstance(storage, _Storage) or (view and view[0] is not None):
            raise UnsafePickleError(f"unexpected persistent id {pid!r}")
        return key, storage.dtype


def read_state_dict(path: str | Path) -> dict[str, np.ndarray]:
    """The tensors of a legacy-format PyTorch state dict, by name, as NumPy arrays."""
    with open(path, "rb") as f:
        load = lambda: StateDictUnpickler(f).load()  # noqa: E731
        if load() != _MAGIC:
            raise ValueError(f"{path} is not a legacy PyTorch file (wrong magic number); it may use "
                             "the zip format of PyTorch 1.6+, which this reader does not handle")
        load()  # protocol version
        load()  # system info (byte order, sizes)
        tensors = load()
        keys = load()
        dtypes = {t.key: t.dtype for t in tensors.values()}
        storages = {}
        for key in keys:
            dtype = dtypes[key]
            (count,) = struct.unpack("<q", f.read(8))
            data = f.read(count * np.dtype(dtype).itemsize)
            if len(data) != count * np.dtype(dtype).itemsize:
                raise ValueError(f"{path} is truncated: storage {key} is cut short")
            storages[key] = np.frombuffer(data, dtype=dtype)
    return {name: _materialise(ref, storages) for name, ref in tensors.items()}


def _materialise(ref: _TensorRef, storages: dict[str, np.ndarray]) -> np.ndarray:
    storage = storages[ref.key]
    itemsize = storage.itemsize
    view = np.lib.stride_tricks.as_strided(storage[ref.offset:], shape=ref.shape,
                                           strides=[s * itemsize for s in ref.stride])
    return np.array(view)  # a contiguous copy that owns its memory
