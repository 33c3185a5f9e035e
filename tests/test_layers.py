"""The package's layers, as CONTRIBUTING.md writes them down: no module imports a higher layer,
and no import cycle exists inside ``helpers`` (imports inside functions count too)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "helpers"

#: Lowest first. A module may import its own layer and the ones before it, never a later one.
LAYERS = [
    {"quiet_start", "profiles", "display", "report", "substitution"},  # no course knowledge
    {"assets"},                                                 # registry, fetch, archives, content
    {"images", "pipelines", "datasets"},                        # data, verified
    {"models", "plotting"},                         # networks and what they need
    {"exercises"},                                              # checks behind the lessons
    {"cli", "__main__", "__init__"},                            # entry points
]


def layer_of(module: str) -> int:
    top = module.split(".")[1] if "." in module else "__init__"
    return next(i for i, names in enumerate(LAYERS) if top in names)


def module_name(path: Path, package: Path) -> str:
    parts = path.relative_to(package.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" and len(parts) > 1 else parts)


def imports_of(path: Path, package: Path) -> set[str]:
    """The ``helpers`` modules a file imports, absolute or relative, at any depth of its code."""
    name = module_name(path, package)
    here = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == package.name}
        elif isinstance(node, ast.ImportFrom):
            base = here[:len(here) - node.level + 1] if node.level else []
            target = ".".join(base + ([node.module] if node.module else []))
            if target.split(".")[0] == package.name:  # a submodule by name, else the module itself
                found |= {f"{target}.{a.name}" if _exists(f"{target}.{a.name}", package) else target
                          for a in node.names}
    return {m for m in found if _exists(m, package)} - {name}


def _exists(module: str, package: Path) -> bool:
    path = package.parent.joinpath(*module.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def graph(package: Path) -> dict[str, set[str]]:
    return {module_name(p, package): imports_of(p, package) for p in sorted(package.rglob("*.py"))}


def upward_imports(package: Path) -> list[str]:
    return [f"{a} (layer {layer_of(a)}) imports {b} (layer {layer_of(b)})"
            for a, targets in graph(package).items() for b in sorted(targets)
            if a != package.name and layer_of(b) > layer_of(a)]


def cycles(package: Path) -> list[list[str]]:
    """Import cycles between modules (a package's ``__init__`` re-exporting its children excluded)."""
    edges = {a: {b for b in bs if not a.startswith(b + ".")} for a, bs in graph(package).items()}
    found, state = [], {}

    def visit(node, stack):
        state[node] = "open"
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == "open":
                found.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt, stack + [nxt])
        state[node] = "done"

    for start in sorted(edges):
        if start not in state:
            visit(start, [start])
    return found


def test_no_module_imports_a_higher_layer():
    assert upward_imports(PACKAGE) == []


def test_there_is_no_import_cycle_inside_helpers():
    assert cycles(PACKAGE) == []


def test_the_check_catches_an_upward_import_and_a_cycle(tmp_path):
    package = tmp_path / "helpers"
    for folder in ("assets", "models"):
        (package / folder).mkdir(parents=True)
        (package / folder / "__init__.py").write_text("")
    (package / "__init__.py").write_text("")
    (package / "assets" / "fetch.py").write_text("def f():\n    from ..models.hub import x\n")
    (package / "models" / "hub.py").write_text("from . import hub_extra\n")
    (package / "models" / "hub_extra.py").write_text("from .hub import y\n")
    assert upward_imports(package) == ["helpers.assets.fetch (layer 1) imports helpers.models.hub (layer 3)"]
    assert cycles(package) == [["helpers.models.hub", "helpers.models.hub_extra", "helpers.models.hub"]]


@pytest.mark.parametrize("module", ["helpers.assets.fetch", "helpers.models.hub", "helpers.exercises.lesson02"])
def test_every_known_module_has_a_layer(module):
    assert 0 <= layer_of(module) < len(LAYERS)
