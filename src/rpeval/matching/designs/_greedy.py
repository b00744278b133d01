"""Greedy nearest-neighbour matching kernels (numba): the sequential step numpy cannot vectorise.

The choices, ties included, are MatchIt 4.7's (``nn_matchC_vec`` and ``nn_matchC_mahcovs``),
so that pair identities equal R's unit by unit:

* One-dimensional distances (propensity score, its logit, a user score). MatchIt sorts all
  units by ``(distance, row)`` and walks outwards from the treated unit, one position at a
  time, alternately left (first) and right; each side stops at its first eligible control
  (``k`` of them with replacement, where each treated unit takes its ``k`` controls at once),
  at the caliper, or at a control farther than ``k`` already found. Among the candidates
  the nearest win; a tie goes to the candidate found first, i.e. the one fewer positions
  away (the left one at equal positions). With ``k`` > 1 and replacement the ``k`` are
  chosen by a heap selection whose tie order is reproduced here (libstdc++'s
  ``std::partial_sort``, as in R builds with GCC). Later rounds of k:1 matching without
  replacement start beyond the controls already taken and skip candidates nearer than them.
  Controls are walked within their exact stratum, skipping used ones through union-find
  pointers, and the step counts are taken from their positions among *all* units, so the
  result is MatchIt's at O((n_t + n_c) log n_c) cost.
* Mahalanobis distance. Every control of the stratum is a candidate; the nearest wins, and
  among equally near ones (squared distances equal to 1e-10, relative) the one MatchIt
  meets last in its walk over the units sorted by its first transformed covariate
  (:mod:`rpeval.matching.designs._walk_order`).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from rpeval._jit import jit

__all__ = ["greedy_multivariate", "greedy_scalar"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


@jit
def _find(parent: IntArray, q: int, lo: int, hi: int, step: int) -> int:  # pragma: no cover
    """First available position from ``q`` in direction ``step`` within ``[lo, hi)``; -1 if none."""
    root = q
    while lo <= root < hi and parent[root] != root:
        root = parent[root]
    # path compression
    while lo <= q < hi and parent[q] != q:
        nxt = parent[q]
        parent[q] = root
        q = nxt
    if lo <= root < hi:
        return root
    return -1


@jit
def _allowed(  # pragma: no cover
    t: int,
    c: int,
    anti_t: IntArray,
    anti_c: IntArray,
    cov_t: FloatArray,
    cov_c: FloatArray,
    widths: FloatArray,
) -> bool:
    for j in range(anti_t.shape[1]):
        if anti_t[t, j] == anti_c[c, j]:
            return False
    for j in range(widths.shape[0]):  # noqa: SIM110 - numba compiles loops, not all()
        if abs(cov_t[t, j] - cov_c[c, j]) > widths[j]:
            return False
    return True


@jit
def _adjust_heap(  # pragma: no cover
    ind: IntArray, hole: int, length: int, value: int, dist: FloatArray
) -> None:
    """libstdc++'s ``__adjust_heap`` on a max-heap of indices ordered by ``dist``."""
    top = hole
    child = hole
    while child < (length - 1) // 2:
        child = 2 * (child + 1)
        if dist[ind[child]] < dist[ind[child - 1]]:
            child -= 1
        ind[hole] = ind[child]
        hole = child
    if length % 2 == 0 and child == (length - 2) // 2:
        child = 2 * (child + 1)
        ind[hole] = ind[child - 1]
        hole = child - 1
    while hole > top:  # __push_heap
        parent = (hole - 1) // 2
        if not dist[ind[parent]] < dist[value]:
            break
        ind[hole] = ind[parent]
        hole = parent
    ind[hole] = value


@jit
def _pop_heap(ind: IntArray, last: int, result: int, dist: FloatArray) -> None:  # pragma: no cover
    value = ind[result]
    ind[result] = ind[0]
    _adjust_heap(ind, 0, last, value, dist)


