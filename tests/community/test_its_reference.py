"""interrupted_time_series() against the Sicily smoking-ban tutorial and R (community_its.R).

Lopez Bernal, Cummins & Gasparrini (2017) analyse 59 months of acute coronary episodes
in Sicily (sicily.csv from github.com/gasparrini/2017_lopezbernal_IJE_codedata) before and
after the January 2005 smoking ban. R 4.2.2 glm, MASS 7.3-58.2 glm.nb and sandwich 3.0.2
NeweyWest / vcovPL on the same models give the reference values.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rpeval.community import ITSResult, interrupted_time_series
from tests.reference_data import reference, reference_csv

R = reference("community_its")
# R's coefficient order -> ours
R_TERMS = {
    "(Intercept)": "intercept",
    "time": "time",
    "smokban": "level_change",
    "since": "slope_change",
    "sin1": "sin1",
    "cos1": "cos1",
    "sin2": "sin2",
    "cos2": "cos2",
}


def _sicily() -> pd.DataFrame:
    return reference_csv("sicily.csv")


def _fit(**options: object) -> ITSResult:
    args: dict[str, object] = {
        "period": "time",
        "outcome": "aces",
        "interruption": 37,
        "exposure": "stdpop",
        "slope_change": False,
        "family": "quasipoisson",
    }
    args.update(options)
    return interrupted_time_series(_sicily(), **args)  # type: ignore[arg-type]


def _by_r_term(result: ITSResult, ref: dict[str, object], column: str) -> np.ndarray:
    table = result.coefficients.set_index("term")
    return np.array([table.loc[R_TERMS[t], column] for t in ref["terms"]])  # type: ignore[attr-defined]


def test_tutorial_step_change_to_printed_precision() -> None:
    """The tutorial's Poisson model (1) and seasonally adjusted quasi-Poisson model (3)."""
    model1 = _fit(family="poisson").effects.iloc[0]
    assert round(model1["rate_ratio"], 3) == 0.894
    assert round(model1["rate_ratio_lower"], 3) == 0.865
    assert round(model1["rate_ratio_upper"], 3) == 0.925
    model3 = _fit(seasonality="fourier").effects.iloc[0]
    assert round(model3["rate_ratio"], 3) == 0.885
    assert round(model3["rate_ratio_lower"], 3) == 0.839
    assert round(model3["rate_ratio_upper"], 3) == 0.933


@pytest.mark.parametrize(
    ("key", "options"),
    [
        ("model1", {"family": "poisson"}),
        ("model2", {}),
        ("model3", {"seasonality": "fourier"}),
        ("model4", {"seasonality": "fourier", "slope_change": True}),
        ("model4_poisson", {"seasonality": "fourier", "slope_change": True, "family": "poisson"}),
    ],
)
def test_glm_and_newey_west_agree_with_r(key: str, options: dict[str, object]) -> None:
    ref = R[key]
    result = _fit(**options)
    np.testing.assert_allclose(_by_r_term(result, ref, "estimate"), ref["coef"], rtol=1e-8)
    np.testing.assert_allclose(_by_r_term(result, ref, "std_error"), ref["se"], rtol=1e-7)
    assert result.dispersion == pytest.approx(ref["dispersion"], rel=1e-8)
    robust = _fit(**options, robust=True, lags=3)
    np.testing.assert_allclose(_by_r_term(robust, ref, "std_error"), ref["hac_se"], rtol=1e-7)
    np.testing.assert_allclose(robust.coefficients["estimate"], result.coefficients["estimate"])
    assert _fit(**options, robust=True).lags == 3  # Newey-West's rule of thumb at n = 59


