"""interrupted_time_series(): invariants, options, errors and the result contract."""

from __future__ import annotations

import json

import matplotlib
import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rpeval.community import ITSResult, interrupted_time_series
from rpeval.errors import DataError, SpecificationError
from tests.hypothesis_budget import budget

matplotlib.use("Agg")


def _series(seed: int = 0, n: int = 36, step: float = 0.8) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    population = rng.uniform(9_000, 11_000, n)
    season = 0.1 * np.sin(2 * np.pi * t / 12)
    rate = 0.01 * np.exp(0.003 * t + season) * np.where(t >= n // 2, step, 1)
    return pd.DataFrame({"t": t + 1, "y": rng.poisson(rate * population), "pop": population})


def _fit(data: pd.DataFrame, **options: object) -> ITSResult:
    args: dict[str, object] = {"period": "t", "outcome": "y", "interruption": 19, "exposure": "pop"}
    args.update(options)
    return interrupted_time_series(data, **args)  # type: ignore[arg-type]


@budget(12)
@given(
    seed=st.integers(0, 1000),
    scale=st.floats(1e-3, 1e3),
    family=st.sampled_from(["poisson", "quasipoisson"]),
    robust=st.booleans(),
)
def test_rate_ratios_do_not_depend_on_the_exposure_unit(
    seed: int, scale: float, family: str, robust: bool
) -> None:
    data = _series(seed)
    one = _fit(data, family=family, robust=robust)
    two = _fit(data.assign(pop=data["pop"] * scale), family=family, robust=robust)
    for column in ("rate_ratio", "rate_ratio_lower", "rate_ratio_upper", "p_value"):
        np.testing.assert_allclose(one.effects[column], two.effects[column], rtol=1e-5)
    np.testing.assert_allclose(one.fitted["expected"], two.fitted["expected"], rtol=1e-5)


@budget(12)
@given(seed=st.integers(0, 1000), season=st.sampled_from([None, "fourier", "indicators"]))
def test_counterfactual_equals_fit_before_and_rows_in_any_order(
    seed: int, season: str | None
) -> None:
    data = _series(seed)
    fit = _fit(data, seasonality=season)
    before = fit.fitted[~fit.fitted["post"]]
    np.testing.assert_allclose(before["counterfactual"], before["expected"], rtol=1e-10)
    assert (fit.fitted["counterfactual_lower"] <= fit.fitted["counterfactual"]).all()
    shuffled = _fit(data.sample(frac=1.0, random_state=seed), seasonality=season)
    np.testing.assert_allclose(
        shuffled.coefficients["estimate"], fit.coefficients["estimate"], rtol=1e-8, atol=1e-12
    )
    # the fitted counts reproduce the observed total (Poisson score equation, intercept)
    assert fit.fitted["expected"].sum() == pytest.approx(fit.fitted["observed"].sum(), rel=1e-8)


def test_negative_binomial_rate_ratios_do_not_depend_on_the_exposure_unit() -> None:
    # alpha is found by a 1-D search, so agreement is to its tolerance, not to rounding
    data = _series(2)
    one = _fit(data, family="negative_binomial")
    two = _fit(data.assign(pop=data["pop"] * 4.0), family="negative_binomial")
    assert one.alpha == pytest.approx(two.alpha, rel=1e-4)
    np.testing.assert_allclose(one.effects["rate_ratio"], two.effects["rate_ratio"], rtol=1e-6)
    np.testing.assert_allclose(one.effects["std_error"], two.effects["std_error"], rtol=1e-5)


def test_result_contract_and_plot() -> None:
    fit = _fit(_series(1), robust=True)
    assert list(fit.summary()["term"]) == ["level_change", "slope_change"]
    assert 0.6 < fit.level_change < 1.1 and fit.slope_change > 0
    assert fit.lags == 3 and "Newey-West" in str(fit) and "<table" in fit._repr_html_()
    json.dumps(fit.to_dict())
    ax = fit.plot()
    assert ax.get_legend() is not None
    step_only = _fit(_series(1), slope_change=False)
    assert np.isnan(step_only.slope_change)


def test_quasipoisson_scales_the_poisson_standard_errors() -> None:
    data = _series(2)
    poisson, quasi = _fit(data, family="poisson"), _fit(data)
    ratio = quasi.coefficients["std_error"] / poisson.coefficients["std_error"]
    np.testing.assert_allclose(ratio, np.sqrt(quasi.dispersion), rtol=1e-10)
    np.testing.assert_allclose(
        quasi.coefficients["estimate"], poisson.coefficients["estimate"], rtol=1e-10
    )


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"interruption": 2}, SpecificationError, "at least 3 of each"),
        ({"interruption": 35}, SpecificationError, "at least 3 of each"),
        ({"interruption": "2020-01"}, SpecificationError, "same kind"),
        ({"family": "gaussian"}, SpecificationError, "family="),
        ({"seasonality": "monthly"}, SpecificationError, "seasonality="),
        ({"conf_level": 95}, SpecificationError, "conf_level"),
        ({"exposure": "population"}, DataError, "is not in `data`"),
        ({"comparison": "pop"}, DataError, "must be 0/1"),
    ],
)
def test_errors(options: dict[str, object], error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        _fit(_series(), **options)


def test_bad_series() -> None:
    data = _series()
    with pytest.raises(DataError, match="more than once"):
        _fit(pd.concat([data, data.iloc[[3]]]))
    with pytest.raises(DataError, match="has gaps"):
        _fit(data.drop(index=5))
    with pytest.raises(DataError, match="must mark the rows"):
        _fit(data.assign(control=False), comparison="control")
