"""Maximum likelihood for the split-population (mixture cure) model, on numpy arrays.

A share ``p(z) = expit(z'γ)`` of people would eventually reoffend; for them the time to
reoffense follows an AFT model ``log T = x'β + σ W``. With ``u = (log t − x'β)/σ``:
an event contributes ``log p + log f_W(u) − log σ − log t`` and a censored time
``log(1 − p + p S_W(u))``, computed as a ``logaddexp`` so that neither term underflows.
The gradient is analytic: with ``A`` the posterior probability of being a future
reoffender (1 for events, ``p S / (1 − p + p S)`` when censored), the incidence score is
``(A − p) z`` and the latency score is the AFT score weighted by ``A``. The observed
information is the central-difference Jacobian of that analytic gradient.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from rpeval._lazy import linalg, optimize, special
from rpeval.recidivism.parametric._aft_likelihood import fit_aft
from rpeval.recidivism.parametric._distributions import standard_terms

__all__ = ["CureData", "CureFit", "cure_loglik", "fit_cure"]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class CureData:
    """Incidence design ``Z``, latency design ``X`` (both with intercept), data, weights."""

    Z: FloatArray
    X: FloatArray
    log_t: FloatArray
    event: NDArray[np.bool_]
    weights: FloatArray
    dist: str


@dataclass(frozen=True)
class CureFit:
    """The maximum: ``theta = (γ, β, log σ)``, its covariance, and how it was reached."""

    theta: FloatArray
    covariance: FloatArray
    loglik: float
    iterations: int
    converged: bool
    condition: float  # condition number of the observed information


def cure_loglik(theta: FloatArray, data: CureData) -> tuple[float, FloatArray]:
    """Weighted log likelihood and its analytic gradient at ``theta``.

    Examples
    --------
    >>> d = CureData(np.ones((2, 1)), np.ones((2, 1)), np.zeros(2),
    ...              np.array([True, False]), np.ones(2), "weibull")
    >>> value, grad = cure_loglik(np.zeros(3), d)
    >>> round(value, 6)  # log(.5) + (0 − 1) + log(.5 + .5 e^{-1})
    -2.073033
    """
    q, p_lat = data.Z.shape[1], data.X.shape[1]
    gamma, beta, log_sigma = theta[:q], theta[q : q + p_lat], float(theta[q + p_lat])
    sigma = np.exp(log_sigma)
    eta = data.Z @ gamma
    log_p = -np.logaddexp(0.0, -eta)
    log_1mp = -np.logaddexp(0.0, eta)
    u = (data.log_t - data.X @ beta) / sigma
    terms = standard_terms(data.dist, u)
    ev = data.event
    log_d = np.logaddexp(log_1mp, log_p + terms.log_s)
    value = np.where(ev, log_p + terms.log_f - log_sigma - data.log_t, log_d)
    posterior = np.where(ev, 1.0, np.exp(log_p + terms.log_s - log_d))
    p = np.exp(log_p)
    d1 = np.where(ev, terms.d1_log_f, posterior * terms.d1_log_s)
    w = data.weights
    grad_gamma = data.Z.T @ (w * (posterior - p))
    grad_beta = data.X.T @ (w * d1) * (-1.0 / sigma)
    grad_sigma = float(w @ (-u * d1 - ev))
    gradient = np.concatenate([grad_gamma, grad_beta, [grad_sigma]])
    return float(w @ value), gradient


def _start(data: CureData) -> FloatArray:
    """Latency from an AFT fit to everyone; incidence intercept from twice the event share."""
    aft = fit_aft(data.X, data.log_t, data.event, data.weights, data.dist)
    share = float(data.weights @ data.event / data.weights.sum())
    gamma = np.zeros(data.Z.shape[1])
    gamma[0] = special.logit(min(max(2.0 * share, 0.1), 0.9))
    latency = aft.theta if np.all(np.isfinite(aft.theta)) else np.zeros(data.X.shape[1] + 1)
    return np.concatenate([gamma, latency])


def observed_information(theta: FloatArray, data: CureData) -> FloatArray:
    """Minus the Jacobian of the analytic gradient, by central differences, symmetrised."""
    k = theta.size
    jac = np.empty((k, k))
    for j in range(k):
        h = 1e-5 * max(1.0, abs(float(theta[j])))
        step = np.zeros(k)
        step[j] = h
        jac[:, j] = (cure_loglik(theta + step, data)[1] - cure_loglik(theta - step, data)[1]) / (
            2.0 * h
        )
    return np.asarray(-(jac + jac.T) / 2.0, dtype=np.float64)


def fit_cure(data: CureData, *, max_iter: int = 500) -> CureFit:
    """Maximise the likelihood: BFGS from the starting values, then Newton polishing."""

    def objective(theta: FloatArray) -> tuple[float, FloatArray]:
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            value, grad = cure_loglik(theta, data)
        if not np.isfinite(value) or not np.all(np.isfinite(grad)):
            return 1e300, np.zeros_like(theta)
        return -value, -grad

    start = _start(data)
    result = optimize.minimize(
        objective, start, jac=True, method="BFGS", options={"maxiter": max_iter, "gtol": 1e-6}
    )
    theta = np.asarray(result.x, dtype=np.float64)
    iterations = int(result.nit)
    info = observed_information(theta, data)
    for _ in range(20):  # Newton steps with halving make the gradient vanish to ~1e-10
        value, grad = cure_loglik(theta, data)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", linalg.LinAlgWarning)
                step = linalg.solve(info, grad, assume_a="sym")
        except (linalg.LinAlgError, linalg.LinAlgWarning, ValueError):
            break
        if float(grad @ step) < 1e-12 * (1.0 + abs(value)):
            break
        for _ in range(30):
            candidate = theta + step
            if -objective(candidate)[0] >= value - 1e-12 * abs(value):
                break
            step = step / 2.0
        theta = candidate
        iterations += 1
        info = observed_information(theta, data)
    value, grad = cure_loglik(theta, data)
    try:
        eigen = np.linalg.eigvalsh(info) if np.all(np.isfinite(info)) else np.array([-1.0])
    except np.linalg.LinAlgError:
        eigen = np.array([-1.0])
    positive = bool(eigen.min() > 0)
    condition = float(eigen.max() / eigen.min()) if positive else float("inf")
    covariance = (
        np.asarray(linalg.pinvh(info), dtype=np.float64) if positive else np.full_like(info, np.nan)
    )
    converged = bool(positive and np.max(np.abs(grad)) < 1e-4 * (1.0 + abs(value)) ** 0.5)
    return CureFit(theta, covariance, value, iterations, converged, condition)
