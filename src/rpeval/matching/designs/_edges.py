"""Allowed pairs of optimal and full matching as a sparse graph: the pairs within a
score window (sorted search, no n_t x n_c array) or every same-stratum pair for
Mahalanobis distance, with distances in whole grid steps."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from rpeval.errors import SpecificationError
from rpeval.matching.designs._assignment import grid_units

__all__ = ["MAX_EDGES", "Edges", "all_pair_edges", "window_edges"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
MAX_EDGES = 50_000_000  # about 1.2 GB of graph: beyond this, ask for a caliper


class Edges(NamedTuple):
    """Allowed pairs: focal index ``row``, control index ``col``, distance ``cost`` in
    whole grid steps (:func:`~rpeval.matching.designs._assignment.grid_units`)."""

    row: IntArray
    col: IntArray
    cost: IntArray


def window_edges(
    t_score: FloatArray, c_score: FloatArray, width: float, t_stratum: IntArray, c_stratum: IntArray
) -> Edges:
    """Pairs in the same stratum whose scores differ by at most ``width``, found by
    sorting controls by (stratum, score): no n_t x n_c array. Costs are differences of
    the scores put on the grid, so equal differences are exactly equal."""
    order = np.lexsort((c_score, c_stratum))
    s_stratum, s_score = c_stratum[order], c_score[order]
    lo_s = np.searchsorted(s_stratum, t_stratum, side="left")
    hi_s = np.searchsorted(s_stratum, t_stratum, side="right")
    lo, hi = lo_s.copy(), hi_s.copy()
    if np.isfinite(width):
        slack = width + 1e-9 * (width + float(np.abs(c_score).max(initial=0.0)))  # a superset
        for s in np.unique(t_stratum):
            mine = t_stratum == s
            a, b = int(lo_s[mine][0]), int(hi_s[mine][0])
            lo[mine] = a + np.searchsorted(s_score[a:b], t_score[mine] - slack, side="left")
            hi[mine] = a + np.searchsorted(s_score[a:b], t_score[mine] + slack, side="right")
    counts = np.maximum(hi - lo, 0)
    total = int(counts.sum())
    if total > MAX_EDGES:
        raise SpecificationError(
            f"match(): optimal matching would build a graph of {total:,} pairs",
            hint="set a (narrower) caliper or exact strata to keep the graph sparse",
        )
    row = np.repeat(np.arange(len(t_score), dtype=np.int64), counts)
    starts = np.repeat(lo - np.cumsum(counts) + counts, counts)
    position = starts + np.arange(total, dtype=np.int64)
    col = order[position].astype(np.int64)
    inside = np.abs(t_score[row] - c_score[col]) <= width  # the test greedy matching makes
    row, col = row[inside], col[inside]
    low = min(float(t_score.min(initial=np.inf)), float(c_score.min(initial=np.inf)))
    high = max(float(t_score.max(initial=-np.inf)), float(c_score.max(initial=-np.inf)))
    t_grid = grid_units(t_score - low, span=high - low)
    c_grid = grid_units(c_score - low, span=high - low)
    return Edges(row, col, np.abs(t_grid[row] - c_grid[col]))


def all_pair_edges(
    z_t: FloatArray, z_c: FloatArray, t_stratum: IntArray, c_stratum: IntArray
) -> Edges:
    """Every same-stratum pair with its Euclidean distance (Mahalanobis after whitening),
    in grid steps of the largest distance."""
    rows, cols, costs = [], [], []
    for s in np.unique(t_stratum):
        ti, ci = np.flatnonzero(t_stratum == s), np.flatnonzero(c_stratum == s)
        if ti.size * ci.size > MAX_EDGES:
            raise SpecificationError(
                f"match(): optimal Mahalanobis matching would need {ti.size * ci.size:,} pairs",
                hint="add exact strata, or match on a propensity score with a caliper",
            )
        diff = z_t[ti][:, None, :] - z_c[ci][None, :, :]
        rows.append(np.repeat(ti, ci.size))
        cols.append(np.tile(ci, ti.size))
        costs.append(np.sqrt((diff**2).sum(axis=2)).ravel())
    return Edges(
        np.concatenate(rows).astype(np.int64),
        np.concatenate(cols).astype(np.int64),
        grid_units(np.concatenate(costs).astype(np.float64)),
    )
