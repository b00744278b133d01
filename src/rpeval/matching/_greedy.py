"""Greedy nearest-neighbour matching kernels (numba): the sequential step numpy cannot vectorise.

One-dimensional distances (propensity score, its logit, a user score): controls are sorted
by ``(stratum, distance, row)``; for each treated unit the nearest *available* control is
found by walking outwards from its position, skipping used controls through union-find
pointers, so a whole match costs O((n_t + n_c) log n_c) and no n_t x n_c array exists.
Multivariate (Mahalanobis) distances scan the treated unit's stratum: O(n_t x n_c) time
but O(n_c) memory.

Ties in distance go to the control that comes first in the data, as in MatchIt.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from rpeval._jit import jit

__all__ = ["control_orders", "greedy_multivariate", "greedy_scalar"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


def control_orders(
    values: FloatArray, strata: NDArray[np.integer[Any]]
) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """Positions sorted by ``(stratum, value, position)`` and by ``(stratum, value,
    -position)``: what ``np.lexsort`` gives, from one unstable ``argsort`` (several times
    faster on millions of controls) with only the runs of tied values re-sorted."""
    key = np.argsort(values)
    if strata.size and strata.min() != strata.max():
        key = key[np.argsort(strata[key], kind="stable")]
    v, s = values[key], strata[key]
    tied = (v[1:] == v[:-1]) & (s[1:] == s[:-1])
    if not tied.any():
        return key, key
    run = np.concatenate(([0], np.cumsum(~tied)))
    in_run = np.zeros(key.size, dtype=bool)
    in_run[1:] |= tied
    in_run[:-1] |= tied
    sub = np.flatnonzero(in_run)
    key_b = key.copy()
    key[sub] = key[sub][np.lexsort((key[sub], run[sub]))]
    key_b[sub] = key_b[sub][np.lexsort((-key_b[sub], run[sub]))]
    return key, key_b


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
def greedy_scalar(  # pragma: no cover - compiled; tested through `match`
    order: IntArray,
    treated_distance: FloatArray,
    control_distance: FloatArray,
    control_row: IntArray,
    b_to_a: IntArray,
    a_to_b: IntArray,
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
    """Matched control positions (sorted order "A") per treated unit and round; -1 = none.

    Order A sorts controls by ``(stratum, distance, row)`` and is walked to the right;
    order B (``b_to_a`` maps its positions to A) sorts ties by descending row and is
    walked to the left, so equally distant controls are met in data order on both sides.
    Treated unit ``t`` may use positions ``stratum_lo[t] .. stratum_hi[t]-1`` (the same
    range in both orders). Round-robin over ``ratio`` rounds.
    """
    n_t = treated_distance.shape[0]
    n_c = control_distance.shape[0]
    result = np.full((n_t, ratio), -1, dtype=np.int64)
    right = np.arange(n_c + 1, dtype=np.int64)
    left = np.arange(n_c + 1, dtype=np.int64)
    for r in range(ratio):
        for t in order:
            if r > 0 and result[t, r - 1] < 0:
                continue  # no earlier match: MatchIt stops matching this unit
            lo, hi = stratum_lo[t], stratum_hi[t]
            if lo >= hi:
                continue
            d = treated_distance[t]
            a, b = lo, hi  # first position with distance >= d (same in A and B)
            while a < b:
                mid = (a + b) // 2
                if control_distance[mid] < d:
                    a = mid + 1
                else:
                    b = mid
            up = a if a < hi else -1
            down = a - 1 if a - 1 >= lo else -1
            if not replace:
                up = _find(right, a, lo, hi, 1)
                down = _find(left, a - 1, lo, hi, -1)
            chosen = -1
            while up >= 0 or down >= 0:
                qa_left = b_to_a[down] if down >= 0 else -1
                if up < 0:
                    pick_right = False
                elif down < 0:
                    pick_right = True
                else:
                    dr = control_distance[up] - d
                    dl = d - control_distance[qa_left]
                    pick_right = dr < dl or (dr == dl and control_row[up] < control_row[qa_left])
                q = up if pick_right else qa_left
                if abs(control_distance[q] - d) > caliper:
                    break
                ok = _allowed(t, q, anti_t, anti_c, cov_t, cov_c, widths)
                if ok and replace:
                    for s in range(r):
                        if result[t, s] == q:
                            ok = False
                if ok:
                    chosen = q
                    break
                if pick_right:
                    nxt = up + 1
                    up = _find(right, nxt, lo, hi, 1) if not replace else nxt
                    if up >= hi:
                        up = -1
                else:
                    nxt = down - 1
                    down = _find(left, nxt, lo, hi, -1) if not replace else nxt
                    if down < lo:
                        down = -1
            if chosen >= 0:
                result[t, r] = chosen
                if not replace:
                    right[chosen] = chosen + 1
                    qb = a_to_b[chosen]
                    left[qb] = qb - 1 if qb > 0 else n_c
    return result


@jit
def greedy_multivariate(  # pragma: no cover - compiled; tested through `match`
    order: IntArray,
    treated_z: FloatArray,
    control_z: FloatArray,
    control_row: IntArray,
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
    """As :func:`greedy_scalar` with Euclidean distance on (whitened) ``z`` rows."""
    n_t = treated_z.shape[0]
    n_c = control_z.shape[0]
    result = np.full((n_t, ratio), -1, dtype=np.int64)
    used = np.zeros(n_c, dtype=np.bool_)
    for r in range(ratio):
        for t in order:
            if r > 0 and result[t, r - 1] < 0:
                continue
            best = -1
            best_d = np.inf
            for q in range(stratum_lo[t], stratum_hi[t]):
                if used[q] and not replace:
                    continue
                dist = 0.0
                for j in range(treated_z.shape[1]):
                    diff = treated_z[t, j] - control_z[q, j]
                    dist += diff * diff
                earlier = best >= 0 and control_row[q] < control_row[best]
                if dist < best_d or (dist == best_d and earlier):
                    if not _allowed(t, q, anti_t, anti_c, cov_t, cov_c, widths):
                        continue
                    if replace:
                        dup = False
                        for s in range(r):
                            if result[t, s] == q:
                                dup = True
                        if dup:
                            continue
                    best = q
                    best_d = dist
            if best >= 0:
                result[t, r] = best
                if not replace:
                    used[best] = True
    return result
