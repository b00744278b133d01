"""Vectorised ATT(g, t) without covariates, and its bootstrap through cohort sums.

Without covariates every 2 x 2 estimator is the difference of mean changes, and an
area's influence on cell ``(g, t, b)`` depends only on its cohort and its own change
``Y_t - Y_b``. So a multiplier draw ``sum_i v_i psi_i`` needs only the cohort sums
``sum_{i in k} v_i Y_it`` and ``sum_{i in k} v_i``: the bootstrap costs
``n_boot x n_areas x n_periods`` instead of ``n_boot x n_areas x n_cells``.

Examples
--------
>>> import numpy as np
>>> y = np.array([[0.0, 2], [0, 4], [0, 1], [0, 0]])
>>> layout = cohort_layout(np.array([1, 1, -1, -1]))
>>> fit = estimate(y, layout, groups=np.array([1]), times=np.array([1]), bases=np.array([0]),
...                members=np.array([[True], [False]]))
>>> fit.att.tolist(), fit.influence[:, 0].tolist()
([2.5], [-2.0, 2.0, -1.0, 1.0])
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from rpeval._jit import jit
from rpeval._lazy import sparse
from rpeval.community.did._bootstrap import multipliers

__all__ = ["CohortLayout", "Fit", "cohort_layout", "draws", "estimate"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
_BLOCK = 128


class CohortLayout(NamedTuple):
    """Areas by adoption cohort: ``codes`` (sorted adoption positions, -1 never first),
    each area's ``cohort`` and the cohort ``sizes``."""

    codes: IntArray
    cohort: IntArray
    sizes: FloatArray


class Fit(NamedTuple):
    """Estimates, dense influence functions, group means and comparison sizes."""

    att: FloatArray
    influence: FloatArray
    treated_mean: FloatArray
    control_mean: FloatArray
    n_treated: FloatArray
    n_control: FloatArray


def cohort_layout(adoption: IntArray) -> CohortLayout:
    """Group areas by adoption position."""
    codes, index = np.unique(adoption, return_inverse=True)
    sizes = np.bincount(index, minlength=len(codes)).astype(np.float64)
    return CohortLayout(codes.astype(np.int64), index.astype(np.int64), sizes)


def _cohort_sums(y: FloatArray, layout: CohortLayout) -> FloatArray:
    sums = np.zeros((len(layout.codes), y.shape[1]))
    np.add.at(sums, layout.cohort, y)
    return sums


def estimate(
    y: FloatArray,
    layout: CohortLayout,
    *,
    groups: IntArray,
    times: IntArray,
    bases: IntArray,
    members: NDArray[np.bool_],
) -> Fit:
    """All cells at once. ``groups`` are cohort indices of the treated group;
    ``members`` is ``(n_cohorts, n_cells)``: which cohorts are comparisons."""
    n = y.shape[0]
    sums = _cohort_sums(y, layout)
    n1 = layout.sizes[groups]
    n0 = layout.sizes @ members
    mean1 = (sums[groups, times] - sums[groups, bases]) / n1
    change = sums[:, times] - sums[:, bases]
    mean0 = (change * members).sum(axis=0) / n0
    influence = _influence(
        y, layout.cohort, groups, times, bases, members, mean1, mean0, n / n1, n / n0
    )
    return Fit(mean1 - mean0, influence, mean1, mean0, n1, n0)


def _influence_kernel(
    y: FloatArray, cohort: IntArray, groups: IntArray, times: IntArray, bases: IntArray,
    members: NDArray[np.bool_], mean1: FloatArray, mean0: FloatArray, scale1: FloatArray,
    scale0: FloatArray,
) -> FloatArray:  # fmt: skip
    """``psi[i, c]``: ``n/n1 (dY - mean1)`` in the treated group, ``-n/n0 (dY - mean0)``
    among comparisons, 0 elsewhere (one pass, no temporaries)."""
    n = y.shape[0]
    k = groups.shape[0]
    out = np.zeros((k, n))  # returned transposed: column-major, so cells are contiguous
    for c in range(k):
        for i in range(n):
            g = cohort[i]
            if g == groups[c]:
                out[c, i] = scale1[c] * (y[i, times[c]] - y[i, bases[c]] - mean1[c])
            elif members[g, c]:
                out[c, i] = -scale0[c] * (y[i, times[c]] - y[i, bases[c]] - mean0[c])
    return out.T


_influence = jit(_influence_kernel)


def draws(
    y: FloatArray,
    layout: CohortLayout,
    fit: Fit,
    *,
    cells: tuple[IntArray, IntArray, IntArray],
    members: NDArray[np.bool_],
    n_boot: int,
    rng: np.random.Generator,
    kind: str,
    progress: bool,
) -> tuple[FloatArray, FloatArray]:
    """Bootstrap draws ``sum_i v_i psi_i / sqrt(n)`` of every cell (``n_boot x n_cells``)
    and the per-cohort multiplier sums ``sum_{i in k} v_i / sqrt(n)``."""
    from tqdm.auto import tqdm

    groups, times, bases = cells
    n, n_periods = y.shape
    n_cohorts = len(layout.codes)
    columns = layout.cohort[:, None] * n_periods + np.arange(n_periods)[None, :]
    spread = sparse.csr_matrix(
        (y.ravel(), (columns.ravel(), np.repeat(np.arange(n), n_periods))),
        shape=(n_cohorts * n_periods, n),
    )
    out = np.empty((n_boot, len(groups)))
    cohort_out = np.empty((n_boot, n_cohorts))
    by_time = [np.flatnonzero(times == t) for t in range(n_periods)]
    by_base = [np.flatnonzero(bases == t) for t in range(n_periods)]
    for start in tqdm(range(0, n_boot, _BLOCK), desc="multiplier bootstrap",
                      disable=not progress, leave=False):  # fmt: skip
        stop = min(start + _BLOCK, n_boot)
        v = multipliers(rng, (stop - start, n), kind)
        weight_sums = np.stack(
            [np.bincount(layout.cohort, weights=row, minlength=n_cohorts) for row in v]
        )
        sums = np.asarray(spread @ v.T).T.reshape(stop - start, n_cohorts, n_periods)
        treated = sums[:, groups, times] - sums[:, groups, bases]
        treated -= fit.treated_mean * weight_sums[:, groups]
        control = -fit.control_mean * (weight_sums @ members)
        for t in range(n_periods):
            now, then = by_time[t], by_base[t]
            if now.size:
                control[:, now] += sums[:, :, t] @ members[:, now]
            if then.size:
                control[:, then] -= sums[:, :, t] @ members[:, then]
        out[start:stop] = np.sqrt(n) * (treated / fit.n_treated - control / fit.n_control)
        cohort_out[start:stop] = weight_sums / np.sqrt(n)
    return out, cohort_out
