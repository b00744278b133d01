"""effect()'s stacked M-estimation sandwich (se="sandwich", the default on weights) against
the estimating equations solved and differentiated numerically in base R
(tests/reference/matching_sandwich.R), on lalonde."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
import pytest

from rpeval.matching import WeightResult, effect, weight
from tests.reference_data import reference, reference_csv

PROPENSITY = "age + educ + race + married + nodegree + re74 + re75"
ADJUST = {
    "mean_difference": PROPENSITY,
    "risk_ratio": "age + educ + married + nodegree + re74 + re75",
}
CASES: dict[str, dict[str, Any]] = {
    "ipw_att": {"estimand": "ATT"},
    "ipw_ate": {"estimand": "ATE"},
    "ipw_atc": {"estimand": "ATC"},
    "ipw_ato": {"estimand": "ATO"},
    "ipw_att_probit": {"estimand": "ATT", "link": "probit"},
    "ipw_ate_trim": {"estimand": "ATE", "trim": 0.05},
    "ipw_ate_truncate_stabilize": {"estimand": "ATE", "truncate": 0.95, "stabilize": True},
    "entropy_att": {"estimand": "ATT", "method": "entropy"},
    "entropy_ate": {"estimand": "ATE", "method": "entropy"},
}
# R's glm runs to epsilon = 1e-14, weight()'s propensity fit to R's default 1e-8: the
# weights agree to about 1e-7; numDeriv's Jacobian is good to about 1e-9
RTOL = 2e-6
# the probit propensity fit stops at R's default deviance change, 1e-8, which leaves its
# weights 4e-5 (relative) from the tightly converged ones
RTOL_PROBIT = 1e-4


@pytest.fixture(scope="module")
def lalonde() -> pd.DataFrame:
    data = reference_csv("lalonde.csv")
    return data.assign(employed=(data["re78"] > 0).astype(float))


@pytest.fixture(scope="module")
def results(lalonde: pd.DataFrame) -> dict[str, WeightResult]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # positivity warnings are not the point here
        return {
            name: weight(lalonde, "treat", PROPENSITY, **options) for name, options in CASES.items()
        }


@pytest.mark.parametrize("case", list(CASES))
def test_the_weights_are_rs(results: dict[str, WeightResult], case: str) -> None:
    ref = reference("matching_sandwich")[case]
    rtol = RTOL_PROBIT if "probit" in case else RTOL
    np.testing.assert_allclose(results[case].data["weights"], ref["weights"], rtol=rtol)


@pytest.mark.parametrize("adjusted", [False, True])
@pytest.mark.parametrize("measure", ["mean_difference", "risk_ratio"])
@pytest.mark.parametrize("case", list(CASES))
def test_sandwich_equals_r(
    results: dict[str, WeightResult], case: str, measure: str, adjusted: bool
) -> None:
    ref = reference("matching_sandwich")[case][measure + ("_adjusted" if adjusted else "")]
    result = effect(
        results[case],
        "re78" if measure == "mean_difference" else "employed",
        measure=measure,  # type: ignore[arg-type]
        adjust=ADJUST[measure] if adjusted else None,
    )
    assert result.se_type == "sandwich"
    assert result.n == ref["n"]
    rtol = RTOL_PROBIT if "probit" in case else RTOL
    estimate = np.log(result.estimate) if measure == "risk_ratio" else result.estimate
    assert estimate == pytest.approx(ref["estimate"], rel=rtol, abs=1e-9)
    assert result.std_error == pytest.approx(ref["se_sandwich"], rel=rtol)
    if not adjusted:  # the weights' estimation matters: known weights give another SE
        assert abs(ref["se_known_weights"] / ref["se_sandwich"] - 1) > 1e-3


def test_a_singular_weighting_model_is_an_error_not_a_linalg_error() -> None:
    from rpeval.errors import DataError
    from rpeval.matching._outcome import g_computation
    from rpeval.matching._stacked import influence_values
    from rpeval.matching._weight_model import WeightModel

    t = np.array([0.0, 0.0, 1.0, 1.0])
    y = np.array([1.0, 2.0, 4.0, 5.0])
    point = g_computation(y, t, np.ones(4), None, "mean_difference", t == 1)
    model = WeightModel(np.ones((4, 2)), np.ones((2, 2)), np.ones(4), np.zeros((4, 2)))
    with pytest.raises(DataError, match="singular"):
        influence_values(
            point, y, np.ones(4), t == 1, "mean_difference", population=True, model=model,
            rows=np.arange(4),
        )  # fmt: skip
