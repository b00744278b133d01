"""Every public name appears in the API reference (STYLE.md, item 13)."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

DOCS = Path(__file__).parent.parent / "docs"
PUBLIC_MODULES = [
    "rpeval.errors",
    "rpeval.datasets",
    "rpeval.recidivism",
    "rpeval.matching",
    "rpeval.metrics",
    "rpeval.qualitative",
    "rpeval.surveys",
    "rpeval.community",
    "rpeval.report",
    "rpeval.cli",
]


def _documented_text() -> str:
    return "\n".join(p.read_text() for p in DOCS.rglob("*.md"))


@pytest.mark.parametrize("module_name", PUBLIC_MODULES)
def test_public_names_are_documented(module_name: str) -> None:
    module = importlib.import_module(module_name)
    text = _documented_text()
    directive = f"::: {module_name}"
    assert directive in text or all(
        f"::: {module_name}.{name}" in text or f"::: {getattr(module, name).__module__}" in text
        for name in module.__all__
    ), f"{module_name} is not in the API reference"
