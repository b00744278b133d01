r"""Confidence intervals for program metrics: proportions, rates, means and ratios.

Every function takes plain counts or sums and returns an :class:`Interval`; the registry
calls them once per cell. They agree with statsmodels
(``statsmodels.stats.proportion.proportion_confint`` for ``"wilson"``, ``"beta"``
(Clopper–Pearson) and ``"jeffreys"``; ``statsmodels.stats.rates.confint_poisson`` with
``method="exact-c"`` for Poisson rates), which the test suite checks on a grid of counts.

Conventions
    Limits are clipped to ``[0, 1]`` for proportions. At ``x = 0`` the Wilson and
    Clopper–Pearson lower limits are exactly 0 and at ``x = n`` the upper limits exactly 1.
    The Jeffreys interval is the plain equal-tailed Beta(x + ½, n − x + ½) interval, as in
    statsmodels (without Brown, Cai & DasGupta's boundary modification).
    An interval is undefined (``None`` limits) when there is no information: ``n = 0``,
    zero exposure, fewer than two observations for a mean.

Examples
--------
>>> proportion_interval(45, 50)
Interval(low=0.7864, high=0.9565)
>>> proportion_interval(0, 7)
Interval(low=0.0, high=0.3543)
>>> poisson_rate_interval(12, 150)
Interval(low=0.0413, high=0.1397)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Final, Literal

import pandas as pd

from rpeval._display import Display, Displayed
from rpeval._lazy import special, stats
from rpeval._options import check_conf_level
from rpeval.errors import SpecificationError

__all__ = [
    "PROPORTION_METHODS",
    "Interval",
    "mean_interval",
    "poisson_rate_interval",
    "proportion_interval",
    "ratio_interval",
    "relative_rate_interval",
    "robust_rate_interval",
]

ProportionMethod = Literal["wilson", "clopper-pearson", "jeffreys"]
PROPORTION_METHODS: Final[tuple[str, ...]] = ("wilson", "clopper-pearson", "jeffreys")


@dataclass(frozen=True)
class Interval(Displayed):
    """Lower and upper confidence limits; ``None`` where the interval is undefined.

    ``summary()`` is one row with ``ci_lower`` and ``ci_upper`` (missing where undefined).

    >>> proportion_interval(45, 50).to_dict()
    {'ci_lower': 0.7864, 'ci_upper': 0.9565}
    """

    low: float | None
    high: float | None

    def summary(self) -> pd.DataFrame:
        """One row: ``ci_lower``, ``ci_upper`` (nullable floats)."""
        return pd.DataFrame({"ci_lower": [self.low], "ci_upper": [self.high]}, dtype="Float64")

    def to_dict(self) -> dict[str, float | None]:
        """JSON-ready limits, ``None`` where undefined."""
        return {"ci_lower": self.low, "ci_upper": self.high}

    def _display(self) -> Display:
        undefined = ("undefined: no information (n = 0, no exposure, or one value)",)
        notes = undefined if self.low is None and self.high is None else ()
        return Display("Confidence interval", (), self.summary(), notes=notes)


_UNDEFINED: Final = Interval(None, None)


@lru_cache(maxsize=64)
def _z(alpha: float) -> float:
    """The normal quantile with `alpha` / 2 above it (computed once per level):
    ``scipy.stats.norm.isf`` is ``-ndtri``, taken from scipy.special so that a metric's
    interval does not import scipy.stats."""
    return float(-special.ndtri(alpha / 2))


def _alpha(conf_level: float, caller: str) -> float:
    """``1 - conf_level``, checked by the shared option checker."""
    return 1.0 - check_conf_level(conf_level, caller=caller)


def _check_counts(successes: float, trials: float) -> None:
    if not (math.isfinite(successes) and math.isfinite(trials)) or trials < 0:
        raise SpecificationError(
            f"counts must be finite and non-negative, got {successes!r} of {trials!r}"
        )
    if successes < 0 or successes > trials:
        raise SpecificationError(
            f"a proportion needs 0 <= successes <= trials, got {successes!r} of {trials!r}",
            hint="the numerator of a proportion must be a subset of its denominator",
        )


def proportion_interval(
    successes: float,
    trials: float,
    *,
    method: str = "wilson",
    conf_level: float = 0.95,
) -> Interval:
    r"""Confidence interval for a binomial proportion ``successes / trials``.

    Parameters
    ----------
    successes, trials
        Counts with ``0 <= successes <= trials`` (weighted counts are accepted).
    method
        ``"wilson"`` (score interval, the default: it does not collapse at 0 or n),
        ``"clopper-pearson"`` (exact, from beta quantiles) or ``"jeffreys"`` (equal-tailed
        Beta(x + 1/2, n − x + 1/2) posterior interval).
    conf_level
        Coverage, strictly between 0 and 1.

    Returns
    -------
    Interval
        ``Interval(None, None)`` when ``trials == 0``.

    Notes
    -----
    Wilson: with :math:`\hat p = x/n` and :math:`z = \Phi^{-1}(1 - \alpha/2)`,
    :math:`\{\hat p + z^2/2n \pm z\sqrt{\hat p(1-\hat p)/n + z^2/4n^2}\}/(1 + z^2/n)`.

    Examples
    --------
    >>> proportion_interval(12, 40, method="clopper-pearson")
    Interval(low=0.1656, high=0.4653)
    """
    alpha = _alpha(conf_level, "proportion_interval")
    _check_counts(successes, trials)
    if trials == 0:
        return _UNDEFINED
    x, n = float(successes), float(trials)
    if method == "wilson":
        z = _z(alpha)
        p = x / n
        centre = p + z * z / (2 * n)
        spread = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
        scale = 1 + z * z / n
        low = 0.0 if x == 0 else max(0.0, (centre - spread) / scale)
        high = 1.0 if x == n else min(1.0, (centre + spread) / scale)
        return Interval(low, high)
    if method == "clopper-pearson":
        low = 0.0 if x == 0 else float(stats.beta.ppf(alpha / 2, x, n - x + 1))
        high = 1.0 if x == n else float(stats.beta.isf(alpha / 2, x + 1, n - x))
        return Interval(low, high)
    if method == "jeffreys":
        low = float(stats.beta.ppf(alpha / 2, x + 0.5, n - x + 0.5))
        high = float(stats.beta.isf(alpha / 2, x + 0.5, n - x + 0.5))
        return Interval(low, high)
    raise SpecificationError(
        f"unknown interval method {method!r} for a proportion",
        hint=f"use one of {', '.join(PROPORTION_METHODS)}",
    )


def poisson_rate_interval(events: float, exposure: float, *, conf_level: float = 0.95) -> Interval:
    r"""Exact (Garwood) interval for a Poisson rate ``events / exposure``.

    The limits are :math:`\chi^2_{\alpha/2,\,2x}/2E` and :math:`\chi^2_{1-\alpha/2,\,2x+2}/2E`
    (lower limit 0 when :math:`x = 0`), as ``statsmodels.stats.rates.confint_poisson(...,
    method="exact-c")`` and R's ``poisson.test``.

    Examples
    --------
    >>> poisson_rate_interval(0, 10)
    Interval(low=0.0000, high=0.3688)
    """
    alpha = _alpha(conf_level, "poisson_rate_interval")
    if not (math.isfinite(events) and math.isfinite(exposure)) or events < 0 or exposure < 0:
        raise SpecificationError(
            f"a rate needs non-negative events and exposure, got {events!r} and {exposure!r}"
        )
    if exposure == 0:
        return _UNDEFINED
    # scipy.stats.chi2's ppf and isf, from the scipy.special functions they call
    low = 0.0 if events == 0 else float(2 * special.gammaincinv(events, alpha / 2)) / 2
    high = float(special.chdtri(2 * events + 2, alpha / 2)) / 2
    return Interval(low / exposure, high / exposure)


def mean_interval(
    mean: float, std: float | None, count: float, *, conf_level: float = 0.95
) -> Interval:
    r"""Student-t interval for a mean: :math:`\bar y \pm t_{n-1}\, s/\sqrt n`.

    ``std`` is the sample standard deviation (``ddof = 1``), computed by the backend with
    a stable algorithm; the interval is undefined for fewer than two observations.

    Examples
    --------
    >>> mean_interval(2.0, 1.0, 3)  # values 1, 2, 3
    Interval(low=-0.4841, high=4.4841)
    """
    alpha = _alpha(conf_level, "mean_interval")
    if count < 2 or std is None or not math.isfinite(std):
        return _UNDEFINED
    # scipy.stats.t.isf(q, df) is -stdtrit(df, q); scipy.special spares the stats import
    half = float(-special.stdtrit(count - 1, alpha / 2)) * std / math.sqrt(count)
    return Interval(mean - half, mean + half)


@dataclass(frozen=True)
class RatioSums:
    """Sufficient statistics of a ratio of two row sums :math:`\\sum x / \\sum y`."""

    x: float
    y: float
    xx: float
    yy: float
    xy: float
    rows: float


def ratio_interval(sums: RatioSums, *, conf_level: float = 0.95) -> Interval:
    r"""Linearisation (delta-method) interval for a ratio of sums over ``rows`` units.

    With :math:`R = \sum x / \sum y` and residuals :math:`d_i = x_i - R y_i`, the variance
    is :math:`n \sum d_i^2 / ((n - 1)(\sum y)^2)` (the ratio estimator of survey sampling,
    rows as independent units); the interval uses the normal quantile.

    Examples
    --------
    >>> ratio_interval(RatioSums(x=3, y=6, xx=5, yy=14, xy=7, rows=3))  # x = 1, 0, 2; y = 1, 2, 3
    Interval(low=0.0100, high=0.9900)
    """
    alpha = _alpha(conf_level, "ratio_interval")
    if sums.rows < 2 or sums.y == 0:
        return _UNDEFINED
    ratio = sums.x / sums.y
    residual_squares = sums.xx - 2 * ratio * sums.xy + ratio * ratio * sums.yy
    variance = max(0.0, residual_squares) * sums.rows / ((sums.rows - 1) * sums.y**2)
    half = _z(alpha) * math.sqrt(variance)
    return Interval(ratio - half, ratio + half)


def robust_rate_interval(sums: RatioSums, *, conf_level: float = 0.95) -> Interval:
    r"""Interval for a rate ``sum(events) / sum(exposure)`` that stays valid when people
    differ in their own rates (over-dispersion), rows being independent people.

    The person-level linearisation (the ratio estimator's sandwich, as for ``ratio``)
    gives :math:`\hat V = n \sum_i (y_i - R t_i)^2 / ((n - 1) T^2)`, which needs no model
    of the counts; the Poisson variance would be :math:`R / T`. With the dispersion
    :math:`\hat\phi = \max(1, \hat V T / R)` the interval is the exact (Garwood) Poisson
    interval for :math:`y / \hat\phi` events in :math:`T / \hat\phi` of exposure: the
    quasi-Poisson scaling, so it keeps the exact interval's asymmetry for small counts, is
    never narrower than it, and has the robust variance when counts are over-dispersed.
    With no events (or one person) it is the exact Poisson interval.

    Examples
    --------
    Two people with 75 person-years each: 6 and 6 events (no extra variation: the exact
    Poisson interval), then 12 and 0 (the same rate, far less certain):

    >>> robust_rate_interval(RatioSums(x=12, y=150, xx=72, yy=11250, xy=900, rows=2))
    Interval(low=0.0413, high=0.1397)
    >>> robust_rate_interval(RatioSums(x=12, y=150, xx=144, yy=11250, xy=900, rows=2))
    Interval(low=0.0020, high=0.4457)
    """
    alpha = _alpha(conf_level, "robust_rate_interval")
    if sums.y == 0:
        return _UNDEFINED
    rate = sums.x / sums.y
    dispersion = 1.0
    if sums.rows >= 2 and rate > 0:
        residual_squares = sums.xx - 2 * rate * sums.xy + rate * rate * sums.yy
        variance = max(0.0, residual_squares) * sums.rows / ((sums.rows - 1) * sums.y**2)
        dispersion = max(1.0, variance * sums.y / rate)
    return poisson_rate_interval(sums.x / dispersion, sums.y / dispersion, conf_level=1.0 - alpha)


def relative_rate_interval(
    events: float,
    total: float,
    reference_events: float,
    reference_total: float,
    *,
    conf_level: float = 0.95,
) -> Interval:
    r"""Katz log interval for a ratio of two proportions (relative rate, risk ratio).

    With :math:`RR = (a/n)/(c/m)`, :math:`\mathrm{SE}(\log RR) = \sqrt{1/a - 1/n + 1/c -
    1/m}` and the interval is :math:`RR\,e^{\pm z\,\mathrm{SE}}` (Katz et al. 1978), the
    interval OJJDP's relative rate index and ``epitools::riskratio`` use. Undefined when a
    count is 0.

    Examples
    --------
    >>> relative_rate_interval(30, 100, 20, 100)  # RR 1.5
    Interval(low=0.9160, high=2.4564)
    """
    alpha = _alpha(conf_level, "relative_rate_interval")
    _check_counts(events, total)
    _check_counts(reference_events, reference_total)
    if min(events, total, reference_events, reference_total) <= 0:
        return _UNDEFINED
    ratio = (events / total) / (reference_events / reference_total)
    se = math.sqrt(1 / events - 1 / total + 1 / reference_events - 1 / reference_total)
    z = _z(alpha)
    return Interval(ratio * math.exp(-z * se), ratio * math.exp(z * se))
