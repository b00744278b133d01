"""The coverage study (benchmarks/coverage) stays runnable: every matching scenario's
methods answer on one replication, and the truths are right (smoke test, not the study)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

STUDY = Path(__file__).resolve().parents[2] / "benchmarks" / "coverage"


@pytest.fixture(scope="module")
def scenarios() -> tuple[object, ...]:
    sys.path.insert(0, str(STUDY))
    try:
        from scenarios import load

        return load("matching")
    finally:
        sys.path.remove(str(STUDY))


def test_every_method_answers_once(scenarios: tuple[object, ...]) -> None:
    from _study import run_scenario

    for scenario in scenarios:
        if "bootstrap" in scenario.name:  # type: ignore[attr-defined]
            continue
        table = run_scenario(scenario, seed=1, replications=1, progress=False)  # type: ignore[arg-type]
        assert (table["failures"] == 0).all(), table
        assert table["replications"].eq(1).all()


def test_the_population_att_is_the_large_sample_one(scenarios: tuple[object, ...]) -> None:
    from scenarios.matching import HETEROGENEOUS
    from scipy import special

    x = np.random.default_rng(0).normal(size=(400_000, 3))
    e = special.expit(HETEROGENEOUS.score[0] + x @ HETEROGENEOUS.score[1:])
    large_sample = 1 - 3 * (x[:, 0] @ e) / e.sum()
    assert HETEROGENEOUS.truths()["PATT"] == pytest.approx(large_sample, abs=0.01)
