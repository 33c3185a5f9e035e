"""environment.yml (conda) and pyproject.toml (pip) install the same packages."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _split(requirement: str) -> tuple[str, str]:
    name, spec = re.match(r"([A-Za-z0-9_.\-]+)\s*(.*)", requirement.split("#")[0].strip()).groups()
    return name.lower(), spec.replace(" ", "")


def pip_requirements() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    return dict(_split(r) for r in project["dependencies"] + extras["course"] + extras["test"])


def conda_requirements() -> dict[str, str]:
    deps = yaml.safe_load((ROOT / "environment.yml").read_text())["dependencies"]
    conda = dict(_split(d) for d in deps if isinstance(d, str))
    pip_only = next(d["pip"] for d in deps if isinstance(d, dict))  # PyPI-only packages, and the course
    conda.update(_split(d) for d in pip_only if not d.startswith("-e"))
    del conda["python"], conda["pip"]
    return conda


def test_conda_and_pip_install_the_same_set():
    assert conda_requirements() == pip_requirements()


def test_the_design_card_packages_are_all_there():
    needed = {"tensorflow", "jupyterlab", "matplotlib", "seaborn", "scikit-learn", "nbval", "pandas"}
    assert needed <= set(pip_requirements())
