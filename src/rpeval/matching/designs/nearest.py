"""The nearest-neighbour design of ``match()`` (greedy, MatchIt's default): exact strata,
MatchIt's walk positions, the processing order, then the kernels of
:mod:`rpeval.matching.designs._greedy`."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from rpeval.errors import DataError
from rpeval.matching._distance import factor_codes, processing_order
from rpeval.matching._plan import Matched, MatchPlan, MatchSample
from rpeval.matching._weights import pair_matched
from rpeval.matching.designs._greedy import greedy_multivariate, greedy_scalar
from rpeval.matching.designs._walk_order import mahalanobis_positions, positions

__all__ = ["nearest_design", "nearest_pairs"]


def nearest_design(plan: MatchPlan, sample: MatchSample) -> Matched:
    """``method="nearest"``: greedy pairs in ``plan.order`` and MatchIt's weights."""
    return pair_matched(sample, nearest_pairs(plan, sample), replace=plan.replace)


def _in_walk_order(
    rows: NDArray[np.int64], position: NDArray[np.int64], stratum: NDArray[np.int64], whole: bool
) -> NDArray[np.int64]:
    """``rows`` sorted by (stratum, position). Without strata (``whole``) the positions
    are a permutation of all units, so the walk is read off its inverse, without sorting.

    >>> _in_walk_order(np.array([0, 2, 3]), np.array([3, 0, 1, 2]), np.zeros(4, np.int64), True)
    array([2, 3, 0])
    """
    if whole:
        walk = np.empty(position.shape[0], dtype=np.int64)
        walk[position] = np.arange(position.shape[0], dtype=np.int64)
        wanted = np.zeros(position.shape[0], dtype=np.bool_)
        wanted[rows] = True
        return walk[wanted[walk]]
    return rows[np.lexsort((position[rows], stratum[rows]))]


def nearest_pairs(plan: MatchPlan, sample: MatchSample) -> NDArray[np.int64]:
    """Matched control rows, shape (n focal kept, ratio), -1 where unmatched: controls
    put in MatchIt's walk order within their exact stratum, then the greedy kernels."""
    frame, focal, keep, score = sample.frame, sample.focal, sample.keep, sample.score
    exact_cols, caliper_cols = list(plan.exact), list(plan.caliper_columns)
    widths, order = sample.caliper_widths, plan.order
    t_rows = np.flatnonzero(focal & keep)
    c_rows = np.flatnonzero(~focal & keep)
    stratum = np.asarray(
        frame.groupby(exact_cols, sort=True).ngroup() if exact_cols else np.zeros(len(frame)),
        dtype=np.int64,
    )
    anti = factor_codes(frame, plan.antiexact)
    cov = (
        frame.loc[:, caliper_cols].to_numpy(np.float64)
        if caliper_cols
        else np.zeros((len(frame), 0))
    )
    if score is not None:
        position = positions(score)  # MatchIt's order of all units: (distance, row)
    else:
        position = mahalanobis_positions(
            frame, sample.covariates, focal, keep, caliper_cols, stratum if exact_cols else None
        )
    c_sorted = _in_walk_order(c_rows, position, stratum, whole=not exact_cols)
    c_strata = stratum[c_sorted]
    lo = np.searchsorted(c_strata, stratum[t_rows], side="left").astype(np.int64)
    hi = np.searchsorted(c_strata, stratum[t_rows], side="right").astype(np.int64)
    if len(c_rows) == 0:
        raise DataError("match(): no control units remain after discarding")
    proc = processing_order(
        score[t_rows] if score is not None else np.zeros(len(t_rows)),
        order if score is not None or order != "largest" else "data",
        plan.random_state,
    )
    if score is not None:
        chosen = greedy_scalar(
            proc,
            score[t_rows],
            position[t_rows],
            score[c_sorted],
            position[c_sorted],
            lo,
            hi,
            plan.ratio,
            plan.replace,
            sample.caliper_width,
            anti[t_rows],
            anti[c_sorted],
            cov[t_rows],
            cov[c_sorted],
            widths,
        )
    else:
        z = sample.whitened
        chosen = greedy_multivariate(
            proc,
            z[t_rows],
            position[t_rows],
            z[c_sorted],
            position[c_sorted],
            lo,
            hi,
            plan.ratio,
            plan.replace,
            anti[t_rows],
            anti[c_sorted],
            cov[t_rows],
            cov[c_sorted],
            widths,
        )
    return np.where(chosen >= 0, c_sorted[np.maximum(chosen, 0)], -1).astype(np.int64)
