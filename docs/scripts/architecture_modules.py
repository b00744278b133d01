"""Write the module list of docs/architecture.md from the source tree.

Every module of ``src/rpeval`` gets one line: its path and the first sentence of its
docstring (a module's docstring opens with its job). The list sits between the markers
``<!-- modules:begin -->`` and ``<!-- modules:end -->``; ``tests/test_house_rules.py``
fails when the page and the tree disagree.

Usage: ``python docs/scripts/architecture_modules.py [--check]``.
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "src" / "rpeval"
PAGE = ROOT / "docs" / "architecture.md"
BEGIN, END = "<!-- modules:begin -->", "<!-- modules:end -->"


def job(path: Path) -> str:
    """The first sentence of a module's docstring, on one line, in markdown."""
    doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    paragraph = " ".join(doc.strip().split("\n\n")[0].split()).replace("``", "`")
    paragraph = re.sub(r":(?:class|mod|func|meth|data|attr|exc):`~?", "`", paragraph)
    match = re.match(r"(.+?[.!?])(\s+[A-Z(`]|$)", paragraph)
    sentence = match.group(1) if match else paragraph
    return sentence if sentence.endswith((".", "!", "?")) else sentence.rstrip(":") + "."


def package_title(package: Path) -> str:
    relative = package.relative_to(SOURCE.parent)
    return ".".join(relative.parts)


def module_list() -> str:
    """The markdown between the markers: one section per package, one line per module."""
    lines: list[str] = []
    packages = sorted({p.parent for p in SOURCE.rglob("*.py")}, key=lambda p: p.parts)
    for package in packages:
        lines += ["", f"### `{package_title(package)}`", ""]
        modules = sorted(package.glob("*.py"), key=lambda p: (p.name != "__init__.py", p.name))
        for module in modules:
            lines.append(f"- `{module.relative_to(ROOT)}` — {job(module)}")
    return "\n".join([BEGIN, *lines, "", END])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when the page is stale")
    args = parser.parse_args(argv)
    page = PAGE.read_text(encoding="utf-8")
    start, stop = page.index(BEGIN), page.index(END) + len(END)
    updated = page[:start] + module_list() + page[stop:]
    if args.check:
        return 0 if updated == page else 1
    PAGE.write_text(updated, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
