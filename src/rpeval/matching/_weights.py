"""MatchIt's matching weights, from the matched pairs."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["matching_weights"]


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
