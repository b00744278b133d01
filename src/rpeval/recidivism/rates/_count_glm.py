"""Poisson and NB2 count regressions with a log link and an offset, as R fits them.

The negative binomial dispersion is estimated as ``MASS::glm.nb`` does it, alternating a
GLM fit at fixed ``theta = 1 / alpha`` with the maximum-likelihood ``theta`` given the
fitted means, but each step is solved to machine precision (``glm.nb`` stops its inner
Newton search at ``eps^0.25`` and its alternation at an absolute change of 1e-8 in
``theta``). The robust covariance is ``sandwich::vcovHC(type = "HC0")`` on the fit:
bread from the expected information (IRLS weights ``mu / (1 + alpha mu)``), meat from
the score contributions; both given ``alpha``.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from rpeval._lazy import optimize
from rpeval.errors import ConvergenceError, ConvergenceWarning

__all__ = ["CountFit", "fit_count_model", "theta_score"]

FloatArray = NDArray[np.float64]
Family = Literal["poisson", "negative_binomial"]
THETA_RANGE = (1e-8, 1e10)  # alpha from 1e8 (no estimate) down to 1e-10 (no overdispersion)
MAX_ALTERNATIONS = 100


@dataclass(frozen=True)
class CountFit:
    """A converged count regression: coefficients, their covariance, fit statistics."""

    params: FloatArray
    covariance: FloatArray  # HC0 sandwich when robust, inverse expected information otherwise
    loglik: float
    pearson_chi2: float
    df_resid: float
    alpha: float  # NB2 dispersion (variance mu + alpha mu^2); 0 for Poisson


def theta_score(theta: float, y: FloatArray, mu: FloatArray, exceed: FloatArray) -> float:
    """Derivative of the NB2 log likelihood in ``theta`` at fixed means (MASS ``theta.ml``).

    ``digamma(theta + y) - digamma(theta)`` is written as ``sum_{k < y} 1 / (theta + k)``
    (``exceed[k]`` counts the rows with ``y > k``), and ``log(theta) - log(theta + mu)`` as
    ``-log1p(mu / theta)``: the terms of order ``1 / theta`` cancel, and these forms keep
    the remainder accurate for ``theta`` up to about 1e12, where the digamma form has lost
    every digit by 1e7.

    Examples
    --------
    >>> from scipy.special import digamma
    >>> y, mu = np.array([0.0, 3.0, 1.0]), np.array([0.5, 2.0, 1.2])
    >>> exceed = np.array([2.0, 1.0, 1.0])  # rows with y > 0, y > 1, y > 2
    >>> direct = np.sum(digamma(2 + y) - digamma(2) + np.log(2) + 1 - np.log(2 + mu)
    ...                 - (y + 2) / (mu + 2))
    >>> bool(np.isclose(theta_score(2.0, y, mu, exceed), direct, rtol=1e-12))
    True
    """
    k = np.arange(exceed.shape[0], dtype=np.float64)
    series = float(np.sum(exceed / (theta + k)))
    rest = float(np.sum((mu - y) / (mu + theta) - np.log1p(mu / theta)))
    return series + rest


def _theta_ml(y: FloatArray, mu: FloatArray, exceed: FloatArray) -> float:
    """The ``theta`` maximising the likelihood at means ``mu``; ``inf`` on the boundary."""
    low, high = THETA_RANGE
    if theta_score(low, y, mu, exceed) <= 0.0:
        raise ConvergenceError(
            "rate_model(): the negative binomial dispersion could not be estimated "
            f"(alpha > {1 / low:g})",
            hint="check for exposures near 0 with events; or use "
            'family="poisson", whose robust SEs allow for overdispersion',
        )
    if theta_score(high, y, mu, exceed) >= 0.0:
        return math.inf  # no overdispersion: alpha = 0
    root = optimize.brentq(
        lambda u: theta_score(math.exp(u), y, mu, exceed),
        math.log(low),
        math.log(high),
        xtol=1e-14,
        rtol=4 * np.finfo(np.float64).eps,
        maxiter=200,
    )
    return math.exp(root)


def _glm(y: FloatArray, X: FloatArray, offset: FloatArray, alpha: float, start: Any) -> Any:
    import statsmodels.api as sm

    family: Any = sm.families.NegativeBinomial(alpha=alpha) if alpha > 0 else sm.families.Poisson()
    model = sm.GLM(y, X, family=family, offset=offset)
    try:
        # converge on the coefficients (a deviance criterion leaves them ~1e-7 apart)
        return model.fit(
            start_params=start, tol=1e-11, rtol=1e-11, tol_criterion="params", maxiter=100
        )
    except (ValueError, np.linalg.LinAlgError) as error:
        raise ConvergenceError(f"rate_model(): the model could not be fitted: {error}") from None


def _dispersion(y: FloatArray, X: FloatArray, offset: FloatArray, poisson: Any) -> float:
    """``alpha`` of the NB2 model by alternation, as ``glm.nb`` (0 on the boundary)."""
    exceed = np.bincount(y.astype(np.int64))[::-1].cumsum()[::-1][1:].astype(np.float64)
    mu, params, theta = np.asarray(poisson.mu), poisson.params, math.nan
    for _ in range(MAX_ALTERNATIONS):
        new_theta = _theta_ml(y, mu, exceed)
        if math.isinf(new_theta):
            warnings.warn(
                "rate_model(): the counts show no overdispersion: the negative binomial "
                "dispersion is 0 (its boundary) and the fit is the Poisson one",
                ConvergenceWarning,
                stacklevel=4,
            )
            return 0.0
        if abs(new_theta - theta) <= 1e-12 * new_theta:
            return 1.0 / new_theta
        theta = new_theta
        fit = _glm(y, X, offset, 1.0 / theta, params)
        mu, params = np.asarray(fit.mu), fit.params
    warnings.warn(
        f"rate_model(): the dispersion did not settle in {MAX_ALTERNATIONS} alternations",
        ConvergenceWarning,
        stacklevel=4,
    )
    return 1.0 / theta


def _covariance(
    X: FloatArray,
    y: FloatArray,
    mu: FloatArray,
    alpha: float,
    robust: bool,
    cluster: NDArray[np.int64] | None = None,
) -> Any:
    """Inverse expected information ``B = (X' W X)^-1``, ``W = mu / (1 + alpha mu)``, or HC0.

    HC0 is ``B (S'S) B`` with score rows ``S_i = x_i (y_i - mu_i) / (1 + alpha mu_i)``, both
    given ``alpha`` (``sandwich::vcovHC`` on a ``glm.nb`` fit; for Poisson ``alpha = 0``).
    """
    factor = 1.0 + alpha * mu
    bread = np.linalg.inv(X.T @ (X * (mu / factor)[:, None]))
    if not robust:
        return bread
    scores = X * ((y - mu) / factor)[:, None]
    if cluster is not None:  # each cluster's scores summed (no G / (G - 1) factor)
        summed = np.zeros((int(cluster.max()) + 1, X.shape[1]))
        np.add.at(summed, cluster, scores)
        scores = summed
    return bread @ (scores.T @ scores) @ bread


def fit_count_model(
    y: FloatArray,
    X: FloatArray,
    offset: FloatArray,
    family: Family,
    robust: bool,
    cluster: NDArray[np.int64] | None = None,
) -> CountFit:
    """Fit ``log E[y] = offset + X beta`` (Poisson or NB2) with model-based or HC0 SEs
    (with ``cluster``, a code per row, the scores are summed within clusters first).

    Examples
    --------
    >>> X = np.column_stack([np.ones(6), [0, 0, 0, 1, 1, 1]])
    >>> fit = fit_count_model(np.array([1.0, 3, 2, 0, 1, 1]), X, np.zeros(6), "poisson", False)
    >>> np.round(np.exp(fit.params), 4).tolist()  # the group means 2 and 2/3 / 2
    [2.0, 0.3333]
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with np.errstate(all="ignore"):
            fit = _glm(y, X, offset, 0.0, None)
            alpha = 0.0
            if family == "negative_binomial":
                alpha = _dispersion(y, X, offset, fit)
                if alpha > 0:
                    fit = _glm(y, X, offset, alpha, fit.params)
    for caught_warning in caught:
        if issubclass(caught_warning.category, ConvergenceWarning):
            warnings.warn(caught_warning.message, ConvergenceWarning, stacklevel=3)
        elif "converge" in str(caught_warning.message).lower():
            warnings.warn(
                "rate_model(): the fit did not fully converge; check for groups without events",
                ConvergenceWarning,
                stacklevel=3,
            )
    mu = np.asarray(fit.mu, dtype=np.float64)
    covariance = _covariance(X, y, mu, alpha, robust, cluster)
    return CountFit(
        params=np.asarray(fit.params, dtype=np.float64),
        covariance=np.asarray(covariance, dtype=np.float64),
        loglik=float(fit.llf),
        pearson_chi2=float(fit.pearson_chi2),
        df_resid=float(fit.df_resid),
        alpha=alpha,
    )