def test_negative_binomial_agrees_with_glm_nb() -> None:
    ref = R["model4_negbin"]
    result = _fit(seasonality="fourier", slope_change=True, family="negative_binomial")
    assert 1.0 / result.alpha == pytest.approx(ref["theta"], rel=1e-5)
    np.testing.assert_allclose(_by_r_term(result, ref, "estimate"), ref["coef"], rtol=1e-7)
    np.testing.assert_allclose(_by_r_term(result, ref, "std_error"), ref["se"], rtol=1e-5)
    robust = _fit(
        seasonality="fourier", slope_change=True, family="negative_binomial", robust=True, lags=3
    )
    np.testing.assert_allclose(_by_r_term(robust, ref, "std_error"), ref["hac_se"], rtol=1e-5)


def test_ljung_box_and_counterfactual_agree_with_r() -> None:
    box = _fit(seasonality="fourier").ljung_box.iloc[0]
    ref = R["ljung_box_model3"]
    assert box["lags"] == ref["df"] == 12
    assert box["statistic"] == pytest.approx(ref["statistic"], rel=1e-8)
    assert box["p_value"] == pytest.approx(ref["p_value"], rel=1e-6)
    fitted = _fit(seasonality="fourier", slope_change=True).fitted
    cf = R["counterfactual_model4"]
    stdpop = _sicily()["stdpop"].to_numpy()
    link = np.log(fitted["counterfactual"].to_numpy())
    np.testing.assert_allclose(link, np.array(cf["link"]), rtol=1e-9)
    half = np.log(fitted["counterfactual_upper"] / fitted["counterfactual_lower"]) / 2
    np.testing.assert_allclose(half / 1.959963984540054, cf["se"], rtol=1e-7)
    assert np.all(fitted["counterfactual_lower"] < fitted["counterfactual"])
    assert stdpop.shape == link.shape


def test_controlled_its_agrees_with_r_vcovpl() -> None:
    ref = R["controlled"]
    data = _sicily()
    comparison = data.assign(aces=ref["comparison_aces"], control=True)
    both = pd.concat([data.assign(control=False), comparison], ignore_index=True)
    options: dict[str, object] = {
        "comparison": "control",
        "seasonality": "fourier",
        "slope_change": True,
    }
    names = {
        "(Intercept)": "intercept",
        "time": "time",
        "smokban": "level_change",
        "since": "slope_change",
        "group": "intervention",
        "group_time": "intervention:time",
        "group_post": "intervention:level_change",
        "group_since": "intervention:slope_change",
        "sin1": "sin1",
        "cos1": "cos1",
        "sin2": "sin2",
        "cos2": "cos2",
    }
    for robust, key in ((False, "se"), (True, "hac_se")):
        result = interrupted_time_series(
            both,
            period="time",
            outcome="aces",
            interruption=37,
            exposure="stdpop",
            robust=robust,
            lags=3,
            **options,
        )  # type: ignore[arg-type]
        table = result.coefficients.set_index("term")
        ours = np.array([table.loc[names[t], "std_error"] for t in ref["terms"]])
        np.testing.assert_allclose(ours, ref[key], rtol=1e-7)
        coef = np.array([table.loc[names[t], "estimate"] for t in ref["terms"]])
        np.testing.assert_allclose(coef, ref["coef"], rtol=1e-8, atol=1e-12)
    assert result.controlled and list(result.effects["term"]) == ["level_change", "slope_change"]
    assert set(result.fitted["series"]) == {"intervention", "comparison"}


def test_calendar_months_give_the_same_model() -> None:
    data = _sicily()
    data["month_start"] = pd.to_datetime(
        data["year"].astype(str) + "-" + data["month"].astype(str) + "-01"
    )
    dated = interrupted_time_series(
        data,
        period="month_start",
        outcome="aces",
        interruption="2005-01",
        exposure="stdpop",
        seasonality="fourier",
        slope_change=False,
    )
    np.testing.assert_allclose(
        dated.coefficients["estimate"],
        _fit(seasonality="fourier").coefficients["estimate"],
        rtol=1e-10,
    )
    assert str(dated.interruption) == "2005-01"