@jit
def _k_nearest(dist: FloatArray, n: int, k: int) -> IntArray:  # pragma: no cover
    """Indices of the candidates MatchIt keeps, in its order: all of them when they are
    at most ``k`` (sorted stably by distance unless already sorted), else the first ``k``
    of ``std::partial_sort`` (heap select, then heap sort), ties and all."""
    ind = np.arange(n, dtype=np.int64)
    if n <= 1:
        return ind
    if n <= k:
        for i in range(1, n):  # insertion sort: stable, as std::sort on so few
            value = ind[i]
            j = i
            while j > 0 and dist[value] < dist[ind[j - 1]]:
                ind[j] = ind[j - 1]
                j -= 1
            ind[j] = value
        return ind
    if k >= 2:  # make_heap on the first k
        parent = (k - 2) // 2
        while True:
            _adjust_heap(ind, parent, k, ind[parent], dist)
            if parent == 0:
                break
            parent -= 1
    for i in range(k, n):
        if dist[ind[i]] < dist[ind[0]]:
            _pop_heap(ind, k, i, dist)
    last = k
    while last > 1:
        last -= 1
        _pop_heap(ind, last, last, dist)
    return ind[:k]


@jit
def greedy_scalar(  # pragma: no cover - compiled; tested through `match`
    order: IntArray,
    treated_distance: FloatArray,
    treated_position: IntArray,
    control_distance: FloatArray,
    control_position: IntArray,
    stratum_lo: IntArray,
    stratum_hi: IntArray,
    ratio: int,
    replace: bool,
    caliper: float,
    anti_t: IntArray,
    anti_c: IntArray,
    cov_t: FloatArray,
    cov_c: FloatArray,
    widths: FloatArray,
) -> IntArray:
    """Matched control indices per treated unit and column; -1 = none.

    Controls are sorted by ``(stratum, position)``, where ``position`` is a unit's place
    among all units sorted by ``(distance, row)``; treated unit ``t`` may use controls
    ``stratum_lo[t] .. stratum_hi[t]-1``. Without replacement: ``ratio`` rounds over
    ``order``, one control each; with replacement each treated unit takes its ``ratio``
    controls at once.
    """
    n_t = treated_distance.shape[0]
    n_c = control_distance.shape[0]
    result = np.full((n_t, ratio), -1, dtype=np.int64)
    right = np.arange(n_c + 1, dtype=np.int64)
    left = np.arange(n_c + 1, dtype=np.int64)
    wanted = ratio if replace else 1
    found = np.empty(2 * wanted, dtype=np.int64)
    found_d = np.empty(2 * wanted, dtype=np.float64)
    rounds = 1 if replace else ratio
    for r in range(rounds):
        for t in order:
            if r > 0 and result[t, r - 1] < 0:
                continue  # no match in an earlier round: MatchIt stops matching this unit
            lo, hi = stratum_lo[t], stratum_hi[t]
            if lo >= hi:
                continue
            d = treated_distance[t]
            low_pos = treated_position[t]
            high_pos = treated_position[t]
            near = 0.0  # later rounds skip candidates nearer than those already taken
            if r > 0:
                first = result[t, 0]
                low_q, high_q = first, first
                for s in range(r):
                    q = result[t, s]
                    if control_position[q] < control_position[low_q]:
                        low_q = q
                    if control_position[q] > control_position[high_q]:
                        high_q = q
                low_pos = min(low_pos, control_position[low_q])
                high_pos = max(high_pos, control_position[high_q])
                d_low = abs(d - control_distance[low_q])
                d_high = abs(d - control_distance[high_q])
                if low_pos == treated_position[t]:
                    near = d_high
                elif high_pos == treated_position[t]:
                    near = d_low
                else:
                    near = max(d_low, d_high)
            a, b = lo, hi  # first control past high_pos; the one before low_pos
            while a < b:
                mid = (a + b) // 2
                if control_position[mid] <= high_pos:
                    a = mid + 1
                else:
                    b = mid
            up = a
            a, b = lo, hi
            while a < b:
                mid = (a + b) // 2
                if control_position[mid] < low_pos:
                    a = mid + 1
                else:
                    b = mid
            down = a - 1
            if replace:
                up = up if up < hi else -1
                down = down if down >= lo else -1
            else:
                up = _find(right, up, lo, hi, 1)
                down = _find(left, down, lo, hi, -1)
            n_found = 0
            n_left = 0
            n_right = 0
            while up >= 0 or down >= 0:
                # the side MatchIt's alternating walk reaches first (left on odd steps)
                go_left = up < 0 or (
                    down >= 0
                    and 2 * (low_pos - control_position[down]) - 1
                    < 2 * (control_position[up] - high_pos)
                )
                q = down if go_left else up
                gap = abs(d - control_distance[q])
                stop = gap > caliper
                take = False
                if not stop and gap >= near:
                    if n_found >= wanted:
                        closer = 0
                        for s in range(n_found):
                            if found_d[s] < gap:
                                closer += 1
                        stop = closer >= wanted
                    if not stop and _allowed(t, q, anti_t, anti_c, cov_t, cov_c, widths):
                        take = True
                if take:
                    found[n_found] = q
                    found_d[n_found] = gap
                    n_found += 1
                    if go_left:
                        n_left += 1
                        stop = n_left == wanted
                    else:
                        n_right += 1
                        stop = n_right == wanted
                if go_left:
                    nxt = down - 1
                    if stop or nxt < lo:
                        down = -1
                    else:
                        down = nxt if replace else _find(left, nxt, lo, hi, -1)
                else:
                    nxt = up + 1
                    if stop or nxt >= hi:
                        up = -1
                    else:
                        up = nxt if replace else _find(right, nxt, lo, hi, 1)
            if n_found == 0:
                continue
            keep = _k_nearest(found_d, n_found, wanted)
            for s in range(keep.size):
                q = found[keep[s]]
                result[t, r + s] = q
                if not replace:
                    right[q] = q + 1
                    left[q] = q - 1 if q > 0 else n_c
    return result


