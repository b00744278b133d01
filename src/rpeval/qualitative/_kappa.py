"""Agreement coefficients other than α: pure numpy kernels (statsmodels where it is right).

Ratings are a units × coders array of category positions 0..q-1 with NaN for missing.

* Percent agreement: the share of units rated at least twice on which all ratings agree
  (R ``irr::agree`` with tolerance 0).
* Cohen's κ (two coders) and weighted κ: ``statsmodels.stats.inter_rater.cohens_kappa`` on
  the q × q table; the asymptotic SE (Fleiss, Cohen & Everitt 1969) for the interval and
  the SE under κ = 0 for the test by the same formulas as statsmodels, with a variance that
  rounding leaves just below 0 set to 0 (statsmodels then depends on the coders' order).
  Linear weights are 1 - |i - j|/(q - 1), quadratic
  1 - (i - j)²/(q - 1)², on the positions of the scale's levels.
* Fleiss' κ: ``statsmodels.stats.inter_rater.fleiss_kappa``; the test of κ = 0 with the SE
  of Fleiss, Nee & Landis (1979), as R ``irr::kappam.fleiss``; the interval from a
  jackknife over units (the null SE is not an SE of the estimate).
* Gwet's AC1 (Gwet 2008): observed agreement as Fleiss' over units rated twice or more,
  chance agreement :math:`p_e = \\sum_k \\pi_k (1 - \\pi_k) / (q - 1)` with the shares
  :math:`\\pi_k` over every rated unit, Gwet's linearised variance and t interval (as
  R ``irrCAC::gwet.ac1.raw``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from rpeval._inference import two_sided_p, z_quantile
from rpeval._lazy import stats

__all__ = [
    "Coefficient",
    "KappaWeights",
    "ac1_kernel",
    "cohen_kernel",
    "fleiss_kernel",
    "percent_kernel",
]

FloatArray = NDArray[np.float64]
KappaWeights = Literal["unweighted", "linear", "quadratic"]


@dataclass(frozen=True)
class Coefficient:
    """One coefficient with its SE, interval and test of zero (NaN where not defined)."""

    estimate: float
    std_error: float
    ci_lower: float
    ci_upper: float
    statistic: float
    p_value: float
    n_units: int


def _nan(n_units: int = 0) -> Coefficient:
    nan = float("nan")
    return Coefficient(nan, nan, nan, nan, nan, nan, n_units)


def _category_counts(ratings: FloatArray, q: int) -> NDArray[np.int64]:
    """Units × q counts of each category (units rated at least twice)."""
    present = ~np.isnan(ratings)
    keep = present.sum(axis=1) >= 2
    data = np.where(present[keep], ratings[keep], -1).astype(np.int64)
    counts = np.zeros((data.shape[0], q), dtype=np.int64)
    for column in data.T:
        rows = column >= 0
        np.add.at(counts, (np.flatnonzero(rows), column[rows]), 1)
    return counts


def percent_kernel(ratings: FloatArray, q: int) -> Coefficient:
    """Share of units (rated twice or more) where every rating is the same."""
    counts = _category_counts(ratings, q)
    if counts.shape[0] == 0:
        return _nan()
    agree = (counts.max(axis=1) == counts.sum(axis=1)).astype(float)
    n = agree.size
    estimate = float(agree.mean())
    se = float(np.sqrt(estimate * (1 - estimate) / n))
    nan = float("nan")
    return Coefficient(estimate, se, nan, nan, nan, nan, n)


def _z(conf_level: float) -> float:
    return z_quantile(conf_level)


def _fce_errors(table: FloatArray, kappa: float, weights: KappaWeights) -> tuple[float, float]:
    """Asymptotic SEs of (weighted) kappa and under kappa = 0 (Fleiss, Cohen & Everitt
    1969): the formulas statsmodels uses, with variances that rounding leaves a hair
    either side of zero set to zero, so that the result does not depend on which coder is which."""
    q = table.shape[0]
    i = np.arange(q)
    if weights == "unweighted":
        w = np.eye(q)
    elif weights == "linear":
        w = 1 - np.abs(i[:, None] - i[None, :]) / (q - 1)
    else:
        w = 1 - (i[:, None] - i[None, :]) ** 2 / (q - 1) ** 2
    n = table.sum()
    p = table / n
    rows, cols = p.sum(axis=1), p.sum(axis=0)
    chance = float((w * np.outer(rows, cols)).sum())
    if chance >= 1:
        return float("nan"), float("nan")
    w_rows, w_cols = w @ cols, rows @ w
    both = w_rows[:, None] + w_cols[None, :]
    var = _difference(
        float((p * (w - both * (1 - kappa)) ** 2).sum()), (kappa - chance * (1 - kappa)) ** 2
    )
    var0 = _difference(float((np.outer(rows, cols) * (w - both) ** 2).sum()), chance**2)
    scale = n * (1 - chance) ** 2
    return float(np.sqrt(var / scale)), float(np.sqrt(var0 / scale))


def _difference(first: float, second: float) -> float:
    """``first - second``, or 0 where that is rounding noise (within 1e-12 of the terms):
    noise would otherwise give an SE of about 1e-8 in one coder order and 0 in the other."""
    gap = first - second
    return 0.0 if gap <= 1e-12 * max(abs(first), abs(second)) else gap


def cohen_kernel(
    ratings: FloatArray, q: int, weights: KappaWeights, conf_level: float
) -> Coefficient:
    """Cohen's κ of two coders (units rated by both)."""
    both = ~np.isnan(ratings).any(axis=1)
    pairs = ratings[both].astype(np.int64)
    n = int(pairs.shape[0])
    if n == 0:
        return _nan()
    table = np.zeros((q, q))
    np.add.at(table, (pairs[:, 0], pairs[:, 1]), 1)
    if (table.sum(axis=0) > 0).sum() < 2 and (table.sum(axis=1) > 0).sum() < 2:
        return _nan(n)  # both coders used one category: chance agreement is 1, κ undefined
    wt = None if weights == "unweighted" else weights
    with np.errstate(divide="ignore", invalid="ignore"):
        from statsmodels.stats.inter_rater import cohens_kappa

        result = cohens_kappa(table, wt=wt, return_results=True)
    estimate = float(result.kappa)
    se, se0 = _fce_errors(table, estimate, weights)
    if min((table.sum(axis=0) > 0).sum(), (table.sum(axis=1) > 0).sum()) < 2:
        # a coder used one category: kappa is 0 (observed = chance agreement) and the
        # asymptotic variances break down, so no SE, interval or test is given
        se = se0 = float("nan")
    z = _z(conf_level)
    statistic = estimate / se0 if se0 > 0 else float("nan")
    p_value = two_sided_p(statistic) if np.isfinite(statistic) else statistic
    return Coefficient(estimate, se, estimate - z * se, estimate + z * se, statistic, p_value, n)


