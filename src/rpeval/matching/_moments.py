"""Weighted means and variances of one covariate in both groups, in two passes (numba).

The balance table needs, per covariate, each group's weighted mean and variance. Doing
that with boolean-indexed copies and BLAS dot products costs a gather and four passes per
group; this kernel reads the column twice in all, with compensated (Neumaier) sums, so the
result is at least as accurate as numpy's pairwise sums.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from rpeval._jit import jit

__all__ = ["GroupMoments", "group_codes", "group_moments"]

FloatArray = NDArray[np.float64]


class GroupMoments(NamedTuple):
    """Weighted mean and variance (reliability-weights correction, as MatchIt/cobalt) of
    the control (index 0) and treated (index 1) units; NaN variance without spread."""

    mean: FloatArray
    variance: FloatArray


def group_codes(is_treated: NDArray[np.bool_], weights: FloatArray) -> NDArray[np.int8]:
    """1 for treated, 0 for control, -1 for units without positive weight (left out)."""
    codes = is_treated.astype(np.int8)
    codes[~(weights > 0)] = -1
    return codes


@jit
def _add(acc: FloatArray, comp: FloatArray, g: int, v: float) -> None:  # pragma: no cover
    """Neumaier-compensated ``acc[g] += v`` (the lost low-order part goes to ``comp[g]``)."""
    s = acc[g]
    t = s + v
    comp[g] += (s - t) + v if abs(s) >= abs(v) else (v - t) + s
    acc[g] = t


@jit
def _moments(  # pragma: no cover - compiled; tested through the balance tables
    x: FloatArray, codes: NDArray[np.int8], w: FloatArray, unit: bool
) -> tuple[FloatArray, FloatArray]:
    total = np.zeros(2)
    total_c = np.zeros(2)
    wx = np.zeros(2)
    wx_c = np.zeros(2)
    ww = np.zeros(2)
    ww_c = np.zeros(2)
    for i in range(x.shape[0]):
        g = codes[i]
        if g < 0:
            continue
        wi = 1.0 if unit else w[i]
        _add(total, total_c, g, wi)
        _add(wx, wx_c, g, wi * x[i])
        _add(ww, ww_c, g, wi * wi)
    mean = np.empty(2)
    weight = np.empty(2)
    for g in range(2):
        weight[g] = total[g] + total_c[g]
        mean[g] = (wx[g] + wx_c[g]) / weight[g] if weight[g] > 0 else np.nan
    squares = np.zeros(2)
    squares_c = np.zeros(2)
    for i in range(x.shape[0]):
        g = codes[i]
        if g < 0:
            continue
        wi = 1.0 if unit else w[i]
        d = x[i] - mean[g]
        _add(squares, squares_c, g, wi * d * d)
    variance = np.empty(2)
    for g in range(2):
        denom = weight[g] - (ww[g] + ww_c[g]) / weight[g] if weight[g] > 0 else 0.0
        variance[g] = (squares[g] + squares_c[g]) / denom if denom > 0 else np.nan
    return mean, variance


def group_moments(x: FloatArray, codes: NDArray[np.int8], weights: FloatArray) -> GroupMoments:
    """Weighted mean and variance of ``x`` by group (``codes`` from :func:`group_codes`).

    Examples
    --------
    >>> x = np.array([1.0, 2.0, 3.0, 5.0])
    >>> m = group_moments(x, np.array([1, 1, 0, 0], dtype=np.int8), np.ones(4))
    >>> m.mean.tolist(), m.variance.tolist()
    ([4.0, 1.5], [2.0, 0.5])
    """
    unit = bool(np.all(weights == 1.0))
    mean, variance = _moments(np.ascontiguousarray(x, dtype=np.float64), codes, weights, unit)
    return GroupMoments(mean, variance)
