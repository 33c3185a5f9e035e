"""The asset layer: every external file the course uses, obtained and verified one way.

    registry   every external file: origin URL (or mirror-only), pinned hash, kind
    fetch      cache -> mirror -> origin, verified and atomic; placement where Keras looks
    archives   safe, atomic zip/tar extraction, within size, ratio, entry and depth limits
    content    archives verified by what they unpack to (digest tables) or by their layout
    integrity  the record of an unpacked folder's files, checked on every use
    structure  files without a published hash must open: Keras HDF5 weights, SavedModels
    storage    staging folders, shared permissions, stale leftovers, clear write errors
    errors     the asset layer's exceptions
"""

from .fetch import AssetError, AssetUnavailableError, ChecksumMismatchError, fetch
from .registry import ASSETS, Asset, Kind, get_asset

__all__ = ["ASSETS", "Asset", "AssetError", "AssetUnavailableError", "ChecksumMismatchError",
           "Kind", "fetch", "get_asset"]
