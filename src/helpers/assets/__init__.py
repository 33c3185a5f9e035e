"""The asset layer: every external file the course uses, obtained and verified one way.

    registry   every external file: origin URL (or mirror-only), pinned hash, kind
    fetch      cache -> mirror -> origin, verified and atomic; placement where Keras looks
    archives   safe, atomic zip/tar extraction
    content    archives verified by what they unpack to (digest tables) or by their layout
"""

from .fetch import AssetError, AssetUnavailableError, ChecksumMismatchError, fetch
from .registry import ASSETS, Asset, Kind, get_asset

__all__ = ["ASSETS", "Asset", "AssetError", "AssetUnavailableError", "ChecksumMismatchError",
           "Kind", "fetch", "get_asset"]
