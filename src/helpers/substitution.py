"""What ran in place of what the source lesson uses: the course's one spelling of it.

The source labs use networks, hub modules and datasets this machine may not have. Where one is
missing, the course runs something else in its place and says so:

* a **substitute** is real: EfficientNet-Lite0's ImageNet weights in place of ResNet50's, or
  Lite0 exported in TF Hub format in place of the EfficientNet-B0 module. Every claim a lesson
  asserts is asserted for it, the network that ran.
* a **stand-in** is not the real thing: generated coloured shapes in place of CIFAR-10 (fast
  profile only, when no copy of CIFAR-10 can be had). Its numbers say nothing about CIFAR-10.

Every object that can differ from the source's (``Pretrained``, ``HubModule``, ``ImageDataset``)
carries the answer in one field, ``stands_in_for``: ``None`` when the source's own ran, else the
name of what it replaces; and a ``label`` built by :func:`label`. Which one runs is decided
where it is loaded (``models.pretrained.which_network``, ``models.hub.load_module``,
``datasets.cifar10.load_cifar10``); each prints one line through :func:`announce`.
"""

from __future__ import annotations

from typing import Protocol


class Substitutable(Protocol):
    """Anything that may run in place of the source lesson's own."""

    stands_in_for: str | None

    @property
    def label(self) -> str: ...


def label(ran: str, stands_in_for: str | None) -> str:
    """``ran``'s name, and what it replaces, if anything: "EfficientNet-Lite0 (in place of ResNet50)"."""
    return f"{ran} (in place of {stands_in_for})" if stands_in_for else ran


def announce(kind: str, ran: str, how: str, stands_in_for: str | None = None, why: str = "") -> str:
    """Print (and return) the one line that says which ``kind`` ("Network", "Module", "Data") ran.

    >>> _ = announce("Network", "VGG16", "its own ImageNet weights (verified copy)")
    Network: VGG16, its own ImageNet weights (verified copy).
    >>> _ = announce("Network", "EfficientNet-Lite0", "real ImageNet weights", "VGG16", "offline")
    Network: EfficientNet-Lite0 (real ImageNet weights) in place of VGG16 (offline).
    """
    if stands_in_for is None:
        line = f"{kind}: {ran}, {how}."
    else:
        line = f"{kind}: {ran} ({how}) in place of {stands_in_for}{f' ({why})' if why else ''}."
    print(line)
    return line


def claim(ran: Substitutable, holds: bool, statement: str) -> bool:
    """Assert ``statement`` about what ran (``ran.label`` names it) and print that it was checked."""
    assert holds, f"{ran.label}: expected {statement}"
    print(f"checked ({ran.label}): {statement}")
    return True
