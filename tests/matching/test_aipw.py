"""aipw(): against the estimating equations computed in R, exactness on noise-free data,
double robustness, cross-fitting, and bad input."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given
from hypothesis import strategies as st

from rpeval.errors import DataError, PositivityWarning, RpevalError, SpecificationError
from rpeval.matching import aipw
from tests.hypothesis_budget import budget
from tests.reference_data import reference, reference_csv

FORMULA = "age + educ + race + married + nodegree + re74 + re75"
SETTINGS = budget(40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def lalonde() -> pd.DataFrame:
    df = reference_csv("lalonde.csv")
    return df.assign(employed=(df["re78"] > 0).astype(int))


@pytest.mark.parametrize(
    ("outcome", "block", "measure"),
    [("re78", "linear", "mean_difference"), ("employed", "logistic", "risk_difference")],
)
@pytest.mark.parametrize("estimand", ["ATE", "ATT"])
def test_aipw_equals_r(
    lalonde: pd.DataFrame, outcome: str, block: str, measure: str, estimand: str
) -> None:
    ref = reference("matching_aipw")[block]
    result = aipw(lalonde, "treat", outcome, FORMULA, estimand=estimand)  # type: ignore[arg-type]
    key = estimand.lower()
    assert result.measure == measure and result.se_type == "influence"
    assert result.estimate == pytest.approx(ref[key], rel=1e-6)
    assert result.std_error == pytest.approx(ref[f"{key}_se"], rel=1e-6)
    assert result.ci_lower < result.estimate < result.ci_upper
    assert result.summary().columns[0] == "measure"


@st.composite
def noise_free(draw: st.DrawFn) -> tuple[pd.DataFrame, float]:
    n = draw(st.integers(12, 80))
    rng = np.random.default_rng(draw(st.integers(0, 10_000)))
    x1, x2 = rng.normal(size=n), rng.integers(0, 2, size=n)
    t = (rng.random(n) < 1 / (1 + np.exp(-(0.8 * x1 - 0.5 * x2)))).astype(int)
    t[:3], t[3:6] = 1, 0
    tau = draw(st.floats(-5, 5))
    y = 1.0 + tau * t + 2.0 * x1 - 3.0 * x2
    return pd.DataFrame({"t": t, "x1": x1, "x2": x2, "y": y}), tau


@given(noise_free(), st.sampled_from(["ATE", "ATT"]), st.sampled_from([None, 2, 3]))
@SETTINGS
def test_aipw_is_exact_when_the_outcome_model_is(
    problem: tuple[pd.DataFrame, float], estimand: str, folds: int | None
) -> None:
    df, tau = problem
    if folds is not None and (df["t"].sum() < 3 * folds or (1 - df["t"]).sum() < 3 * folds):
        return
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", PositivityWarning)
            result = aipw(  # type: ignore[arg-type]
                df, "t", "y", ["x1", "x2"], estimand=estimand, cross_fit=folds, random_state=0
            )
    except DataError:  # a fold without both groups, or complete separation
        return
    if any(issubclass(w.category, PositivityWarning) for w in caught):
        # scores near 0 or 1 (tiny samples) multiply the fits' rounding (1e-15) by weights
        # up to 1e12: exact in theory, not to 1e-7 in floating point
        return
    assert result.estimate == pytest.approx(tau, abs=1e-7)


def _simulate(n: int, seed: int, wrong: str) -> tuple[pd.DataFrame, float]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    ps_index = 0.8 * x if wrong != "propensity" else 0.8 * x - 0.6 * x**2 + 0.4
    t = (rng.random(n) < 1 / (1 + np.exp(-ps_index))).astype(int)
    mean0 = 1.0 + 2.0 * x if wrong != "outcome" else 1.0 + 2.0 * x + 1.5 * x**2
    y = mean0 + 1.0 * t + rng.normal(size=n)
    return pd.DataFrame({"t": t, "x": x, "y": y}), 1.0


@pytest.mark.parametrize("wrong", ["propensity", "outcome"])
@pytest.mark.parametrize("estimand", ["ATE", "ATT"])
def test_double_robustness(wrong: str, estimand: str) -> None:
    # one of the two working models (both linear in x) is wrong; the estimate stays right
    df, truth = _simulate(40_000, 7, wrong)
    result = aipw(df, "t", "y", ["x"], estimand=estimand)  # type: ignore[arg-type]
    assert abs(result.estimate - truth) < 4 * result.std_error


def test_cross_fitting_is_seeded(lalonde: pd.DataFrame) -> None:
    a = aipw(lalonde, "treat", "re78", FORMULA, cross_fit=5, random_state=1)
    b = aipw(lalonde, "treat", "re78", FORMULA, cross_fit=5, random_state=1)
    c = aipw(lalonde, "treat", "re78", FORMULA, cross_fit=5, random_state=2)
    plain = aipw(lalonde, "treat", "re78", FORMULA)
    assert a == b and a.estimate != c.estimate
    assert abs(a.estimate - plain.estimate) < plain.std_error


@pytest.mark.parametrize(
    "kwargs",
    [
        {"estimand": "ATC"},
        {"outcome_model": "probit"},
        {"cross_fit": 1},
        {"cross_fit": True},
        {"conf_level": 95},
    ],
)
def test_aipw_rejects_bad_options(lalonde: pd.DataFrame, kwargs: dict[str, object]) -> None:
    with pytest.raises(SpecificationError):
        aipw(lalonde, "treat", "re78", FORMULA, **kwargs)  # type: ignore[arg-type]


def test_aipw_rejects_bad_data(lalonde: pd.DataFrame) -> None:
    with pytest.raises(DataError, match="0/1"):
        aipw(lalonde, "treat", "re78", FORMULA, outcome_model="logistic")
    with pytest.raises(DataError, match="'re79'"):
        aipw(lalonde, "treat", "re79", FORMULA)
    with pytest.raises(RpevalError):
        aipw(lalonde.assign(re78=np.nan), "treat", "re78", FORMULA)
    separated = pd.DataFrame({"t": [1, 1, 1, 0, 0, 0], "x": [5.0, 6, 7, 1, 2, 3], "y": 1.0})
    with pytest.raises(DataError, match="separate"):
        aipw(separated, "t", "y", ["x"])
