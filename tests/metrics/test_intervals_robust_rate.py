"""The over-dispersion-robust rate interval (``poisson-robust``): exact Poisson when the
counts show no extra variation, never narrower, and the ratio estimator's variance when
people differ; the default of ``kind: rate`` metrics."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rpeval.metrics import Registry
from rpeval.metrics.intervals import RatioSums, poisson_rate_interval, robust_rate_interval
from tests.hypothesis_budget import budget

SETTINGS = budget(200, deadline=None)


def sums_of(events: np.ndarray, exposure: np.ndarray) -> RatioSums:
    return RatioSums(
        x=float(events.sum()),
        y=float(exposure.sum()),
        xx=float(events @ events),
        yy=float(exposure @ exposure),
        xy=float(events @ exposure),
        rows=float(events.size),
    )


people = st.lists(
    st.tuples(st.integers(0, 12), st.floats(0.1, 5.0, allow_nan=False)), min_size=1, max_size=40
)


@given(people)
@SETTINGS
def test_never_narrower_than_exact_poisson(rows: list[tuple[int, float]]) -> None:
    events = np.asarray([r[0] for r in rows], float)
    exposure = np.asarray([r[1] for r in rows], float)
    robust = robust_rate_interval(sums_of(events, exposure))
    exact = poisson_rate_interval(events.sum(), exposure.sum())
    assert robust.low is not None and exact.low is not None
    assert robust.high is not None and exact.high is not None
    assert robust.low <= exact.low + 1e-12 and robust.high >= exact.high - 1e-12
    rate = events.sum() / exposure.sum()
    assert robust.low <= rate <= robust.high


@given(people)
@SETTINGS
def test_variance_matches_the_ratio_estimator_when_overdispersed(
    rows: list[tuple[int, float]],
) -> None:
    """The effective dispersion equals the slow per-person linearised variance over the
    Poisson variance (when above 1)."""
    events = np.asarray([r[0] for r in rows], float)
    exposure = np.asarray([r[1] for r in rows], float)
    total, rate = exposure.sum(), events.sum() / exposure.sum()
    if events.size < 2 or rate == 0:
        return
    residuals = events - rate * exposure
    variance = events.size / (events.size - 1) * float(residuals @ residuals) / total**2
    dispersion = max(1.0, variance / (rate / total))
    expected = poisson_rate_interval(events.sum() / dispersion, total / dispersion)
    got = robust_rate_interval(sums_of(events, exposure))
    assert got.low == pytest.approx(expected.low, rel=1e-9, abs=1e-12)
    assert got.high == pytest.approx(expected.high, rel=1e-9)


def test_equal_rates_give_the_exact_interval() -> None:
    events, exposure = np.array([3.0, 6.0, 9.0]), np.array([1.0, 2.0, 3.0])
    robust = robust_rate_interval(sums_of(events, exposure))
    exact = poisson_rate_interval(18, 6)
    assert (robust.low, robust.high) == pytest.approx((exact.low, exact.high))


def test_no_events_and_no_exposure() -> None:
    zero = robust_rate_interval(sums_of(np.zeros(4), np.ones(4)))
    assert zero.low == 0.0 and zero.high == pytest.approx(-math.log(0.025) / 4)
    assert robust_rate_interval(sums_of(np.zeros(2), np.zeros(2))).low is None


def test_rate_metrics_use_it_by_default() -> None:
    people = pd.DataFrame(
        {"rearrest_count": [12, 0, 0, 0], "street_days": [365.25] * 4, "participant": True}
    )
    table = Registry.builtin().compute(["reoffenses_per_person_year"], {"people": people})
    assert table.intervals["reoffenses_per_person_year"] == "poisson-robust"
    row = table.summary().iloc[0]
    low = row["ci_lower"]
    high = row["ci_upper"]
    exact = poisson_rate_interval(12, 4)
    assert low < exact.low and high > exact.high  # one person has all the arrests
