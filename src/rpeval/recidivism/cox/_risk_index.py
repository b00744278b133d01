"""Tie groups and risk-set boundaries of right-censored data from one sort (numpy).

One sort orders the rows by ``(stratum, time)`` with the events of a tie group before its
censorings; then each tie group, event time and stratum is found by comparing neighbours
(vectorised: no ``np.unique``, no binary searches, no compiled kernel, so a plain Cox fit
never imports numba). This is the layout :class:`._risk_sets.RiskSetIndex` promises.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np
import pandas as pd
from numpy.typing import NDArray

__all__ = [
    "SortedRows",
    "TieLayout",
    "key_layout",
    "order_rows",
    "rank_rows",
    "sort_order",
    "sort_rows",
    "tie_layout",
]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]


class TieLayout(NamedTuple):
    """Sorted rows (events first within ties) and the event-time arrays of the index."""

    order: IntArray
    stop: FloatArray
    event: BoolArray
    stratum: IntArray
    event_time_rows: IntArray  # first sorted row of each event time
    stop_end: IntArray
    n_tied: IntArray
    event_rows: IntArray
    event_time_of: IntArray
    event_time_first: IntArray
    tie_rank: IntArray
    event_lo: IntArray
    event_hi: IntArray


def _rank_key(
    stop: FloatArray, event: BoolArray, stratum: IntArray
) -> tuple[NDArray[np.uint16] | None, FloatArray, int]:
    """The 16-bit key ``(stratum, rank of stop, censored)`` of every row, the distinct
    times and the number of strata; the key is None when it does not fit in 16 bits."""
    n = stop.shape[0]
    n_strata = int(stratum.max()) + 1 if n else 1
    if not n:
        return None, stop, n_strata
    grid = _grid_cells(stop)
    if grid is not None:
        cell, rank, uniques = grid
        if n_strata * 2 * uniques.shape[0] > 2**16:
            return None, uniques, n_strata
        key = np.take((rank << 1).astype(np.uint16), cell)  # rank and shift per cell
    else:
        codes, found = pd.factorize(stop + 0.0, sort=True)  # + 0.0: -0.0 -> 0.0
        uniques = np.asarray(found, dtype=np.float64)
        if n_strata * 2 * uniques.shape[0] > 2**16 or codes.min() < 0:
            return None, uniques, n_strata
        key = np.asarray(codes, dtype=np.uint16) << np.uint16(1)
    key |= ~np.asarray(event, dtype=np.bool_)
    if n_strata > 1:
        key += np.asarray(stratum, dtype=np.uint16) * np.uint16(2 * uniques.shape[0])
    return key, uniques, n_strata


def _grid_codes(stop: FloatArray) -> tuple[IntArray, FloatArray] | None:
    """Rank codes and sorted distinct values of times on a decimal grid (as
    ``pd.factorize(stop, sort=True)``), or None (see :func:`_grid_cells`)."""
    grid = _grid_cells(stop)
    if grid is None:
        return None
    cell, rank, uniques = grid
    return rank[cell], uniques


def _divide(cells: IntArray, scale: float, out: FloatArray | None = None) -> FloatArray:
    return np.divide(cells, scale, out=out)  # 3 / 10 = 0.3: times parsed from decimals


def _multiply(cells: IntArray, scale: float, out: FloatArray | None = None) -> FloatArray:
    return np.multiply(cells, 1.0 / scale, out=out)  # 3 * 0.1 = 0.30000000000000004


def _cell_times(sample: FloatArray, scale: float) -> Callable[..., FloatArray] | None:
    """How the first rows' times follow from their cells, if they do: divided by the
    scale, or times its inverse (as ``round(t / 0.1) * 0.1`` makes them)."""
    cells = np.rint(sample * scale).astype(np.intp)
    for times_of in (_divide, _multiply):
        if np.array_equal(times_of(cells, scale), sample):
            return times_of
    return None


def _grid_cells(stop: FloatArray) -> tuple[NDArray[np.intp], IntArray, FloatArray] | None:
    """Each time's cell on a decimal grid (whole days, tenths, ...), the rank of each
    cell among the cells used and the sorted distinct times, or None.
    ``round(stop * scale)`` is an integer per time that keeps the order; when every row's
    time is the one time of its integer, integers and times match one to one, and the
    ranks equal ``pd.factorize(stop, sort=True)``'s codes without its hash table. When
    the first rows' times are their cells divided by the scale (or times its inverse),
    that is checked for every row in one pass; other times are checked by storing each
    cell's time and reading it back."""
    top = float(stop.max())
    if not float(stop.min()) >= 0.0:  # a negative time has no grid cell: rank by factorize
        return None
    sample = stop[:1024]
    for scale in (1.0, 10.0, 100.0, 1000.0):
        if top * scale >= 2**20:  # tables of at most a million entries
            return None
        scaled = sample * scale
        if not np.all(np.abs(scaled - np.rint(scaled)) <= 1e-6 * np.maximum(scaled, 1.0)):
            continue  # the first rows are off this grid
        times_of = _cell_times(sample, scale)
        scaled = stop * scale
        cell = np.rint(scaled, out=scaled).astype(np.intp)
        size = int(np.rint(top * scale)) + 1  # rint is monotone: the largest cell
        if times_of is not None and np.array_equal(times_of(cell, scale, out=scaled), stop):
            used = np.bincount(cell, minlength=size) > 0
            uniques = times_of(np.flatnonzero(used), scale)  # the times themselves
        else:
            value = np.zeros(size)
            value[cell] = stop
            if not np.array_equal(value[cell], stop):
                continue  # two distinct times share a grid point
            used = np.bincount(cell, minlength=size) > 0
            uniques = value[used]
        return cell, np.cumsum(used) - 1, uniques
    return None


