"""Intervals agree with statsmodels and with the anchors of DOMAIN.md section 3."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from statsmodels.stats.proportion import proportion_confint
from statsmodels.stats.rates import confint_poisson

from rpeval.errors import SpecificationError
from rpeval.metrics import mean_interval, poisson_rate_interval, proportion_interval
from rpeval.metrics.intervals import RatioSums, ratio_interval
from tests.hypothesis_budget import budget

STATSMODELS = {"wilson": "wilson", "clopper-pearson": "beta", "jeffreys": "jeffreys"}


def test_domain_anchors() -> None:
    wilson = proportion_interval(45, 50)
    assert (round(wilson.low, 4), round(wilson.high, 4)) == (0.7864, 0.9565)
    zero = proportion_interval(0, 7)
    assert zero.low == 0.0
    assert round(zero.high, 4) == 0.3543
    rate = poisson_rate_interval(12, 150)
    assert (round(rate.low, 4), round(rate.high, 4)) == (0.0413, 0.1397)


@budget(300, deadline=None)
@given(
    trials=st.integers(1, 5000),
    share=st.floats(0, 1),
    method=st.sampled_from(sorted(STATSMODELS)),
    conf_level=st.sampled_from([0.8, 0.9, 0.95, 0.99]),
)
def test_proportions_equal_statsmodels(
    trials: int, share: float, method: str, conf_level: float
) -> None:
    successes = round(share * trials)
    ours = proportion_interval(successes, trials, method=method, conf_level=conf_level)
    low, high = proportion_confint(
        successes, trials, alpha=1 - conf_level, method=STATSMODELS[method]
    )
    assert ours.low == pytest.approx(low, abs=1e-10)
    assert ours.high == pytest.approx(high, abs=1e-10)
    assert 0.0 <= ours.low <= ours.high <= 1.0
    if method != "jeffreys":  # the equal-tailed Jeffreys interval can miss 0/n and n/n
        assert ours.low <= successes / trials <= ours.high


@budget(200, deadline=None)
@given(events=st.integers(0, 10_000), exposure=st.floats(0.01, 1e6))
def test_poisson_equals_statsmodels_exact(events: int, exposure: float) -> None:
    ours = poisson_rate_interval(events, exposure)
    low, high = confint_poisson(events, exposure, method="exact-c")
    assert ours.low == pytest.approx(low, rel=1e-9, abs=1e-15)
    assert ours.high == pytest.approx(high, rel=1e-9)


@budget(100, deadline=None)
@given(values=st.lists(st.floats(-1e3, 1e3), min_size=2, max_size=50))
def test_mean_interval_is_the_t_interval(values: list[float]) -> None:
    from scipy import stats

    n = len(values)
    mean = math.fsum(values) / n
    sd = math.sqrt(math.fsum((v - mean) ** 2 for v in values) / (n - 1))
    ours = mean_interval(mean, sd, n)
    half = stats.t.isf(0.025, n - 1) * sd / math.sqrt(n)
    assert ours.low == pytest.approx(mean - half, abs=1e-6)
    assert ours.high == pytest.approx(mean + half, abs=1e-6)


def test_ratio_interval_by_hand() -> None:
    # x = 1, 0, 2; y = 1, 2, 3: R = 0.5, residuals 0.5, -1, 0.5; var = 3 * 1.5 / (2 * 36)
    interval = ratio_interval(RatioSums(x=3, y=6, xx=5, yy=14, xy=7, rows=3))
    half = 1.959963984540054 * math.sqrt(3 * 1.5 / (2 * 36))
    assert interval.low == pytest.approx(0.5 - half)
    assert interval.high == pytest.approx(0.5 + half)


def test_undefined_intervals() -> None:
    assert proportion_interval(0, 0).low is None
    assert poisson_rate_interval(3, 0).high is None
    assert mean_interval(1.0, 1.0, 1).low is None
    assert mean_interval(1.0, float("nan"), 5).low is None
    assert ratio_interval(RatioSums(1, 0, 1, 0, 0, 5)).low is None


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: proportion_interval(5, 3), "successes <= trials"),
        (lambda: proportion_interval(-1, 3), "successes <= trials"),
        (lambda: proportion_interval(1, 3, method="wald"), "unknown interval method"),
        (lambda: proportion_interval(1, 3, conf_level=1.0), "conf_level"),
        (lambda: proportion_interval(float("nan"), 3), "finite"),
        (lambda: poisson_rate_interval(-1, 3), "non-negative"),
    ],
)
def test_bad_input_is_a_clean_error(call: object, match: str) -> None:
    with pytest.raises(SpecificationError, match=match):
        call()  # type: ignore[operator]


def test_relative_rate_interval_by_hand() -> None:
    from rpeval.metrics.intervals import relative_rate_interval

    interval = relative_rate_interval(30, 100, 20, 100)
    se = math.sqrt(1 / 30 - 1 / 100 + 1 / 20 - 1 / 100)
    assert interval.low == pytest.approx(1.5 * math.exp(-1.959963984540054 * se))
    assert interval.high == pytest.approx(1.5 * math.exp(1.959963984540054 * se))
    assert relative_rate_interval(0, 10, 3, 10).low is None


def test_interval_result_contract() -> None:
    from rpeval.metrics import Interval, proportion_interval

    interval = proportion_interval(45, 50)
    frame = interval.summary()
    assert list(frame.columns) == ["ci_lower", "ci_upper"]
    assert frame.iloc[0].tolist() == [interval.low, interval.high]
    assert interval.to_dict() == {"ci_lower": interval.low, "ci_upper": interval.high}
    assert str(interval).startswith("Confidence interval") and "<table" in interval._repr_html_()
    undefined = Interval(None, None)
    assert undefined.summary()["ci_lower"].isna().all()
    assert undefined.to_dict() == {"ci_lower": None, "ci_upper": None}
    assert "undefined" in str(undefined)
