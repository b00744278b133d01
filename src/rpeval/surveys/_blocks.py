"""Blocks: one variable's domain estimates with their influence values, and how blocks
become a :class:`~rpeval.surveys.SurveyEstimate` (covariance across blocks from the
design or the replicates, design df, Wald intervals, design effects).

Every survey estimator (means, totals, ratios, proportions, quantiles, wave changes) builds
its blocks and calls :func:`build_estimate`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from rpeval._design_variance import ScoreColumns, design_covariance
from rpeval._inference import z_quantile
from rpeval.errors import DataError
from rpeval.surveys._domains import AnyDesign, Domains
from rpeval.surveys._linearize import domain_scores, domain_sums, srs_variance, weighted_var
from rpeval.surveys.replicates import ReplicateDesign
from rpeval.surveys.results import ESTIMATE_COLUMNS, SurveyEstimate

__all__ = [
    "Block",
    "build_estimate",
    "check_nonempty",
    "covariance",
    "domain_df",
    "mean_block",
    "replicate_thetas",
]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


@dataclass(frozen=True)
class Block:
    """One variable's estimates in every domain, before the covariance is known."""

    variable: str
    dom: IntArray
    estimate: FloatArray
    scores: FloatArray
    srs_var: FloatArray
    n: FloatArray
    weight: FloatArray
    kind: str = "mean"
    y: FloatArray | None = None
    x: FloatArray | None = None


def replicate_thetas(design: ReplicateDesign, block: Block, k: int) -> FloatArray:
    """The block's estimates recomputed with each replicate's weights (replicates × k)."""
    y = block.y if block.y is not None else np.zeros(design.n_rows)
    numerator = design.domain_sums(block.dom, y, k)
    if block.kind == "total":
        return numerator
    if block.kind == "ratio" and block.x is not None:
        denominator = design.domain_sums(block.dom, block.x, k)
    else:
        denominator = design.domain_sums(block.dom, np.ones(design.n_rows), k)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(numerator / denominator, dtype=np.float64)


