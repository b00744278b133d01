"""rpeval._inference: z quantiles, two-sided p-values and Wald tables agree with scipy."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from rpeval._inference import (
    WALD_COLUMNS,
    chi2_sf,
    ratio_columns,
    two_sided_p,
    wald,
    wald_columns,
    wald_table,
    wilson_interval,
    z_quantile,
)
from tests.hypothesis_budget import budget

levels = st.floats(min_value=0.01, max_value=0.999)
finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)
positive = st.floats(min_value=1e-6, max_value=1e6)


@budget(60)
@given(levels)
def test_z_quantile_is_the_normal_quantile(conf_level: float) -> None:
    z = z_quantile(conf_level)
    assert z == pytest.approx(stats.norm.ppf(1 - (1 - conf_level) / 2), rel=1e-12)
    assert stats.norm.cdf(z) - stats.norm.cdf(-z) == pytest.approx(conf_level, abs=1e-12)


@budget(60)
@given(st.lists(finite, min_size=1, max_size=5), positive, levels)
def test_wald_columns_agree_with_scipy(estimates: list[float], se: float, level: float) -> None:
    est = np.array(estimates)
    cols = wald_columns(est, np.full(est.shape, se), level)
    lower, upper = stats.norm.interval(level, loc=est, scale=se)
    np.testing.assert_allclose(cols["ci_lower"], lower, rtol=1e-10, atol=1e-8 * se)
    np.testing.assert_allclose(cols["ci_upper"], upper, rtol=1e-10, atol=1e-8 * se)
    z = est / se
    np.testing.assert_allclose(cols["p_value"], 2 * stats.norm.sf(np.abs(z)), rtol=1e-12)
    assert np.all((cols["p_value"] >= 0) & (cols["p_value"] <= 1))
    assert list(cols) == list(WALD_COLUMNS)


@budget(60)
@given(finite, positive, levels)
def test_scalar_wald_matches_the_array_form(estimate: float, se: float, level: float) -> None:
    w = wald(estimate, se, level)
    cols = wald_columns([estimate], [se], level)
    assert w == tuple(float(cols[name][0]) for name in WALD_COLUMNS)
    assert two_sided_p(w.statistic) == pytest.approx(w.p_value, rel=1e-12)
    assert w.ci_lower <= estimate <= w.ci_upper


def test_nan_stays_nan() -> None:
    assert math.isnan(two_sided_p(math.nan))
    cols = wald_columns([np.nan, 1.0], [1.0, np.nan], 0.95)
    assert np.isnan(cols["p_value"]).all()


def test_table_columns_and_ratio() -> None:
    table = wald_table(
        ["a", "log_scale"], [0.1, -0.2], [0.05, 0.1], 0.9, ratio="rate_ratio", has_ratio=[1, 0]
    )
    assert list(table.columns) == [
        "term", "estimate", "std_error", "statistic", "p_value", "ci_lower", "ci_upper",
        "rate_ratio", "rate_ratio_lower", "rate_ratio_upper",
    ]  # fmt: skip
    assert table.loc[0, "rate_ratio_upper"] == pytest.approx(math.exp(0.1 + z_quantile(0.9) * 0.05))
    assert np.isnan(table.loc[1, "rate_ratio"])
    plain = wald_table(["a"], [0.1], [0.05], 0.95)
    assert list(plain.columns) == ["term", "estimate", "std_error", *WALD_COLUMNS]
    exp = ratio_columns([0.0], [-1.0], [1.0], ratio="odds_ratio")
    assert exp["odds_ratio_lower"][0] == pytest.approx(math.exp(-1.0))


@budget(60)
@given(st.integers(min_value=1, max_value=500), st.data(), levels)
def test_wilson_interval_matches_statsmodels(n: int, data: st.DataObject, level: float) -> None:
    from statsmodels.stats.proportion import proportion_confint

    k = data.draw(st.integers(min_value=0, max_value=n))
    lower, upper = wilson_interval(k, n, z_quantile(level))
    expected = proportion_confint(k, n, alpha=1 - level, method="wilson")
    assert (lower, upper) == pytest.approx(expected, abs=1e-10)
    assert 0.0 <= lower <= k / n <= upper <= 1.0


@budget(60)
@given(levels, st.lists(st.floats(min_value=-50, max_value=50), min_size=1, max_size=8))
def test_special_functions_give_scipy_stats_bits(level: float, values: list[float]) -> None:
    # z_quantile and two_sided_p use scipy.special (cheap to import), the functions
    # scipy.stats.norm calls: the same bits with scipy 1.17 (checked on the demo's
    # results.json); compared to 1e-14 here so that another scipy cannot fail the test
    assert z_quantile(level) == pytest.approx(stats.norm.ppf(0.5 + level / 2.0), rel=1e-14)
    z = np.array(values)
    np.testing.assert_allclose(two_sided_p(z), 2.0 * stats.norm.sf(np.abs(z)), rtol=1e-14)
    assert two_sided_p(values[0]) == pytest.approx(2.0 * stats.norm.sf(abs(values[0])), rel=1e-14)


@budget(60)
@given(
    st.lists(st.floats(min_value=-5, max_value=500) | st.just(math.nan), min_size=1, max_size=8),
    st.sampled_from([0, 1, 2, 3, 5, 0.5, 12]),
)
def test_chi2_sf_is_scipy_stats_chi2_sf(values: list[float], df: float) -> None:
    x = np.array(values)
    np.testing.assert_allclose(chi2_sf(x, df), stats.chi2.sf(x, df), rtol=1e-14, atol=0)
    expected = float(stats.chi2.sf(values[0], df))
    got = chi2_sf(values[0], df)
    assert got == pytest.approx(expected, rel=1e-14, nan_ok=True)
