"""The optimal designs of ``match()``: optimal pair, k:1 and variable-ratio matching (a
minimum-weight bipartite assignment on a sparse graph) and optimal full matching.

Edges join each treated unit to the controls it may be matched with (same exact stratum,
within the calipers, different antiexact values). Each treated unit appears ``ratio``
times, and each copy also has a private "no match" edge whose cost exceeds any set of
real edges, so the assignment always exists, matches as many pairs as the constraints
allow, and among those minimises the total distance.

Distances are whole numbers of grid steps (about 1e-9 of their range,
:func:`~rpeval.matching.designs._assignment.grid_units`) and the assignment is solved by
our own kernel (:mod:`rpeval.matching.designs._assignment`), whose ties go to units
earlier in the data: the same data give the same pairs on every platform and with every
scipy or numpy.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from rpeval import _frames
from rpeval._lazy import sparse as sp
from rpeval.errors import DataError, SpecificationError
from rpeval.matching._distance import exact_strata, factor_codes
from rpeval.matching._plan import Matched, MatchPlan, MatchSample
from rpeval.matching._weights import pair_matched, subclass_matched
from rpeval.matching.designs._assignment import assign
from rpeval.matching.designs._edges import MAX_EDGES, Edges, all_pair_edges, window_edges

__all__ = [
    "Edges",
    "full_design",
    "full_matching",
    "optimal_assignment",
    "optimal_design",
    "optimal_matches",
    "variable_assignment",
]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


def optimal_design(plan: MatchPlan, sample: MatchSample) -> Matched:
    """``method="optimal"``: optimal pairs (fixed or variable ratio) and MatchIt's weights."""
    return pair_matched(sample, optimal_matches(plan, sample), replace=False)


def full_design(plan: MatchPlan, sample: MatchSample) -> Matched:
    """``method="full"``: optimal full matching on the scalar score (or Mahalanobis
    distance) within exact strata and the caliper, weighted as MatchIt's subclasses."""
    frame, is_treated, keep = sample.frame, sample.is_treated, sample.keep
    spec = _frames.resolve_covariates(sample.covariates, arg="covariates", caller="match")
    _frames.complete_cases(frame, spec.columns, missing="error", arg="data", caller="match")
    t_rows = np.flatnonzero(is_treated & keep)
    c_rows = np.flatnonzero(~is_treated & keep)
    strata = np.zeros(len(frame), dtype=np.int64)
    if plan.exact:
        strata = exact_strata(frame, plan.exact)
    if sample.score is not None:
        score = sample.score
        edges = window_edges(
            score[t_rows], score[c_rows], sample.caliper_width, strata[t_rows], strata[c_rows]
        )
    else:
        z = sample.whitened
        edges = all_pair_edges(z[t_rows], z[c_rows], strata[t_rows], strata[c_rows])
    sets = full_matching(edges, t_rows.size, c_rows.size)
    subclass = np.zeros(len(frame), dtype=np.int64)
    subclass[t_rows] = sets[: t_rows.size]
    subclass[c_rows] = sets[t_rows.size :]
    return subclass_matched("full", subclass, is_treated, plan.estimand)


def optimal_assignment(edges: Edges, n_focal: int, n_control: int, ratio: int = 1) -> IntArray:
    """Controls (indices, -1 for none) of each focal unit, shape ``(n_focal, ratio)``:
    the most pairs possible, and among those the least total ``cost``.

    Examples
    --------
    >>> e = Edges(np.array([0, 0, 1]), np.array([0, 1, 0]), np.array([1, 2, 1]))
    >>> optimal_assignment(e, 2, 2).ravel().tolist()  # greedy would give row 0 control 0
    [1, 0]
    """
    out = np.full((n_focal, ratio), -1, dtype=np.int64)
    if n_focal == 0 or edges.row.size == 0:
        return out
    n_rows = n_focal * ratio
    costs = edges.cost - edges.cost.min()
    no_match = (int(costs.max()) + 1) * (n_rows + 1)  # more than any set of real edges
    copies = np.arange(ratio, dtype=np.int64)
    rows = (edges.row[:, None] * ratio + copies[None, :]).ravel()
    cols = np.repeat(edges.col, ratio)
    assigned = assign(
        rows,
        cols,
        np.repeat(costs, ratio) if ratio > 1 else costs,
        n_rows,
        n_control,
        fallback=np.full(n_rows, no_match, dtype=np.int64),
    )
    real = np.where(assigned < n_control, assigned, -1).reshape(n_focal, ratio)
    for i in range(n_focal):  # matched controls first, as in the round-robin layout
        got = real[i][real[i] >= 0]
        out[i, : got.size] = np.sort(got)
    return out


