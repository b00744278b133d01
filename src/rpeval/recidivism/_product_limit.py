"""Product-limit (Kaplan–Meier) arithmetic on numpy arrays, one group at a time.

Weighted counts follow R ``survfit``: at each distinct time ``n`` is the weight at
risk and ``d`` the weight of events; Greenwood's variance of ``log S`` sums
``d / (n (n - d))``. The infinitesimal-jackknife (robust) variance differentiates
``S(t)`` with respect to each case weight (R ``survfit(..., robust=TRUE)``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = ["ProductLimit", "product_limit", "step_values"]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class ProductLimit:
    """The curve at every distinct time of one group (events or censorings)."""

    time: FloatArray
    n_risk: FloatArray
    n_event: FloatArray
    n_censor: FloatArray
    survival: FloatArray
    se_log: FloatArray  # standard error of log S (Greenwood, or robust)
    n_rows_risk: NDArray[np.int64]  # unweighted rows at risk


def product_limit(
    time: FloatArray, event: NDArray[np.bool_], weights: FloatArray, *, robust: bool = False
) -> ProductLimit:
    """Kaplan–Meier estimate with Greenwood (or infinitesimal-jackknife) standard errors.

    Examples
    --------
    >>> pl = product_limit(np.array([1.0, 2, 2, 3]), np.array([True, True, False, True]),
    ...                    np.ones(4))
    >>> pl.survival.tolist()
    [0.75, 0.5, 0.0]
    """
    order = np.argsort(time, kind="stable")
    t, e, w = time[order], event[order], weights[order]
    unique, first = np.unique(t, return_index=True)
    d = np.add.reduceat(w * e, first) if t.size else np.zeros(0)
    all_w = np.add.reduceat(w, first) if t.size else np.zeros(0)
    rows = np.diff(np.append(first, t.size))
    n = np.cumsum(all_w[::-1])[::-1]
    n_rows = np.cumsum(rows[::-1])[::-1].astype(np.int64)
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(n > 0, 1.0 - d / n, 1.0)
        survival = np.asarray(np.cumprod(factor), dtype=np.float64)
        increment = np.where(d > 0, d / (n * (n - d)), 0.0)
    greenwood = np.cumsum(increment)
    se_log = _robust_se_log(t, e, w, unique, first, n, d) if robust else np.sqrt(greenwood)
    return ProductLimit(unique, n, d, all_w - d, survival, se_log, n_rows)


def _robust_se_log(
    t: FloatArray,
    e: NDArray[np.bool_],
    w: FloatArray,
    unique: FloatArray,
    first: NDArray[np.intp],
    n: FloatArray,
    d: FloatArray,
) -> FloatArray:
    """se(log S) from the influence of each case weight, in O(n log n).

    ``dlog S(t)/dw_i = A(min(t, T_i)) - delta_i 1(T_i <= t) / (n(T_i) - d(T_i))`` with
    ``A(s) = sum_{t_j <= s} d_j / (n_j (n_j - d_j))``; rows still at risk after ``t`` all
    share ``A(t)``, and the others contribute a constant fixed at their own time.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        a = np.cumsum(np.where(d > 0, d / (n * (n - d)), 0.0))
        jump = np.where(n - d > 0, 1.0 / (n - d), 0.0)
    position = np.searchsorted(unique, t)
    own = a[position] - np.where(e, jump[position], 0.0)
    done = np.add.reduceat((w * own) ** 2, first)  # rows whose time is exactly t_j
    w2 = np.add.reduceat(w * w, first)
    later_w2 = np.concatenate([np.cumsum(w2[::-1])[::-1][1:], [0.0]])
    variance = a**2 * later_w2 + np.cumsum(done)
    return np.asarray(np.sqrt(variance), dtype=np.float64)


def step_values(grid: FloatArray, values: FloatArray, at: FloatArray, before: float) -> FloatArray:
    """Right-continuous step function: ``values`` at the last ``grid`` point <= ``at``."""
    index = np.searchsorted(grid, at, side="right") - 1
    padded = np.concatenate([[before], values])
    return np.asarray(padded[index + 1], dtype=np.float64)