class SortedRows(NamedTuple):
    """The row order and, when it fits in 16 bits, the key it sorts (with the distinct
    times and the number of strata the key was built from)."""

    order: IntArray
    key: NDArray[np.uint16] | None
    uniques: FloatArray
    n_strata: int


def sort_rows(stop: FloatArray, event: BoolArray, stratum: IntArray) -> SortedRows:
    """The rows sorted as :func:`sort_order` does, with the key :func:`tie_layout` reuses."""
    return order_rows(rank_rows(stop, event, stratum), event, stratum)


def rank_rows(stop: FloatArray, event: BoolArray, stratum: IntArray) -> SortedRows:
    """The sort key of :func:`sort_rows`, before the sort (``order`` is empty); the layout
    can be found from it (:func:`key_layout`) while :func:`order_rows` sorts."""
    stop = np.asarray(stop, dtype=np.float64)  # -0.0 == 0.0 on the grid: no copy there
    key, uniques, n_strata = _rank_key(stop, event, stratum)
    if key is not None:
        return SortedRows(np.empty(0, dtype=np.int64), key, uniques + 0.0, n_strata)
    return SortedRows(_bit_order(stop + 0.0, event, stratum), key, uniques + 0.0, n_strata)


def order_rows(ranked: SortedRows, event: BoolArray, stratum: IntArray) -> SortedRows:
    """``ranked`` with its rows sorted (one stable radix sort of the 16-bit key)."""
    if ranked.key is None:  # sorted by rank_rows
        return ranked
    order = np.argsort(ranked.key, kind="stable").astype(np.int64, copy=False)
    return ranked._replace(order=order)


def key_layout(ranked: SortedRows) -> TieLayout:
    """The layout of rows ranked by a 16-bit key, with whatever ``order`` they carry (the
    layout follows from the key's counts alone)."""
    assert ranked.key is not None
    return _layout_from_counts(ranked.key, ranked.uniques, ranked.n_strata, ranked.order)


def sort_order(stop: FloatArray, event: BoolArray, stratum: IntArray) -> IntArray:
    """Row order by ``(stratum, stop)``, events before censorings at equal times.

    Times are first coded by their rank among the distinct times (a hash table,
    ``pd.factorize``); when ``(stratum, rank, censored)`` fits in 16 bits, as with times
    rounded to days or tenths of a day, one stable radix sort of that key orders the rows
    (tied rows keep the caller's order), about 3x faster than a comparison sort. Otherwise
    the key is the bit pattern of ``stop`` (non-negative, so its integer order is its
    numeric order) shifted left once plus 1 for a censoring, sorted by one unstable (SIMD)
    sort, then stably by stratum: rows with equal keys keep an order that is arbitrary but
    fixed for a given input.
    """
    return sort_rows(stop, event, stratum).order


def _bit_order(stop: FloatArray, event: BoolArray, stratum: IntArray) -> IntArray:
    censored = ~np.asarray(event, dtype=np.bool_)
    bits = np.left_shift(stop.view(np.uint64), np.uint64(1))
    bits |= censored
    order = np.argsort(bits).astype(np.int64)
    if stop.shape[0] and stratum.max() > 0:
        order = order[np.argsort(stratum[order], kind="stable")]
    return order


def tie_layout(
    stop: FloatArray, event: BoolArray, stratum: IntArray, rows: SortedRows | None = None
) -> TieLayout:
    """Sort the rows (unless ``rows`` has them sorted) and find every tie group, event
    time and risk-set boundary.

    Examples
    --------
    >>> lay = tie_layout(np.array([3.0, 1.0, 3.0, 2.0]), np.array([False, True, True, True]),
    ...                  np.zeros(4, dtype=np.int64))
    >>> lay.order.tolist(), lay.n_tied.tolist(), lay.event_time_rows.tolist()
    ([1, 3, 2, 0], [1, 1, 1], [0, 1, 2])
    """
    rows = sort_rows(stop, event, stratum) if rows is None else rows
    if rows.key is not None:
        return _layout_from_counts(rows.key, rows.uniques, rows.n_strata, rows.order)
    return _layout_by_comparison(stop, event, stratum, rows.order)


