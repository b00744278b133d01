"""Krippendorff's α: pure numpy kernels (coincidences, differences, bootstrap).

Reliability data are a units × coders array of values with NaN for a missing rating.
Only *pairable* values count: a unit's values when at least two coders rated it.

Notes
-----
With :math:`n_{uc}` the number of coders giving value *c* to unit *u* and
:math:`m_u = \\sum_c n_{uc}` (units with :math:`m_u \\ge 2`), the coincidences are
:math:`o_{ck} = \\sum_u (n_{uc} n_{uk} - [c=k] n_{uc}) / (m_u - 1)`, their margins
:math:`n_c = \\sum_k o_{ck}` and :math:`n = \\sum_c n_c`, and

.. math:: \\alpha = 1 - (n - 1) \\frac{\\sum_{c,k} o_{ck}\\,\\delta^2_{ck}}
          {\\sum_{c,k} n_c n_k\\,\\delta^2_{ck}}

with the metric differences :math:`\\delta^2` of Krippendorff (2011): nominal
:math:`[c \\ne k]`; ordinal :math:`(\\sum_{g=c}^{k} n_g - (n_c + n_k)/2)^2`; interval
:math:`(c - k)^2`; ratio :math:`((c - k)/(c + k))^2`.

The bootstrap follows Hayes & Krippendorff (2007) and the KALPHA macro: the
:math:`M = \\sum_u m_u (m_u - 1)/2` pairs of pairable values are drawn with replacement,
each pair from unit *u* contributing :math:`2\\delta^2/((m_u - 1)\\,n\\,D_e)` to
:math:`1 - \\alpha`, with the expected disagreement :math:`D_e` held at its observed value.
Pairs with the same contribution are interchangeable, so a draw is a multinomial count of
the distinct contributions: the same distribution as drawing pairs one by one, at a cost
that does not grow with the number of units (it grows with the number of distinct
contributions: a few for nominal data, one per distance for interval data, up to one per
pair of values for ordinal and ratio data).

References
----------
Krippendorff, K. (2011). Computing Krippendorff's alpha-reliability. Annenberg School for
Communication, University of Pennsylvania.
Hayes, A. F., & Krippendorff, K. (2007). Answering the call for a standard reliability
measure for coding data. Communication Methods and Measures, 1(1), 77-89.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

__all__ = ["AlphaCore", "LevelOfMeasurement", "alpha_bootstrap", "alpha_core"]

LevelOfMeasurement = Literal["nominal", "ordinal", "interval", "ratio"]
FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class AlphaCore:
    """What α and its bootstrap need: the value, the coincidences and the pairs."""

    alpha: float
    values: FloatArray  # the distinct pairable values, sorted
    coincidences: FloatArray  # V × V
    delta: FloatArray  # V × V squared differences
    observed: float  # D_o
    expected: float  # D_e
    n_pairable: float  # n
    n_units: int  # units with m_u >= 2
    counts: NDArray[np.int64]  # pairable units × V value counts
    m: NDArray[np.int64]  # values per pairable unit


def _counts(ratings: FloatArray) -> tuple[FloatArray, NDArray[np.int64], NDArray[np.int64]]:
    present = ~np.isnan(ratings)
    m_all = present.sum(axis=1)
    keep = m_all >= 2
    data = ratings[keep]
    mask = present[keep]
    values = np.unique(data[mask])
    index = np.searchsorted(values, np.where(mask, data, values[0] if values.size else 0.0))
    units = np.repeat(np.arange(data.shape[0]), data.shape[1]).reshape(data.shape)
    flat = (units * max(values.size, 1) + index)[mask]
    counts = np.bincount(flat, minlength=data.shape[0] * values.size)
    return values, counts.reshape(data.shape[0], values.size).astype(np.int64), m_all[keep]


def _delta(level: LevelOfMeasurement, values: FloatArray, margins: FloatArray) -> FloatArray:
    c = values[:, None]
    k = values[None, :]
    if level == "nominal":
        return np.asarray(c != k, dtype=float)
    if level == "interval":
        return np.asarray((c - k) ** 2, dtype=float)
    if level == "ratio":
        total = c + k
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(total == 0, 0.0, (c - k) / np.where(total == 0, 1.0, total))
        return ratio**2
    cumulative = np.concatenate([[0.0], np.cumsum(margins)])
    lo = np.minimum(np.arange(values.size)[:, None], np.arange(values.size)[None, :])
    hi = np.maximum(np.arange(values.size)[:, None], np.arange(values.size)[None, :])
    between = cumulative[hi + 1] - cumulative[lo]
    return np.asarray((between - (margins[lo] + margins[hi]) / 2.0) ** 2, dtype=float)


def alpha_core(ratings: FloatArray, level: LevelOfMeasurement) -> AlphaCore:
    """α of a units × coders array (NaN = missing); NaN when α is undefined (fewer than
    two pairable values, or one value only: no expected disagreement)."""
    values, counts, m = _counts(ratings)
    weights = 1.0 / np.maximum(m - 1, 1)
    weighted = counts * weights[:, None]
    coincidences = counts.T.astype(float) @ weighted - np.diag(weighted.sum(axis=0))
    margins = coincidences.sum(axis=1)
    n = float(margins.sum())
    delta = _delta(level, values, margins)
    if n < 2 or values.size < 2:
        observed = expected = alpha = float("nan")
    else:
        observed = float((coincidences * delta).sum() / n)
        expected = float((np.outer(margins, margins) * delta).sum() / (n * (n - 1)))
        alpha = 1.0 - observed / expected if expected > 0 else float("nan")
    return AlphaCore(
        alpha, values, coincidences, delta, observed, expected, n, int(m.size), counts, m
    )


def _pair_table(core: AlphaCore) -> tuple[FloatArray, FloatArray]:
    """Distinct pair contributions to 1 - α and how many pairs have each."""
    size = core.values.size
    upper = np.triu_indices(size)
    contributions: list[FloatArray] = []
    numbers: list[FloatArray] = []
    for m in np.unique(core.m):
        block = core.counts[core.m == m].astype(float)
        products = block.T @ block - np.diag(block.sum(axis=0))
        pairs = np.where(np.eye(size, dtype=bool), products / 2.0, products)[upper]
        scale = 2.0 / ((m - 1) * core.n_pairable * core.expected)
        contributions.append(core.delta[upper] * scale)
        numbers.append(pairs)
    contribution = np.concatenate(contributions)
    number = np.concatenate(numbers)
    keep = number > 0
    # pairs with equal contributions are interchangeable too: one category each (all
    # agreements are one category; interval differences merge by distance)
    distinct, index = np.unique(contribution[keep], return_inverse=True)
    return distinct, np.bincount(index.ravel(), weights=number[keep]).astype(float)


def alpha_bootstrap(core: AlphaCore, n_bootstrap: int, rng: np.random.Generator) -> FloatArray:
    """`n_bootstrap` bootstrap values of α (Hayes & Krippendorff 2007), floored at -1."""
    if not np.isfinite(core.alpha):
        return np.full(n_bootstrap, np.nan)
    contribution, number = _pair_table(core)
    total = int(np.rint(number.sum()))
    share = number / number.sum()
    # draws in chunks of at most about 2e7 counts, so memory stays bounded for many values
    step = max(1, 20_000_000 // max(contribution.size, 1))
    values = [
        rng.multinomial(total, share, size=min(step, n_bootstrap - start)) @ contribution
        for start in range(0, n_bootstrap, step)
    ]
    return np.maximum(1.0 - np.concatenate(values), -1.0)
