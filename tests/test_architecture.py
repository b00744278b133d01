"""The architecture of DESIGN.md holds: the pillars never import one another (shared
helpers live in ``rpeval/_*.py`` and import no pillar); only ``rpeval.report``,
``rpeval.datasets`` and the command line (the ``cli/`` package) combine them. Read
from the source with ``ast`` (imports inside functions count too)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SOURCE = Path(__file__).parents[1] / "src" / "rpeval"
PILLARS = ("recidivism", "matching", "metrics", "surveys", "qualitative", "community")


def _imported_modules(path: Path) -> set[str]:
    """Every rpeval module a file imports (absolute or relative), anywhere in it."""
    package = ".".join(("rpeval", *path.relative_to(SOURCE).with_suffix("").parts[:-1]))
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return {name for name in found if name.startswith("rpeval")}


@pytest.mark.parametrize("pillar", [p for p in PILLARS if (SOURCE / p).is_dir()])
def test_a_pillar_imports_no_other_pillar(pillar: str) -> None:
    others = {f"rpeval.{p}" for p in PILLARS if p != pillar}
    others |= {"rpeval.report", "rpeval.datasets", "rpeval.cli"}
    offending = []
    for path in sorted((SOURCE / pillar).rglob("*.py")):
        for module in _imported_modules(path):
            if any(module == o or module.startswith(o + ".") for o in others):
                offending.append(f"{path.relative_to(SOURCE)} imports {module}")
    assert not offending, "\n".join(offending)


def test_shared_helpers_import_no_pillar() -> None:
    pillars = {f"rpeval.{p}" for p in (*PILLARS, "report", "datasets", "cli")}
    offending = []
    helpers = list(SOURCE.glob("_*.py"))
    for path in sorted(helpers):
        for module in _imported_modules(path):
            if any(module == p or module.startswith(p + ".") for p in pillars):
                offending.append(f"{path.name} imports {module}")
    assert not offending, "\n".join(offending)
