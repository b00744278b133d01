"""Per-domain weighted sums and influence values of means, totals and ratios.

Pure numpy: ``dom`` holds each row's domain code (``-1`` for rows outside every domain or
with a missing answer), ``k`` the number of domains.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = ["DomainSums", "domain_scores", "domain_sums", "srs_variance", "weighted_var"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


@dataclass(frozen=True)
class DomainSums:
    """Rows ``n``, weight sums ``weight`` and weighted sums ``total`` of ``y`` per domain."""

    n: FloatArray
    weight: FloatArray
    total: FloatArray


def _compress(dom: IntArray, *arrays: FloatArray) -> tuple[IntArray, list[FloatArray]]:
    """Rows inside a domain (no copy when every row is inside)."""
    if dom.size and dom.min() >= 0:
        return dom, list(arrays)
    inside = dom >= 0
    return dom[inside], [a[inside] for a in arrays]


def domain_sums(
    dom: IntArray, weights: FloatArray, y: FloatArray, k: int, base: DomainSums | None = None
) -> DomainSums:
    """Per-domain sums; ``base`` (sums of another variable over the same rows) saves
    recounting the rows and weights."""
    d, (w, yy) = _compress(dom, weights, y)
    total = np.bincount(d, weights=w * yy, minlength=k).astype(np.float64)
    if base is not None:
        return DomainSums(base.n, base.weight, total)
    return DomainSums(
        np.bincount(d, minlength=k).astype(np.float64),
        np.bincount(d, weights=w, minlength=k).astype(np.float64),
        total,
    )


def weighted_var(
    dom: IntArray, weights: FloatArray, y: FloatArray, centre: FloatArray, sums: DomainSums
) -> FloatArray:
    """R's ``svyvar`` per domain: Σ w (y − centre)² / Σ w × n / (n − 1)."""
    d, (w, yy) = _compress(dom, weights, y)
    dev = yy - centre[d]
    k = len(sums.n)
    squares = np.bincount(d, weights=w * dev * dev, minlength=k)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(squares / sums.weight * sums.n / (sums.n - 1), dtype=np.float64)


def srs_variance(svyvar: FloatArray, sums: DomainSums, total: bool) -> FloatArray:
    """Variance under simple random sampling without replacement of ``n`` from ``Σ w``
    (R's ``deff = TRUE``); NaN where the weights sum to less than ``n``."""
    n, big_n = sums.n, sums.weight
    with np.errstate(divide="ignore", invalid="ignore"):
        base = svyvar * (big_n - n) / (big_n * n)
        if total:
            base = base * big_n**2
    return np.asarray(np.where(big_n < n, np.nan, base), dtype=np.float64)


def domain_scores(
    dom: IntArray, weights: FloatArray, y: FloatArray, centre: FloatArray, scale: FloatArray
) -> FloatArray:
    """Influence values ``w (y − centre_d) / scale_d`` inside the domains, 0 outside."""
    if dom.size and dom.min() >= 0:
        return np.asarray(weights * (y - centre[dom]) / scale[dom], dtype=np.float64)
    safe = np.where(dom >= 0, dom, 0)
    values = weights * (y - centre[safe]) / scale[safe]
    return np.asarray(np.where(dom >= 0, values, 0.0), dtype=np.float64)
