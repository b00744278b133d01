"""Count GLM fits for segmented regression and their covariances (model-based and HAC).

Poisson and quasi-Poisson use statsmodels' GLM (IRLS, log link, offset log exposure);
quasi-Poisson scales the covariance by Pearson's X^2 / (n - p), as R's
``summary.glm``. The negative binomial (NB2, variance mu + alpha mu^2) maximises the
profile likelihood in log alpha, then refits the GLM at that alpha, as MASS's
``glm.nb`` (whose ``theta`` is ``1 / alpha``); its covariance treats alpha as known.

The HAC covariance is Newey–West with Bartlett weights ``1 - j / (lags + 1)`` on the
scores ``x_i (y_i - mu_i) / (1 + alpha mu_i)``; with several series (controlled ITS)
the scores are first summed within each period (Driscoll & Kraay 1998), which is R's
``sandwich::vcovPL(..., adjust = FALSE)``; one series gives ``NeweyWest(..., prewhite =
FALSE, adjust = FALSE)``.

Examples
--------
>>> newey_west_lags(59)
3
"""

from __future__ import annotations

import math
import warnings
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray

from rpeval._lazy import optimize
from rpeval.errors import ConvergenceError

__all__ = ["CountFit", "fit_counts", "hac_covariance", "newey_west_lags"]

FloatArray = NDArray[np.float64]


class CountFit(NamedTuple):
    """A fitted count GLM: coefficients, covariance and what the sandwich needs."""

    coef: FloatArray
    cov: FloatArray
    bread: FloatArray
    mu: FloatArray
    scale: float
    alpha: float
    deviance_residuals: FloatArray
    pearson_residuals: FloatArray
    df_resid: int


def newey_west_lags(n: int) -> int:
    """Newey & West's (1994) rule of thumb: ``floor(4 (n / 100) ** (2 / 9))``."""
    lags: int = math.floor(4.0 * (n / 100.0) ** (2.0 / 9.0))
    return lags


def _glm(y: FloatArray, X: FloatArray, offset: FloatArray, alpha: float | None) -> Any:
    import statsmodels.api as sm
    from statsmodels.tools.sm_exceptions import ConvergenceWarning as SmConvergenceWarning
    from statsmodels.tools.sm_exceptions import PerfectSeparationWarning

    family = sm.families.Poisson() if alpha is None else sm.families.NegativeBinomial(alpha=alpha)
    model = sm.GLM(y, X, family=family, offset=offset)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", SmConvergenceWarning)
            warnings.simplefilter("error", PerfectSeparationWarning)
            warnings.simplefilter("error", RuntimeWarning)
            return model.fit(method="IRLS", tol=1e-13, maxiter=200)
    except (Warning, np.linalg.LinAlgError, ValueError) as error:
        raise ConvergenceError(
            f"interrupted_time_series(): the count model did not converge ({error})",
            hint="check for a series of zeros, or simplify the model (seasonality=None)",
        ) from None


def _profile_alpha(y: FloatArray, X: FloatArray, offset: FloatArray) -> float:
    def negative_loglik(log_alpha: float) -> float:
        return -float(_glm(y, X, offset, math.exp(log_alpha)).llf)

    found = optimize.minimize_scalar(
        negative_loglik, bounds=(-20.0, 5.0), method="bounded", options={"xatol": 1e-10}
    )
    return float(math.exp(found.x))


def fit_counts(y: FloatArray, X: FloatArray, offset: FloatArray, family: str) -> CountFit:
    """Fit ``family`` ("poisson", "quasipoisson", "negative_binomial")."""
    alpha = _profile_alpha(y, X, offset) if family == "negative_binomial" else 0.0
    result = _glm(y, X, offset, alpha if family == "negative_binomial" else None)
    mu = np.asarray(result.mu, dtype=np.float64)
    weight = mu / (1.0 + alpha * mu)
    bread = np.asarray(np.linalg.inv(X.T @ (X * weight[:, None])), dtype=np.float64)
    pearson = (y - mu) / np.sqrt(mu + alpha * mu**2)
    df_resid = len(y) - X.shape[1]
    scale = float(pearson @ pearson / df_resid) if family == "quasipoisson" else 1.0
    return CountFit(
        coef=np.asarray(result.params, dtype=np.float64),
        cov=bread * scale,
        bread=bread,
        mu=mu,
        scale=scale,
        alpha=alpha,
        deviance_residuals=np.asarray(result.resid_deviance, dtype=np.float64),
        pearson_residuals=pearson,
        df_resid=df_resid,
    )


def hac_covariance(
    fit: CountFit, y: FloatArray, X: FloatArray, period: NDArray[np.int64], lags: int
) -> FloatArray:
    """Newey–West (Driscoll–Kraay with several series) covariance of the coefficients."""
    scores = X * ((y - fit.mu) / (1.0 + fit.alpha * fit.mu))[:, None]
    n_periods = int(period.max()) + 1
    summed = np.zeros((n_periods, X.shape[1]))
    np.add.at(summed, period, scores)
    meat = summed.T @ summed
    for lag in range(1, min(lags, n_periods - 1) + 1):
        cross = summed[lag:].T @ summed[:-lag]
        meat += (1.0 - lag / (lags + 1.0)) * (cross + cross.T)
    return np.asarray(fit.bread @ meat @ fit.bread, dtype=np.float64)
