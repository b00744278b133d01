"""The fused Cox kernel and the one-sort risk index equal the vectorised reference code."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given
from hypothesis import strategies as st

from rpeval.recidivism import cox
from rpeval.recidivism.cox._likelihood_counting import event_sums, partial_likelihood
from rpeval.recidivism.cox._likelihood_right_censored import fused_partial_likelihood
from rpeval.recidivism.cox._risk_sets import build_risk_set_index
from tests.hypothesis_budget import budget

SETTINGS = budget(60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _data(seed: int, n: int, p: int, n_strata: int, n_times: int, weighted: bool) -> dict:  # type: ignore[type-arg]
    rng = np.random.default_rng(seed)
    event = rng.uniform(size=n) < 0.6
    event[0] = True
    return {
        "stop": rng.integers(1, n_times + 1, n).astype(np.float64),
        "event": event,
        "stratum": rng.integers(0, n_strata, n).astype(np.int64),
        "X": rng.standard_normal((n, p)),
        "weights": rng.uniform(0.1, 3.0, n) if weighted else np.ones(n),
        "beta": rng.normal(0.0, 0.5, p),
    }


@SETTINGS
@given(
    seed=st.integers(0, 100_000),
    n=st.integers(1, 120),
    p=st.integers(1, 5),
    n_strata=st.integers(1, 4),
    n_times=st.integers(1, 15),
    weighted=st.booleans(),
    ties=st.sampled_from(["efron", "breslow"]),
)
def test_fused_kernel_equals_vectorised(
    seed: int, n: int, p: int, n_strata: int, n_times: int, weighted: bool, ties: str
) -> None:
    d = _data(seed, n, p, n_strata, n_times, weighted)
    index = build_risk_set_index(d["stop"], d["event"], d["stratum"])
    X, w = d["X"][index.order], d["weights"][index.order]
    wx = event_sums(index, X, w)
    ref = partial_likelihood(index, X, w, d["beta"], ties, wx)  # type: ignore[arg-type]
    fast = fused_partial_likelihood(index, X, w, d["beta"], ties, wx)  # type: ignore[arg-type]
    assert fast.loglik == pytest.approx(ref.loglik, rel=1e-10, abs=1e-12)
    scale = max(1.0, float(np.abs(ref.score).max()))
    np.testing.assert_allclose(fast.score, ref.score, rtol=1e-10, atol=1e-10 * scale)
    scale = max(1.0, float(np.abs(ref.information).max()))
    np.testing.assert_allclose(fast.information, ref.information, rtol=1e-10, atol=1e-10 * scale)


@SETTINGS
@given(
    seed=st.integers(0, 100_000),
    n=st.integers(1, 80),
    n_strata=st.integers(1, 4),
    n_times=st.integers(1, 10),
)
def test_one_sort_index_equals_the_searchsorted_index(
    seed: int, n: int, n_strata: int, n_times: int
) -> None:
    # with entry times before every stop, the general (start, stop] index has the same risk sets
    d = _data(seed, n, 1, n_strata, n_times, False)
    fast = build_risk_set_index(d["stop"], d["event"], d["stratum"])
    general = build_risk_set_index(d["stop"], d["event"], d["stratum"], np.zeros(n))
    for name in ("stop", "event", "stratum"):
        np.testing.assert_array_equal(getattr(fast, name), getattr(general, name))
    for name in ("event_time", "event_stratum", "stop_first", "stop_end", "n_tied", "event_rows"):
        np.testing.assert_array_equal(getattr(fast, name), getattr(general, name))
    for name in ("event_time_of", "event_time_first", "tie_rank", "event_hi"):
        np.testing.assert_array_equal(getattr(fast, name), getattr(general, name))


@pytest.mark.parametrize("ties", ["efron", "breslow"])
@pytest.mark.parametrize("options", [{}, {"strata": "site"}, {"weights": "w"}])
def test_fit_equals_the_counting_process_fit(ties: str, options: dict) -> None:  # type: ignore[type-arg]
    # entry 0 routes the same model through the vectorised kernel and the general index
    rng = np.random.default_rng(11)
    n = 400
    x = rng.standard_normal((n, 3))
    time = np.ceil(rng.exponential(5.0 / np.exp(x @ [0.4, -0.3, 0.2])))
    df = pd.DataFrame(x, columns=["a", "b", "c"]).assign(
        time=time,
        event=(rng.uniform(size=n) < 0.7).astype(int),
        site=rng.integers(0, 5, n),
        w=rng.uniform(0.2, 2.0, n),
        entry=0.0,
    )
    fast = cox(df, "time", "event", ["a", "b", "c"], ties=ties, **options)  # type: ignore[arg-type]
    ref = cox(df, "time", "event", ["a", "b", "c"], ties=ties, entry="entry", **options)  # type: ignore[arg-type]
    np.testing.assert_allclose(fast.coef, ref.coef, rtol=1e-10)
    np.testing.assert_allclose(fast.covariance, ref.covariance, rtol=1e-10)
    assert fast.loglik == pytest.approx(ref.loglik, rel=1e-12)
    assert fast.iterations == ref.iterations


def _direct(d: dict) -> tuple[float, np.ndarray, np.ndarray]:  # type: ignore[type-arg]
    """Efron terms summed event time by event time in long double: O(n T), no cumsums."""
    ld = np.longdouble
    X, w, stop, event, stratum = d["X"], d["weights"], d["stop"], d["event"], d["stratum"]
    eta = X.astype(ld) @ d["beta"].astype(ld)
    r = w.astype(ld) * np.exp(eta)
    p = X.shape[1]
    loglik, score, info = ld(0), np.zeros(p, dtype=ld), np.zeros((p, p), dtype=ld)
    for s in np.unique(stratum):
        here = stratum == s
        for t in np.unique(stop[here & event]):
            at_risk, dead = here & (stop >= t), here & (stop == t) & event
            n_dead = int(dead.sum())
            mean_w = w[dead].astype(ld).sum() / n_dead
            loglik += (w[dead] * eta[dead]).sum()
            score += (w[dead, None] * X[dead]).sum(axis=0)
            sums = [
                (r[rows] @ X[rows], (X[rows].T * r[rows]) @ X[rows]) for rows in (at_risk, dead)
            ]
            s0, tied = r[at_risk].sum(), r[dead].sum()
            for k in range(n_dead):
                f = ld(k) / n_dead
                denom = s0 - f * tied
                xbar = (sums[0][0] - f * sums[1][0]) / denom
                loglik -= mean_w * np.log(denom)
                score -= mean_w * xbar
                info += mean_w * ((sums[0][1] - f * sums[1][1]) / denom - np.outer(xbar, xbar))
    return float(loglik), score.astype(np.float64), info.astype(np.float64)


@budget(20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 100_000), scale=st.floats(0.5, 6.0), n_strata=st.integers(1, 6))
def test_fused_kernel_is_accurate_when_risks_span_many_orders(
    seed: int, scale: float, n_strata: int
) -> None:
    # linear predictors up to about +-20: the fused pass restarts its sums in each stratum
    # and never differences cumulative sums, so it keeps full precision (the vectorised
    # kernel can lose several digits here)
    d = _data(seed, 150, 3, n_strata, 12, True)
    d["X"] = d["X"] * scale
    index = build_risk_set_index(d["stop"], d["event"], d["stratum"])
    X, w = d["X"][index.order], d["weights"][index.order]
    fast = fused_partial_likelihood(index, X, w, d["beta"], "efron", event_sums(index, X, w))
    loglik, score, info = _direct(d)
    assert fast.loglik == pytest.approx(loglik, rel=1e-10)
    np.testing.assert_allclose(fast.score, score, rtol=0, atol=1e-9 * np.abs(score).max())
    np.testing.assert_allclose(fast.information, info, rtol=0, atol=1e-9 * np.abs(info).max())