def variable_assignment(
    edges: Edges, n_focal: int, n_control: int, low: int, high: int, total: int
) -> IntArray:
    """Variable-ratio optimal matching: ``low``..``high`` controls per focal unit and
    ``total`` in all, with the least total distance; shape ``(n_focal, high)``.

    Each focal unit has ``high`` copies, the first ``low`` of them "required". There are
    ``n_focal * high - total`` shared "decline" slots, cheaper than any control, so all of
    them are taken and at most ``total`` copies take controls. A required copy that takes
    a decline slot, or any copy left with neither a control nor a slot (a private "no
    match" column), pays a penalty larger than any set of distances: the assignment first
    serves as many required copies as possible, then as many pairs as ``total`` allows,
    then minimises the total distance.

    Examples
    --------
    >>> e = Edges(np.array([0, 0, 0, 1]), np.array([0, 1, 2, 3]), np.array([1, 2, 3, 1]))
    >>> variable_assignment(e, 2, 4, 1, 3, 3).tolist()
    [[0, 1, -1], [3, -1, -1]]
    """
    out = np.full((n_focal, high), -1, dtype=np.int64)
    n_rows = n_focal * high
    n_empty = n_rows - total
    if n_focal == 0 or edges.row.size == 0:
        return out
    if n_rows * n_empty > MAX_EDGES:
        raise SpecificationError(
            f"match(): variable-ratio matching of {n_focal:,} units would need "
            f"{n_rows * n_empty:,} graph edges",
            hint="narrow min_controls..max_controls, or use a fixed ratio",
        )
    # real edges cost at least 2, a decline slot 1: every slot is taken first
    costs = 2 * (edges.cost - edges.cost.min()) + 2
    no_match = (int(costs.max()) + 1) * (n_rows + 1)  # more than any set of real edges
    required = np.arange(n_rows) % high < low
    penalty = np.where(required, 4 * no_match, 0).astype(np.int64)
    copies = np.arange(high, dtype=np.int64)
    rows = (edges.row[:, None] * high + copies[None, :]).ravel()
    cols = np.repeat(edges.col, high)
    own = np.arange(n_rows, dtype=np.int64)
    slot_rows = np.repeat(own, n_empty)
    slot_cols = n_control + np.tile(np.arange(n_empty, dtype=np.int64), n_rows)
    assigned = assign(
        np.concatenate([rows, slot_rows]),
        np.concatenate([cols, slot_cols]),
        np.concatenate([np.repeat(costs, high), penalty[slot_rows] + 1]),
        n_rows,
        n_control + n_empty,
        fallback=2 * penalty + no_match,
    )
    real = np.where(assigned < n_control, assigned, -1).reshape(n_focal, high)
    for i in range(n_focal):
        got = real[i][real[i] >= 0]
        out[i, : got.size] = np.sort(got)
    return out


def optimal_matches(plan: MatchPlan, sample: MatchSample) -> IntArray:
    """Matched control rows, shape (n focal kept, ratio), -1 where unmatched. With
    ``plan.variable = (min, max, mean)`` each focal unit gets ``min``..``max`` controls
    and ``round(mean * n_focal)`` in all (see :func:`variable_assignment`)."""
    frame = sample.frame
    t_rows = np.flatnonzero(sample.focal & sample.keep)
    c_rows = np.flatnonzero(~sample.focal & sample.keep)
    if c_rows.size == 0:
        raise DataError("match(): no control units remain after discarding")
    stratum: IntArray = np.zeros(len(frame), dtype=np.int64)
    if plan.exact:
        stratum = np.asarray(frame.groupby(list(plan.exact), sort=True).ngroup(), np.int64)
    if sample.score is not None:
        score = sample.score
        edges = window_edges(
            score[t_rows], score[c_rows], sample.caliper_width, stratum[t_rows], stratum[c_rows]
        )
    else:
        z = sample.whitened
        edges = all_pair_edges(z[t_rows], z[c_rows], stratum[t_rows], stratum[c_rows])
    ok = np.ones(edges.row.size, dtype=bool)
    anti = factor_codes(frame, plan.antiexact)
    if anti.shape[1]:
        ok &= (anti[t_rows[edges.row]] != anti[c_rows[edges.col]]).all(axis=1)
    if plan.caliper_columns:
        cov = frame.loc[:, list(plan.caliper_columns)].to_numpy(np.float64)
        gap = np.abs(cov[t_rows[edges.row]] - cov[c_rows[edges.col]])
        ok &= (gap <= sample.caliper_widths[None, :]).all(axis=1)
    kept = Edges(edges.row[ok], edges.col[ok], edges.cost[ok])
    if plan.variable is None:
        positions = optimal_assignment(kept, t_rows.size, c_rows.size, plan.ratio)
    else:
        low, high, mean = plan.variable
        total = min(round(mean * t_rows.size), c_rows.size)
        positions = variable_assignment(kept, t_rows.size, c_rows.size, low, high, total)
    return np.where(positions >= 0, c_rows[np.maximum(positions, 0)], -1).astype(np.int64)


