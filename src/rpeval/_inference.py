"""Normal-theory inference shared by the pillars: z quantiles, two-sided p-values, Wald tables.

One place for the arithmetic that every estimator's summary repeats: the critical value
``z`` for a ``conf_level``, the two-sided p-value ``2 * (1 - Phi(|z|))`` and the Wald
columns ``statistic``, ``p_value``, ``ci_lower``, ``ci_upper`` of an estimate and its
standard error; for log-scale estimates also the exponentiated ratio and its interval
(``hazard_ratio``, ``rate_ratio``, ...). The normal and chi-square tails come from
``scipy.special`` (``ndtri``, ``ndtr``, ``chdtrc``: the functions ``scipy.stats.norm`` and
``scipy.stats.chi2`` call, so the numbers are the same bits), imported at first use;
``scipy.stats`` itself costs about a second to import and is not needed here.

Examples
--------
>>> round(z_quantile(0.95), 6)
1.959964
>>> round(two_sided_p(1.959964), 4)
0.05
>>> table = wald_table(["level_change"], [0.0], [1.0], 0.95, ratio="rate_ratio")
>>> list(table.columns)  # doctest: +NORMALIZE_WHITESPACE
['term', 'estimate', 'std_error', 'statistic', 'p_value', 'ci_lower', 'ci_upper',
 'rate_ratio', 'rate_ratio_lower', 'rate_ratio_upper']
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import NamedTuple, overload

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from rpeval._lazy import special

__all__ = [
    "WALD_COLUMNS",
    "Wald",
    "chi2_sf",
    "ratio_columns",
    "two_sided_p",
    "wald",
    "wald_columns",
    "wald_table",
    "wilson_interval",
    "z_quantile",
]

FloatArray = NDArray[np.float64]

#: The Wald columns of a summary table, in order (after ``term``, ``estimate``, ``std_error``).
WALD_COLUMNS: tuple[str, ...] = ("statistic", "p_value", "ci_lower", "ci_upper")


def z_quantile(conf_level: float) -> float:
    """The two-sided standard-normal critical value for ``conf_level`` (1.959964 for 0.95).

    ``conf_level`` is assumed checked (``rpeval._options.check_conf_level``).

    Examples
    --------
    >>> round(z_quantile(0.9), 6)
    1.644854
    """
    return float(special.ndtri(0.5 + conf_level / 2.0))


@overload
def two_sided_p(statistic: float) -> float: ...
@overload
def two_sided_p(statistic: FloatArray) -> FloatArray: ...
def two_sided_p(statistic: float | FloatArray) -> float | FloatArray:
    """Two-sided normal p-value ``2 * P(Z > |statistic|)``; NaN stays NaN.

    A float in gives a float out, an array gives an array.

    Examples
    --------
    >>> two_sided_p(0.0)
    1.0
    >>> two_sided_p(np.array([0.0, np.nan])).tolist()
    [1.0, nan]
    """
    if isinstance(statistic, np.ndarray):
        return np.asarray(2.0 * special.ndtr(-np.abs(statistic)), dtype=np.float64)
    return float(2.0 * special.ndtr(-abs(float(statistic))))


@overload
def chi2_sf(statistic: float, df: float) -> float: ...
@overload
def chi2_sf(statistic: FloatArray, df: ArrayLike) -> FloatArray: ...
def chi2_sf(statistic: float | FloatArray, df: ArrayLike) -> float | FloatArray:
    """Upper tail ``P(X > statistic)`` of a chi-square with ``df`` degrees of freedom, as
    ``scipy.stats.chi2.sf`` gives it (1 below zero, NaN for ``df <= 0`` or NaN input).

    Examples
    --------
    >>> round(chi2_sf(3.841459, 1), 4)
    0.05
    >>> chi2_sf(np.array([-1.0, 0.0, np.nan]), 2).tolist()
    [1.0, 1.0, nan]
    """
    x = np.asarray(statistic, dtype=np.float64)
    k = np.asarray(df, dtype=np.float64)
    out = np.where(k > 0, special.chdtrc(k, np.maximum(x, 0.0)), np.nan)
    if isinstance(statistic, np.ndarray):
        return np.asarray(out, dtype=np.float64)
    return float(out)


class Wald(NamedTuple):
    """A scalar Wald z test and interval (on the scale of the estimate)."""

    statistic: float
    p_value: float
    ci_lower: float
    ci_upper: float


def wald(estimate: float, std_error: float, conf_level: float) -> Wald:
    """The Wald z statistic, two-sided p-value and ``conf_level`` interval of one estimate.

    A zero standard error gives an infinite statistic (numpy rules apply to 0/0).

    Examples
    --------
    >>> w = wald(0.5, 0.25, 0.95)
    >>> w.statistic, round(w.p_value, 4), round(w.ci_lower, 4), round(w.ci_upper, 4)
    (2.0, 0.0455, 0.01, 0.99)
    """
    cols = wald_columns(np.array([estimate], dtype=np.float64), np.array([std_error]), conf_level)
    return Wald(*(float(cols[name][0]) for name in WALD_COLUMNS))


def wald_columns(
    estimate: ArrayLike, std_error: ArrayLike, conf_level: float
) -> dict[str, FloatArray]:
    """The Wald columns ``statistic``, ``p_value``, ``ci_lower``, ``ci_upper`` as arrays.

    ``statistic = estimate / std_error``; the interval is ``estimate -/+ z * std_error``
    with ``z = z_quantile(conf_level)``. NaN inputs give NaN outputs.

    Examples
    --------
    >>> cols = wald_columns([1.0, 2.0], [0.5, 1.0], 0.95)
    >>> cols["statistic"].tolist()
    [2.0, 2.0]
    """
    est = np.asarray(estimate, dtype=np.float64)
    se = np.asarray(std_error, dtype=np.float64)
    crit = z_quantile(conf_level)
    statistic = est / se
    return {
        "statistic": statistic,
        "p_value": two_sided_p(statistic),
        "ci_lower": est - crit * se,
        "ci_upper": est + crit * se,
    }


def ratio_columns(
    estimate: ArrayLike,
    ci_lower: ArrayLike,
    ci_upper: ArrayLike,
    *,
    ratio: str,
    has_ratio: ArrayLike | None = None,
) -> dict[str, FloatArray]:
    """``{ratio}``, ``{ratio}_lower``, ``{ratio}_upper``: the exponentiated log-scale estimate
    and interval, NaN where ``has_ratio`` is false (e.g. a log-scale ancillary parameter).

    Examples
    --------
    >>> cols = ratio_columns([0.0, 1.0], [0.0, 0.0], [0.0, 2.0], ratio="hr", has_ratio=[1, 0])
    >>> cols["hr"].tolist()
    [1.0, nan]
    """
    est = np.asarray(estimate, dtype=np.float64)
    keep = np.ones(est.shape, dtype=bool) if has_ratio is None else np.asarray(has_ratio, bool)
    parts = {"": est, "_lower": ci_lower, "_upper": ci_upper}
    return {
        f"{ratio}{suffix}": np.where(keep, np.exp(np.asarray(values, dtype=np.float64)), np.nan)
        for suffix, values in parts.items()
    }


def wald_table(
    terms: Sequence[str],
    estimate: ArrayLike,
    std_error: ArrayLike,
    conf_level: float,
    *,
    ratio: str | None = None,
    has_ratio: ArrayLike | None = None,
) -> pd.DataFrame:
    """A tidy coefficient table: ``term``, ``estimate``, ``std_error``, ``statistic``,
    ``p_value``, ``ci_lower``, ``ci_upper`` and, with ``ratio``, ``{ratio}``,
    ``{ratio}_lower``, ``{ratio}_upper`` (see :func:`ratio_columns`).

    Examples
    --------
    >>> t = wald_table(["x"], [np.log(2.0)], [0.1], 0.95, ratio="hazard_ratio")
    >>> round(float(t.loc[0, "hazard_ratio"]), 6)
    2.0
    """
    est = np.asarray(estimate, dtype=np.float64)
    se = np.asarray(std_error, dtype=np.float64)
    tests = wald_columns(est, se, conf_level)
    columns: dict[str, object] = {"term": list(terms), "estimate": est, "std_error": se, **tests}
    if ratio is not None:
        lower, upper = tests["ci_lower"], tests["ci_upper"]
        columns.update(ratio_columns(est, lower, upper, ratio=ratio, has_ratio=has_ratio))
    return pd.DataFrame(columns)


def wilson_interval(successes: int, n: int, z: float) -> tuple[float, float]:
    """The Wilson score interval of `successes` in `n` trials (``z`` from
    :func:`z_quantile`), exactly 0 at no successes and 1 at all.

    Examples
    --------
    >>> [round(x, 4) for x in wilson_interval(3, 10, z_quantile(0.95))]
    [0.1078, 0.6032]
    """
    p = successes / n
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    lower = 0.0 if successes == 0 else max(0.0, centre - half)
    upper = 1.0 if successes == n else min(1.0, centre + half)
    return lower, upper
