"""The import graph of `searchkit/`, read from the source with `ast`, so an import inside a
function (or under TYPE_CHECKING) counts as much as one at the top of a module: no cycle
between modules, and no module imports a layer above its own.

Layers, lowest first (docs/architecture.md): text ← indexing ← searching ← backends ←
engine ← web, cli. The stores sit below the engine because the engine holds one (it picks
it by URL scheme through `searchkit.backends`); a store never imports the engine. Modules
outside the layers (`errors`, `models`, `fields`, `render`, the package itself) are shared
by all; they import nothing from a layer.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "searchkit"
#: Per layer, the packages and modules of searchkit it must not import.
FORBIDDEN = {
    "text": ("indexing", "searching", "engine", "backends", "web", "cli"),
    "indexing": ("searching", "engine", "backends", "web", "cli"),
}


def imported_modules(path: Path, root: Path) -> set[str]:
    """The absolute names of the modules a source file under `root` (the folder holding the
    package) imports anywhere in it; `from searchkit import engine` counts as `searchkit.engine`."""
    package = ".".join(path.relative_to(root).with_suffix("").parts[:-1])
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from the package the file is in, up level - 1
                parent = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join(parent + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def violations(layer: str, package: Path = PACKAGE) -> list[str]:
    forbidden = tuple(f"searchkit.{name}" for name in FORBIDDEN[layer])
    return [f"{path.relative_to(package.parent).as_posix()} imports {name}"
            for path in sorted((package / layer).rglob("*.py"))
            for name in sorted(imported_modules(path, package.parent))
            if name in forbidden or name.startswith(tuple(f"{f}." for f in forbidden))]


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_a_lower_layer_imports_nothing_from_above(layer):
    assert (PACKAGE / layer).is_dir()
    assert violations(layer) == []


def test_the_check_sees_imports_inside_functions_and_relative_ones(tmp_path):
    """The check itself: a text module that imports the searching layer late, relatively or
    as a name of the package is caught (the check could otherwise pass on anything)."""
    fake = tmp_path / "searchkit"
    (fake / "text").mkdir(parents=True)
    (fake / "text" / "late.py").write_text(
        "def restore(text):\n    from searchkit.searching.accents import restore\n    return restore(text)\n")
    (fake / "text" / "relative.py").write_text("from ..engine import SearchEngine\n")
    (fake / "text" / "named.py").write_text("from searchkit import cli\n")
    (fake / "text" / "fine.py").write_text("import re\nfrom searchkit.text.fold import fold\nfrom . import fold\n")
    assert violations("text", fake) == [
        "searchkit/text/late.py imports searchkit.searching.accents",
        "searchkit/text/late.py imports searchkit.searching.accents.restore",
        "searchkit/text/named.py imports searchkit.cli",
        "searchkit/text/relative.py imports searchkit.engine",
        "searchkit/text/relative.py imports searchkit.engine.SearchEngine",
    ]


# ---------------------------------------------------------------------- every layer, and cycles

LAYERS = ["text", "indexing", "searching", "backends", "engine", "web", "cli"]
#: Modules every layer may use: data types, errors, the field registry.
SHARED = {"searchkit.errors", "searchkit.models", "searchkit.fields", "searchkit.render"}
#: Known exceptions, each with its reason (the coordinator decides their fate).
KNOWN_UPWARD: set[tuple[str, str]] = set()
KNOWN_CYCLE_EDGES: set[tuple[str, str]] = set()  # none: a cycle fails the test


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def all_modules() -> dict[str, Path]:
    return {module_name(path): path for path in PACKAGE.rglob("*.py")}


def imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The searchkit modules `name` imports anywhere in its file (a `from package import
    submodule` counts as the submodule)."""
    found = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("searchkit")}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[:len(anchor) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            if not base.startswith("searchkit"):
                continue
            for alias in node.names:
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base)
    return {target for target in found if target != name and target in known}


def layer(name: str) -> int | None:
    parts = name.split(".")
    if len(parts) < 2:
        return None
    return LAYERS.index(parts[1]) if parts[1] in LAYERS else None


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    known = all_modules()
    return {name: imports(name, path, set(known)) for name, path in known.items()}


def test_the_graph_is_read_from_every_module(graph):
    assert graph["searchkit.engine"] >= {"searchkit.backends", "searchkit.searching.pipeline"}
    assert "searchkit.text.fold" in graph["searchkit.searching.pipeline"]
    assert len(graph) > 60


def test_no_module_imports_a_layer_above_its_own(graph):
    upward = sorted((name, target) for name, targets in graph.items() for target in targets
                    if layer(name) is not None and layer(target) is not None and layer(target) > layer(name)
                    and (name, target) not in KNOWN_UPWARD)
    assert upward == [], "\n".join(f"{a} imports {b}" for a, b in upward)
    shared = sorted((name, target) for name, targets in graph.items() if name in SHARED for target in targets
                    if layer(target) is not None)
    assert shared == [], shared


def test_no_import_cycle(graph):
    """Tarjan-free check: a depth-first search that meets a module on its own path."""
    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1: on the path, 2: done

    def visit(name: str, path: list[str]) -> None:
        state[name] = 1
        for target in sorted(graph.get(name, ())):
            if (name, target) in KNOWN_CYCLE_EDGES:
                continue
            if state.get(target) == 1:
                cycles.append(path[path.index(target):] + [target])
            elif target not in state:
                visit(target, path + [target])
        state[name] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert cycles == [], "\n".join(" → ".join(c) for c in cycles)
