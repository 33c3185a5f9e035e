"""The asset layer's errors: each says what is wrong and what to do."""

from __future__ import annotations


class AssetError(Exception):
    """Base class: something is wrong with an external file the course needs."""


class AssetUnavailableError(AssetError):
    """The asset is in no cache or mirror, and its origin could not be reached.

    ``reason`` is the short why, for one-line notices (e.g. "COURSE_OFFLINE is set, so the origin
    was not contacted"); empty when there is none beyond "not on this machine".
    """

    def __init__(self, message: str, reason: str = "") -> None:
        super().__init__(message)
        self.reason = reason


class ChecksumMismatchError(AssetError):
    """A copy was found but its hash does not match the registry (corrupt or truncated)."""


class ContentMismatchError(ChecksumMismatchError):
    """An archive unpacked to files that are not the pinned dataset (or not the expected layout)."""


class CacheWriteError(AssetError):
    """A cache folder cannot be written: read-only, another account's, or a full disk."""


class SettingError(AssetError, ValueError):
    """An environment variable of the course holds a value it does not understand."""
