"""The lower layers import nothing from the layers above them: text ← indexing ← searching ←
engine ← backends/web/cli. Read from the source with `ast`, so an import inside a function
(or under TYPE_CHECKING) counts as much as one at the top of a module."""

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
