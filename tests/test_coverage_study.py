"""The coverage study's survival, metrics, evaluate and community groups stay runnable: every
scenario runs two replications with no failed method, and the truths are the library's
own (smoke test, not the study: no coverage is asserted)."""

from __future__ import annotations

import math
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

STUDY = Path(__file__).resolve().parents[1] / "benchmarks" / "coverage"


@pytest.fixture(scope="module")
def study() -> Iterator[dict[str, ModuleType]]:
    sys.path.insert(0, str(STUDY))
    try:
        import _study
        from scenarios import community, evaluate, metrics, survival

        metrics.PROGRAM_TRUTHS.scale, metrics.PROGRAM_TRUTHS.seeds = (
            1,
            1,
        )  # small truths: the smoke test checks the code
        evaluate.TRUTHS.participants = 1000
        yield {
            "_study": _study,
            "survival": survival,
            "metrics": metrics,
            "evaluate": evaluate,
            "community": community,
        }
    finally:
        sys.path.remove(str(STUDY))


@pytest.mark.parametrize("group", ["survival", "metrics", "evaluate"])
def test_every_scenario_runs(study: dict[str, Any], group: str) -> None:
    run_scenario = study["_study"].run_scenario
    for scenario in study[group].SCENARIOS:
        table = run_scenario(scenario, seed=3, replications=2, progress=False)
        assert (table["failures"] == 0).all(), table[["scenario", "method", "failures"]]
        assert table["replications"].eq(2).all()
        assert table["coverage"].between(0, 1).all()


def test_analytic_truths(study: dict[str, Any]) -> None:
    survival = study["survival"]
    truths = survival.TRUTHS
    assert truths["S(1)"] == pytest.approx(math.exp(-0.3))
    assert truths["km diff(1)"] == pytest.approx(math.exp(-0.35) - math.exp(-0.25))
    f1 = 0.25 / 0.3 * (1 - math.exp(-0.3 * 2))
    assert truths["cif F1(2)"] == pytest.approx(f1)
    assert truths["rmst1"] == pytest.approx((1 - math.exp(-0.5)) / 0.25)
    marginal = survival.MATCHED.truths(treated=100_000)["marginal"]
    assert marginal == pytest.approx(survival.MATCHED_TRUTHS["marginal"], abs=0.01)
    assert abs(marginal) < abs(math.log(0.7))  # non-collapsible: attenuated


def test_evaluate_truths_are_program_truth(study: dict[str, Any]) -> None:
    from rpeval.datasets import simulate_program

    evaluate = study["evaluate"]
    program = simulate_program(500, 5000, effect_hr=0.75, random_state=evaluate.TRUTH_SEED)
    truth = program.truth(windows=[365, 730, 1095], n_participants=1000)
    ours = evaluate.TRUTHS
    assert math.exp(ours["marginal log HR"]) == pytest.approx(truth.marginal_hr, rel=1e-9)
    risks = truth.risks.set_index("window")
    assert ours["difference@730"] == pytest.approx(risks.loc[730, "difference"], abs=1e-12)
    assert ours["risk1@365"] == pytest.approx(risks.loc[365, "treated"], abs=1e-12)
    assert ours.rmst_difference(truth.tau) == pytest.approx(truth.rmst_difference, rel=1e-9)


def test_staggered_did_scenarios_run(study: dict[str, Any]) -> None:
    """The staggered rollout rows (C&S and Poisson ETWFE); the ITS rows run in
    tests/community/test_coverage_scenario.py."""
    community = study["community"]
    scenarios = [s for s in community.SCENARIOS if s.name.startswith("Staggered")]
    assert len(scenarios) == 2
    for scenario in scenarios:
        assert all(math.isfinite(v) for v in scenario.truths.values())
        table = study["_study"].run_scenario(scenario, seed=3, replications=2, progress=False)
        assert (table["failures"] == 0).all(), table[["method", "failures"]]
        assert table["replications"].eq(2).all()
        assert table["coverage"].between(0, 1).all()


def test_staggered_did_truths_match_a_large_simulation(study: dict[str, Any]) -> None:
    """The closed-form population ATTs agree with the simulator's own on 4,000 areas
    (3,000 adopting: the sample ATT's relative SD is about 1%)."""
    from rpeval.datasets import simulate_community

    community = study["community"]
    sim = simulate_community(**community.staggered(4000), random_state=11)
    assert sim.att_count == pytest.approx(community.population_att(4000), rel=0.04)
    assert community.population_att(4000) == pytest.approx(community.population_att(40))
    rows = sim.expected.merge(sim.data[["area", "month", "adoption"]])
    first = rows[rows["month"].eq(rows["adoption"])]
    at_zero = float((first["expected"] - first["expected_untreated"]).mean())
    assert at_zero == pytest.approx(community.population_att(4000, 0), rel=0.04)
