"""Aggregations of group-time effects: simple, dynamic (event study), group, calendar.

Weights are the groups' shares of areas. As in R ``did``'s ``aggte``, the influence
function of an aggregate adds the estimation error of those shares (``_share_term``),
so its standard error matches ``aggte`` (analytical) or its bootstrap. Bootstrapped
aggregates reuse the fit's multiplier draws, so all aggregates share one bootstrap.

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
...                         adoption="start", n_bootstrap=0)
>>> aggregate(fit, "simple").overall_estimate
0.6666666666666667
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from rpeval._inference import z_quantile
from rpeval._options import check_choice
from rpeval.community.did._inference import Inference, inference
from rpeval.community.did._results import AggregateResult, GroupTimeResult
from rpeval.community.did._unconditional import cohort_layout

__all__ = ["aggregate"]

FloatArray = NDArray[np.float64]
_KINDS = ("simple", "dynamic", "group", "calendar")


class _Piece(NamedTuple):
    estimate: float
    influence: FloatArray
    draws: FloatArray | None


class _Setup(NamedTuple):
    fit: GroupTimeResult
    groups: NDArray[np.int64]
    times: NDArray[np.int64]
    codes: NDArray[np.int64]
    cohort: NDArray[np.int64]
    share_of: dict[int, float]


def _setup(fit: GroupTimeResult) -> _Setup:
    layout = cohort_layout(fit.adoption)
    n = len(fit.adoption)
    shares = {int(c): float(s) / n for c, s in zip(layout.codes, layout.sizes, strict=True)}
    groups = np.array([c.group for c in fit.cells], dtype=np.int64)
    times = np.array([c.time for c in fit.cells], dtype=np.int64)
    return _Setup(fit, groups, times, layout.codes, layout.cohort, shares)


def _combine(
    s: _Setup, columns: NDArray[np.intp], w: FloatArray, groups: NDArray[np.int64],
    shares: FloatArray, att: FloatArray, base: tuple[FloatArray, FloatArray | None],
) -> _Piece:  # fmt: skip
    """``sum_k w_k att_k`` with the influence of estimating the shares ``w`` (per cohort:
    ``(1{cohort = g_k} - share_k) / S`` terms, as R's ``wif``)."""
    total = shares.sum()
    centered = (s.codes[:, None] == groups[None, :]) - shares[None, :]
    per_cohort = centered @ att / total - centered.sum(axis=1) * float(shares @ att) / total**2
    influence = base[0] + per_cohort[s.cohort]
    draws = None
    if base[1] is not None and s.fit.cohort_draws is not None:
        draws = base[1] + s.fit.cohort_draws @ per_cohort
    return _Piece(float(att @ w), influence, draws)


def _weighted(s: _Setup, keep: NDArray[np.intp]) -> _Piece:
    groups = s.groups[keep]
    shares = np.array([s.share_of[int(g)] for g in groups])
    w = shares / shares.sum()
    fit = s.fit
    base_draws = None if fit.draws is None else fit.draws[:, keep] @ w
    return _combine(s, keep, w, groups, shares, fit.att[keep],
                    (fit.influence[:, keep] @ w, base_draws))  # fmt: skip


def _mean(pieces: list[_Piece]) -> _Piece:
    draws = [p.draws for p in pieces if p.draws is not None]
    return _Piece(
        float(np.mean([p.estimate for p in pieces])),
        np.mean(np.column_stack([p.influence for p in pieces]), axis=1),
        np.mean(np.column_stack(draws), axis=1) if len(draws) == len(pieces) else None,
    )


def _levels(s: _Setup, kind: str) -> tuple[list[int], list[_Piece]]:
    post = s.times >= s.groups
    fit = s.fit
    levels: list[int] = []
    pieces: list[_Piece] = []
    if kind == "dynamic":
        for e in np.unique(s.times - s.groups).tolist():
            levels.append(int(e))
            pieces.append(_weighted(s, np.flatnonzero(s.times - s.groups == e)))
    elif kind == "group":
        for g in np.unique(s.groups).tolist():
            keep = np.flatnonzero((s.groups == g) & post)
            if keep.size:
                levels.append(int(g))
                draws = None if fit.draws is None else fit.draws[:, keep].mean(axis=1)
                est = float(fit.att[keep].mean())
                pieces.append(_Piece(est, fit.influence[:, keep].mean(axis=1), draws))
    else:
        for t in np.unique(s.times[s.times >= s.groups.min()]).tolist():
            keep = np.flatnonzero((s.times == t) & post)
            if keep.size:
                levels.append(int(t))
                pieces.append(_weighted(s, keep))
    return levels, pieces


def _overall(s: _Setup, kind: str, levels: list[int], pieces: list[_Piece]) -> _Piece:
    if kind == "dynamic":
        return _mean([p for p, e in zip(pieces, levels, strict=True) if e >= 0])
    if kind == "calendar":
        return _mean(pieces)
    glist = np.array(levels, dtype=np.int64)
    shares = np.array([s.share_of[g] for g in levels])
    w = shares / shares.sum()
    att = np.array([p.estimate for p in pieces])
    influence = np.column_stack([p.influence for p in pieces]) @ w
    draws = None
    if s.fit.draws is not None:
        draws = np.column_stack([p.draws for p in pieces if p.draws is not None]) @ w
    return _combine(s, np.arange(len(levels)), w, glist, shares, att, (influence, draws))


def _inference_of(s: _Setup, pieces: list[_Piece]) -> Inference:
    if not pieces:
        return inference(np.zeros((len(s.fit.adoption), 0)), s.fit.options)
    matrix = np.column_stack([p.influence for p in pieces])
    if s.fit.draws is None:
        return inference(matrix, s.fit.options)
    draws = np.column_stack([p.draws for p in pieces if p.draws is not None])
    return inference(matrix, s.fit.options, draws)


def aggregate(fit: GroupTimeResult, kind: str = "dynamic") -> AggregateResult:
    """Aggregate group-time effects (see the module text for each ``kind``).

    With a bootstrapped fit the band over levels is uniform (from the fit's draws);
    the overall effect has a pointwise interval.
    """
    check_choice(kind, _KINDS, arg="kind", caller="aggregate")
    s = _setup(fit)
    if kind == "simple":
        levels: list[int] = []
        pieces: list[_Piece] = []
        overall = _weighted(s, np.flatnonzero(s.times >= s.groups))
    else:
        levels, pieces = _levels(s, kind)
        overall = _overall(s, kind, levels, pieces)
    whole = _inference_of(s, [overall])
    labels = tuple(fit.periods[v] for v in levels) if kind != "dynamic" else tuple(levels)
    return AggregateResult(
        kind=kind,
        levels=labels,
        estimate=np.array([p.estimate for p in pieces]),
        inference=_inference_of(s, pieces),
        overall_estimate=overall.estimate,
        overall_std_error=float(whole.std_error[0]),
        overall_crit_val=z_quantile(fit.options.conf_level),
        options=fit.options,
    )
