"""MatchIt's matching weights, from matched pairs or from subclasses."""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from rpeval.errors import DataError
from rpeval.matching._plan import Matched, MatchSample

__all__ = ["matching_weights", "pair_matched", "subclass_matched", "subclass_weights"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


def matching_weights(
    n_rows: int,
    treated_rows: NDArray[np.int64],
    matches: NDArray[np.int64],
    *,
    replace: bool,
) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Weights and subclasses (0 = unmatched) for an ATT match.

    ``matches`` holds the matched control *rows* per treated unit and round (-1 = none).
    A matched treated unit weighs 1. Without replacement each matched set is a subclass
    and its controls weigh ``1 / (number of its controls)``; with replacement a control
    sums ``1 / k_i`` over the treated units ``i`` it serves (no subclasses). Control
    weights are then scaled to mean 1 among matched controls (MatchIt's normalisation).

    Examples
    --------
    >>> w, s = matching_weights(5, np.array([0, 1]), np.array([[2, 3], [4, -1]]),
    ...                         replace=False)
    >>> w.tolist(), s.tolist()
    ([1.0, 1.0, 0.75, 0.75, 1.5], [1, 2, 1, 1, 2])
    """
    weights = np.zeros(n_rows)
    subclass = np.zeros(n_rows, dtype=np.int64)
    n_matched = (matches >= 0).sum(axis=1)
    has = n_matched > 0
    weights[treated_rows[has]] = 1.0
    share = np.where(has, 1.0 / np.maximum(n_matched, 1), 0.0)
    for r in range(matches.shape[1]):
        ok = matches[:, r] >= 0
        np.add.at(weights, matches[ok, r], share[ok])
    if not replace:
        ids = np.cumsum(has)
        subclass[treated_rows[has]] = ids[has]
        for r in range(matches.shape[1]):
            ok = matches[:, r] >= 0
            subclass[matches[ok, r]] = ids[ok]
    is_control = np.ones(n_rows, dtype=bool)
    is_control[treated_rows] = False
    matched_controls = is_control & (weights > 0)
    if matched_controls.any():
        weights[matched_controls] *= matched_controls.sum() / weights[matched_controls].sum()
    return weights, subclass


def subclass_weights(
    subclass: IntArray, is_treated: NDArray[np.bool_], estimand: str
) -> FloatArray:
    """MatchIt's weights from subclasses (0 = unmatched, weight 0).

    ATT: treated 1, controls ``n_treated_s / n_control_s``; ATC the mirror image; ATE:
    ``n_s / n_group_s``. Then each group's weights are scaled to mean 1 over its matched
    units.

    Examples
    --------
    >>> subclass_weights(np.array([1, 1, 1, 2, 2]), np.array([True, False, False, True, False]),
    ...                  "ATT").tolist()
    [1.0, 0.75, 0.75, 1.0, 1.5]
    """
    in_set = subclass > 0
    frame = pd.DataFrame({"s": subclass[in_set], "t": is_treated[in_set]})
    n_t = frame.groupby("s")["t"].transform("sum").to_numpy(np.float64)
    n_all = frame.groupby("s")["t"].transform("size").to_numpy(np.float64)
    n_c = n_all - n_t
    t = frame["t"].to_numpy(bool)
    if estimand == "ATT":
        w = np.where(t, 1.0, n_t / n_c)
    elif estimand == "ATC":
        w = np.where(t, n_c / n_t, 1.0)
    else:
        w = np.where(t, n_all / n_t, n_all / n_c)
    weights = np.zeros(subclass.size)
    weights[in_set] = w
    for group in (is_treated & in_set, ~is_treated & in_set):
        if group.any():
            weights[group] *= group.sum() / weights[group].sum()
    return weights


def subclass_matched(
    method: str, subclass: NDArray[np.int64], is_treated: NDArray[np.bool_], estimand: str
) -> Matched:
    """A stratified design's result: its subclasses weighted by :func:`subclass_weights`;
    raise :class:`DataError` when no subclass holds both groups."""
    if not (subclass > 0).any():
        raise DataError(
            f'match(): method="{method}" left no subclass with both treated and control units',
            hint="coarsen the covariates (cutpoints=), use fewer of them, or another method",
        )
    weights = subclass_weights(subclass, is_treated, estimand)
    no_pairs = np.zeros((0, 0), dtype=np.int64)
    return Matched(no_pairs, np.zeros(0, dtype=np.int64), weights, subclass)


def pair_matched(sample: MatchSample, matches: NDArray[np.int64], *, replace: bool) -> Matched:
    """A pairing design's result: its pairs with MatchIt's weights and subclasses."""
    focal_rows = np.flatnonzero(sample.focal & sample.keep).astype(np.int64)
    weights, subclass = matching_weights(len(sample.frame), focal_rows, matches, replace=replace)
    return Matched(matches, focal_rows, weights, subclass)
