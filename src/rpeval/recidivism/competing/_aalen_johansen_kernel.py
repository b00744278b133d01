"""Aalen–Johansen cumulative incidence of competing causes, on numpy arrays (no pandas).

Tied times are handled exactly (no jitter): at each distinct time ``t_j`` with ``n_j``
at risk, ``d_cj`` events of cause ``c`` and ``d_j`` events of any cause,
``F_c(t_j) = F_c(t_{j−1}) + S(t_j−) d_cj / n_j`` and ``S(t_j) = S(t_j−) (1 − d_j / n_j)``.
Censorings at ``t_j`` leave the risk set after the events, as in R's ``cmprsk`` and
``survfit``. The variance is the delta-method estimator of Gray's ``cmprsk::cuminc``
(with its hypergeometric correction ``(n − d)/(n − 1)`` for tied events).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from rpeval.recidivism.competing._aalen_johansen_jackknife import robust_cif_variance

__all__ = ["IncidenceCurves", "aalen_johansen", "incidence_band", "values_at_times"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


@dataclass(frozen=True)
class IncidenceCurves:
    """One group's curves at each of its distinct times (columns of 2-d arrays: causes)."""

    time: FloatArray
    n_risk: FloatArray  # at risk just before the time
    n_event: FloatArray  # (times, causes): events of each cause at the time
    n_censor: FloatArray
    survival: FloatArray  # all-cause Kaplan–Meier, including the time
    incidence: FloatArray  # (times, causes)
    variance: FloatArray  # (times, causes): Gray's (cmprsk::cuminc) or the robust one
    rows_at_risk: FloatArray  # people (rows) at risk just before the time, for tables


def _tie_factor(n: FloatArray, d: FloatArray) -> FloatArray:
    """``(n − d)/(n − 1)``, and 1 where at most one event is tied (cmprsk's convention)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(d > 1, 1.0 - (d - 1.0) / (n - 1.0), 1.0)


def aalen_johansen(
    time: FloatArray,
    cause: IntArray,
    n_causes: int,
    weights: FloatArray | None = None,
    *,
    robust: bool = False,
    cluster: IntArray | None = None,
) -> IncidenceCurves:
    """Cumulative incidence of causes ``1..n_causes`` (``cause`` 0 is censoring).

    With ``weights`` (positive case weights) the counts are weighted. ``robust`` gives
    the infinitesimal-jackknife variance (R ``survfit`` for multi-state data,
    :mod:`._aalen_johansen_jackknife`) instead of Gray's, which is for unweighted counts;
    with ``cluster`` (a code per row) its influences are summed within clusters.

    Examples
    --------
    >>> curves = aalen_johansen(np.array([1.0, 2, 2, 3]), np.array([1, 2, 0, 1]), 2)
    >>> curves.incidence.tolist()
    [[0.25, 0.0], [0.25, 0.25], [0.75, 0.25]]
    """
    w = np.ones(time.size) if weights is None else weights
    unique, inverse = np.unique(time, return_inverse=True)
    m = unique.shape[0]
    counts = np.zeros((m, n_causes + 1))
    np.add.at(counts, (inverse, cause), w)
    rows = np.cumsum(np.bincount(inverse, minlength=m)[::-1])[::-1].astype(np.float64)
    leaving = counts.sum(axis=1)
    n = np.cumsum(leaving[::-1])[::-1]
    d_cause = counts[:, 1:]
    d = d_cause.sum(axis=1)
    factor = 1.0 - d / n
    survival = np.cumprod(factor)
    s_minus = np.concatenate([[1.0], survival[:-1]])
    incidence = np.cumsum(s_minus[:, None] * d_cause / n[:, None], axis=0)
    variance = np.empty_like(incidence)
    alive = survival > 0
    inv_s = np.where(alive, 1.0 / np.where(alive, survival, 1.0), 0.0)
    for k in range(n_causes):
        own = d_cause[:, k]
        other = d - own
        f = incidence[:, k]
        t6_own = s_minus**2 * _tie_factor(n, own) * own / n**2
        t6_other = np.where(alive, s_minus**2 * _tie_factor(n, other) * other / n**2, 0.0)
        a_own, a_other = 1.0 + f * inv_s, f * inv_s
        v1 = np.cumsum(a_own**2 * t6_own + a_other**2 * t6_other)
        v2 = np.cumsum(inv_s * (a_own * t6_own + a_other * t6_other))
        v3 = np.cumsum(inv_s**2 * (t6_own + t6_other))
        raw = np.maximum(v1 + f * f * v3 - 2.0 * f * v2, 0.0)  # rounding can dip below 0
        # cmprsk records the variance at the cause's own event times only
        last = np.maximum.accumulate(np.where(own > 0, np.arange(m), -1))
        variance[:, k] = np.where(last >= 0, raw[np.maximum(last, 0)], 0.0)
    if robust:
        variance = robust_cif_variance(
            inverse.astype(np.int64), cause, w, n, d_cause, survival, incidence, cluster
        )
    return IncidenceCurves(
        time=unique,
        n_risk=n,
        n_event=d_cause,
        n_censor=counts[:, 0],
        survival=survival,
        incidence=incidence,
        variance=variance,
        rows_at_risk=rows,
    )


def values_at_times(
    curve_time: FloatArray, values: FloatArray, grid: FloatArray, *, final: bool = False
) -> FloatArray:
    """A right-continuous step function (0 before the first time) read at ``grid``.

    After the last time the value is NaN (the curve is not observed there) unless
    ``final``: the curve is complete because nobody is left at risk, having had an
    event. ``values`` may be 1-d or 2-d (rows are times).
    """
    position = np.searchsorted(curve_time, grid, side="right") - 1
    padded = np.concatenate([np.zeros((1, *values.shape[1:])), values], axis=0)
    result = padded[position + 1].astype(np.float64)
    if not final:
        result[grid > curve_time[-1]] = np.nan
    return result


def incidence_band(
    incidence: FloatArray, std_error: FloatArray, conf_type: str, z: float
) -> tuple[FloatArray, FloatArray]:
    """Pointwise interval of a cumulative incidence.

    ``"log-log"``: ``F ** exp(± z se / (F log F))`` (the ``log(−log F)`` transform, which
    keeps the limits inside (0, 1)); ``"plain"``: ``F ± z se`` clipped to [0, 1]. Where
    ``F`` is 0 both limits are 0; NaN stays NaN.

    Examples
    --------
    >>> lo, hi = incidence_band(np.array([0.0, 0.2]), np.array([0.0, 0.05]), "log-log", 1.96)
    >>> lo.round(4).tolist(), hi.round(4).tolist()
    ([0.0, 0.1128], [0.0, 0.3051])
    """
    if conf_type == "plain":
        return np.clip(incidence - z * std_error, 0.0, 1.0), np.clip(
            incidence + z * std_error, 0.0, 1.0
        )
    inside = (incidence > 0) & (incidence < 1)
    safe = np.where(inside, incidence, 0.5)
    shift = z * std_error / (safe * np.log(safe))  # negative inside (0, 1)
    with np.errstate(over="ignore"):  # exp overflow gives F ** inf = 0, the right limit
        lower = np.where(inside, safe ** np.exp(-shift), incidence)
        upper = np.where(inside, safe ** np.exp(shift), incidence)
    return np.asarray(lower, np.float64), np.asarray(upper, np.float64)
