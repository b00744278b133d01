"""Scripts run from ``benchmarks/`` see ``benchmarks/coverage`` (the interval study) as a
namespace package named ``coverage`` when the coverage package is not installed, and numba
fails on it; ``benchmarks/_no_shadow.py`` makes that import fail cleanly instead."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"

# stdlib only (-S: no site-packages, so no coverage package), benchmarks/ first as for a script
PROBE = """
import sys
sys.path.insert(0, {benchmarks!r})
{guard}
try:
    import coverage
except ImportError:
    print("ImportError")
else:
    print(type(coverage.__spec__.loader).__name__ if coverage.__spec__.loader else "no loader")
"""


def _probe(guard: str) -> str:
    code = PROBE.format(benchmarks=str(BENCHMARKS), guard=guard)
    done = subprocess.run(
        [sys.executable, "-I", "-S", "-c", code], capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def test_without_the_guard_the_study_folder_passes_for_coverage() -> None:
    assert _probe("") == "NamespaceLoader"


def test_the_guard_makes_import_coverage_fail_cleanly() -> None:
    assert _probe("import _no_shadow") == "ImportError"


def test_the_guard_leaves_the_installed_coverage_package_alone() -> None:
    pytest.importorskip("coverage")
    code = (
        f"import sys; sys.path.insert(0, {str(BENCHMARKS)!r}); import _no_shadow, coverage; "
        "print(coverage.types.__name__)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "coverage.types"
