"""Survey-weighted regression and before/after comparisons against R survey 4.1
(tests/reference/surveys_models.R; independent waves from surveys_api.json)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

import rpeval.surveys as sv
from rpeval.errors import DataError, SpecificationError
from tests.reference_data import reference
from tests.surveys.conftest import api_design

MODELS = {
    "linear": ("api00", "api99 + meals + stype", {}),
    "logistic": ("sch.wide", "meals + api99", {"success": "Yes"}),
}


def flat(value: Any) -> np.ndarray:
    return np.ravel(np.asarray(value, dtype=float))


@pytest.mark.parametrize("name", ["strat", "clus1", "clus2"])
@pytest.mark.parametrize("family", ["linear", "logistic"])
def test_regression_matches_svyglm(name: str, family: str) -> None:
    expected = reference("surveys_models")["results"][name][family]
    outcome, covariates, extra = MODELS[family]
    fit = sv.regression(api_design(name), outcome, covariates, family=family, **extra)
    table = fit.summary()
    assert fit.df_residual == expected["df_residual"]
    assert len(table) == len(expected["terms"])
    for column, key in [
        ("estimate", "estimate"),
        ("std_error", "se"),
        ("statistic", "statistic"),
        ("p_value", "p"),
        ("ci_lower", "ci_lower"),
        ("ci_upper", "ci_upper"),
    ]:
        np.testing.assert_allclose(table[column], flat(expected[key]), rtol=1e-8)
    if family == "logistic":
        np.testing.assert_allclose(
            table["odds_ratio"], np.exp(flat(expected["estimate"])), rtol=1e-8
        )


@pytest.mark.parametrize("name", ["strat", "clus1", "clus2"])
def test_paired_change_with_attrition(name: str) -> None:
    expected = reference("surveys_models")["results"][name]
    design = api_design(name)
    full = sv.paired_change(design, "api99", "api00")
    assert full.summary()["estimate"][0] == pytest.approx(
        flat(expected["paired_change"]["estimate"])[0], rel=1e-12
    )
    assert full.summary()["std_error"][0] == pytest.approx(
        flat(expected["paired_change"]["se"])[0], rel=1e-10
    )
    assert full.n_lost == 0 and full.stayers_vs_leavers is None
    data = design.data.copy()
    data.loc[(np.arange(len(data)) + 1) % 5 == 0, "api00"] = np.nan
    lossy = {
        "strat": lambda d: sv.SurveyDesign(d, weights="pw", strata="stype", fpc="fpc"),
        "clus1": lambda d: sv.SurveyDesign(d, weights="pw", psu="dnum", fpc="fpc"),
        "clus2": lambda d: sv.SurveyDesign(d, psu=["dnum", "snum"], fpc=["fpc1", "fpc2"]),
    }[name](data)
    result = sv.paired_change(lossy, "api99", "api00")
    ref = expected["paired_change_attrition"]
    assert result.n_pairs == ref["n"] and result.n_lost == len(data) - ref["n"]
    assert result.summary()["estimate"][0] == pytest.approx(flat(ref["estimate"])[0], rel=1e-12)
    assert result.summary()["std_error"][0] == pytest.approx(flat(ref["se"])[0], rel=1e-10)
    assert 0 < result.weighted_attrition < 1
    assert "lost" in str(result) and result.to_dict()["n_lost"] == result.n_lost


def test_independent_waves() -> None:
    api = reference("surveys_api")["designs"]
    before = sv.mean(api_design("strat"), "api00", by="stype")
    after = sv.mean(api_design("clus1"), "api00", by="stype")
    table = sv.compare_waves(before, after).summary()
    se = np.hypot(flat(api["strat"]["by_mean"]["se"]), flat(api["clus1"]["by_mean"]["se"]))
    np.testing.assert_allclose(table["std_error"], se, rtol=1e-10)
    np.testing.assert_allclose(
        table["difference"],
        flat(api["clus1"]["by_mean"]["estimate"]) - flat(api["strat"]["by_mean"]["estimate"]),
        rtol=1e-10,
    )
    with pytest.raises(SpecificationError, match="cannot compare a mean with a total"):
        sv.compare_waves(before, sv.total(api_design("clus1"), "api00", by="stype"))
    with pytest.raises(SpecificationError, match="different variables or domains"):
        sv.compare_waves(before, sv.mean(api_design("clus1"), "api00"))


def test_regression_bad_input() -> None:
    design = api_design("strat")
    with pytest.raises(DataError, match="must be 0/1"):
        sv.regression(design, "api00", "meals", family="logistic")
    with pytest.raises(DataError, match="collinear"):
        sv.regression(
            design.__class__(
                design.data.assign(m2=design.data["meals"] * 2), weights="pw", strata="stype"
            ),
            "api00",
            "meals + m2",
        )
    with pytest.raises(SpecificationError, match="family='poisson'"):
        sv.regression(design, "api00", "meals", family="poisson")
    frame = pd.DataFrame({"y": [1.0, 2, None, 4], "x": [1.0, 2, 3, 5], "u": [1, 2, 3, 4]})
    fit = sv.regression(sv.SurveyDesign(frame, psu="u"), "y", "x", missing="drop")
    assert fit.n == 3 and fit.n_dropped == 1
    assert "regression" in str(fit) and fit.to_dict()["n_dropped"] == 1


def test_paired_change_counts_each_left_out_person_once() -> None:
    # row 4 lost its second answer, row 5 has no domain, row 6 has neither: three people
    # are left out of the change, each counted once (row 6 used to be counted twice)
    frame = pd.DataFrame(
        {
            "t1": [2.0, 3, 3, 4, 2, 3],
            "t2": [3.0, 3, 4, None, 3, None],
            "w": 1.0,
            "unit": [1, 2, 3, 4, 5, 6],
            "area": ["a", "b", "a", "b", None, None],
        }
    )
    design = sv.SurveyDesign(frame, weights="w", psu="unit")
    result = sv.paired_change(design, "t1", "t2", by="area")
    assert result.change.n_missing == 3 and result.n_pairs == 4 and result.n_lost == 2
    assert "3 people without both answers, or a domain left out of the change" in str(result)
    plain = sv.paired_change(design, "t1", "t2")
    assert plain.change.n_missing == 2
    assert "2 people without both answers left out of the change" in str(plain)
