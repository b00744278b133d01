"""The coverage study's community group stays runnable (two replications, no failures)."""

from __future__ import annotations

import sys
from pathlib import Path

STUDY = Path(__file__).resolve().parents[2] / "benchmarks" / "coverage"


def test_community_scenarios_run() -> None:
    sys.path.insert(0, str(STUDY))
    try:
        from _study import run_scenario
        from scenarios import load

        for scenario in load("community"):
            table = run_scenario(scenario, seed=3, replications=2, progress=False)
            assert (table["failures"] == 0).all(), table[["method", "failures"]]
            assert table["replications"].eq(2).all()
    finally:
        sys.path.remove(str(STUDY))
