"""The strata designs of ``match()``: ``"exact"`` (one subclass per covariate pattern),
``"cem"`` (coarsened exact matching, optionally ``k2k`` pairs within strata) and
``"subclass"`` (propensity-score subclasses), weighted as MatchIt does."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from rpeval import _frames
from rpeval.errors import DataError, SpecificationError
from rpeval.matching._distance import exact_strata
from rpeval.matching._plan import Matched, MatchPlan, MatchSample
from rpeval.matching._weights import matching_weights, subclass_matched
from rpeval.matching.designs.optimal import optimal_matches

__all__ = [
    "cem_strata",
    "keep_common_strata",
    "score_subclasses",
    "strata_design",
]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
_BIN_RULES = ("sturges", "scott", "fd")


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


def strata_design(plan: MatchPlan, sample: MatchSample) -> Matched:
    """Subclasses of ``method="exact"``, ``"cem"`` or ``"subclass"`` and MatchIt's weights
    (with ``k2k``, optimal pairs within the CEM strata)."""
    frame, keep, is_treated = sample.frame, sample.keep, sample.is_treated
    spec = _frames.resolve_covariates(sample.covariates, arg="covariates", caller="match")
    _frames.complete_cases(frame, spec.columns, missing="error", arg="data", caller="match")
    if plan.method == "subclass":
        if sample.score is None:
            raise SpecificationError(
                'match(): method="subclass" needs a scalar distance',
                hint='use distance="propensity" or a score column',
            )
        subclass = np.zeros(len(frame), dtype=np.int64)
        subclass[keep] = score_subclasses(
            sample.score[keep], is_treated[keep], plan.estimand, plan.n_subclasses
        )
        return subclass_matched(plan.method, subclass, is_treated, plan.estimand)
    columns = [*spec.columns, *[c for c in plan.exact if c not in spec.columns]]
    if plan.method == "exact":
        strata = exact_strata(frame, columns)
    else:
        categorical = spec.categorical | set(plan.exact)
        strata = cem_strata(frame, columns, frozenset(categorical), plan.cutpoints)
    strata = np.where(keep, strata, -1)
    subclass = np.where(keep, keep_common_strata(strata, is_treated), 0)
    if plan.k2k:
        return _k2k(plan, sample, subclass)
    return subclass_matched(plan.method, subclass, is_treated, plan.estimand)


def _k2k(plan: MatchPlan, sample: MatchSample, subclass: IntArray) -> Matched:
    """CEM with one-to-one matching inside each stratum: optimal pairs on the Mahalanobis
    distance, so that every stratum keeps as many treated as control units."""
    if plan.estimand == "ATE":
        raise SpecificationError("match(): k2k pairs units, so it estimates ATT or ATC")
    in_stratum = sample.keep & (subclass > 0)
    pairs = replace(
        plan, exact=("_cem_stratum",), antiexact=(), caliper_columns=(), caliper_values=(),
        ratio=1, variable=None,
    )  # fmt: skip
    within = replace(
        sample, frame=sample.frame.assign(_cem_stratum=subclass), keep=in_stratum,
        score=None, caliper_width=np.inf, caliper_widths=np.zeros(0),
    )  # fmt: skip
    matches = optimal_matches(pairs, within)
    focal_rows = np.flatnonzero(sample.focal & in_stratum).astype(np.int64)
    weights, pair_ids = matching_weights(len(subclass), focal_rows, matches, replace=False)
    return Matched(matches, focal_rows, weights, pair_ids)