def domain_df(design: AnyDesign, dom: IntArray, k: int) -> FloatArray:
    """PSUs minus strata among each domain's rows (R's ``degf`` of the domain subset);
    for replicate designs the rank of the domain's replicate weights minus 1."""
    if isinstance(design, ReplicateDesign):
        return np.array(
            [design.domain_degrees_of_freedom(dom == j) for j in range(k)], dtype=np.float64
        )
    inside = dom >= 0
    d = dom[inside]
    counts = np.zeros(k, dtype=np.int64)
    for codes, size in ((design._cluster, design.n_psu), (design._stratum, design.n_strata)):
        if k * size <= 50_000_000:  # presence table, O(n)
            seen = np.zeros(k * size, dtype=bool)
            seen[d * size + codes[inside]] = True
            present = seen.reshape(k, size).sum(axis=1)
        else:
            present = np.bincount(np.unique(d * size + codes[inside]) // size, minlength=k)
        counts = counts + (present if codes is design._cluster else -present)
    return counts.astype(np.float64)


def check_nonempty(sums_n: FloatArray, domains_: Domains, variable: str, caller: str) -> None:
    empty = np.flatnonzero(sums_n == 0)
    if empty.size:
        raise DataError(
            f"{caller}(): domain {domains_.labels[int(empty[0])]!r} has no respondent with a "
            f"value of {variable!r}",
            hint="drop that domain or check the `by` column",
        )


def _block_dfs(design: AnyDesign, blocks: Sequence[Block], k: int) -> list[FloatArray]:
    """Domain df per block, computed once for blocks with the same missing pattern."""
    out: list[FloatArray] = []
    for j, block in enumerate(blocks):
        if j and np.array_equal(block.dom, blocks[j - 1].dom):
            out.append(out[-1])
        else:
            out.append(domain_df(design, block.dom, k))
    return out


def covariance(design: AnyDesign, blocks: Sequence[Block], k: int) -> FloatArray:
    """Joint covariance of every block's estimates (variables × domains)."""
    if isinstance(design, ReplicateDesign):
        thetas = np.hstack([replicate_thetas(design, b, k) for b in blocks])
        return design.variance(thetas, np.concatenate([b.estimate for b in blocks]))
    if design.adjustments:  # weighting mixes domains: influence values become dense
        dense = np.zeros((design.n_rows, k * len(blocks)))
        for j, b in enumerate(blocks):
            inside = b.dom >= 0
            dense[np.flatnonzero(inside), j * k + b.dom[inside]] = b.scores[inside]
        for adjustment in design.adjustments:
            dense = adjustment.residuals(dense)
        every = np.zeros(design.n_rows, dtype=np.int64)
        columns = [ScoreColumns(dense[:, c], every, offset=c) for c in range(dense.shape[1])]
        return design_covariance(design.stages, columns, dense.shape[1])
    scored = [ScoreColumns(b.scores, b.dom, offset=j * k) for j, b in enumerate(blocks)]
    return design_covariance(design.stages, scored, k * len(blocks))


def build_estimate(
    design: AnyDesign,
    blocks: Sequence[Block],
    domains_: Domains,
    *,
    statistic: str,
    conf_level: float,
    method: str = "linearised (Wald, normal quantile)",
    intervals: tuple[FloatArray, FloatArray] | None = None,
    n_missing: int = 0,
    cov: FloatArray | None = None,
) -> SurveyEstimate:
    k = domains_.k
    if cov is None:
        cov = covariance(design, blocks, k)
    se = np.sqrt(np.clip(np.diag(cov), 0.0, None))
    est = np.concatenate([b.estimate for b in blocks])
    if intervals is None:
        z = z_quantile(conf_level)
        lower, upper = est - z * se, est + z * se
    else:
        lower, upper = intervals
    srs = np.concatenate([b.srs_var for b in blocks])
    # undefined (NaN), never inf, without a positive SRS variance to compare with: a
    # design variance of 0 or of rounding noise would make inf or NaN by row order
    usable = np.isfinite(srs) & (srs > 0)
    deff = np.full(srs.shape, np.nan)
    deff[usable] = np.diag(cov)[usable] / srs[usable]
    table = pd.DataFrame(
        {
            "variable": np.repeat([b.variable for b in blocks], k),
            "domain": list(domains_.labels) * len(blocks),
            "estimate": est,
            "std_error": se,
            "ci_lower": lower,
            "ci_upper": upper,
            "deff": deff,
            "n": np.concatenate([b.n for b in blocks]).astype(np.int64),
            "weight_sum": np.concatenate([b.weight for b in blocks]),
            "df": np.concatenate(_block_dfs(design, blocks, k)).astype(np.int64),
        },
        columns=ESTIMATE_COLUMNS,
    )
    for j, name in enumerate(domains_.names):
        table[name] = pd.Series([level[j] for level in domains_.levels] * len(blocks))
    return SurveyEstimate(
        statistic=statistic,
        variables=tuple(b.variable for b in blocks),
        by=domains_.names,
        conf_level=conf_level,
        method=method,
        table=table,
        covariance=cov,
        n_missing=n_missing + domains_.n_missing_by,
    )


def mean_block(
    design: AnyDesign,
    y: FloatArray,
    null: NDArray[np.bool_],
    domains_: Domains,
    variable: str,
    caller: str,
) -> Block:
    """Domain means ``Σ w y / Σ w`` and their influence values ``w (y − ȳ_d) / W_d``."""
    k, w = domains_.k, design.weights
    dom = domains_.code if not null.any() else np.where(null, -1, domains_.code)
    base = domains_.base if not null.any() else None
    sums = domain_sums(dom, w, y, k, base)
    check_nonempty(sums.n, domains_, variable, caller)
    est = sums.total / sums.weight
    scores = domain_scores(dom, w, y, est, sums.weight)
    srs = srs_variance(weighted_var(dom, w, y, est, sums), sums, total=False)
    return Block(variable, dom, est, scores, srs, sums.n, sums.weight, "mean", y)
