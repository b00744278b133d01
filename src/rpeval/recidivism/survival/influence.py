"""How a (weighted) Kaplan–Meier curve and its RMST move with each row's weight.

With estimated weights (inverse probability or entropy balancing), a variance that treats
the weights as known is not valid; the M-estimation (stacked) sandwich needs, for every
statistic ``F``, the derivatives ``dF/dw_i``. For the product-limit estimate
``S(t) = prod_{t_j <= t} (1 - d_j / n_j)`` (weighted ``n_j`` at risk, ``d_j`` events),

``d log(1 - d_j/n_j) / d w_i = [d_j 1(T_i >= t_j) - delta_i 1(T_i = t_j) n_j] / (n_j (n_j - d_j))``,

so any statistic linear in those log factors, ``F = sum_j a_j log(1 - d_j/n_j)`` to first
order, has ``dF/dw_i = sum_{t_j <= T_i} a_j h_j - delta_i a_{j(i)} / (n - d)_{j(i)}`` with
``h_j = d_j / (n_j (n_j - d_j))``: ``a_j = S(t) 1(t_j <= t)`` for ``S(t)`` and
``a_j = int_{t_j}^tau S`` for the RMST. ``w_i dF/dw_i`` is row ``i``'s infinitesimal-jackknife
influence, so ``sum_i (w_i dF/dw_i)^2`` is the robust variance of
:func:`~rpeval.recidivism.kaplan_meier` (``robust=True``). O(n log n), no rows-by-times matrix.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from rpeval.errors import SpecificationError

__all__ = ["WeightDerivatives", "weight_derivatives"]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class WeightDerivatives:
    """``survival[i, k] = dS(times[k]) / dw_i`` and ``rmst[i] = dRMST(tau) / dw_i``
    (``None`` without ``tau``), rows in the input order; ``estimate`` holds ``S(times)``
    and ``area`` the RMST."""

    times: FloatArray
    estimate: FloatArray
    survival: FloatArray
    area: float | None
    rmst: FloatArray | None


def weight_derivatives(
    time: FloatArray,
    event: NDArray[np.bool_],
    weights: FloatArray | None = None,
    *,
    times: Sequence[float] = (),
    tau: float | None = None,
) -> WeightDerivatives:
    """Derivatives of the Kaplan–Meier curve at `times` and of its RMST to `tau` in each
    row's weight (one group; rows with weight 0 get the derivative they would have).

    Examples
    --------
    >>> t = np.array([1.0, 2.0, 2.0, 3.0])
    >>> d = np.array([True, True, False, True])
    >>> out = weight_derivatives(t, d, times=[2.0], tau=3.0)
    >>> out.estimate.tolist(), out.area
    ([0.5], 2.25)
    >>> out.survival[:, 0].tolist()   # events pull S(2) down, later rows hold it up
    [-0.125, -0.125, 0.125, 0.125]
    >>> out.rmst.tolist()
    [-0.3125, -0.0625, 0.1875, 0.1875]
    """
    time = np.asarray(time, dtype=np.float64)
    event = np.asarray(event, dtype=np.bool_)
    w = np.ones(time.shape[0]) if weights is None else np.asarray(weights, dtype=np.float64)
    if not (time.shape == event.shape == w.shape) or time.ndim != 1 or time.size == 0:
        raise SpecificationError("weight_derivatives(): time, event and weights must match")
    if not np.all(np.isfinite(time)) or np.any(w < 0) or not np.all(np.isfinite(w)):
        raise SpecificationError(
            "weight_derivatives(): times and weights must be finite, weights >= 0"
        )
    grid = np.asarray(list(times), dtype=np.float64)
    event_time, n, d = _event_times(time, event, w)
    left = n - d
    live = left > 0
    factor = np.where(live, left / n, 0.0)
    curve = np.cumprod(factor)  # S at each event time
    h = np.where(live, d / (n * np.where(live, left, 1.0)), 0.0)
    own = np.where(live, 1.0 / np.where(live, left, 1.0), 0.0)  # 1 / (n - d) at t_j
    reached = np.searchsorted(event_time, time, side="right")  # event times <= T_i
    own_index = np.searchsorted(event_time, time, side="left")
    is_own = event & (own_index < event_time.size)
    if event_time.size:  # without events every derivative is 0
        is_own &= event_time[np.minimum(own_index, event_time.size - 1)] == time
    columns = []
    values = []
    for t in grid:
        k = int(np.searchsorted(event_time, t, side="right"))
        s_t = float(curve[k - 1]) if k else 1.0
        a = np.where(np.arange(event_time.size) < k, s_t, 0.0)
        columns.append(_derivative(a, h, own, reached, own_index, is_own))
        values.append(s_t)
    area = rmst = None
    if tau is not None:
        inside = event_time <= tau
        knots = np.concatenate([[0.0], event_time[inside], [tau]])
        heights = np.concatenate([[1.0], curve[inside]])
        pieces = np.diff(knots) * heights
        after = np.cumsum(pieces[::-1])[::-1][1:]  # area from each t_j to tau
        a = np.zeros(event_time.size)
        a[inside] = after
        area = float(pieces.sum())
        rmst = _derivative(a, h, own, reached, own_index, is_own)
    survival = np.column_stack(columns) if columns else np.zeros((time.size, 0))
    return WeightDerivatives(grid, np.asarray(values, np.float64), survival, area, rmst)


def _event_times(
    time: FloatArray, event: NDArray[np.bool_], w: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Distinct times with an event of positive weight, the weight at risk and of events."""
    order = np.argsort(time, kind="stable")
    t, e, wt = time[order], event[order], w[order]
    unique, first = np.unique(t, return_index=True)
    d = np.add.reduceat(wt * e, first)
    n = np.cumsum(np.add.reduceat(wt, first)[::-1])[::-1]
    keep = d > 0
    return unique[keep], n[keep], d[keep]


def _derivative(
    a: FloatArray,
    h: FloatArray,
    own: FloatArray,
    reached: NDArray[np.intp],
    own_index: NDArray[np.intp],
    is_own: NDArray[np.bool_],
) -> FloatArray:
    """``sum_{j < reached_i} a_j h_j - [row i's event] a_j(i) own_j(i)`` for every row."""
    running = np.concatenate([[0.0], np.cumsum(a * h)])
    result = running[reached]
    at = np.minimum(own_index, a.size - 1) if a.size else own_index
    if a.size:
        result = result - np.where(is_own, a[at] * own[at], 0.0)
    return np.asarray(result, dtype=np.float64)
