"""Product-limit arithmetic for one group, on numpy arrays (no pandas).

Weighted counts follow R ``survfit``: at each distinct time ``n`` is the weight at risk,
``d`` the weight of events; a time is an event time when it has an event of positive
weight. Greenwood's variance of ``log S`` sums ``d / (n (n - d))``. The robust variance is
R's infinitesimal jackknife (``survfitkm`` with ``robust=TRUE``), computed in O(n log n).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = ["Curve", "product_limit", "values_at"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


@dataclass(frozen=True)
class Curve:
    """The curve of one group at each of its distinct times (events or censorings)."""

    time: FloatArray
    n_risk: FloatArray  # weight at risk just before the time
    n_event: FloatArray  # weight of events at the time
    n_censor: FloatArray  # weight censored at the time
    survivors: FloatArray  # n_risk - n_event, summed directly (exactly 0 when nobody is left)
    rows_at_risk: IntArray  # unweighted rows at risk (for at-risk tables)
    survival: FloatArray
    std_error: FloatArray  # of S
    se_log: FloatArray  # of log S, what the intervals use


def product_limit(
    time: FloatArray,
    event: NDArray[np.bool_],
    weights: FloatArray,
    *,
    robust: bool = False,
    cluster: IntArray | None = None,
) -> Curve:
    """Kaplan–Meier estimate of one group with Greenwood or robust standard errors.

    Examples
    --------
    >>> curve = product_limit(np.array([1.0, 2, 2, 3]), np.array([True, True, False, True]),
    ...                       np.ones(4))
    >>> curve.survival.tolist(), curve.n_risk.tolist()
    ([0.75, 0.5, 0.0], [4.0, 3.0, 1.0])
    """
    order = np.argsort(time, kind="stable")
    t, e, w = time[order], event[order], weights[order]
    unique, first = np.unique(t, return_index=True)
    d = np.add.reduceat(w * e, first)
    d_rows = np.add.reduceat(e.astype(np.float64), first)
    c = np.add.reduceat(w * ~e, first)
    leaving = np.add.reduceat(w, first)
    n = np.cumsum(leaving[::-1])[::-1]
    after = np.concatenate([n[1:], [0.0]])
    survivors = after + c
    rows = np.diff(np.append(first, t.shape[0]))
    rows_at_risk = np.cumsum(rows[::-1])[::-1].astype(np.int64)
    is_event = (d_rows > 0) & (d > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(is_event, survivors / n, 1.0)
        survival = np.asarray(np.cumprod(factor), dtype=np.float64)
        greenwood = np.cumsum(np.where(is_event, d / (n * survivors), 0.0))
        if robust:
            rows_cluster = np.arange(t.shape[0]) if cluster is None else cluster[order]
            variance = _influence_variance(
                t, e, w, rows_cluster, unique, n, d, survivors, survival, is_event
            )
            std_error = np.sqrt(variance)
            se_log = np.where(std_error == 0, 0.0, std_error / survival)
        else:
            se_log = np.sqrt(greenwood)
            std_error = survival * se_log
    return Curve(
        time=unique,
        n_risk=n,
        n_event=d,
        n_censor=c,
        survivors=survivors,
        rows_at_risk=rows_at_risk,
        survival=survival,
        std_error=np.asarray(std_error, np.float64),
        se_log=np.asarray(se_log, np.float64),
    )


def values_at(
    curve: Curve, grid: FloatArray, lower: FloatArray, upper: FloatArray
) -> dict[str, FloatArray]:
    """The curve and its interval at sorted times ``grid``, as R ``summary(fit, times=)``.

    Values at ``t`` include events at ``t``; ``n_risk`` is the weight at risk at ``t`` (0
    after the last time); ``n_event`` sums events after the previous grid time up to
    ``t``. After the last time the curve is unknown (NaN) unless it already reached 0.
    """
    index = np.searchsorted(curve.time, grid, side="right")  # 0: before the first time
    later = np.searchsorted(curve.time, grid, side="left")
    events = np.concatenate([[0.0], np.cumsum(curve.n_event)])[index]
    beyond = (grid > curve.time[-1]) & (curve.survival[-1] > 0)

    def pick(column: FloatArray, start: float) -> FloatArray:
        values = np.concatenate([[start], column])[index]
        return np.asarray(np.where(beyond, np.nan, values), dtype=np.float64)

    return {
        "n_risk": np.concatenate([curve.n_risk, [0.0]])[later],
        "n_event": np.diff(np.concatenate([[0.0], events])),
        "survival": pick(curve.survival, 1.0),
        "std_error": pick(curve.std_error, 0.0),
        "ci_lower": pick(lower, 1.0),
        "ci_upper": pick(upper, 1.0),
    }


def _influence_variance(
    t: FloatArray,
    e: NDArray[np.bool_],
    w: FloatArray,
    cluster: NDArray[np.int64] | NDArray[np.intp],
    unique: FloatArray,
    n: FloatArray,
    d: FloatArray,
    survivors: FloatArray,
    survival: FloatArray,
    is_event: NDArray[np.bool_],
) -> FloatArray:
    """Infinitesimal-jackknife variance of ``S`` at every distinct time.

    With event times ``t_1 < ... < t_m``, ``C_j = sum_{l <= j} d_l / (n_l (n_l - d_l))``
    and ``L_i`` the number of event times ``<= T_i``, the weighted influence of row ``i``
    on ``S(t_j)`` is ``S(t_j) w_i [C_min(j, L_i) - delta_i 1(L_i <= j) / (n - d)(T_i)]``.
    Per cluster ``k`` its sum is ``S(t_j) (a_k(j) C_j + b_k(j))`` where ``a_k`` is the
    cluster's weight still at risk and ``b_k`` collects its departed rows; both change
    only at the rows' own times, so ``sum_k (a_k C_j + b_k)^2`` follows from running
    sums of ``a^2``, ``a b`` and ``b^2`` updated once per change: O(n log n), no
    rows-by-times matrix.
    """
    event_index = np.flatnonzero(is_event)
    m = event_index.shape[0]
    variance = np.zeros(unique.shape[0])
    if m == 0:
        return variance
    live = survivors[event_index] > 0
    inv_left = np.where(live, 1.0 / np.where(live, survivors[event_index], 1.0), 0.0)
    step = np.where(live, d[event_index] * inv_left / n[event_index], 0.0)
    C = np.concatenate([[0.0], np.cumsum(step)])  # C[j], j = 0..m
    n_events_by_time = np.cumsum(is_event)  # event times <= each distinct time
    last = n_events_by_time[np.searchsorted(unique, t)]  # per row, 0..m
    keep = (w > 0) & (last > 0)
    last, wk, ek, ck = last[keep], w[keep], e[keep], cluster[keep]
    dead = ek  # an event row's own time is an event time (its weight is positive)
    move = last < m
    # change records (cluster, event-time index 1..m, delta a, delta b)
    rec_k = np.concatenate([ck, ck[dead], ck[move]])
    rec_j = np.concatenate([np.ones(last.shape[0], np.int64), last[dead], last[move] + 1])
    rec_a = np.concatenate([wk, np.zeros(int(dead.sum())), -wk[move]])
    rec_b = np.concatenate(
        [np.zeros(last.shape[0]), -wk[dead] * inv_left[last[dead] - 1], wk[move] * C[last[move]]]
    )
    order = np.lexsort((rec_j, rec_k))
    rec_k, rec_j, rec_a, rec_b = rec_k[order], rec_j[order], rec_a[order], rec_b[order]
    new_cluster = np.ones(rec_k.shape[0], dtype=bool)
    new_cluster[1:] = rec_k[1:] != rec_k[:-1]
    segment = np.cumsum(new_cluster) - 1
    a = _segment_cumsum(rec_a, new_cluster, segment)
    b = _segment_cumsum(rec_b, new_cluster, segment)
    a_prev = np.where(new_cluster, 0.0, np.concatenate([[0.0], a[:-1]]))
    b_prev = np.where(new_cluster, 0.0, np.concatenate([[0.0], b[:-1]]))
    delta = np.zeros((m + 1, 3))
    np.add.at(
        delta,
        rec_j - 1,
        np.column_stack([a**2 - a_prev**2, a * b - a_prev * b_prev, b**2 - b_prev**2]),
    )
    sums = np.cumsum(delta[:m], axis=0)
    Cj = C[1:]
    per_event = survival[event_index] ** 2 * np.maximum(
        Cj**2 * sums[:, 0] + 2 * Cj * sums[:, 1] + sums[:, 2], 0.0
    )
    per_event = np.where(survival[event_index] > 0, per_event, 0.0)
    # constant between event times; zero before the first
    position = n_events_by_time - 1
    variance = np.where(position >= 0, per_event[np.maximum(position, 0)], 0.0)
    return np.asarray(variance, dtype=np.float64)


def _segment_cumsum(
    values: FloatArray, starts: NDArray[np.bool_], segment: NDArray[np.int64] | NDArray[np.intp]
) -> FloatArray:
    """Cumulative sums restarting at each ``True`` of ``starts``."""
    total = np.cumsum(values)
    offsets = (total - values)[starts]
    return np.asarray(total - offsets[segment], dtype=np.float64)
