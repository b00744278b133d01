"""Risk-set bookkeeping shared by the Cox kernels.

Rows are sorted once by ``(stratum, stop time)``. Every time point (stop and start
times alike) is replaced by an integer key ``stratum * n_times + rank(time)`` so that
"at risk at event time t in stratum s" becomes a comparison of integers, which
makes thousands of strata as cheap as one. Risk-set sums at every event time are
then differences of reverse cumulative sums, and sums over the event times a row
was at risk for are differences of forward cumulative sums: O(n) per pass, no
O(n^2) anywhere.

Without entry times the index comes from one (unstable, SIMD) sort and neighbour
comparisons (:mod:`._risk_index`); tied rows then keep a fixed but arbitrary order,
which only changes sums in the last bits. Counting-process data keep the integer keys.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from rpeval._jit import jit
from rpeval.recidivism.cox._risk_index import SortedRows, TieLayout, tie_layout

__all__ = [
    "RiskSetIndex",
    "build_risk_set_index",
    "group_sums",
    "layout_index",
    "restarting_prefix_sums",
    "risk_and_tied_sums",
    "risk_set_sums",
    "sum_by_event_time",
    "sum_over_risk_sets",
]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]


@dataclass(frozen=True)
class RiskSetIndex:
    """Sorted layout of survival data and the positions of every risk set.

    All per-row arrays are in *sorted* order (``order`` maps sorted position to the
    caller's row). Event times are distinct ``(stratum, time)`` pairs with at least
    one event, in increasing key order.
    """

    order: IntArray
    stop: FloatArray
    event: BoolArray
    stratum: IntArray
    start: FloatArray  # entry times, sorted rows; -inf without counting-process data
    has_start: bool
    # event-time level (length n_event_times)
    event_time: FloatArray
    event_stratum: IntArray
    stop_first: IntArray  # first sorted row with stop >= t in the stratum
    stop_end: IntArray  # one past the stratum's last sorted row
    start_first: IntArray  # first start-sorted row with start >= t in the stratum
    start_end: IntArray
    n_tied: IntArray  # number of events at the time
    # event-row level (length n_events), event rows in sorted order
    event_rows: IntArray
    event_time_of: IntArray  # event-time index of each event row
    event_time_first: IntArray  # position (among event rows) of each time's first event
    tie_rank: IntArray  # 0..d-1 within the tied events
    # row level: event times a row is at risk for are event_lo[i]..event_hi[i]-1
    event_lo: IntArray
    event_hi: IntArray
    start_order: IntArray  # sorted rows ordered by start key (empty without start)

    @property
    def n_event_times(self) -> int:
        return int(self.event_time.shape[0])


def build_risk_set_index(
    stop: FloatArray,
    event: BoolArray,
    stratum: IntArray,
    start: FloatArray | None = None,
    rows: SortedRows | None = None,
) -> RiskSetIndex:
    """Sort the data and locate every risk set.

    Parameters
    ----------
    stop, event, stratum
        Per-row exit time, event indicator and integer stratum code (0..k-1).
    start
        Entry times for counting-process ``(start, stop]`` data, or ``None`` when
        everyone is at risk from time 0 (then ``start`` is a read-only ``-inf`` view).
    rows
        Without ``start``: the rows already sorted by :func:`._risk_index.sort_rows`.

    Examples
    --------
    >>> idx = build_risk_set_index(
    ...     np.array([3.0, 1.0, 3.0, 2.0]), np.array([True, True, False, True]),
    ...     np.zeros(4, dtype=np.int64))
    >>> idx.event_time.tolist(), idx.n_tied.tolist()
    ([1.0, 2.0, 3.0], [1, 1, 1])
    >>> (idx.stop_first.tolist(), idx.stop_end.tolist())
    ([0, 1, 2], [4, 4, 4])
    """
    if start is None:
        return _right_censored_index(stop, event, stratum, rows)
    n = stop.shape[0]
    grid = np.unique(np.concatenate([stop, start]))
    n_keys = np.int64(grid.shape[0] + 1)
    stop_key = stratum * n_keys + np.searchsorted(grid, stop).astype(np.int64)
    # events before censorings at the same time, so each time's events are contiguous;
    # stable: ties keep the caller's row order
    order = np.argsort(2 * stop_key + (~event).astype(np.int64), kind="stable").astype(np.int64)
    stop_key = stop_key[order]
    stop_s, event_s, stratum_s = stop[order], event[order], stratum[order]

    event_rows = np.flatnonzero(event_s).astype(np.int64)
    ev_keys = stop_key[event_rows]
    new_time = np.ones(event_rows.shape[0], dtype=bool)
    new_time[1:] = ev_keys[1:] != ev_keys[:-1]
    first_of_time = np.flatnonzero(new_time)
    event_time_of = (np.cumsum(new_time) - 1).astype(np.int64)
    n_tied = np.diff(np.append(first_of_time, event_rows.shape[0])).astype(np.int64)
    tie_rank = (np.arange(event_rows.shape[0]) - first_of_time[event_time_of]).astype(np.int64)
    event_key = ev_keys[first_of_time]
    event_stratum = stratum_s[event_rows[first_of_time]]
    stratum_end_key = (event_stratum + 1) * n_keys

    stop_first = np.searchsorted(stop_key, event_key, side="left").astype(np.int64)
    stop_end = np.searchsorted(stop_key, stratum_end_key, side="left").astype(np.int64)
    event_hi = np.searchsorted(event_key, stop_key, side="right").astype(np.int64)

    start_s = start[order]
    start_key = stratum_s * n_keys + np.searchsorted(grid, start_s).astype(np.int64)
    start_order = np.argsort(start_key, kind="stable").astype(np.int64)
    sorted_start_key = start_key[start_order]
    start_first = np.searchsorted(sorted_start_key, event_key, side="left").astype(np.int64)
    start_end = np.searchsorted(sorted_start_key, stratum_end_key, side="left").astype(np.int64)
    # events at or before a row's start time are not in its risk set
    event_lo = np.searchsorted(event_key, start_key, side="right").astype(np.int64)

    return RiskSetIndex(
        order=order,
        stop=stop_s,
        event=event_s,
        stratum=stratum_s,
        start=start_s,
        has_start=True,
        event_time=stop_s[event_rows[first_of_time]],
        event_stratum=event_stratum,
        stop_first=stop_first,
        stop_end=stop_end,
        start_first=start_first,
        start_end=start_end,
        n_tied=n_tied,
        event_rows=event_rows,
        event_time_of=event_time_of,
        event_time_first=first_of_time.astype(np.int64),
        tie_rank=tie_rank,
        event_lo=np.minimum(event_lo, event_hi) if n else event_lo,
        event_hi=event_hi,
        start_order=start_order,
    )


def _right_censored_index(
    stop: FloatArray, event: BoolArray, stratum: IntArray, rows: SortedRows | None
) -> RiskSetIndex:
    """The index without entry times, from one sort and the tie layout."""
    return layout_index(tie_layout(stop, event, stratum, rows))


def layout_index(lay: TieLayout) -> RiskSetIndex:
    """The index of right-censored rows (no entry times) with this tie layout."""
    return RiskSetIndex(
        order=lay.order,
        stop=lay.stop,
        event=lay.event,
        stratum=lay.stratum,
        start=np.broadcast_to(np.float64(-np.inf), lay.stop.shape),  # read-only, no memory
        has_start=False,
        event_time=lay.stop[lay.event_time_rows],
        event_stratum=lay.stratum[lay.event_time_rows],
        stop_first=lay.event_time_rows,
        stop_end=lay.stop_end,
        start_first=lay.stop_end.copy(),
        start_end=lay.stop_end.copy(),
        n_tied=lay.n_tied,
        event_rows=lay.event_rows,
        event_time_of=lay.event_time_of,
        event_time_first=lay.event_time_first,
        tie_rank=lay.tie_rank,
        event_lo=lay.event_lo,
        event_hi=lay.event_hi,
        start_order=np.empty(0, dtype=np.int64),
    )


def risk_set_sums(index: RiskSetIndex, values: FloatArray) -> FloatArray:
    """Sum ``values`` (rows in sorted order; 1-D or 2-D) over the risk set of each event time.

    Rows are summed once per segment between consecutive risk-set boundaries
    (``np.add.reduceat``), then the segment sums are accumulated from the end: one pass
    over the data and no n-row temporary.
    """
    sums = _suffix_at(values, index.stop_first, index.stop_end)
    if index.has_start:
        late = _suffix_at(
            np.take(values, index.start_order, axis=0), index.start_first, index.start_end
        )
        sums = sums - late
    return sums


def _suffix_at(values: FloatArray, first: IntArray, end: IntArray) -> FloatArray:
    """``values[first[e]:end[e]].sum(axis=0)`` for every ``e`` (``end`` = the stratum's end)."""
    return _segment_sums(values, first, (end,), end)[0]


def _restarting_suffix_sums(segment: FloatArray, restart: BoolArray) -> FloatArray:
    """``out[k] = segment[k] + out[k + 1]``, with ``out[k + 1]`` read as 0 where a new
    stratum starts at segment ``k + 1`` (and ``out[m] = 0``): suffix sums that never
    carry one stratum's total into another's (no cancellation across strata)."""
    m = segment.shape[0]
    out = np.zeros((m + 1, segment.shape[1]))
    for k in range(m - 1, -1, -1):
        carry = not restart[k + 1]
        for j in range(segment.shape[1]):
            out[k, j] = segment[k, j] + (out[k + 1, j] if carry else 0.0)
    return out


_restarting_suffix_sums = jit(_restarting_suffix_sums)


def _segment_sums(
    values: FloatArray, first: IntArray, ends: tuple[IntArray, ...], stratum_end: IntArray
) -> list[FloatArray]:
    """``values[first:end].sum(axis=0)`` for each ``end`` array, from one pass over the rows.

    Rows are summed per segment between consecutive boundaries, then accumulated from the
    end of each stratum only (``stratum_end`` holds each range's stratum end), so a stratum
    of tiny values sorted before one of huge values keeps full relative precision.
    """
    n = values.shape[0]
    cuts = np.unique(np.concatenate([first, *ends, stratum_end, [0]]))
    cuts = cuts[cuts < n]
    flat = values.reshape(n, int(np.prod(values.shape[1:])))
    segment = np.add.reduceat(flat, cuts, axis=0) if n else flat[:0]
    restart = np.zeros(cuts.shape[0] + 1, dtype=np.bool_)
    restart[np.searchsorted(cuts, np.unique(stratum_end[stratum_end < n]))] = True
    restart[cuts.shape[0]] = True
    tail = _restarting_suffix_sums(np.ascontiguousarray(segment, dtype=np.float64), restart)
    head = tail[np.searchsorted(cuts, first)]
    results = []
    for end in ends:
        position = np.searchsorted(cuts, end)
        # at a stratum boundary the tail belongs to the next stratum: nothing to subtract
        after = np.where(restart[position][:, None], 0.0, tail[position])
        sums = np.where((end > first)[:, None], head - after, 0.0)  # empty ranges: 0
        results.append(np.asarray(sums, np.float64).reshape(-1, *values.shape[1:]))
    return results


def risk_and_tied_sums(index: RiskSetIndex, values: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Risk-set sums and sums over the tied events at each event time, in one pass.

    Events sort before censorings at the same time, so a time's events are the rows
    ``stop_first .. stop_first + n_tied - 1``: no gather of the event rows is needed.
    """
    risk, tied = _segment_sums(
        values,
        index.stop_first,
        (index.stop_end, index.stop_first + index.n_tied),
        index.stop_end,
    )
    if index.has_start:
        late = _suffix_at(
            np.take(values, index.start_order, axis=0), index.start_first, index.start_end
        )
        risk = risk - late
    return risk, tied


def group_sums(groups: IntArray, values: FloatArray, n_groups: int) -> FloatArray:
    """Sum ``values`` (1-D, or 2-D by column) within integer ``groups`` ``0..n_groups-1``."""
    if values.ndim == 1:
        return np.asarray(np.bincount(groups, weights=values, minlength=n_groups), np.float64)
    columns = [
        np.bincount(groups, weights=values[:, j], minlength=n_groups)
        for j in range(values.shape[1])
    ]
    return np.asarray(np.stack(columns, axis=1), np.float64).reshape(n_groups, values.shape[1])


def sum_by_event_time(index: RiskSetIndex, values: FloatArray) -> FloatArray:
    """Sum per-event-row ``values`` (1-D or 2-D) within each event time (rows are contiguous)."""
    if values.shape[0] == 0:
        return np.zeros((0, *values.shape[1:]))
    return np.asarray(np.add.reduceat(values, index.event_time_first, axis=0), np.float64)


def sum_over_risk_sets(index: RiskSetIndex, per_event_time: FloatArray) -> FloatArray:
    """For each row, sum ``per_event_time`` over the event times it was at risk for.

    Prefix sums restart in every stratum, so the totals of one stratum never enter the
    differences taken in another (no cancellation when strata differ by many orders).
    """
    n_times = per_event_time.shape[0]
    width = int(np.prod(per_event_time.shape[1:]))
    flat = np.ascontiguousarray(per_event_time.reshape(n_times, width), dtype=np.float64)
    first_of_stratum = np.ones(n_times, dtype=np.bool_)
    first_of_stratum[1:] = index.event_stratum[1:] != index.event_stratum[:-1]
    head = restarting_prefix_sums(flat, first_of_stratum)
    lo, hi = index.event_lo, index.event_hi
    reset = np.zeros(n_times + 1, dtype=np.bool_)
    reset[:n_times] = first_of_stratum
    before = np.where(reset[lo][:, None], 0.0, head[lo])
    sums = np.where((hi > lo)[:, None], head[hi] - before, 0.0)
    return np.asarray(sums.reshape(-1, *per_event_time.shape[1:]), dtype=np.float64)


def restarting_prefix_sums(values: FloatArray, first: BoolArray) -> FloatArray:
    """``out[k + 1] = values[k] + out[k]`` with ``out[k]`` read as 0 where ``first[k]``."""
    m = values.shape[0]
    out = np.zeros((m + 1, values.shape[1]))
    for k in range(m):
        for j in range(values.shape[1]):
            out[k + 1, j] = values[k, j] + (0.0 if first[k] else out[k, j])
    return out


restarting_prefix_sums = jit(restarting_prefix_sums)
