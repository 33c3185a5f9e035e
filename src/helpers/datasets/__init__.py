"""Datasets for the lessons, loaded through the asset layer.

    cifar10    CIFAR-10 (lessons 01 and 03), from the origin tarball or the mirror's npz
    standin    the fast profile's generated stand-in, used only when no real copy is reachable
    folders    image-folder datasets (lessons 04 and 05): cats vs dogs, Fruits-360, tf.data loading
    photos     real photos that ship inside installed packages (lessons 02, 03, 06)
"""

from .cifar10 import ImageDataset, load_cifar10
from .folders import FolderDataset, cats_and_dogs, fruits360, image_datasets

__all__ = ["FolderDataset", "ImageDataset", "cats_and_dogs", "fruits360", "image_datasets",
           "load_cifar10"]
