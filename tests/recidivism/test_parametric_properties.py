"""Property tests of the parametric cores: AFT equivariance, Fine–Gray expansion, cure model."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given
from hypothesis import strategies as st

from rpeval.errors import RpevalError, RpevalWarning
from rpeval.recidivism import aft, cox, fine_gray
from rpeval.recidivism.competing._fine_gray_data import expand_fine_gray
from tests.hypothesis_budget import budget

SETTINGS = budget(60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _survival_frame(seed: int, n: int = 120) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    t = np.exp(2.0 + 0.5 * x + 0.8 * rng.gumbel(size=n))
    c = rng.uniform(2, 40, size=n)
    return pd.DataFrame({"t": np.minimum(t, c), "e": (t <= c).astype(int), "x": x})


@SETTINGS
@given(
    st.integers(0, 10_000),
    st.floats(0.01, 100.0),
    st.sampled_from(["weibull", "lognormal", "loglogistic"]),
)
def test_aft_time_scale_equivariance(seed: int, factor: float, dist: str) -> None:
    # changing the time unit shifts the intercept by log(factor) and nothing else
    frame = _survival_frame(seed)
    if frame["e"].sum() < 5:
        return
    base = aft(frame, "t", "e", ["x"], dist=dist)  # type: ignore[arg-type]
    scaled = aft(frame.assign(t=frame["t"] * factor), "t", "e", ["x"], dist=dist)  # type: ignore[arg-type]
    np.testing.assert_allclose(scaled.coef[0], base.coef[0] + np.log(factor), atol=1e-6)
    np.testing.assert_allclose(scaled.coef[1:], base.coef[1:], atol=1e-6)
    assert scaled.scale == pytest.approx(base.scale, rel=1e-6)
    jacobian = base.n_events * np.log(factor)
    assert scaled.loglik == pytest.approx(base.loglik - jacobian, abs=1e-6)


events = st.lists(st.tuples(st.integers(1, 15), st.integers(0, 3)), min_size=3, max_size=50)


@SETTINGS
@given(events, st.integers(1, 3))
def test_fine_gray_expansion_weights(rows: list[tuple[int, int]], code: int) -> None:
    time = np.array([r[0] for r in rows], dtype=float)
    cause = np.array([r[1] for r in rows], dtype=np.int64)
    if not np.any(cause == code):
        return
    ex = expand_fine_gray(time, cause, code, np.ones(time.size))
    assert np.all(ex.start < ex.stop)
    assert np.all((ex.weight > 0) & (ex.weight <= 1 + 1e-12))
    first = np.r_[True, ex.row[1:] != ex.row[:-1]]
    assert np.array_equal(ex.row[first], np.arange(time.size))  # every person once first
    assert np.all(ex.weight[first] == 1.0) and np.all(ex.start[first] == 0.0)
    assert ex.status.sum() == np.sum(cause == code)
    extra = ~first
    assert np.all(np.isin(cause[ex.row[extra]], [c for c in range(1, 4) if c != code]))
    # each person's rows do not overlap
    for person in np.unique(ex.row):
        rows_of = np.flatnonzero(ex.row == person)
        assert np.all(ex.start[rows_of][1:] >= ex.stop[rows_of][:-1])


@SETTINGS
@given(st.integers(0, 10_000))
def test_fine_gray_without_competing_events_is_cox(seed: int) -> None:
    frame = _survival_frame(seed, 80).assign(t=lambda f: np.ceil(f["t"]))
    if frame["e"].sum() < 3:
        return
    fg = fine_gray(frame, "t", "e", ["x"])
    plain = cox(frame, "t", "e", ["x"], ties="breslow", robust=True)
    np.testing.assert_allclose(fg.coef, plain.coef, rtol=1e-8, atol=1e-10)


@budget(40, deadline=None)
@given(
    st.lists(
        st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True), st.integers(-5, 5)),
        min_size=3,
        max_size=8,
    )
)
def test_bad_durations_raise_rpeval_errors(values: list[object]) -> None:
    frame = pd.DataFrame({"t": values, "e": [1] * len(values), "x": np.arange(len(values))})
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RpevalWarning)  # tiny data: fits may be poor
            aft(frame, "t", "e", ["x"])
    except RpevalError:
        return
    durations = pd.to_numeric(frame["t"])
    assert np.all(np.isfinite(durations)) and np.all(durations > 0)


@SETTINGS
@given(st.integers(0, 10_000), st.floats(0.01, 100.0))
def test_rate_model_exposure_unit_equivariance(seed: int, factor: float) -> None:
    from rpeval.recidivism import rate_model

    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({"arm": rng.integers(0, 2, 60), "years": rng.uniform(0.2, 3, 60)})
    frame["n"] = rng.poisson(frame["years"] * np.exp(0.3 - 0.5 * frame["arm"]))
    if frame["n"].sum() == 0 or frame.groupby("arm")["n"].sum().min() == 0:
        return
    base = rate_model(frame, "n", "years", group="arm")
    scaled = rate_model(frame.assign(years=frame["years"] * factor), "n", "years", group="arm")
    np.testing.assert_allclose(scaled.coef[0], base.coef[0] - np.log(factor), atol=1e-7)
    np.testing.assert_allclose(scaled.coef[1:], base.coef[1:], atol=1e-7)
    np.testing.assert_allclose(scaled.rates()["rate"] * factor, base.rates()["rate"], rtol=1e-7)


@SETTINGS
@given(
    st.integers(0, 10_000),
    st.lists(st.floats(-2.0, 2.0), min_size=5, max_size=5),
    st.sampled_from(["weibull", "lognormal", "loglogistic"]),
)
def test_cure_gradient_is_the_derivative(seed: int, theta: list[float], dist: str) -> None:
    from rpeval.recidivism.parametric._cure_likelihood import CureData, cure_loglik

    rng = np.random.default_rng(seed)
    n = 40
    X = np.column_stack([np.ones(n), rng.normal(size=n)])
    data = CureData(
        X, X, rng.normal(1.0, 1.0, n), rng.random(n) < 0.5, rng.uniform(0.5, 2, n), dist
    )
    point = np.asarray(theta)
    value, grad = cure_loglik(point, data)
    assert np.isfinite(value)
    h = 1e-6
    numeric = [
        (cure_loglik(point + e * h, data)[0] - cure_loglik(point - e * h, data)[0]) / (2 * h)
        for e in np.eye(5)
    ]
    np.testing.assert_allclose(grad, numeric, rtol=1e-4, atol=1e-4 * (1 + np.abs(grad).max()))
