"""Minimum-cost assignment on integer costs, with a tie rule that depends only on the data.

Optimal matching has many equally good answers whenever distances tie (1-D scores put
every treated unit on the same side of its controls far more often than not), and a
general-purpose solver returns whichever its internals reach first: another scipy release
or platform can give other pairs, and the pair-clustered standard error moves with them.
This kernel removes both sources of drift:

* costs are whole numbers (distances on a fixed grid, see :func:`grid_units`), so sums
  and comparisons are exact on every machine;
* the solver is ours: successive shortest augmenting paths (the Hungarian method of
  Kuhn, Munkres and Jonker–Volgenant, on a sparse graph, Dijkstra with potentials), adding
  rows in their order ``0, 1, 2, ...``; every choice between equal path lengths goes to the
  column with the smaller index. The answer is a function of the costs and the order of
  rows and columns alone.

Callers list rows and columns in data order, so "ties go to the unit that comes first in
the data" in the sense of this rule.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from rpeval._jit import jit
from rpeval.errors import DataError

__all__ = ["GRID_STEPS", "assign", "grid_units"]

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]

GRID_STEPS = 2**30
"""Distances are whole multiples of ``span / GRID_STEPS`` (about 1e-9 of their range)."""


def grid_units(values: FloatArray, span: float | None = None) -> IntArray:
    """Non-negative ``values`` as whole numbers of ``span / GRID_STEPS`` (``span`` defaults
    to their largest value); what optmatch does with its distance tolerance.

    Rounding to about 1e-9 of the range makes last-bit differences between platforms
    (a score computed with another BLAS, say) vanish, except for a value within rounding
    noise of a grid boundary.

    Examples
    --------
    >>> grid_units(np.array([0.0, 0.5, 1.0])).tolist() == [0, 2**29, 2**30]
    True
    """
    values = np.asarray(values, dtype=np.float64)
    top = float(values.max(initial=0.0)) if span is None else float(span)
    if top <= 0.0 or not np.isfinite(top):
        return np.zeros(values.shape, dtype=np.int64)
    return np.rint(values / top * GRID_STEPS).astype(np.int64)


def assign(
    rows: IntArray,
    cols: IntArray,
    costs: IntArray,
    n_rows: int,
    n_cols: int,
    *,
    fallback: IntArray | None = None,
) -> IntArray:
    """The column of each row in a minimum-cost assignment that matches every row
    (columns may stay free), ties broken as the module docstring says.

    ``costs`` are non-negative integers; each ``(row, col)`` pair appears at most once.
    ``fallback[r]``, when given, is the cost of a private column ``n_cols + r`` that only
    row ``r`` can take ("no match"), so that an assignment always exists. Without it,
    raises :class:`DataError` when no assignment matches every row.

    Examples
    --------
    >>> r, c = np.array([0, 0, 1, 1]), np.array([0, 1, 0, 1])
    >>> assign(r, c, np.array([1, 1, 1, 1]), 2, 2).tolist()  # all equal: data order
    [0, 1]
    >>> assign(r, c, np.array([1, 2, 1, 5]), 2, 2).tolist()
    [1, 0]
    >>> assign(r[:1], c[:1], np.array([3]), 2, 2, fallback=np.array([9, 9])).tolist()
    [0, 3]
    """
    rows = np.asarray(rows, dtype=np.int64)
    cols = np.asarray(cols, dtype=np.int64)
    costs = np.asarray(costs, dtype=np.int64)
    if n_rows == 0:
        return np.zeros(0, dtype=np.int64)
    if costs.size and costs.min() < 0:
        raise ValueError("assign(): costs must be non-negative")
    if rows.size and not (rows.min() >= 0 and rows.max() < n_rows and cols.min() >= 0):
        raise ValueError("assign(): a row index is outside 0..n_rows-1")
    if cols.size and cols.max() >= n_cols:
        raise ValueError("assign(): a column index is outside 0..n_cols-1")
    if rows.size > 1 and (rows[1:] < rows[:-1]).any():
        # rows grouped; the order of a row's columns does not matter (the heap orders ties)
        order = np.argsort(rows, kind="stable")
        rows, cols, costs = rows[order], cols[order], costs[order]
    indptr = np.zeros(n_rows + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=n_rows), out=indptr[1:])
    has_fallback = fallback is not None
    private = np.zeros(n_rows, np.int64) if fallback is None else np.asarray(fallback, np.int64)
    if private.size != n_rows or private.min() < 0:
        raise ValueError("assign(): fallback needs one non-negative cost per row")
    col_of = _shortest_augmenting_paths(indptr, cols, costs, n_cols, private, has_fallback)
    if (col_of < 0).any():
        raise DataError("optimal matching: no assignment matches every unit")
    return col_of


@jit
def _before(d1: int, c1: int, d2: int, c2: int) -> bool:  # pragma: no cover
    """``(d1, c1) < (d2, c2)``: the shorter distance, then the smaller column."""
    return d1 < d2 or (d1 == d2 and c1 < c2)


@jit
def _heap_push(  # pragma: no cover
    heap_d: IntArray, heap_c: IntArray, size: int, d: int, c: int
) -> int:
    """Push ``(d, c)`` onto the binary min-heap ordered by ``(distance, column)``."""
    i = size
    heap_d[i] = d
    heap_c[i] = c
    while i > 0:
        parent = (i - 1) // 2
        if _before(heap_d[parent], heap_c[parent], heap_d[i], heap_c[i]):
            break
        heap_d[i], heap_d[parent] = heap_d[parent], heap_d[i]
        heap_c[i], heap_c[parent] = heap_c[parent], heap_c[i]
        i = parent
    return size + 1


@jit
def _heap_pop(heap_d: IntArray, heap_c: IntArray, size: int) -> int:  # pragma: no cover
    """Remove the root (the caller has read it); return the new size."""
    size -= 1
    heap_d[0] = heap_d[size]
    heap_c[0] = heap_c[size]
    i = 0
    while True:
        left = 2 * i + 1
        if left >= size:
            break
        best = left
        right = left + 1
        if right < size and _before(heap_d[right], heap_c[right], heap_d[left], heap_c[left]):
            best = right
        if _before(heap_d[i], heap_c[i], heap_d[best], heap_c[best]):
            break
        heap_d[i], heap_d[best] = heap_d[best], heap_d[i]
        heap_c[i], heap_c[best] = heap_c[best], heap_c[i]
        i = best
    return size


@jit
def _shortest_augmenting_paths(  # pragma: no cover - compiled; tested through assign()
    indptr: IntArray,
    indices: IntArray,
    costs: IntArray,
    n_real: int,
    private: IntArray,
    has_private: bool,
) -> IntArray:
    """Rows are added one at a time; each finds its cheapest augmenting path by Dijkstra on
    reduced costs ``c - u[row] - v[col]`` (never negative), stopping at the first free
    column reached, then potentials are updated so that matched edges stay at zero.
    With ``has_private`` row ``r`` also reaches column ``n_real + r`` at ``private[r]``.
    Returns the column of each row, -1 if a row could not be matched."""
    n_rows = indptr.size - 1
    n_cols = n_real + n_rows if has_private else n_real
    u = np.zeros(n_rows, dtype=np.int64)
    v = np.zeros(n_cols, dtype=np.int64)
    row_of = np.full(n_cols, -1, dtype=np.int64)
    col_of = np.full(n_rows, -1, dtype=np.int64)
    unset = np.iinfo(np.int64).max
    dist = np.full(n_cols, unset, dtype=np.int64)
    pred = np.full(n_cols, -1, dtype=np.int64)
    done = np.zeros(n_cols, dtype=np.bool_)
    touched = np.empty(n_cols, dtype=np.int64)
    settled = np.empty(n_cols, dtype=np.int64)
    heap_d = np.empty(indices.size + n_rows + 1, dtype=np.int64)
    heap_c = np.empty(indices.size + n_rows + 1, dtype=np.int64)
    for root in range(n_rows):
        n_touched = 0
        n_settled = 0
        size = 0
        k = root
        d = 0
        free = -1
        while True:  # expand row k, reached at distance d; then settle the nearest column
            last = indptr[k + 1] + (1 if has_private else 0)
            for p in range(indptr[k], last):
                if p < indptr[k + 1]:
                    j2 = indices[p]
                    cost = costs[p]
                else:
                    j2 = n_real + k
                    cost = private[k]
                if done[j2]:
                    continue
                nd = d + cost - u[k] - v[j2]
                if dist[j2] == unset:
                    touched[n_touched] = j2
                    n_touched += 1
                if nd < dist[j2]:
                    dist[j2] = nd
                    pred[j2] = k
                    size = _heap_push(heap_d, heap_c, size, nd, j2)
            j = -1
            while size > 0:
                d = heap_d[0]
                j = heap_c[0]
                size = _heap_pop(heap_d, heap_c, size)
                if not done[j] and d == dist[j]:
                    break
                j = -1
            if j < 0:
                break
            done[j] = True
            settled[n_settled] = j
            n_settled += 1
            if row_of[j] < 0:
                free = j
                break
            k = row_of[j]
        if free >= 0:
            total = dist[free]
            u[root] += total
            for s in range(n_settled):
                j = settled[s]
                if j != free:
                    u[row_of[j]] += total - dist[j]
                    v[j] += dist[j] - total
            j = free
            while True:
                k = pred[j]
                previous = col_of[k]
                row_of[j] = k
                col_of[k] = j
                if k == root:
                    break
                j = previous
        for s in range(n_touched):
            j = touched[s]
            dist[j] = unset
            pred[j] = -1
            done[j] = False
    return col_of
