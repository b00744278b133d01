"""Where each unit stands in MatchIt's nearest-neighbour walks: the positions that decide
its ties (see :mod:`rpeval.matching.designs._greedy`).

* With a scalar distance, MatchIt sorts all units by ``(distance, row)``.
* With Mahalanobis distance it sorts them by one transformed covariate, ``match_var``:
  the first column of ``X_s @ chol(S^-1, pivot)``, where ``X_s`` are the covariates
  scaled to unit SD and ``S`` their pooled within-group covariance; or, when a
  per-covariate caliper falls on a covariate that a column transforms affinely, that
  column. Inside exact strata MatchIt matches each stratum on its own, so positions count
  the stratum's units only.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from rpeval import _frames

__all__ = ["mahalanobis_positions", "positions"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


def positions(values: FloatArray, strata: IntArray | None = None) -> IntArray:
    """Rank of each unit by ``(value, row)`` (R's ``order()``), within ``strata`` if given.

    Examples
    --------
    >>> positions(np.array([0.5, 0.1, 0.5, 0.3])).tolist()
    [2, 0, 3, 1]
    >>> positions(np.array([0.5, 0.1, 0.5, 0.3]), np.array([0, 0, 1, 1])).tolist()
    [1, 0, 1, 0]
    """
    n = values.shape[0]
    if strata is None:  # a stable sort keeps rows in order within ties: lexsort's order
        ranks = np.empty(n, dtype=np.int64)
        ranks[np.argsort(values, kind="stable")] = np.arange(n, dtype=np.int64)
        return ranks
    order = np.lexsort((np.arange(n), values, strata))
    ranks = np.empty(n, dtype=np.int64)
    ranks[order] = np.arange(n, dtype=np.int64)
    starts = np.searchsorted(strata[order], strata, side="left")
    return ranks - starts


def mahalanobis_positions(
    frame: pd.DataFrame,
    covariates: str | Sequence[str],
    focal: NDArray[np.bool_],
    keep: NDArray[np.bool_],
    caliper_cols: Sequence[str],
    strata: IntArray | None,
) -> IntArray:
    """Positions of all units in MatchIt's Mahalanobis walk (``nn_matchC_mahcovs``)."""
    spec = _frames.resolve_covariates(covariates, arg="covariates", caller="match")
    X = _frames.design_matrix(frame, spec, arg="covariates", caller="match").X
    varying = (X.max(axis=0) - X.min(axis=0)) >= np.sqrt(np.finfo(float).eps)
    if not varying.any():
        return positions(X[:, 0], strata)
    X = X[:, varying]
    scaled = (X - X.mean(axis=0)) / X.std(axis=0, ddof=1)
    centred = scaled[keep].copy()
    for group in (focal[keep], ~focal[keep]):
        centred[group] -= centred[group].mean(axis=0)
    pooled = centred.T @ centred / (keep.sum() - 2)
    inverse = np.linalg.pinv(pooled) if np.linalg.det(pooled) <= 1e-8 else np.linalg.inv(pooled)
    z = scaled @ _pivoted_cholesky(inverse).T
    match_var = z[:, 0]
    for column in z.T:  # a caliper covariate that a column transforms affinely
        for name in caliper_cols:
            raw = frame[name].to_numpy(np.float64)
            if _affine_slope(raw, column) != 0.0:
                return positions(column, strata)
    return positions(match_var, strata)


def _pivoted_cholesky(a: FloatArray) -> FloatArray:
    """``R[:, order(pivot)]`` for R's ``chol(a, pivot = TRUE)`` (LAPACK ``dpstrf``: the
    largest remaining diagonal first, the first of equal ones), so ``R.T @ R == a``."""
    work = np.array(a, dtype=np.float64)
    n = work.shape[0]
    pivot = np.arange(n)
    upper = np.zeros_like(work)
    for j in range(n):
        remaining = np.diag(work)[j:]
        k = j + int(np.argmax(remaining))
        if k != j:
            work[[j, k]] = work[[k, j]]
            work[:, [j, k]] = work[:, [k, j]]
            upper[:, [j, k]] = upper[:, [k, j]]
            pivot[[j, k]] = pivot[[k, j]]
        if work[j, j] <= 0:
            break
        upper[j, j] = np.sqrt(work[j, j])
        upper[j, j + 1 :] = work[j, j + 1 :] / upper[j, j]
        work[j + 1 :, j + 1 :] -= np.outer(upper[j, j + 1 :], upper[j, j + 1 :])
    return upper[:, np.argsort(pivot)]


def _affine_slope(x: FloatArray, y: FloatArray, tol: float = 1e-9) -> float:
    """MatchIt's ``get_affine_transformation``: the slope ``a`` when ``y = a x + b`` to
    ``tol`` at every point, else 0."""
    dx, dy = x - x.mean(), y - y.mean()
    num, denom = float(dx @ dy), float(dx @ dx)
    if abs(denom) < tol or abs(num) < tol:
        return 0.0
    slope = num / denom
    intercept = y.mean() - slope * x.mean()
    return slope if np.all(np.abs(slope * x + intercept - y) <= tol) else 0.0
