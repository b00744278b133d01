"""One fused pass of logistic IRLS over the rows (numba).

For coefficients ``beta`` a single read of ``X`` gives the linear predictor, the fitted
probabilities, the binomial deviance, and the ``X' W X`` and ``X' W z`` of the next
Newton step, instead of the half-dozen numpy passes and temporaries (and threaded BLAS
calls) the textbook formulation needs. A large ``X`` is cut into :data:`N_CHUNKS` fixed
pieces run on a few threads (:mod:`._threads`) and summed in piece order, so the result
is the same whatever the number of threads; threads that block rather than spin (as
numba's and BLAS's do) keep the pass fast when another process holds a core.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from rpeval._jit import jit
from rpeval.matching._threads import thread_map

__all__ = ["BLOCK", "N_CHUNKS", "LogitPass", "logit_pass"]

FloatArray = NDArray[np.float64]
BLOCK = 4096  # rows summed on their own before joining the total (smaller rounding error)
N_CHUNKS = 16  # fixed pieces of a large X, summed in order: the same sums on any machine


class LogitPass(NamedTuple):
    """What one pass at fixed coefficients gives."""

    linear_predictor: FloatArray
    fitted: FloatArray
    deviance: float
    info: FloatArray  # X' W X at these coefficients
    rhs: FloatArray  # X' W z (z the working response)


@jit
def _pass_kernel(  # pragma: no cover - compiled; tested through fit_binary
    X: FloatArray,
    y: FloatArray,
    w: FloatArray,
    beta: FloatArray,
    intercept: bool,
    eta_out: FloatArray,
    mu_out: FloatArray,
) -> FloatArray:
    n = X.shape[0]
    p = beta.shape[0]
    off = 1 if intercept else 0
    width = p * p + p + 1
    total = np.zeros(width)
    a = np.zeros(width)  # sums over the current block of rows, added to total per block
    row = np.ones(p)
    tiny = np.finfo(np.float64).tiny
    for i in range(n):
        eta = 0.0
        for j in range(off, p):
            row[j] = X[i, j - off]
        for j in range(p):
            eta += row[j] * beta[j]
        mu = 1.0 / (1.0 + np.exp(-eta))
        eta_out[i] = eta
        mu_out[i] = mu
        yi = y[i]
        if yi == 1.0:
            ll = np.log(max(mu, tiny))
        elif yi == 0.0:
            ll = np.log(max(1.0 - mu, tiny))
        else:
            ll = yi * np.log(max(mu, tiny)) + (1.0 - yi) * np.log(max(1.0 - mu, tiny))
        a[width - 1] += w[i] * ll
        dmu = mu * (1.0 - mu)
        ww = w[i] * dmu * dmu / max(dmu, 1e-300)
        z = eta + (yi - mu) / max(dmu, 1e-300)
        for j in range(p):
            xw = ww * row[j]
            a[p * p + j] += xw * z
            for k in range(j + 1):
                a[j * p + k] += xw * row[k]
        if (i + 1) % BLOCK == 0 or i == n - 1:
            total += a
            a[:] = 0.0
    return total


def logit_pass(
    X: FloatArray, y: FloatArray, w: FloatArray, beta: FloatArray, *, intercept: bool = False
) -> LogitPass:
    """Linear predictor, probabilities, deviance and the next IRLS system at ``beta``.

    With ``intercept`` the model has an intercept that ``X`` lacks (``beta[0]``), so the
    caller need not copy ``X`` to prepend a column of ones.

    Same arithmetic as the numpy formulation (``expit``, R's deviance, working weights
    ``w mu'^2 / var``) up to the order of the sums.

    Examples
    --------
    >>> X = np.column_stack([np.ones(4), [0.0, 1, 2, 3]])
    >>> step = logit_pass(X, np.array([0.0, 1, 0, 1]), np.ones(4), np.zeros(2))
    >>> step.fitted.tolist(), round(step.deviance, 4), step.info.tolist()
    ([0.5, 0.5, 0.5, 0.5], 5.5452, [[1.0, 1.5], [1.5, 3.5]])
    """
    p = beta.shape[0]
    n = X.shape[0]
    eta, mu = np.empty(n), np.empty(n)
    pieces = N_CHUNKS if n >= N_CHUNKS * BLOCK else 1
    bounds = np.linspace(0, n, pieces + 1).astype(np.int64)

    def chunk(c: int) -> FloatArray:
        rows = slice(bounds[c], bounds[c + 1])
        return _pass_kernel(X[rows], y[rows], w[rows], beta, intercept, eta[rows], mu[rows])

    total = np.zeros(p * p + p + 1)
    for part in thread_map(chunk, range(pieces)):
        total += part  # in chunk order, whatever the threads did
    lower = total[: p * p].reshape(p, p)
    info = np.tril(lower) + np.tril(lower, -1).T
    return LogitPass(eta, mu, float(-2.0 * total[-1]), info, total[p * p : p * p + p].copy())