def full_matching(edges: Edges, n_focal: int, n_control: int) -> IntArray:
    """Optimal full matching: matched sets (1, 2, ...; 0 = no allowed partner) of focal
    units ``0..n_focal-1`` then controls, minimising the total distance within sets.

    Every set is one focal unit with one or more controls or one control with several
    focal units, so the sets are the stars of a minimum-weight edge cover of the allowed
    pairs. That cover is the cheapest edge at each unit adjusted by a minimum-weight
    matching on the reduced costs ``d(t, c) - min_t - min_c`` (solved as an assignment,
    with a zero-cost "no match" edge for each focal unit); edges whose two ends are both
    covered twice are then dropped until every edge ends in a leaf.

    Examples
    --------
    >>> e = Edges(np.array([0, 0, 1]), np.array([0, 1, 1]), np.array([1, 2, 1]))
    >>> full_matching(e, 2, 2).tolist()  # sets {t0, c0} and {t1, c1}
    [1, 2, 1, 2]
    """
    out = np.zeros(n_focal + n_control, dtype=np.int64)
    if edges.row.size == 0:
        return out
    never = np.iinfo(np.int64).max
    best_t = np.full(n_focal, never, dtype=np.int64)
    best_c = np.full(n_control, never, dtype=np.int64)
    np.minimum.at(best_t, edges.row, edges.cost)
    np.minimum.at(best_c, edges.col, edges.cost)
    reduced = edges.cost - best_t[edges.row] - best_c[edges.col]
    useful = reduced < 0
    chosen = np.zeros(edges.row.size, dtype=bool)
    if useful.any():
        chosen[
            np.flatnonzero(useful)[_min_weight_matching(edges, useful, reduced, n_focal, n_control)]
        ] = True
    covered_t = np.zeros(n_focal, dtype=bool)
    covered_c = np.zeros(n_control, dtype=bool)
    covered_t[edges.row[chosen]] = True
    covered_c[edges.col[chosen]] = True
    order = np.lexsort((np.arange(edges.row.size), edges.cost))
    for ends, covered in ((edges.row, covered_t), (edges.col, covered_c)):
        # the cheapest edge at each unit (first in the data on ties)
        units, first = np.unique(ends[order], return_index=True)
        need = ~covered[units]
        chosen[order[first[need]]] = True
    degree = np.bincount(
        np.concatenate([edges.row[chosen], n_focal + edges.col[chosen]]),
        minlength=n_focal + n_control,
    )
    for i in order[::-1][chosen[order[::-1]]]:  # drop redundant edges, dearest first
        a, b = edges.row[i], n_focal + edges.col[i]
        if degree[a] > 1 and degree[b] > 1:
            chosen[i] = False
            degree[a] -= 1
            degree[b] -= 1
    graph = sp.csr_array(
        (np.ones(int(chosen.sum())), (edges.row[chosen], n_focal + edges.col[chosen])),
        shape=(n_focal + n_control,) * 2,
    )
    from scipy.sparse.csgraph import connected_components

    _, labels = connected_components(graph, directed=False)
    in_set = np.flatnonzero(degree > 0)
    # sets numbered by their first unit (focal units first, then controls), whatever
    # order scipy labels the components in
    _, first, inverse = np.unique(labels[in_set], return_index=True, return_inverse=True)
    out[in_set] = np.argsort(np.argsort(first))[inverse] + 1
    return out


def _min_weight_matching(
    edges: Edges, useful: NDArray[np.bool_], reduced: IntArray, n_focal: int, n_control: int
) -> NDArray[np.bool_]:
    """Which ``useful`` edges form a matching of least total (negative) reduced cost; any
    number of units may stay unmatched at cost 0 (a private zero-cost column per row)."""
    rows, cols, cost = edges.row[useful], edges.col[useful], reduced[useful]
    shift = int(np.abs(cost).max())  # non-negative costs for the solver
    assigned = assign(
        rows, cols, cost + shift, n_focal, n_control, fallback=np.full(n_focal, shift, np.int64)
    )
    return np.asarray(assigned[rows] == cols, dtype=np.bool_)
