"""Properties of the negative binomial dispersion search (recidivism/_count_glm.py)."""

from __future__ import annotations

import warnings
from decimal import Decimal, localcontext

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, assume, given
from hypothesis import strategies as st

from rpeval.errors import ConvergenceWarning
from rpeval.recidivism import rate_model
from rpeval.recidivism.rates._count_glm import theta_score
from tests.hypothesis_budget import budget

SETTINGS = budget(40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _score_50_digits(theta: float, y: list[int], mu: list[float]) -> Decimal:
    """The theta score in 50-digit decimal arithmetic, from the floats' exact values."""
    with localcontext() as ctx:
        ctx.prec = 50
        t = Decimal(theta)
        total = Decimal(0)
        for yi, mi in zip(y, mu, strict=True):
            m = Decimal(mi)
            total += sum((1 / (t + k) for k in range(yi)), Decimal(0))  # digamma difference
            total += (m - yi) / (m + t) - (1 + m / t).ln()
        return total


@SETTINGS
@given(
    y=st.lists(st.integers(0, 30), min_size=1, max_size=15),
    mu_seed=st.integers(0, 2**32 - 1),
    log10_theta=st.floats(-3.0, 11.0),
)
def test_theta_score_is_accurate_for_any_theta(
    y: list[int], mu_seed: int, log10_theta: float
) -> None:
    # the terms of order 1/theta cancel; what is left must keep its digits: the error is
    # bounded by 1e-13 of the size of those terms, far below the 1/theta^2 remainder for
    # theta up to 1e11 (the digamma form loses every digit by theta = 1e7)
    theta = 10.0**log10_theta
    mu = np.random.default_rng(mu_seed).uniform(0.05, 20.0, len(y))
    exceed = np.array([sum(v > k for v in y) for k in range(max(y))], dtype=np.float64)
    got = theta_score(theta, np.asarray(y, dtype=np.float64), mu, exceed)
    exact = _score_50_digits(theta, y, mu.tolist())
    scale = (sum(y) + float(mu.sum())) / theta + 1.0 / (1.0 + theta)
    assert abs(Decimal(got) - exact) <= Decimal(1e-13 * scale)


@SETTINGS
@given(seed=st.integers(0, 2**32 - 1), shape=st.sampled_from([0.7, 2.0, 10.0, 60.0]))
def test_fitted_dispersion_solves_both_score_equations(seed: int, shape: float) -> None:
    rng = np.random.default_rng(seed)
    n = 300
    x = rng.integers(0, 2, n).astype(float)
    years = rng.uniform(0.5, 3.0, n)
    mean = years * np.exp(0.3 - 0.4 * x) * rng.gamma(shape, 1 / shape, n)
    data = pd.DataFrame({"count": rng.poisson(mean), "years": years, "x": x})
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        try:
            fit = rate_model(data, "count", "years", covariates=["x"], family="negative_binomial")
        except ConvergenceWarning:  # no overdispersion in this draw: alpha = 0 (Poisson)
            assume(False)
            raise
    X = np.column_stack([np.ones(n), x])
    y = data["count"].to_numpy(dtype=float)
    mu = years * np.exp(X @ fit.coef)
    beta_score = X.T @ ((y - mu) / (1 + fit.alpha * mu))
    assert np.all(np.abs(beta_score) <= 1e-8 * (1 + np.abs(X).T @ y))
    theta = 1 / fit.alpha
    exceed = np.bincount(y.astype(int))[::-1].cumsum()[::-1][1:].astype(float)
    scale = (y.sum() + mu.sum()) / theta
    assert abs(theta_score(theta, y, mu, exceed)) <= 1e-9 * scale
