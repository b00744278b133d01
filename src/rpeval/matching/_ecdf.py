"""eCDF balance statistics (MatchIt's ``eCDF Mean`` and ``eCDF Max``) without a pooled argsort.

Each group's values are sorted on their own (``np.sort``, several times faster than an
``argsort`` of the pooled sample) and a sequential merge walks the distinct values of the
pooled sample, carrying each group's cumulative weight. The sorted groups are the grid
for both the unweighted and the weighted table, so a balance table sorts each covariate
once; only the units with positive weight are sorted again, with their weights.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from rpeval._jit import jit

__all__ = [
    "EcdfWeights",
    "SortedGroups",
    "ecdf_stats",
    "ecdf_stats_reference",
    "ecdf_weights",
    "sorted_groups",
]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


class SortedGroups(NamedTuple):
    """Every value of a covariate by group, sorted: the grid of the eCDF statistics."""

    treated: FloatArray
    control: FloatArray


def sorted_groups(x: FloatArray, is_treated: BoolArray) -> SortedGroups:
    """Sort the treated and the control values of ``x`` separately."""
    treated, control = x[is_treated], x[~is_treated]
    treated.sort()  # in place: the boolean index already made a copy
    control.sort()
    return SortedGroups(treated, control)


@jit
def _ecdf_differences(  # pragma: no cover - compiled; tested against the reference
    grid_t: FloatArray,
    grid_c: FloatArray,
    value_t: FloatArray,
    weight_t: FloatArray,
    value_c: FloatArray,
    weight_c: FloatArray,
    total_t: float,
    total_c: float,
) -> FloatArray:
    """``|F_t(v) - F_c(v)|`` at every distinct ``v`` of the merged (sorted) grids, with
    ``F`` the cumulative weight of the sorted ``value_*`` up to ``v`` over ``total_*``
    (an empty ``weight_*`` means a weight of 1 each)."""
    n_t, n_c = grid_t.shape[0], grid_c.shape[0]
    unit_t, unit_c = weight_t.shape[0] == 0, weight_c.shape[0] == 0
    out = np.empty(n_t + n_c)
    i = j = a = b = k = 0
    cum_t = cum_c = 0.0
    while i < n_t or j < n_c:
        v = grid_t[i] if j >= n_c or (i < n_t and grid_t[i] <= grid_c[j]) else grid_c[j]
        while i < n_t and grid_t[i] <= v:
            i += 1
        while j < n_c and grid_c[j] <= v:
            j += 1
        while a < value_t.shape[0] and value_t[a] <= v:
            cum_t += 1.0 if unit_t else weight_t[a]
            a += 1
        while b < value_c.shape[0] and value_c[b] <= v:
            cum_c += 1.0 if unit_c else weight_c[b]
            b += 1
        out[k] = abs(cum_t / total_t - cum_c / total_c)
        k += 1
    return out[:k]


class EcdfWeights(NamedTuple):
    """Per group, the rows with positive weight (``None``: every row, all weighing 1),
    their weights, and the group's total weight; the same for every covariate."""

    rows_t: NDArray[np.intp] | None
    rows_c: NDArray[np.intp] | None
    weights: FloatArray
    total_t: float
    total_c: float


def ecdf_weights(is_treated: BoolArray, weights: FloatArray) -> EcdfWeights:
    """Prepare the weights once per table."""
    rows: list[NDArray[np.intp] | None] = []
    totals: list[float] = []
    for group in (is_treated, ~is_treated):
        w = weights[group]
        unit = bool(np.all(w == 1.0))
        rows.append(None if unit else np.flatnonzero(group)[w > 0])
        totals.append(float(w.shape[0]) if unit else float(w.sum()))
    return EcdfWeights(rows[0], rows[1], weights, totals[0], totals[1])


def _sorted_values(
    x: FloatArray, rows: NDArray[np.intp] | None, weights: FloatArray, grid: FloatArray
) -> tuple[FloatArray, FloatArray]:
    if rows is None:
        return grid, np.zeros(0)
    values = x[rows]
    order = np.argsort(values)
    return values[order], weights[rows[order]]


def ecdf_stats(
    x: FloatArray,
    is_treated: BoolArray,
    weights: FloatArray,
    grid: SortedGroups | None = None,
    prepared: EcdfWeights | None = None,
) -> tuple[float, float]:
    """Mean and max of ``|eCDF_t - eCDF_c|`` over every distinct value of ``x`` (all units,
    matched or not: MatchIt's grid), with weighted eCDFs.

    ``grid`` (from :func:`sorted_groups`) and ``prepared`` (from :func:`ecdf_weights`)
    may be passed to reuse work between covariates and tables. Equals
    :func:`ecdf_stats_reference` (tests), which it falls back to for NaN values or a
    group without weight.

    Examples
    --------
    >>> x = np.array([1.0, 2.0, 2.0, 3.0])
    >>> ecdf_stats(x, np.array([True, False, True, False]), np.ones(4))
    (0.3333333333333333, 0.5)
    """
    prepared = prepared if prepared is not None else ecdf_weights(is_treated, weights)
    if np.isnan(x).any() or not (prepared.total_t > 0 and prepared.total_c > 0):
        order = np.argsort(x)
        return ecdf_stats_reference(x[order], is_treated[order], weights[order])
    grid = grid if grid is not None else sorted_groups(x, is_treated)
    value_t, weight_t = _sorted_values(x, prepared.rows_t, weights, grid.treated)
    value_c, weight_c = _sorted_values(x, prepared.rows_c, weights, grid.control)
    diff = _ecdf_differences(
        grid.treated,
        grid.control,
        value_t,
        weight_t,
        value_c,
        weight_c,
        prepared.total_t,
        prepared.total_c,
    )
    return float(diff.mean()), float(diff.max())


def ecdf_stats_reference(
    x_sorted: FloatArray, treated_sorted: BoolArray, w_sorted: FloatArray
) -> tuple[float, float]:
    """The same statistics from the pooled sample sorted by ``x`` (cumulative sums at the
    last position of each run of equal values): the slow, obvious implementation."""
    w_t = np.where(treated_sorted, w_sorted, 0.0)
    w_c = np.where(treated_sorted, 0.0, w_sorted)
    cum_t = np.cumsum(w_t) / w_t.sum()
    cum_c = np.cumsum(w_c) / w_c.sum()
    last = np.flatnonzero(np.append(x_sorted[1:] != x_sorted[:-1], True))
    diff = np.abs(cum_t[last] - cum_c[last])
    return float(diff.mean()), float(diff.max())
