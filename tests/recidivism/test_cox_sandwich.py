"""The one-pass robust sandwich equals the numpy score-residual version (issue 23)."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given
from hypothesis import strategies as st

from rpeval.recidivism.cox._likelihood_counting import score_residuals
from rpeval.recidivism.cox._risk_sets import build_risk_set_index, group_sums
from rpeval.recidivism.cox._sandwich import robust_covariance
from tests.hypothesis_budget import budget


@budget(60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 100_000),
    n=st.integers(1, 120),
    p=st.integers(1, 4),
    n_strata=st.integers(1, 3),
    n_times=st.integers(1, 15),
    weighted=st.booleans(),
    clustered=st.booleans(),
    entry=st.booleans(),
    ties=st.sampled_from(["efron", "breslow"]),
)
def test_robust_covariance_equals_score_residual_sandwich(
    seed: int,
    n: int,
    p: int,
    n_strata: int,
    n_times: int,
    weighted: bool,
    clustered: bool,
    entry: bool,
    ties: str,
) -> None:
    rng = np.random.default_rng(seed)
    stop = rng.integers(1, n_times + 1, n).astype(np.float64)
    event = rng.uniform(size=n) < 0.6
    start = np.maximum(stop - rng.integers(1, n_times + 1, n), 0.0) if entry else None
    index = build_risk_set_index(stop, event, rng.integers(0, n_strata, n).astype(np.int64), start)
    X = rng.standard_normal((n, p))[index.order]
    w = (rng.uniform(0.1, 3.0, n) if weighted else np.ones(n))[index.order]
    beta = rng.normal(0.0, 0.5, p)
    a = rng.standard_normal((p, p))
    covariance = a @ a.T + np.eye(p)
    cluster = rng.integers(0, max(1, n // 3), n)[index.order] if clustered else None
    resid = score_residuals(index, X, w, beta, ties).residuals  # type: ignore[arg-type]
    dfbeta = (resid * w[:, None]) @ covariance
    if cluster is not None:
        dfbeta = group_sums(cluster, dfbeta, int(cluster.max()) + 1)
    expected = dfbeta.T @ dfbeta
    got = robust_covariance(index, X, w, beta, ties, covariance, cluster)  # type: ignore[arg-type]
    scale = max(1.0, float(np.abs(expected).max()))
    np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-12 * scale)
