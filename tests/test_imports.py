"""Importing rpeval or a pillar leaves the heavy dependencies for first use (issue 23).

Each import runs in a fresh interpreter, so modules loaded by other tests do not count.
Nothing here is timed.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("statsmodels", "matplotlib", "scipy.stats", "numba")
MODULES = (
    "rpeval",
    "rpeval.recidivism",
    "rpeval.matching",
    "rpeval.metrics",
    "rpeval.surveys",
    "rpeval.qualitative",
    "rpeval.community",
    "rpeval.report",
)


@pytest.mark.parametrize("module", MODULES)
def test_import_leaves_heavy_dependencies_for_first_use(module: str) -> None:
    code = (
        f"import json, sys; import {module}; "
        f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert json.loads(out.stdout) == []


def test_lazy_module_resolves_on_first_use() -> None:
    code = (
        "import json, sys; from rpeval._lazy import stats; before = 'scipy.stats' in sys.modules; "
        "p = float(stats.norm.cdf(0.0)); "
        "print(json.dumps([before, 'scipy.stats' in sys.modules, p]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert json.loads(out.stdout) == [False, True, 0.5]


def test_kernel_calling_a_kernel_compiles_at_first_call() -> None:
    from rpeval._jit import jit

    def double(x: float) -> float:  # pragma: no cover - compiled
        return 2.0 * x

    namespace: dict[str, object] = {"double": jit(double, cache=False)}
    exec("def outer(x):\n    return double(x) + 1.0", namespace)  # a kernel reading a global
    outer = jit(namespace["outer"], cache=False)  # type: ignore[arg-type]
    assert outer(3.0) == 7.0
