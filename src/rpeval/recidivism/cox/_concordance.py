"""Harrell's concordance for survival data in O(n log n), as R ``survival::concordance``.

A pair is comparable when one member has an event at time ``t`` while the other is
still at risk after ``t`` (or is censored at ``t``), within the same stratum. It is
concordant when the member with the event has the larger risk score. Pairs with tied
event times are not comparable; ties in the risk score count one half. With case
weights a pair counts ``w_i * w_j``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from rpeval._jit import jit

__all__ = ["ConcordanceCounts", "concordance"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


@dataclass(frozen=True)
class ConcordanceCounts:
    """Weighted pair counts; ``value`` is ``(concordant + tied_risk / 2) / comparable``."""

    concordant: float
    discordant: float
    tied_risk: float

    @property
    def value(self) -> float:
        total = self.concordant + self.discordant + self.tied_risk
        return (self.concordant + 0.5 * self.tied_risk) / total if total > 0 else float("nan")


@jit
def _fenwick_add(tree: FloatArray, position: int, amount: float) -> None:  # pragma: no cover
    i = position + 1
    while i < tree.shape[0]:
        tree[i] += amount
        i += i & (-i)


@jit
def _fenwick_prefix(tree: FloatArray, position: int) -> float:  # pragma: no cover
    """Sum of entries at positions < ``position``."""
    total = 0.0
    i = position
    while i > 0:
        total += tree[i]
        i -= i & (-i)
    return total


@jit
def _count_pairs(  # pragma: no cover - compiled; tested through `concordance`
    stop_order: IntArray,
    start_order: IntArray,
    stop: FloatArray,
    start: FloatArray,
    event: NDArray[np.bool_],
    stratum: IntArray,
    rank: IntArray,
    weights: FloatArray,
    n_ranks: int,
) -> FloatArray:
    tree = np.zeros(n_ranks + 1)
    at_rank = np.zeros(n_ranks)
    counts = np.zeros(3)
    n = stop_order.shape[0]
    in_tree = np.zeros(n, dtype=np.bool_)
    i = 0  # next row (descending stop) to consider
    i_stratum = 0  # first row of the current stratum
    j = 0  # next row (descending start) to remove
    while i < n:
        row = stop_order[i]
        s = stratum[row]
        t = stop[row]
        # rows of this stratum and time, events last
        k = i
        while k < n and stratum[stop_order[k]] == s and stop[stop_order[k]] == t:
            k += 1
        # drop rows whose entry is at or after t (not at risk at t)
        while j < n and (
            stratum[start_order[j]] > s
            or (stratum[start_order[j]] == s and start[start_order[j]] >= t)
        ):
            r = start_order[j]
            if in_tree[r]:
                _fenwick_add(tree, rank[r], -weights[r])
                at_rank[rank[r]] -= weights[r]
                in_tree[r] = False
            j += 1
        for m in range(i, k):  # censored at t are at risk for events at t
            r = stop_order[m]
            if not event[r] and start[r] < t:
                _fenwick_add(tree, rank[r], weights[r])
                at_rank[rank[r]] += weights[r]
                in_tree[r] = True
        total = _fenwick_prefix(tree, n_ranks)
        for m in range(i, k):
            r = stop_order[m]
            if event[r]:
                below = _fenwick_prefix(tree, rank[r])
                same = at_rank[rank[r]]
                counts[0] += weights[r] * below
                counts[1] += weights[r] * (total - below - same)
                counts[2] += weights[r] * same
        for m in range(i, k):
            r = stop_order[m]
            if event[r] and start[r] < t:
                _fenwick_add(tree, rank[r], weights[r])
                at_rank[rank[r]] += weights[r]
                in_tree[r] = True
        if k == n or stratum[stop_order[k]] != s:  # leaving the stratum: empty the tree
            for m in range(i_stratum, k):
                r = stop_order[m]
                if in_tree[r]:
                    _fenwick_add(tree, rank[r], -weights[r])
                    at_rank[rank[r]] -= weights[r]
                    in_tree[r] = False
            i_stratum = k
        i = k
    return counts


def concordance(
    stop: FloatArray,
    event: NDArray[np.bool_],
    risk_score: FloatArray,
    *,
    weights: FloatArray | None = None,
    stratum: IntArray | None = None,
    start: FloatArray | None = None,
) -> ConcordanceCounts:
    """Count concordant, discordant and risk-tied comparable pairs.

    Examples
    --------
    >>> counts = concordance(np.array([1.0, 2.0, 3.0]), np.array([True, True, False]),
    ...                      np.array([3.0, 2.0, 1.0]))
    >>> counts.concordant, counts.discordant, counts.value
    (3.0, 0.0, 1.0)
    """
    n = stop.shape[0]
    w = np.ones(n) if weights is None else weights.astype(np.float64)
    strat = np.zeros(n, dtype=np.int64) if stratum is None else stratum.astype(np.int64)
    entry = np.full(n, -np.inf) if start is None else start.astype(np.float64)
    _, rank = np.unique(risk_score, return_inverse=True)
    rank = rank.astype(np.int64)
    n_ranks = int(rank.max()) + 1 if n else 0
    # descending (stratum, time) with events after censored rows at the same time
    stop_order = np.lexsort((event, -stop, -strat)).astype(np.int64)
    start_order = np.lexsort((-entry, -strat)).astype(np.int64)
    counts = _count_pairs(
        stop_order,
        start_order,
        stop.astype(np.float64),
        entry,
        event.astype(np.bool_),
        strat,
        rank,
        w,
        n_ranks,
    )
    return ConcordanceCounts(float(counts[0]), float(counts[1]), float(counts[2]))
