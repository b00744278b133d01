"""Multiplier bootstrap of influence functions: standard errors and uniform bands.

Each draw multiplies every area's influence-function row by an independent weight with
mean 0 and variance 1 (Rademacher, as R ``did`` uses, or Mammen's two-point weights),
so the bootstrap is clustered by area. As in R ``did`` the standard error of column
``j`` is the interquartile range of its draws divided by that of a standard normal,
and the uniform critical value is the ``conf_level`` quantile (type 1, the order
statistic) of the largest standardised absolute draw across columns.

Examples
--------
>>> import numpy as np
>>> rng = np.random.default_rng(1)
>>> influence = rng.normal(size=(400, 3))
>>> fit = multiplier_bootstrap(influence, n_boot=999, conf_level=0.95,
...                            rng=np.random.default_rng(2), progress=False)
>>> bool(np.all(np.abs(fit.std_error * np.sqrt(400) - 1) < 0.2)), bool(1.96 < fit.crit_val < 3)
(True, True)
"""

from __future__ import annotations

from statistics import NormalDist
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

__all__ = ["Bootstrap", "generic_draws", "multiplier_bootstrap", "multipliers", "summarise"]

FloatArray = NDArray[np.float64]

_BLOCK = 128  # draws per block: bounds memory and drives the progress bar
_IQR_NORMAL = 2.0 * NormalDist().inv_cdf(0.75)  # equal to scipy's norm.ppf difference
_TINY = float(np.sqrt(np.finfo(float).eps) * 10)


class Bootstrap(NamedTuple):
    """Bootstrap standard errors (NaN where the draws are degenerate) and the uniform
    critical value over the non-degenerate columns."""

    std_error: FloatArray
    crit_val: float


def multipliers(rng: np.random.Generator, size: tuple[int, int], kind: str) -> FloatArray:
    """Weights with mean 0 and variance 1: ``"rademacher"`` (+-1) or ``"mammen"``."""
    if kind == "rademacher":
        return rng.integers(0, 2, size=size).astype(np.float64) * 2.0 - 1.0
    root5 = np.sqrt(5.0)
    low = rng.random(size) < (root5 + 1) / (2 * root5)
    return np.asarray(np.where(low, (1 - root5) / 2, (1 + root5) / 2), dtype=np.float64)


def generic_draws(
    influence: FloatArray,
    cohort_index: NDArray[np.int64],
    *,
    n_boot: int,
    rng: np.random.Generator,
    kind: str,
    progress: bool,
) -> tuple[FloatArray, FloatArray]:
    """Draws ``sum_i v_i psi_i / sqrt(n)`` (``n_boot x k``) and, from the same weights,
    the per-cohort sums ``sum_{i in cohort} v_i / sqrt(n)``."""
    from tqdm.auto import tqdm

    n = influence.shape[0]
    n_cohorts = int(cohort_index.max()) + 1
    onehot = np.zeros((n, n_cohorts))
    onehot[np.arange(n), cohort_index] = 1.0
    out = np.empty((n_boot, influence.shape[1]))
    cohorts = np.empty((n_boot, n_cohorts))
    starts = range(0, n_boot, _BLOCK)
    for start in tqdm(starts, desc="multiplier bootstrap", disable=not progress, leave=False):
        stop = min(start + _BLOCK, n_boot)
        weights = multipliers(rng, (stop - start, n), kind)
        out[start:stop] = weights @ influence
        cohorts[start:stop] = weights @ onehot
    return out / np.sqrt(n), cohorts / np.sqrt(n)


def summarise(draws: FloatArray, *, n: int, conf_level: float) -> Bootstrap:
    """Standard errors (IQR of the draws over that of a normal, divided by sqrt(n)) and
    the uniform critical value, from ``n_boot x k`` draws of ``sum_i v_i psi_i / sqrt(n)``."""
    n_boot = draws.shape[0]
    ok = np.isfinite(draws).all(axis=0) & ((draws**2).sum(axis=0) > _TINY)
    ordered = np.sort(draws[:, ok], axis=0)
    upper = ordered[int(np.ceil(0.75 * n_boot)) - 1]
    lower = ordered[int(np.ceil(0.25 * n_boot)) - 1]
    sigma = (upper - lower) / _IQR_NORMAL
    std_error = np.full(draws.shape[1], np.nan)
    std_error[ok] = sigma / np.sqrt(n)
    usable = ok.copy()
    usable[ok] = sigma > 0
    if not usable.any():
        return Bootstrap(std_error, float("nan"))
    biggest = np.sort(np.max(np.abs(draws[:, usable] / sigma[sigma > 0]), axis=1))
    index = max(int(np.ceil(conf_level * n_boot)) - 1, 0)
    return Bootstrap(std_error, float(biggest[index]))


def multiplier_bootstrap(
    influence: FloatArray,
    *,
    n_boot: int,
    conf_level: float,
    rng: np.random.Generator,
    multiplier: str = "rademacher",
    progress: bool = True,
) -> Bootstrap:
    """Standard errors and the uniform critical value from ``n_boot`` multiplier draws
    of the ``(n_areas, k)`` influence matrix."""
    cohorts = np.zeros(influence.shape[0], dtype=np.int64)
    out, _ = generic_draws(
        influence, cohorts, n_boot=n_boot, rng=rng, kind=multiplier, progress=progress
    )
    return summarise(out, n=influence.shape[0], conf_level=conf_level)