def _layout_from_counts(
    key: NDArray[np.uint16], uniques: FloatArray, n_strata: int, order: IntArray
) -> TieLayout:
    """The layout from the row counts of every ``(stratum, time, censored)`` key: the
    rows of a key are consecutive once sorted, so every boundary follows from the counts
    (no comparison of neighbours, no gather of the sorted times)."""
    n_keys = n_strata * 2 * uniques.shape[0]
    counts = np.bincount(key, minlength=n_keys).astype(np.int64)
    n_event, n_rows = counts[0::2], counts[0::2] + counts[1::2]  # per (stratum, time)
    times = np.flatnonzero(n_event).astype(np.int64)
    n_tied = n_event[times]
    group_first = np.cumsum(n_rows) - n_rows
    per_stratum = n_rows.reshape(n_strata, -1).sum(axis=1)
    stratum_end = np.cumsum(per_stratum)
    time_stratum = times // uniques.shape[0]
    times_before = np.cumsum(n_event > 0)  # event times up to each (stratum, time)
    strata = np.arange(n_strata, dtype=np.int64)
    first_time = np.searchsorted(time_stratum, strata)  # each stratum's first event time
    n_events = int(n_tied.sum())
    event_time_first = np.cumsum(n_tied) - n_tied
    event_time_of = np.repeat(np.arange(times.shape[0], dtype=np.int64), n_tied)
    tie_rank = np.arange(n_events, dtype=np.int64)
    tie_rank -= np.repeat(event_time_first, n_tied)
    rows = group_first[times]
    event_rows = np.repeat(rows, n_tied)
    event_rows += tie_rank
    labels = np.repeat(np.tile(np.array([True, False]), n_rows.shape[0]), counts)
    one = n_strata == 1
    return TieLayout(
        order=order,
        stop=np.repeat(np.tile(uniques, n_strata), n_rows),
        event=labels,
        stratum=np.zeros(key.shape[0], np.int64) if one else np.repeat(strata, per_stratum),
        event_time_rows=rows,
        stop_end=stratum_end[time_stratum],
        n_tied=n_tied,
        event_rows=event_rows,
        event_time_of=event_time_of,
        event_time_first=event_time_first,
        tie_rank=tie_rank,
        event_lo=np.zeros(key.shape[0], np.int64) if one else np.repeat(first_time, per_stratum),
        event_hi=np.repeat(times_before, n_rows),
    )


def _layout_by_comparison(
    stop: FloatArray, event: BoolArray, stratum: IntArray, order: IntArray
) -> TieLayout:
    """The layout from the sorted rows by comparing neighbours (any times)."""
    n = stop.shape[0]
    stop_s = stop[order]
    event_s = np.asarray(event[order], dtype=np.bool_)
    stratum_s = stratum[order] if stratum.any() else np.zeros_like(stratum)
    new_stratum = np.ones(n, dtype=np.bool_)
    np.not_equal(stratum_s[1:], stratum_s[:-1], out=new_stratum[1:])
    new_group = new_stratum.copy()
    new_group[1:] |= stop_s[1:] != stop_s[:-1]
    # a tie group has events iff its first row is one (events sort first)
    time_start = new_group & event_s
    event_hi = np.cumsum(time_start, dtype=np.int64)
    time_rows = np.flatnonzero(time_start).astype(np.int64)
    n_times = time_rows.shape[0]
    event_rows = np.flatnonzero(event_s).astype(np.int64)
    event_time_of = event_hi[event_rows] - 1
    n_tied = np.bincount(event_time_of, minlength=n_times).astype(np.int64)
    event_time_first = (np.cumsum(n_tied) - n_tied).astype(np.int64)
    tie_rank = np.arange(event_rows.shape[0], dtype=np.int64) - event_time_first[event_time_of]
    stratum_rows = np.flatnonzero(new_stratum)
    stratum_end = np.append(stratum_rows[1:], n).astype(np.int64)
    first_time = event_hi[stratum_rows] - time_start[stratum_rows]
    event_lo = np.repeat(first_time, stratum_end - stratum_rows).astype(np.int64)
    stratum_of_time = np.cumsum(new_stratum, dtype=np.int64)[time_rows] - 1
    return TieLayout(
        order=order,
        stop=stop_s,
        event=event_s,
        stratum=stratum_s,
        event_time_rows=time_rows,
        stop_end=stratum_end[stratum_of_time],
        n_tied=n_tied,
        event_rows=event_rows,
        event_time_of=event_time_of,
        event_time_first=event_time_first,
        tie_rank=tie_rank,
        event_lo=event_lo,
        event_hi=event_hi,
    )
