"""Datasets for the lessons, loaded through the asset layer.

    cifar10    CIFAR-10 (lessons 01 and 03), from the origin tarball or the mirror's npz
    standin    the fast profile's generated stand-in, used only when no real copy is reachable
"""

from .cifar10 import ImageDataset, load_cifar10

__all__ = ["ImageDataset", "load_cifar10"]
