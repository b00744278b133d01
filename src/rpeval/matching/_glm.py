"""Binary regression by iteratively reweighted least squares (logit and probit links).

Our own IRLS on numpy: it matches R's ``glm(..., family = binomial)`` to its convergence
tolerance and is several times faster than a general GLM on millions of rows because
it forms ``X' W X`` directly instead of a QR decomposition.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from scipy import linalg, special, stats

__all__ = ["BinaryFit", "fit_binary"]

FloatArray = NDArray[np.float64]
Link = Literal["logit", "probit"]


@dataclass(frozen=True)
class BinaryFit:
    """Coefficients, their covariance and the fitted values of a binary regression."""

    coef: FloatArray
    covariance: FloatArray
    linear_predictor: FloatArray
    fitted: FloatArray
    deviance: float
    null_deviance: float
    iterations: int
    converged: bool
    boundary: int  # fitted probabilities numerically 0 or 1


def _mean_and_derivative(eta: FloatArray, link: Link) -> tuple[FloatArray, FloatArray]:
    if link == "logit":
        mu = special.expit(eta)
        return mu, mu * (1.0 - mu)
    return stats.norm.cdf(eta), stats.norm.pdf(eta)


def _deviance(y: FloatArray, mu: FloatArray, w: FloatArray) -> float:
    eps = np.finfo(float).tiny
    ll = y * np.log(np.maximum(mu, eps)) + (1 - y) * np.log(np.maximum(1 - mu, eps))
    return float(-2.0 * (w @ ll))


def fit_binary(
    X: FloatArray,
    y: FloatArray,
    *,
    weights: FloatArray | None = None,
    link: Link = "logit",
    max_iter: int = 50,
    tol: float = 1e-8,
) -> BinaryFit:
    """Maximum-likelihood binary regression (``X`` includes the intercept column).

    Convergence as R's ``glm.control``: ``|dev - dev_old| / (|dev| + 0.1) < tol``.

    Examples
    --------
    >>> X = np.column_stack([np.ones(6), [0.0, 1, 2, 3, 4, 5]])
    >>> fit = fit_binary(X, np.array([0.0, 0, 1, 0, 1, 1]))
    >>> np.round(fit.coef, 4).tolist()
    [-3.0351, 1.214]
    """
    w = np.ones(y.shape[0]) if weights is None else weights
    n, p = X.shape
    mean_y = float(np.clip((w @ y) / w.sum(), 1e-12, 1 - 1e-12))
    null_deviance = _deviance(y, np.full(n, mean_y), w)
    eta = np.zeros(n)
    beta = np.zeros(p)
    deviance = _deviance(y, _mean_and_derivative(eta, link)[0], w)
    converged = False
    iterations = 0
    info: FloatArray = np.eye(p)
    for iterations in range(1, max_iter + 1):  # noqa: B007 - the count is reported
        mu, dmu = _mean_and_derivative(eta, link)
        variance = np.maximum(mu * (1.0 - mu), 1e-300)
        working_w = w * dmu * dmu / variance
        z = eta + (y - mu) / np.maximum(dmu, 1e-300)
        info = np.asarray((X * working_w[:, None]).T @ X, dtype=np.float64)
        rhs = X.T @ (working_w * z)
        try:
            beta = np.asarray(linalg.solve(info, rhs, assume_a="pos"), dtype=np.float64)
        except (linalg.LinAlgError, ValueError):
            beta = np.asarray(np.linalg.lstsq(info, rhs, rcond=None)[0], dtype=np.float64)
        eta = X @ beta
        new_deviance = _deviance(y, _mean_and_derivative(eta, link)[0], w)
        if abs(new_deviance - deviance) / (abs(new_deviance) + 0.1) < tol:
            deviance = new_deviance
            converged = True
            break
        deviance = new_deviance
    mu, dmu = _mean_and_derivative(eta, link)
    variance = np.maximum(mu * (1.0 - mu), 1e-300)
    info = (X * (w * dmu * dmu / variance)[:, None]).T @ X
    covariance = np.asarray(np.linalg.pinv(info), dtype=np.float64)
    boundary = int(np.sum((mu < 10 * np.finfo(float).eps) | (mu > 1 - 10 * np.finfo(float).eps)))
    return BinaryFit(
        coef=np.asarray(beta, dtype=np.float64),
        covariance=covariance,
        linear_predictor=np.asarray(eta, dtype=np.float64),
        fitted=np.asarray(mu, dtype=np.float64),
        deviance=deviance,
        null_deviance=null_deviance,
        iterations=iterations,
        converged=converged,
        boundary=boundary,
    )