def _fleiss_leave_one_out(counts: FloatArray) -> FloatArray:
    """Fleiss' κ without each unit in turn (closed form)."""
    units = counts.shape[0]
    raters = counts.sum(axis=1)
    per_unit = (counts * (counts - 1)).sum(axis=1) / (raters * (raters - 1))
    agreement = (per_unit.sum() - per_unit) / (units - 1)
    totals = counts.sum(axis=0)[None, :] - counts
    p = totals / totals.sum(axis=1, keepdims=True)
    chance = (p**2).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray((agreement - chance) / (1 - chance), dtype=float)


def _jackknife(values: FloatArray, estimate: float, conf_level: float) -> tuple[float, ...]:
    """The jackknife SE over units and the Wald interval on it, kept inside κ's range
    [-1, 1] (as irrCAC caps its intervals at 1): small samples otherwise give limits a
    coefficient cannot reach."""
    n = values.size
    good = values[np.isfinite(values)]
    if n < 2 or good.size < n:
        nan = float("nan")
        return nan, nan, nan
    se = float(np.sqrt((n - 1) / n * ((values - values.mean()) ** 2).sum()))
    z = _z(conf_level)
    return se, max(-1.0, estimate - z * se), min(1.0, estimate + z * se)


def fleiss_kernel(ratings: FloatArray, q: int, conf_level: float) -> Coefficient:
    """Fleiss' κ: every unit rated by the same number of coders (units with fewer dropped
    by the caller's choice; here all units with a missing rating are left out)."""
    complete = ~np.isnan(ratings).any(axis=1)
    counts = _category_counts(ratings[complete], q).astype(float)
    units, raters = counts.shape[0], ratings.shape[1]
    if units < 2 or raters < 2:
        return _nan(units)
    p = counts.sum(axis=0) / counts.sum()
    if (p > 0).sum() < 2:
        return _nan(units)
    from statsmodels.stats.inter_rater import fleiss_kappa

    estimate = float(fleiss_kappa(counts, method="fleiss"))
    pq = p * (1 - p)
    se0 = float(
        np.sqrt(2)
        / (pq.sum() * np.sqrt(units * raters * (raters - 1)))
        * np.sqrt(pq.sum() ** 2 - (pq * (1 - 2 * p)).sum())
    )
    statistic = estimate / se0
    p_value = two_sided_p(statistic)
    leave_out = _fleiss_leave_one_out(counts)
    se, lower, upper = _jackknife(leave_out, estimate, conf_level)
    return Coefficient(estimate, se, lower, upper, statistic, p_value, units)


