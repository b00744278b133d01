"""Maximum likelihood for accelerated failure time models, on numpy arrays.

Parameters are ``θ = (β, log σ)``; the exponential model fixes ``σ = 1`` and has ``β``
only. With ``z = (log t − x'β) / σ``, an event contributes ``log f_W(z) − log σ − log t``
and a censored time ``log S_W(z)`` (R ``survreg``'s likelihood on the time scale). The
gradient and the Hessian are analytic; the Hessian's negative is the observed information
whose inverse is the covariance matrix. Newton–Raphson with step halving, damped toward
gradient ascent where the Hessian is not negative definite.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from rpeval._lazy import linalg
from rpeval.recidivism.parametric._distributions import standard_terms

__all__ = ["AFTFit", "AFTLikelihood", "aft_likelihood", "fit_aft"]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


@dataclass(frozen=True)
class AFTLikelihood:
    """The weighted log likelihood at one parameter vector, its gradient and Hessian."""

    loglik: float
    gradient: FloatArray
    hessian: FloatArray


@dataclass(frozen=True)
class AFTFit:
    """The maximum: parameters, covariance (inverse observed information), iterations."""

    theta: FloatArray
    covariance: FloatArray
    loglik: float
    iterations: int
    converged: bool


def aft_likelihood(
    theta: FloatArray,
    X: FloatArray,
    log_t: FloatArray,
    event: BoolArray,
    weights: FloatArray,
    dist: str,
) -> AFTLikelihood:
    """Log likelihood, gradient and Hessian of an AFT model at ``theta``.

    Examples
    --------
    >>> X = np.ones((2, 1))
    >>> lik = aft_likelihood(np.array([0.0, 0.0]), X, np.zeros(2), np.array([True, False]),
    ...                      np.ones(2), "weibull")
    >>> round(lik.loglik, 6)  # log f(0) + log S(0) = (0 − 1) + (−1)
    -2.0
    """
    p = X.shape[1]
    fixed_scale = dist == "exponential"
    beta = theta[:p]
    log_sigma = 0.0 if fixed_scale else float(theta[p])
    sigma = np.exp(log_sigma)
    z = (log_t - X @ beta) / sigma
    terms = standard_terms(dist, z)
    ev = event.astype(np.float64)
    value = np.where(event, terms.log_f - log_sigma - log_t, terms.log_s)
    d1 = np.where(event, terms.d1_log_f, terms.d1_log_s)
    d2 = np.where(event, terms.d2_log_f, terms.d2_log_s)
    # dz/dβ = −x/σ and dz/d log σ = −z
    grad_beta = X.T @ (weights * d1) * (-1.0 / sigma)
    hess_bb = (X.T * (weights * d2)) @ X / sigma**2
    if fixed_scale:
        return AFTLikelihood(float(weights @ value), grad_beta, hess_bb)
    grad_eta = float(weights @ (-z * d1 - ev))
    hess_be = X.T @ (weights * (z * d2 + d1)) / sigma
    hess_ee = float(weights @ (z * d1 + z * z * d2))
    gradient = np.concatenate([grad_beta, [grad_eta]])
    hessian = np.empty((p + 1, p + 1))
    hessian[:p, :p] = hess_bb
    hessian[:p, p] = hess_be
    hessian[p, :p] = hess_be
    hessian[p, p] = hess_ee
    return AFTLikelihood(float(weights @ value), gradient, hessian)


def _ascent_step(lik: AFTLikelihood) -> FloatArray:
    """Newton step, or a Levenberg-damped one where ``−H`` is not positive definite."""
    information = -lik.hessian
    if not (np.all(np.isfinite(information)) and np.all(np.isfinite(lik.gradient))):
        return np.full_like(lik.gradient, np.nan)
    scale = float(np.max(np.abs(np.diag(information)))) or 1.0
    damping = 0.0
    for _ in range(60):
        try:
            factor = linalg.cho_factor(information + damping * np.eye(information.shape[0]))
        except (linalg.LinAlgError, ValueError):
            damping = max(2.0 * damping, 1e-8 * scale)
            continue
        return np.asarray(linalg.cho_solve(factor, lik.gradient), dtype=np.float64)
    return lik.gradient / scale


def start_values(X: FloatArray, log_t: FloatArray, weights: FloatArray, dist: str) -> FloatArray:
    """Weighted least squares of ``log t`` on ``X`` and the residual SD (events and censored)."""
    root = np.sqrt(weights)
    beta, *_ = linalg.lstsq(X * root[:, None], log_t * root)
    if dist == "exponential":
        return np.asarray(beta, dtype=np.float64)
    resid = log_t - X @ beta
    sd = float(np.sqrt(weights @ resid**2 / weights.sum()))
    return np.concatenate([beta, [np.log(max(sd, 1e-3))]])


def fit_aft(
    X: FloatArray,
    log_t: FloatArray,
    event: BoolArray,
    weights: FloatArray,
    dist: str,
    *,
    start: FloatArray | None = None,
    max_iter: int = 100,
    tol: float = 1e-11,
) -> AFTFit:
    """Maximise the AFT likelihood by Newton–Raphson with step halving.

    Convergence: the Newton decrement ``g' (−H)^{-1} g`` falls below ``tol`` times
    ``1 + |loglik|`` (a relative change in the log likelihood of that order); a last
    full Newton step then polishes the parameters.
    """
    theta = start_values(X, log_t, weights, dist) if start is None else start.copy()
    current = aft_likelihood(theta, X, log_t, event, weights, dist)
    converged = False
    iterations = 0
    for iterations in range(1, max_iter + 1):  # noqa: B007 - the count is reported
        step = _ascent_step(current)
        if not np.all(np.isfinite(step)):
            break  # the likelihood is not finite here: no usable fit (converged stays False)
        decrement = float(current.gradient @ step)
        if np.isfinite(decrement) and decrement < tol * (1.0 + abs(current.loglik)):
            converged = True
            # one last full Newton step: quadratic convergence makes the parameters exact
            # to rounding (the decrement bounds the log likelihood, not the parameters)
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                polished = aft_likelihood(theta + step, X, log_t, event, weights, dist)
            if np.isfinite(polished.loglik) and polished.loglik >= current.loglik - 1e-9:
                theta, current = theta + step, polished
            break
        for _ in range(40):
            candidate = theta + step
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                trial = aft_likelihood(candidate, X, log_t, event, weights, dist)
            if np.isfinite(trial.loglik) and trial.loglik >= current.loglik - 1e-12 * abs(
                current.loglik
            ):
                break
            step = step / 2.0
        else:
            break
        theta, current = candidate, trial
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", linalg.LinAlgWarning)
            covariance = np.asarray(linalg.inv(-current.hessian), dtype=np.float64)
    except (linalg.LinAlgError, linalg.LinAlgWarning, ValueError):
        # singular or ill-conditioned information (e.g. a perfect fit): no usable SEs
        covariance = np.full_like(current.hessian, np.nan)
        converged = False
    return AFTFit(theta, covariance, current.loglik, iterations, converged)