@jit
def _ranks_before(dist: float, key: int, other: float, other_key: int) -> bool:  # pragma: no cover
    """Nearer, or as near and met later in MatchIt's walk. Squared distances within 1e-10
    of each other (relative) are ties: equal in exact arithmetic, they differ only by the
    rounding of the whitening, which is not the same as R's."""
    tolerance = 1e-10 * max(dist, other)
    if dist < other - tolerance:
        return True
    return dist <= other + tolerance and key > other_key


@jit
def greedy_multivariate(  # pragma: no cover - compiled; tested through `match`
    order: IntArray,
    treated_z: FloatArray,
    treated_position: IntArray,
    control_z: FloatArray,
    control_position: IntArray,
    stratum_lo: IntArray,
    stratum_hi: IntArray,
    ratio: int,
    replace: bool,
    anti_t: IntArray,
    anti_c: IntArray,
    cov_t: FloatArray,
    cov_c: FloatArray,
    widths: FloatArray,
) -> IntArray:
    """As :func:`greedy_scalar` with Euclidean distance on (whitened) ``z`` rows: each
    control of the stratum is a candidate, ranked by distance and then by how late
    MatchIt's walk over ``position`` order meets it (later wins)."""
    n_t = treated_z.shape[0]
    n_c = control_z.shape[0]
    result = np.full((n_t, ratio), -1, dtype=np.int64)
    used = np.zeros(n_c, dtype=np.bool_)
    wanted = ratio if replace else 1
    best = np.empty(wanted, dtype=np.int64)
    best_d = np.empty(wanted, dtype=np.float64)
    best_k = np.empty(wanted, dtype=np.int64)
    rounds = 1 if replace else ratio
    for r in range(rounds):
        for t in order:
            if r > 0 and result[t, r - 1] < 0:
                continue
            n_best = 0
            here = treated_position[t]
            for q in range(stratum_lo[t], stratum_hi[t]):
                if used[q]:
                    continue
                dist = 0.0
                for j in range(treated_z.shape[1]):
                    diff = treated_z[t, j] - control_z[q, j]
                    dist += diff * diff
                there = control_position[q]
                key = 2 * (here - there) - 1 if there < here else 2 * (there - here)
                # insert into the sorted list (distance up, walk step down), keep `wanted`
                slot = n_best
                while slot > 0 and _ranks_before(dist, key, best_d[slot - 1], best_k[slot - 1]):
                    slot -= 1
                if slot >= wanted:
                    continue
                if not _allowed(t, q, anti_t, anti_c, cov_t, cov_c, widths):
                    continue
                last = min(n_best, wanted - 1)
                for s in range(last, slot, -1):
                    best[s] = best[s - 1]
                    best_d[s] = best_d[s - 1]
                    best_k[s] = best_k[s - 1]
                best[slot] = q
                best_d[slot] = dist
                best_k[slot] = key
                n_best = min(n_best + 1, wanted)
            for s in range(n_best):
                result[t, r + s] = best[s]
                if not replace:
                    used[best[s]] = True
    return result