def _ac1_terms(counts: FloatArray, q: int) -> tuple[float, FloatArray]:
    """AC1 and its per-unit linearised terms (Gwet 2008; irrCAC ``gwet.ac1.raw``) over
    units with at least one rating: agreement from units rated twice or more, the
    category shares from every rated unit."""
    n = counts.shape[0]
    r = counts.sum(axis=1)
    two = r >= 2
    n2 = int(two.sum())
    pair = np.where(two, r * (r - 1), 1.0)
    per_unit = np.where(two, (counts * (counts - 1)).sum(axis=1) / pair, 0.0)
    pi = (counts / r[:, None]).mean(axis=0)
    chance = float((pi * (1 - pi)).sum() / (q - 1))
    estimate = float((per_unit[two].mean() - chance) / (1 - chance))
    unit_ac1 = (n / n2) * (per_unit - chance * two) / (1 - chance)
    unit_chance = (counts @ (1 - pi)) / r / (q - 1)
    terms = unit_ac1 - 2 * (1 - estimate) * (unit_chance - chance) / (1 - chance)
    return estimate, np.asarray(terms, dtype=float)


def ac1_kernel(ratings: FloatArray, q: int, conf_level: float) -> Coefficient:
    """Gwet's AC1 (nominal) with Gwet's linearised variance, t interval and test on n - 1
    degrees of freedom (n: units with a rating), as irrCAC ``gwet.ac1.raw`` (upper limit
    capped at 1); ``n_units`` counts the units rated at least twice."""
    rated = ratings[(~np.isnan(ratings)).any(axis=1)]
    present = ~np.isnan(rated)
    data = np.where(present, rated, -1).astype(np.int64)
    counts = np.zeros((data.shape[0], max(q, 1)))
    for column in data.T:
        rows = column >= 0
        np.add.at(counts, (np.flatnonzero(rows), column[rows]), 1)
    n = counts.shape[0]
    n2 = int((present.sum(axis=1) >= 2).sum())
    if n2 < 1 or n < 2 or q < 2:
        return _nan(n2)
    estimate, terms = _ac1_terms(counts, q)
    se = float(np.sqrt(((terms - estimate) ** 2).sum() / (n * (n - 1))))
    crit = float(stats.t.ppf(0.5 + conf_level / 2, n - 1))
    nan = float("nan")
    if se == 0:
        return Coefficient(estimate, se, estimate, estimate, nan, nan, n2)
    statistic = estimate / se
    p_value = float(2 * stats.t.sf(abs(statistic), n - 1))
    upper = min(1.0, estimate + crit * se)
    return Coefficient(estimate, se, estimate - crit * se, upper, statistic, p_value, n2)
