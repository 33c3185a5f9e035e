"""Real photos that ship inside packages the course installs (no download): lessons 02, 03, 06.

Sources and licences: ``data/README.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path


@dataclass(frozen=True)
class Photo:
    name: str
    package: str
    resource: str  # path inside the package
    what: str


PHOTOS: dict[str, Photo] = {p.name: p for p in [
    Photo("cat", "skimage", "data/chelsea.png", "Chelsea, a tabby cat (scikit-image, CC0)"),
    Photo("coffee", "skimage", "data/coffee.png", "a cup of coffee (scikit-image, CC0)"),
    Photo("rocket", "skimage", "data/rocket.jpg", "a Falcon 9 on its pad (scikit-image, public domain)"),
    Photo("astronaut", "skimage", "data/astronaut.png", "astronaut Eileen Collins (scikit-image, public domain)"),
    Photo("motorcycle", "skimage", "data/motorcycle_left.png", "a motorcycle in a room (scikit-image, Middlebury stereo)"),
    Photo("grace_hopper", "matplotlib", "mpl-data/sample_data/grace_hopper.jpg",
          "Rear Admiral Grace Hopper in uniform (matplotlib, public domain)"),
    Photo("china", "sklearn", "datasets/images/china.jpg", "a temple in China (scikit-learn, CC BY 2.0)"),
    Photo("flower", "sklearn", "datasets/images/flower.jpg", "a flower (scikit-learn, CC BY 2.0)"),
]}



def photo_path(name: str) -> Path:
    """The file of one of :data:`PHOTOS` inside its installed package."""
    try:
        photo = PHOTOS[name]
    except KeyError:
        raise KeyError(f"No photo {name!r}; known: {', '.join(PHOTOS)}") from None
    path = Path(str(resources.files(photo.package).joinpath(photo.resource)))
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: is {photo.package} installed (pip install -e '.[course]')?")
    return path
