"""Stratification designs for ``match()``: exact, coarsened exact (CEM) and propensity-score
subclasses, and MatchIt's weights for any set of subclasses."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from rpeval.errors import DataError, SpecificationError

__all__ = [
    "cem_strata",
    "exact_strata",
    "keep_common_strata",
    "score_subclasses",
    "subclass_weights",
]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
_BIN_RULES = ("sturges", "scott", "fd")


def exact_strata(frame: pd.DataFrame, columns: Sequence[str]) -> IntArray:
    """Stratum code (0, 1, ...) of each row: one stratum per distinct combination."""
    return np.asarray(frame.groupby(list(columns), sort=True, dropna=False).ngroup(), np.int64)


def keep_common_strata(strata: IntArray, is_treated: NDArray[np.bool_]) -> IntArray:
    """Subclass numbers 1, 2, ... for strata holding both groups, 0 for the others.

    Examples
    --------
    >>> keep_common_strata(np.array([0, 0, 1, 2, 2]), np.array([True, False, True, True, False]))
    array([1, 1, 0, 2, 2])
    """
    both = pd.Series(is_treated).groupby(strata).agg(["any", "all"])
    good = both.index[both["any"] & ~both["all"]].to_numpy()
    numbering = {s: i + 1 for i, s in enumerate(sorted(good))}
    return np.asarray([numbering.get(s, 0) for s in strata.tolist()], dtype=np.int64)


def _bin_count(x: FloatArray, rule: str) -> int:
    n = x.size
    if rule == "sturges":
        return int(np.ceil(np.log2(n) + 1))
    spread = float(x.max() - x.min())
    if rule == "scott":
        width = 3.5 * float(np.std(x, ddof=1)) * n ** (-1 / 3)
    else:
        q75, q25 = np.quantile(x, [0.75, 0.25])
        width = 2.0 * float(q75 - q25) * n ** (-1 / 3)
    return max(1, int(np.ceil(spread / width))) if width > 0 else 1


def _coarsen(x: FloatArray, cut: Any, column: str) -> IntArray:
    """Bin index of each value: equal-width bins over the range (a count or a rule) or
    bins between the user's cut points."""
    if isinstance(cut, str):
        if cut not in _BIN_RULES:
            raise SpecificationError(
                f"match(): cutpoints[{column!r}]={cut!r} is not a rule",
                hint='use "sturges", "scott", "fd", a number of bins or a list of cut points',
            )
        cut = _bin_count(x, cut)
    if isinstance(cut, int | np.integer) and not isinstance(cut, bool):
        if cut < 1:
            raise SpecificationError(f"match(): cutpoints[{column!r}]={cut} must be >= 1")
        if cut == 1 or x.min() == x.max():
            return np.zeros(x.size, dtype=np.int64)
        edges = np.linspace(x.min(), x.max(), int(cut) + 1)
        return np.asarray(np.clip(np.searchsorted(edges, x, side="right"), 1, cut), np.int64)
    try:
        points = np.sort(np.asarray(cut, dtype=np.float64).ravel())
    except (TypeError, ValueError):
        raise SpecificationError(
            f"match(): cutpoints[{column!r}]={cut!r} is not a number of bins or cut points"
        ) from None
    if points.size == 0 or not np.isfinite(points).all():
        raise SpecificationError(f"match(): cutpoints[{column!r}] must be finite numbers")
    return np.asarray(np.searchsorted(points, x, side="right"), np.int64)


def cem_strata(
    frame: pd.DataFrame,
    columns: Sequence[str],
    categorical: frozenset[str],
    cutpoints: Mapping[str, Any] | None,
) -> IntArray:
    """Coarsened-exact strata: numeric columns binned (Sturges' rule unless ``cutpoints``
    says otherwise; a value of 0 or ``None`` keeps a column exact), other columns exact.
    """
    cuts = dict(cutpoints or {})
    unknown = sorted(set(cuts) - set(columns))
    if unknown:
        raise SpecificationError(
            f"match(): cutpoints for {unknown} name no covariate",
            hint=f"covariates are {list(columns)}",
        )
    coded = {}
    for column in columns:
        values = frame[column]
        numeric = pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)
        rule = cuts.get(column, "sturges")
        if column in categorical or not numeric or rule is None or rule == 0:
            coded[column] = pd.factorize(values, sort=True)[0]
        else:
            coded[column] = _coarsen(values.to_numpy(np.float64), rule, column)
    return exact_strata(pd.DataFrame(coded), list(columns))


def score_subclasses(
    score: FloatArray, is_treated: NDArray[np.bool_], estimand: str, n_subclasses: int
) -> IntArray:
    """Subclasses 1..k cut at quantiles of the score among the treated (ATT), controls
    (ATC) or everyone (ATE), the outer ones open-ended; a subclass missing either group
    is merged into its neighbour (MatchIt's ``method = "subclass"``)."""
    reference = {"ATT": score[is_treated], "ATC": score[~is_treated]}.get(estimand, score)
    probs = np.linspace(0.0, 1.0, n_subclasses + 1)
    inner = np.unique(np.quantile(reference, probs)[1:-1])
    sub = np.searchsorted(inner, score, side="right")  # 0..len(inner), left-closed
    labels = np.unique(sub)
    merged = {int(s): i for i, s in enumerate(labels)}
    sub = np.asarray([merged[int(s)] for s in sub], dtype=np.int64)
    while True:
        counts = pd.crosstab(sub, is_treated).reindex(columns=[False, True], fill_value=0)
        bad = counts.index[(counts[False] == 0) | (counts[True] == 0)].tolist()
        if not bad or counts.shape[0] == 1:
            break
        s = int(bad[0])
        target = s - 1 if s > 0 else s + 1
        sub = np.where(sub == s, target, sub)
        sub = np.unique(sub, return_inverse=True)[1].astype(np.int64)
    if counts.shape[0] == 1 and bad:
        raise DataError("match(): one treatment group is empty; no subclass has both")
    return sub + 1


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
