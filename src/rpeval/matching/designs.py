"""The stratified designs of ``match()``: ``"exact"``, ``"cem"``, ``"subclass"`` and
``"full"``. Each forms subclasses and weights them as MatchIt does; ``k2k`` CEM pairs
units optimally within strata instead."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from rpeval import _frames
from rpeval.errors import DataError, SpecificationError
from rpeval.matching._weights import matching_weights
from rpeval.matching.optimal import full_matching, optimal_matches
from rpeval.matching.stratified import (
    cem_strata,
    exact_strata,
    keep_common_strata,
    score_subclasses,
    subclass_weights,
)

__all__ = ["STRATIFIED_METHODS", "Strata", "stratified_match"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
STRATIFIED_METHODS = ("exact", "cem", "subclass", "full")


class Strata(NamedTuple):
    """Weights and subclasses of every input row, and the pairs when units were paired
    (``matches``: control rows per focal row, shape (n focal, k); k = 0 otherwise)."""

    weights: FloatArray
    subclass: IntArray
    matches: IntArray
    focal_rows: IntArray


def stratified_match(
    method: str,
    frame: pd.DataFrame,
    is_treated: NDArray[np.bool_],
    keep: NDArray[np.bool_],
    covariates: str | Sequence[str],
    score: FloatArray | None,
    estimand: str,
    *,
    exact_cols: Sequence[str],
    n_subclasses: int,
    cutpoints: Mapping[str, Any] | None,
    k2k: bool,
    caliper_width: float,
    whiten: Callable[[], FloatArray],
) -> Strata:
    """Subclasses and MatchIt's weights for one of :data:`STRATIFIED_METHODS`."""
    spec = _frames.resolve_covariates(covariates, arg="covariates", caller="match")
    _frames.complete_cases(frame, spec.columns, missing="error", arg="data", caller="match")
    n = len(frame)
    no_pairs = np.zeros((0, 0), dtype=np.int64)
    if method == "subclass":
        if score is None:
            raise SpecificationError(
                'match(): method="subclass" needs a scalar distance',
                hint='use distance="propensity" or a score column',
            )
        subclass = np.zeros(n, dtype=np.int64)
        subclass[keep] = score_subclasses(score[keep], is_treated[keep], estimand, n_subclasses)
    elif method == "full":
        subclass = _full(frame, is_treated, keep, score, exact_cols, caliper_width, whiten)
    else:
        columns = [*spec.columns, *[c for c in exact_cols if c not in spec.columns]]
        if method == "exact":
            strata = exact_strata(frame, columns)
        else:
            strata = cem_strata(frame, columns, spec.categorical | set(exact_cols), cutpoints)
        strata = np.where(keep, strata, -1)
        subclass = np.where(keep, keep_common_strata(strata, is_treated), 0)
        if k2k:
            return _k2k(frame, is_treated, keep, subclass, estimand, whiten)
    if not (subclass > 0).any():
        raise DataError(
            f'match(): method="{method}" left no subclass with both treated and control units',
            hint="coarsen the covariates (cutpoints=), use fewer of them, or another method",
        )
    weights = subclass_weights(subclass, is_treated, estimand)
    return Strata(weights, subclass, no_pairs, np.zeros(0, dtype=np.int64))


def _full(
    frame: pd.DataFrame,
    is_treated: NDArray[np.bool_],
    keep: NDArray[np.bool_],
    score: FloatArray | None,
    exact_cols: Sequence[str],
    caliper_width: float,
    whiten: Callable[[], FloatArray],
) -> IntArray:
    """Optimal full matching on the scalar score (or Mahalanobis distance) within exact
    strata and the caliper."""
    from rpeval.matching.optimal import _all_pair_edges, _window_edges

    t_rows = np.flatnonzero(is_treated & keep)
    c_rows = np.flatnonzero(~is_treated & keep)
    strata = np.zeros(len(frame), dtype=np.int64)
    if exact_cols:
        strata = exact_strata(frame, exact_cols)
    if score is not None:
        edges = _window_edges(
            score[t_rows], score[c_rows], caliper_width, strata[t_rows], strata[c_rows]
        )
    else:
        z = whiten()
        edges = _all_pair_edges(z[t_rows], z[c_rows], strata[t_rows], strata[c_rows])
    sets = full_matching(edges, t_rows.size, c_rows.size)
    subclass = np.zeros(len(frame), dtype=np.int64)
    subclass[t_rows] = sets[: t_rows.size]
    subclass[c_rows] = sets[t_rows.size :]
    return subclass


def _k2k(
    frame: pd.DataFrame,
    is_treated: NDArray[np.bool_],
    keep: NDArray[np.bool_],
    subclass: IntArray,
    estimand: str,
    whiten: Callable[[], FloatArray],
) -> Strata:
    """CEM with one-to-one matching inside each stratum: optimal pairs on the Mahalanobis
    distance, so that every stratum keeps as many treated as control units."""
    focal = is_treated if estimand != "ATC" else ~is_treated
    if estimand == "ATE":
        raise SpecificationError("match(): k2k pairs units, so it estimates ATT or ATC")
    in_stratum = keep & (subclass > 0)
    frame = frame.assign(_cem_stratum=subclass)
    matches = optimal_matches(
        frame,
        focal,
        in_stratum,
        None,
        whiten(),
        ["_cem_stratum"],
        [],
        [],
        np.zeros(0),
        1,
        np.inf,
    )
    focal_rows = np.flatnonzero(focal & in_stratum).astype(np.int64)
    weights, pair_ids = matching_weights(len(frame), focal_rows, matches, replace=False)
    return Strata(weights, pair_ids, matches, focal_rows)
