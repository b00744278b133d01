"""Entropy balancing (Hainmueller 2012): the dual problem, solved by damped Newton steps."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from rpeval._lazy import special

__all__ = ["EntropyFit", "entropy_weights"]

FloatArray = NDArray[np.float64]


class EntropyFit(NamedTuple):
    """Weights (summing to 1), the dual coefficients and the largest remaining gap
    between weighted and target means, in SDs of each column."""

    weights: FloatArray
    coef: FloatArray
    max_gap: float
    converged: bool
    iterations: int


def _objective(Z: FloatArray, lam: FloatArray, log_base: FloatArray) -> float:
    return float(special.logsumexp(log_base + Z @ lam))


def entropy_weights(
    X: FloatArray,
    target: FloatArray,
    *,
    base: FloatArray | None = None,
    tol: float = 1e-12,
    accept: float = 1e-9,
    max_iter: int = 200,
) -> EntropyFit:
    """Weights closest to ``base`` in Kullback-Leibler divergence whose weighted column
    means of ``X`` equal ``target``.

    The solution is ``w_i ∝ base_i exp(z_i' λ)`` with ``z`` the columns of ``X`` minus the
    target, scaled by their SD; ``λ`` minimises the convex ``log Σ base_i exp(z_i' λ)``,
    whose gradient is the weighted mean of ``z``. Newton steps (pseudo-inverse of the
    weighted covariance, so redundant columns do no harm) with backtracking; stops when
    every standardised gap is below ``tol``, or when no step descends, and reports
    convergence if the gaps are then below ``accept``. No convergence means the target
    lies outside (or on the edge of) the convex hull of the rows: the problem is
    infeasible.

    Examples
    --------
    >>> fit = entropy_weights(np.array([[0.0], [1.0], [2.0]]), np.array([1.5]))
    >>> round(float(fit.weights @ [0.0, 1.0, 2.0]), 12), fit.converged
    (1.5, True)
    """
    n, k = X.shape
    log_base = np.zeros(n) if base is None else np.log(base / base.sum())
    scale = X.std(axis=0)
    scale = np.where(scale > 0, scale, 1.0)
    Z = (X - target) / scale
    lam = np.zeros(k)
    value = _objective(Z, lam, log_base)
    converged = False
    iterations = 0
    gap = np.inf
    for iterations in range(1, max_iter + 1):  # noqa: B007 - the count is reported
        w = special.softmax(log_base + Z @ lam)
        gradient = w @ Z
        gap = float(np.max(np.abs(gradient))) if k else 0.0
        if gap < tol:
            converged = True
            break
        hessian = (Z * w[:, None]).T @ Z - np.outer(gradient, gradient)
        step = np.linalg.pinv(hessian, rcond=1e-13, hermitian=True) @ gradient
        if gap < 1e-6:  # inside Newton's quadratic region, where f no longer resolves steps
            candidate_lam = lam - step
            candidate_gap = float(np.max(np.abs(special.softmax(log_base + Z @ candidate_lam) @ Z)))
            if candidate_gap < gap:
                lam, value = candidate_lam, _objective(Z, candidate_lam, log_base)
                continue
        t = 1.0
        while t > 1e-12:
            candidate = _objective(Z, lam - t * step, log_base)
            if candidate <= value - 1e-4 * t * float(gradient @ step):
                break
            t *= 0.5
        else:
            break  # no descent possible: at the edge of feasibility
        lam = lam - t * step
        value = candidate
    weights = special.softmax(log_base + Z @ lam)
    if not converged:
        gap = float(np.max(np.abs(weights @ Z))) if k else 0.0
        converged = gap < accept
    return EntropyFit(np.asarray(weights, np.float64), lam / scale, gap, converged, iterations)
