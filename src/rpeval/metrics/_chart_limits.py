"""Control limits of Shewhart charts: pure functions on numpy arrays.

Each kernel takes the per-period numerators ``x`` and denominators ``n`` (or values), a
boolean ``baseline`` mask saying which periods estimate the centre and the spread, and the
limit multiplier ``k`` (3 for the usual 3-sigma limits). It returns :class:`Limits`: the
centre line and, for every period, the sigma of its plotted point and the lower and upper
limits. Periods with no usable point (a zero denominator) have NaN sigma and limits.

Formulas (Montgomery, *Introduction to Statistical Quality Control*, 7th ed., ch. 7;
Laney 2002, *Quality Engineering* 14(4):531–537; Wheeler, *Understanding Variation*):

- p chart: ``p̄ = Σx/Σn`` (baseline), ``σᵢ = √(p̄(1−p̄)/nᵢ)``, limits ``p̄ ± kσᵢ`` in [0, 1];
- u chart: ``ū = Σx/Σn``, ``σᵢ = √(ū/nᵢ)``, lower limit at least 0;
- Laney p′ and u′: the p or u sigma times ``σ_z = MR̄(z)/1.128``, where
  ``zᵢ = (pᵢ − p̄)/σᵢ`` and ``MR̄(z)`` is the mean moving range of consecutive baseline z's;
- c chart: ``c̄`` the mean count, limits ``c̄ ± k√c̄``, lower at least 0;
- XmR (individuals): ``x̄`` the mean, ``σ = MR̄/1.128``, limits ``x̄ ± kσ`` (2.66·MR̄ for k=3).

>>> import numpy as np
>>> x = np.array([12.0, 15, 8]); n = np.array([50.0, 50, 50])
>>> limits = p_limits(x, n, np.ones(3, bool), 3.0)
>>> round(limits.center, 4), round(float(limits.upper[0]), 4)
(0.2333, 0.4128)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
from numpy.typing import NDArray

__all__ = ["D2", "Limits", "c_limits", "laney_limits", "p_limits", "u_limits", "xmr_limits"]

D2: Final = 1.128  # d2 for moving ranges of two (unbiasing constant of the moving range)

Array = NDArray[np.float64]
Mask = NDArray[np.bool_]


@dataclass(frozen=True)
class Limits:
    """Centre line, per-period sigma and limits; ``sigma_z`` for Laney charts (else NaN)."""

    center: float
    sigma: Array
    lower: Array
    upper: Array
    sigma_z: float = float("nan")
    mean_moving_range: float = float("nan")


def _safe_sqrt_ratio(numerator: float, n: Array) -> Array:
    out = np.full(n.shape, np.nan)
    positive = n > 0
    out[positive] = np.sqrt(numerator / n[positive])
    return out


def _bounded(center: float, sigma: Array, k: float, low: float, high: float) -> Limits:
    with np.errstate(invalid="ignore"):
        lower = np.clip(center - k * sigma, low, high)
        upper = np.clip(center + k * sigma, low, high)
    return Limits(center, sigma, lower, upper)


def p_limits(x: Array, n: Array, baseline: Mask, k: float) -> Limits:
    """p chart: proportion nonconforming with exact limits for each period's ``n``."""
    used = baseline & (n > 0)
    center = float(x[used].sum() / n[used].sum())
    sigma = _safe_sqrt_ratio(center * (1.0 - center), n)
    return _bounded(center, sigma, k, 0.0, 1.0)


def u_limits(x: Array, n: Array, baseline: Mask, k: float) -> Limits:
    """u chart: events per unit of exposure with exact limits for each period's ``n``."""
    used = baseline & (n > 0)
    center = float(x[used].sum() / n[used].sum())
    sigma = _safe_sqrt_ratio(center, n)
    return _bounded(center, sigma, k, 0.0, np.inf)


def mean_moving_range(values: Array) -> float:
    """Mean absolute difference of consecutive finite values (in the order given)."""
    finite = values[np.isfinite(values)]
    return float(np.mean(np.abs(np.diff(finite))))


def laney_limits(x: Array, n: Array, baseline: Mask, k: float, *, proportion: bool) -> Limits:
    """Laney p′ (``proportion=True``) or u′ chart: binomial/Poisson sigma times ``σ_z``."""
    base = p_limits(x, n, baseline, k) if proportion else u_limits(x, n, baseline, k)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = (x / n - base.center) / base.sigma
    moving = mean_moving_range(np.where(baseline, z, np.nan))
    sigma_z = moving / D2
    high = 1.0 if proportion else np.inf
    scaled = _bounded(base.center, base.sigma * sigma_z, k, 0.0, high)
    return Limits(scaled.center, scaled.sigma, scaled.lower, scaled.upper, sigma_z, moving)


def c_limits(x: Array, baseline: Mask, k: float) -> Limits:
    """c chart: counts per period (equal opportunity), Poisson limits around ``c̄``."""
    center = float(np.mean(x[baseline]))
    sigma = np.full(x.shape, np.sqrt(center))
    return _bounded(center, sigma, k, 0.0, np.inf)


def xmr_limits(values: Array, baseline: Mask, k: float) -> Limits:
    """Individuals chart: centre ``x̄``, sigma ``MR̄/1.128`` from baseline moving ranges."""
    center = float(np.nanmean(values[baseline]))
    moving = mean_moving_range(np.where(baseline, values, np.nan))
    sigma = np.where(np.isfinite(values), moving / D2, np.nan)
    limits = _bounded(center, sigma, k, -np.inf, np.inf)
    return Limits(center, sigma, limits.lower, limits.upper, mean_moving_range=moving)
