"""effect() against R: lm / glm with sandwich 3.0.2 and a hand-written delta method
(tests/reference/matching_effect.R) on lalonde, outcomes re78 and employed = re78 > 0."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from rpeval.matching import EffectResult, WeightResult, effect, weight
from tests.reference_data import reference, reference_csv

MEASURES = ("mean_difference", "risk_difference", "risk_ratio", "odds_ratio")
PROPENSITY = "age + educ + race + married + nodegree + re74 + re75"
# No race in the logistic outcome models: every treated Hispanic man was employed in 1978
ADJUST = {"mean": PROPENSITY, "risk": "age + educ + married + nodegree + re74 + re75"}
SMALL_PROPENSITY = "age + educ + married + nodegree + re74 + re75"
SMALL_ADJUST = {"mean": "age + educ + married + re75", "risk": "age + educ + married + re75"}
RTOL = 1e-8  # R's glm run to epsilon = 1e-12; ours to a deviance change of 1e-10
# the small sample's weights come from our own propensity fit, which agrees with R's to
# about 2e-7 (weight()'s IRLS stops at R's default tolerance)
SMALL_RTOL = 2e-6
CASES = [(m, adjusted) for m in MEASURES for adjusted in (False, True)]


def _key(measure: str, adjusted: bool) -> str:
    return measure + ("_adjusted" if adjusted else "")


def _outcome(measure: str) -> str:
    return "re78" if measure == "mean_difference" else "employed"


def _adjust(measure: str, adjusted: bool, sets: dict[str, str]) -> str | None:
    return sets["mean" if measure == "mean_difference" else "risk"] if adjusted else None


def _check(result: EffectResult, ref: dict[str, float], se_key: str, rtol: float) -> None:
    log_scale = result.measure in ("risk_ratio", "odds_ratio")
    estimate = np.log(result.estimate) if log_scale else result.estimate
    assert estimate == pytest.approx(ref["estimate"], rel=rtol, abs=1e-12)
    assert result.std_error == pytest.approx(ref[se_key], rel=rtol)


@pytest.fixture(scope="module")
def lalonde() -> pd.DataFrame:
    data = reference_csv("lalonde.csv")
    return data.assign(employed=(data["re78"] > 0).astype(float))


@pytest.fixture(scope="module")
def matched(lalonde: pd.DataFrame) -> pd.DataFrame:
    nearest = reference("matchit_lalonde")["nearest"]
    data = lalonde.assign(
        weights=nearest["weights"],
        subclass=[s if s is not None else "" for s in nearest["subclass"]],
    )
    return data[data["weights"] > 0]


@pytest.fixture(scope="module")
def weights(lalonde: pd.DataFrame) -> dict[str, WeightResult]:
    small = lalonde.iloc[::5].reset_index(drop=True)  # R's rows seq(1, 614, by = 5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # positivity warnings are not the point here
        return {
            "ipt_ate": weight(lalonde, "treat", PROPENSITY, estimand="ATE"),
            "ipt_att": weight(lalonde, "treat", PROPENSITY, estimand="ATT"),
            "small": weight(small, "treat", SMALL_PROPENSITY, estimand="ATE"),
        }


def test_the_weights_are_rs(weights: dict[str, WeightResult]) -> None:
    ref = reference("matching_effect")
    for name, result in weights.items():
        rtol = SMALL_RTOL if name == "small" else RTOL
        np.testing.assert_allclose(result.data["weights"], ref[name]["weights"], rtol=rtol)
    assert weights["small"].data["id"].tolist() == ref["small"]["id"]


@pytest.mark.parametrize(("measure", "adjusted"), CASES)
@pytest.mark.parametrize("se", ["cluster", "hc3"])
def test_matched_pairs_equal_r(
    matched: pd.DataFrame, measure: str, adjusted: bool, se: str
) -> None:
    ref = reference("matching_effect")["matched"][_key(measure, adjusted)]
    result = effect(
        matched,
        _outcome(measure),
        treatment="treat",
        measure=measure,  # type: ignore[arg-type]
        adjust=_adjust(measure, adjusted, ADJUST),
        se=se,  # type: ignore[arg-type]
        target="sample",  # R's delta method holds the covariates fixed
    )
    _check(result, ref, f"se_{se}", RTOL)
    assert result.n == ref["n"] and result.n_clusters == ref["n_clusters"]


@pytest.mark.parametrize(("measure", "adjusted"), CASES)
@pytest.mark.parametrize("design", ["ipt_ate", "ipt_att", "small"])
def test_hc3_with_ipt_weights_equals_r(
    weights: dict[str, WeightResult], design: str, measure: str, adjusted: bool
) -> None:
    ref = reference("matching_effect")[design][_key(measure, adjusted)]
    sets = SMALL_ADJUST if design == "small" else ADJUST
    result = effect(
        weights[design],
        _outcome(measure),
        measure=measure,  # type: ignore[arg-type]
        adjust=_adjust(measure, adjusted, sets),
        se="hc3",
        target="sample",
    )
    assert result.se_type == "hc3"
    _check(result, ref, "se_hc3", SMALL_RTOL if design == "small" else RTOL)


@pytest.mark.parametrize(("measure", "adjusted"), CASES)
def test_cluster_with_unequal_weights_equals_r(
    lalonde: pd.DataFrame, measure: str, adjusted: bool
) -> None:
    ref = reference("matching_effect")["ipt_att"]
    frame = lalonde.assign(weights=ref["weights"], subclass=np.arange(len(lalonde)) // 3)
    result = effect(
        frame,
        _outcome(measure),
        treatment="treat",
        measure=measure,  # type: ignore[arg-type]
        adjust=_adjust(measure, adjusted, ADJUST),
        target="sample",
    )
    assert result.se_type == "cluster"
    _check(result, ref[_key(measure, adjusted)], "se_cluster", RTOL)


def test_the_reference_tells_the_conventions_apart() -> None:
    """The checks above would fail with HC1 on a glm or HC0 for HC3 (the old behaviour)."""
    ref = reference("matching_effect")
    for design in ("matched", "ipt_att"):
        for measure, adjusted in CASES:
            block = ref[design][_key(measure, adjusted)]
            hc1_gap = block["se_cluster_hc1"] / block["se_cluster"] - 1
            if measure == "mean_difference":
                assert hc1_gap == 0  # vcovCL's default for lm is HC1
            else:
                assert hc1_gap > 1e-4  # and HC0 for a glm
    for design in ("matched", "ipt_ate", "ipt_att", "small"):
        for measure, adjusted in CASES:
            block = ref[design][_key(measure, adjusted)]
            assert block["se_hc3"] / block["se_hc0"] - 1 > 1e-4
            # the analytic gradient is the finite-difference one
            assert block["se_hc3_fd"] == pytest.approx(block["se_hc3"], rel=1e-6)
            if measure != "mean_difference":  # glm's default epsilon moves the fifth digit
                assert block["se_hc3_default_epsilon"] == pytest.approx(block["se_hc3"], rel=1e-4)
