"""Per-domain weighted sums and influence values of means, totals and ratios.

Pure numpy: ``dom`` holds each row's domain code (``-1`` for rows outside every domain or
with a missing answer), ``k`` the number of domains.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = ["DomainSums", "domain_sums", "srs_variance", "weighted_var"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


@dataclass(frozen=True)
class DomainSums:
    """Rows ``n``, weight sums ``weight`` and weighted sums ``total`` of ``y`` per domain."""

    n: FloatArray
    weight: FloatArray
    total: FloatArray


def domain_sums(dom: IntArray, weights: FloatArray, y: FloatArray, k: int) -> DomainSums:
    inside = dom >= 0
    d, w = dom[inside], weights[inside]
    return DomainSums(
        np.bincount(d, minlength=k).astype(np.float64),
        np.bincount(d, weights=w, minlength=k).astype(np.float64),
        np.bincount(d, weights=w * y[inside], minlength=k).astype(np.float64),
    )


def weighted_var(
    dom: IntArray, weights: FloatArray, y: FloatArray, centre: FloatArray, sums: DomainSums
) -> FloatArray:
    """R's ``svyvar`` per domain: Σ w (y − centre)² / Σ w × n / (n − 1)."""
    inside = dom >= 0
    d = dom[inside]
    dev = y[inside] - centre[d]
    k = len(sums.n)
    squares = np.bincount(d, weights=weights[inside] * dev * dev, minlength=k)
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
