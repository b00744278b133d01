"""Aggregations of group-time effects: simple, dynamic (event study), group, calendar.

Weights are the groups' shares of areas. As in R ``did``'s ``aggte``, the influence
function of an aggregate adds the estimation error of those shares (``_share_term``),
so its standard error matches ``aggte`` (analytical) or its bootstrap.

- ``simple``: the share-weighted mean of all post-adoption ATT(g, t).
- ``dynamic``: ATT by event time ``e = t - g`` (share-weighted over groups); overall is
  the mean over ``e >= 0``.
- ``group``: the mean of each group's post-adoption ATTs; overall weights groups by share.
- ``calendar``: ATT by period over groups already treated; overall is their mean.

Examples
--------
>>> import pandas as pd
>>> from rpeval.community.did import callaway_santanna
>>> rows = pd.DataFrame({
...     "beat": [b for b in "abcd" for _ in range(3)], "month": [1, 2, 3] * 4,
...     "rate": [1.0, 3, 4, 2, 5, 5, 1, 1, 3, 2, 3, 3],
...     "start": [2] * 3 + [3] * 3 + [None] * 6,
... })
>>> fit = callaway_santanna(rows, area="beat", period="month", outcome="rate",
...                         adoption="start", n_boot=0)
>>> aggregate(fit, "simple").overall_estimate
0.6666666666666667
"""

from __future__ import annotations

from dataclasses import replace
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray
from scipy import stats

from rpeval._options import check_choice
from rpeval.community.did._inference import inference
from rpeval.community.did._results import AggregateResult, GroupTimeResult

__all__ = ["aggregate"]

FloatArray = NDArray[np.float64]
_KINDS = ("simple", "dynamic", "group", "calendar")


class _Piece(NamedTuple):
    estimate: float
    influence: FloatArray


def _share_term(
    keep: NDArray[np.intp], shares: FloatArray, area_group: NDArray[np.int64],
    groups: NDArray[np.int64], att: FloatArray,
) -> FloatArray:  # fmt: skip
    """Influence of the estimated group shares on ``sum(w_k att_k)`` with
    ``w_k = share_k / sum(share)`` over the kept cells."""
    total = shares[keep].sum()
    centered = (area_group[:, None] == groups[keep][None, :]) - shares[keep][None, :]
    first = centered @ att[keep] / total
    second = centered.sum(axis=1) * float(shares[keep] @ att[keep]) / total**2
    return np.asarray(first - second)


def _weighted(
    fit: GroupTimeResult, keep: NDArray[np.intp], shares: FloatArray, groups: NDArray[np.int64]
) -> _Piece:
    w = shares[keep] / shares[keep].sum()
    influence = fit.influence[:, keep] @ w
    influence = influence + _share_term(keep, shares, fit.adoption, groups, fit.att)
    return _Piece(float(fit.att[keep] @ w), influence)


def _levels(fit: GroupTimeResult, kind: str) -> tuple[list[int], list[_Piece], list[bool]]:
    groups = np.array([c.group for c in fit.cells], dtype=np.int64)
    times = np.array([c.time for c in fit.cells], dtype=np.int64)
    post = times >= groups
    n = len(fit.adoption)
    share_of = {int(g): float(np.sum(fit.adoption == g)) / n for g in np.unique(groups)}
    shares = np.array([share_of[int(g)] for g in groups])
    levels: list[int] = []
    pieces: list[_Piece] = []
    if kind == "dynamic":
        for e in np.unique(times - groups).tolist():
            keep = np.flatnonzero(times - groups == e)
            levels.append(int(e))
            pieces.append(_weighted(fit, keep, shares, groups))
        return levels, pieces, [e >= 0 for e in levels]
    if kind == "group":
        for g in np.unique(groups).tolist():
            keep = np.flatnonzero((groups == g) & post)
            if keep.size:
                levels.append(int(g))
                pieces.append(_Piece(float(fit.att[keep].mean()), fit.influence[:, keep].mean(1)))
        return levels, pieces, [True] * len(levels)
    for t in np.unique(times[times >= groups.min()]).tolist():
        keep = np.flatnonzero((times == t) & post)
        if keep.size:
            levels.append(int(t))
            pieces.append(_weighted(fit, keep, shares, groups))
    return levels, pieces, [True] * len(levels)


def _overall(fit: GroupTimeResult, kind: str, levels: list[int], pieces: list[_Piece],
             use: list[bool]) -> _Piece:  # fmt: skip
    if kind != "group":
        chosen = [p for p, u in zip(pieces, use, strict=True) if u]
        est = float(np.mean([p.estimate for p in chosen]))
        return _Piece(est, np.mean(np.column_stack([p.influence for p in chosen]), axis=1))
    n = len(fit.adoption)
    shares = np.array([np.sum(fit.adoption == g) / n for g in levels])
    att = np.array([p.estimate for p in pieces])
    w = shares / shares.sum()
    influence = np.column_stack([p.influence for p in pieces]) @ w
    glist = np.array(levels, dtype=np.int64)
    keep = np.arange(len(levels))
    influence = influence + _share_term(keep, shares, fit.adoption, glist, att)
    return _Piece(float(att @ w), influence)


def aggregate(fit: GroupTimeResult, kind: str = "dynamic") -> AggregateResult:
    """Aggregate group-time effects (see the module text for each ``kind``).

    With a bootstrapped fit the same seed and number of draws are used, and the band
    over levels is uniform; the overall effect has a pointwise interval.
    """
    check_choice(kind, _KINDS, arg="kind", caller="aggregate")
    salt = 1 + _KINDS.index(kind)
    post = np.flatnonzero([c.time >= c.group for c in fit.cells])
    if kind == "simple":
        groups = np.array([c.group for c in fit.cells], dtype=np.int64)
        n = len(fit.adoption)
        shares = np.array([np.sum(fit.adoption == g) / n for g in groups])
        overall = _weighted(fit, post, shares, groups)
        levels: list[int] = []
        pieces: list[_Piece] = []
    else:
        levels, pieces, use = _levels(fit, kind)
        overall = _overall(fit, kind, levels, pieces, use)
    matrix = np.column_stack([p.influence for p in pieces]) if pieces else np.zeros((0, 0))
    options = replace(fit.options, progress=False)
    by_level = inference(matrix, fit.options, salt=salt) if pieces else None
    whole = inference(overall.influence[:, None], options, salt=10 + salt)
    z = float(stats.norm.ppf(0.5 + fit.options.conf_level / 2))
    calendar = kind in ("group", "calendar")
    labels = tuple(fit.periods[v] for v in levels) if calendar else tuple(levels)
    empty = inference(np.zeros((len(fit.adoption), 0)), replace(options, n_boot=0))
    return AggregateResult(
        kind=kind,
        levels=labels,
        estimate=np.array([p.estimate for p in pieces]),
        inference=by_level if by_level is not None else empty,
        overall_estimate=overall.estimate,
        overall_std_error=float(whole.std_error[0]),
        overall_crit_val=z,
        options=fit.options,
    )
