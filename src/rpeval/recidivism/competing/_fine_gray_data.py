"""The censoring-weighted counting-process expansion behind Fine–Gray regression.

People with a competing event stay in the subdistribution risk set after their event,
with a weight ``G(t) / G(T_i−)``: the probability that they would still be uncensored.
``G`` is the Kaplan–Meier curve of the censoring times, with censorings tied with events
taken to happen after them. As R survival's ``finegray()``: the extra rows are cut at the
censoring times (before the last event of interest), only rows that cover an event of
interest are kept, and the last one ends at the largest observed time. A weighted Cox
fit on ``(start, stop]`` then solves the Fine–Gray estimating equation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = ["Expansion", "expand_fine_gray"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


@dataclass(frozen=True)
class Expansion:
    """Rows of the expanded data: source row, ``(start, stop]``, status and weight."""

    row: IntArray
    start: FloatArray
    stop: FloatArray
    status: NDArray[np.bool_]
    weight: FloatArray


def _censoring_curve(time: FloatArray, censored: NDArray[np.bool_], cuts: FloatArray) -> FloatArray:
    """Censoring Kaplan–Meier at ``cuts`` (censoring times); events leave first at ties."""
    later = time.size - np.searchsorted(np.sort(time), cuts, side="right")  # time > u
    used = censored & (time <= cuts[-1]) if cuts.size else np.zeros_like(censored)
    position = np.searchsorted(cuts, time[used])
    dropped = np.bincount(position, minlength=cuts.size).astype(np.float64)
    at_risk = later + dropped  # censored at u are at risk for censoring at u, events are not
    return np.asarray(np.cumprod(1.0 - dropped / at_risk), dtype=np.float64)


def expand_fine_gray(
    time: FloatArray, cause: IntArray, code: int, weights: FloatArray
) -> Expansion:
    """Expand right-censored competing-risks data for cause ``code``.

    The censoring weights multiply the case ``weights``; the censoring curve itself is
    unweighted, as in R ``finegray()``.

    Examples
    --------
    >>> t = np.array([1.0, 2, 3, 4, 4, 4, 5, 5, 6, 8, 8, 9, 10, 12])
    >>> c = np.array([1, 2, 0, 1, 0, 0, 2, 1, 0, 0, 2, 0, 1, 0])
    >>> ex = expand_fine_gray(t, c, 1, np.ones(14))
    >>> ex.row[ex.row == 1].tolist(), ex.weight[ex.row == 1].round(4).tolist()
    ([1, 1, 1, 1], [1.0, 0.9167, 0.7333, 0.3056])
    """
    censored = cause == 0
    events = np.unique(time[cause == code])
    last_event = events[-1]
    cuts = np.unique(time[censored & (time < last_event)])
    G = _censoring_curve(time, censored, cuts)
    end = float(time.max())
    # the intervals after each cut: (cuts[j], cuts[j+1]] and finally (cuts[-1], end]
    upper = np.concatenate([cuts[1:], [end]])
    covers = np.searchsorted(events, upper, side="right") > np.searchsorted(
        events, cuts, side="right"
    )
    useful = np.flatnonzero(covers)
    n = time.size
    competing = np.flatnonzero((cause > 0) & (cause != code))
    first_cut = np.searchsorted(cuts, time[competing], side="left")  # first cut >= T_i
    g_left = np.concatenate([[1.0], G])[first_cut]  # G(T_i-)
    first_stop = np.concatenate([cuts, [end]])[first_cut]
    start_at = np.searchsorted(useful, first_cut, side="left")
    counts = useful.size - start_at
    owner = np.repeat(np.arange(competing.size), counts)
    offsets = np.arange(owner.size) - np.repeat(np.cumsum(counts) - counts, counts)
    interval = useful[start_at[owner] + offsets]
    base_stop = time.copy()
    base_stop[competing] = first_stop
    row = np.concatenate([np.arange(n), competing[owner]])
    order = np.argsort(row, kind="stable")
    return Expansion(
        row=row[order].astype(np.int64),
        start=np.concatenate([np.zeros(n), cuts[interval]])[order],
        stop=np.concatenate([base_stop, upper[interval]])[order],
        status=np.concatenate([cause == code, np.zeros(owner.size, dtype=bool)])[order],
        weight=np.concatenate([weights, weights[competing[owner]] * G[interval] / g_left[owner]])[
            order
        ],
    )
