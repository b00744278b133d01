"""The mean cumulative function of recurrent events and its robust variance (numpy only).

People are followed from 0 to ``end_i``; at each distinct event time ``t_j`` with ``Y_j``
people under follow-up and ``d_j`` events, ``MCF(t) = Σ_{t_j ≤ t} d_j / Y_j`` (Nelson–Aalen
for the counting process). The variance is Lawless & Nadeau's (1995) robust estimator,
the sum over people of their squared influence
``U_i(t) = Σ_{t_j ≤ t, t_j ≤ end_i} (dN_i(t_j) − d_j / Y_j) / Y_j``: it needs no Poisson
assumption (re-arrests cluster within people). It is computed in O((n + m) log n)
by expanding the square into running sums, and equals R ``survfit(Surv(start, stop,
status) ~ 1, id = id)``'s ``std.chaz``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = ["MCFCurve", "mean_cumulative"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


@dataclass(frozen=True)
class MCFCurve:
    """One group's curve at its distinct event times, and its end of follow-up."""

    time: FloatArray
    n_risk: FloatArray
    n_event: FloatArray
    mcf: FloatArray
    std_error: FloatArray
    last_time: float  # the longest follow-up: the curve is unknown beyond it
    ends: FloatArray  # everyone's end of follow-up, sorted (for numbers at risk)


def mean_cumulative(person: IntArray, event_time: FloatArray, end: FloatArray) -> MCFCurve:
    """MCF of events (``person`` codes into ``end``, event times) and its robust SE.

    Examples
    --------
    >>> curve = mean_cumulative(np.array([0, 0, 1]), np.array([1.0, 3, 2]),
    ...                         np.array([4.0, 2.5]))
    >>> curve.mcf.tolist(), curve.n_risk.tolist()
    ([0.5, 1.0, 2.0], [2.0, 2.0, 1.0])
    """
    n = end.size
    times, inverse = np.unique(event_time, return_inverse=True)
    d = np.bincount(inverse, minlength=times.size).astype(np.float64)
    sorted_end = np.sort(end)
    ended_before = np.searchsorted(sorted_end, times, side="left")  # people with end < t_j
    Y = (n - ended_before).astype(np.float64)
    hazard = d / Y
    mcf = np.cumsum(hazard)
    C = np.cumsum(d / Y**2)
    a = 1.0 / Y[inverse]  # each event's jump share
    # S1: sum over people of A_i(t)^2, A_i the person's own running sum of a
    by_person = np.lexsort((event_time, person))
    a_sorted, p_sorted = a[by_person], person[by_person]
    running = np.cumsum(a_sorted)
    first = np.concatenate([[True], p_sorted[1:] != p_sorted[:-1]])
    base = np.maximum.accumulate(np.where(first, running - a_sorted, -np.inf))
    previous = running - a_sorted - base  # A_i before this event
    increment = np.empty_like(a)
    increment[by_person] = 2.0 * previous * a_sorted + a_sorted**2
    S1 = np.cumsum(np.bincount(inverse, weights=increment, minlength=times.size))
    # people whose follow-up ended before t_j keep their final A_i and C(end_i)
    final_a = np.bincount(person, weights=a, minlength=n).astype(np.float64)
    last = np.searchsorted(times, end, side="right") - 1
    c_end = np.where(last >= 0, C[np.maximum(last, 0)], 0.0)
    order = np.argsort(end, kind="stable")

    def ended(values: FloatArray) -> FloatArray:
        return np.concatenate([[0.0], np.cumsum(values[order])])[ended_before]

    F, G, H = ended(final_a), ended(final_a * c_end), ended(c_end**2)
    S2 = C * (mcf - F) + G
    S3 = Y * C**2 + H
    variance = np.maximum(S1 - 2.0 * S2 + S3, 0.0)  # rounding can dip below 0
    return MCFCurve(times, Y, d, mcf, np.sqrt(variance), float(end.max()), sorted_end)
