"""`RecidivismRates` and the columns both window estimators fill in.

The Kaplan–Meier path (:mod:`.windows`) and the competing-risks path
(:mod:`._competing_windows`) share the result, the BJS complete-follow-up counts and the
differences between groups (computed on ``S`` or on ``1 − F``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from rpeval._display import Display, Displayed
from rpeval._inference import two_sided_p, z_quantile
from rpeval._json import records
from rpeval._lazy import special
from rpeval.recidivism.survival._curve_intervals import ConfType

__all__ = [
    "DIFFERENCE_COLUMNS",
    "RATE_COLUMNS",
    "RecidivismRates",
    "complete_follow_up",
    "wilson_bounds",
    "window_differences",
]

FloatArray = NDArray[np.float64]
RATE_COLUMNS = (
    "group",
    "window",
    "cumulative_incidence",
    "ci_lower",
    "ci_upper",
    "n_risk",
    "complete_n",
    "complete_events",
    "complete_proportion",
    "complete_ci_lower",
    "complete_ci_upper",
)
DIFFERENCE_COLUMNS = (
    "group",
    "reference",
    "window",
    "difference",
    "std_error",
    "ci_lower",
    "ci_upper",
    "cumulative_hazard_ratio",
    "cumulative_hazard_ratio_lower",
    "cumulative_hazard_ratio_upper",
    "statistic",
    "p_value",
)


@dataclass(frozen=True, repr=False)
class RecidivismRates(Displayed):
    """Re-arrest by fixed windows, by group, and each group's difference from the first."""

    rates: pd.DataFrame
    differences_table: pd.DataFrame
    windows: tuple[float, ...]
    groups: tuple[Any, ...]
    conf_level: float
    conf_type: ConfType
    n_dropped: int
    notes: tuple[str, ...] = ()

    def summary(self) -> pd.DataFrame:
        """One row per group and window (columns in :data:`RATE_COLUMNS`).

        ``cumulative_incidence`` is ``1 − S(window)`` from the Kaplan–Meier curve, with
        ``ci_lower``/``ci_upper`` from the curve's interval (``conf_type``) and ``n_risk``
        the number still at risk at the window. ``complete_n`` counts the people observed
        for the whole window, ``complete_events`` those of them re-arrested within it and
        ``complete_proportion`` their ratio (the Bureau of Justice Statistics definition),
        with a Wilson interval. "Observed for the whole window" means ``followup >=
        window`` when ``followup`` was given, otherwise re-arrested within the window or
        followed at least that long.
        """
        return self.rates.copy()

    def differences(self) -> pd.DataFrame:
        """Each group against the first, at each window (columns in :data:`DIFFERENCE_COLUMNS`).

        ``difference`` is ``F_g − F_0`` of the cumulative incidences ``F = 1 − S`` with a
        Wald interval from ``std_error = sqrt(var S_g + var S_0)`` (Greenwood).
        ``cumulative_hazard_ratio`` is ``log S_g / log S_0`` with its interval on the
        ``log(−log S)`` scale; ``statistic`` is the z statistic of
        ``log(−log S_g) − log(−log S_0)`` (variance ``var(log S) / (log S)^2`` per group,
        delta method) and ``p_value`` tests equal survival at the window (Klein et al.
        2007). Empty with one group.
        """
        return self.differences_table.copy()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary of both tables."""

        return {
            "estimator": "recidivism_rates",
            "windows": list(self.windows),
            "conf_level": self.conf_level,
            "conf_type": self.conf_type,
            "n_dropped": self.n_dropped,
            "notes": list(self.notes),
            "rates": records(self.rates),
            "differences": records(self.differences_table),
        }

    def _display(self) -> Display:
        from rpeval.recidivism._display import rates_display

        return rates_display(self)


def complete_follow_up(
    time: FloatArray,
    event: NDArray[np.bool_],
    followup: FloatArray | None,
    grid: FloatArray,
    conf_level: float,
    any_event: NDArray[np.bool_] | None = None,
) -> dict[str, FloatArray]:
    """BJS-style counts: who was observed for the whole window, and who was re-arrested.

    ``any_event`` (competing risks) marks events of any cause: someone who died within
    the window was observed for it (their outcome, no re-arrest, is known).
    """
    within = event[None, :] & (time[None, :] <= grid[:, None])
    if followup is None:
        ended = any_event if any_event is not None else event
        resolved = ended[None, :] & (time[None, :] <= grid[:, None])
        observed = resolved | (time[None, :] >= grid[:, None])
    else:
        observed = followup[None, :] >= grid[:, None]
        within &= observed
    n = observed.sum(axis=1).astype(np.float64)
    k = within.sum(axis=1).astype(np.float64)
    safe = np.maximum(n, 1.0)
    low, high = wilson_bounds(k, safe, conf_level)
    empty = n == 0
    return {
        "complete_n": n,
        "complete_events": k,
        "complete_proportion": np.where(empty, np.nan, k / safe),
        "complete_ci_lower": np.where(empty, np.nan, np.asarray(low, np.float64)),
        "complete_ci_upper": np.where(empty, np.nan, np.asarray(high, np.float64)),
    }


def wilson_bounds(
    successes: FloatArray, trials: FloatArray, conf_level: float
) -> tuple[FloatArray, FloatArray]:
    """Wilson score intervals of ``successes`` in ``trials`` (``trials > 0``), computed as
    statsmodels' ``proportion_confint(method="wilson")`` computes them, operation for
    operation (so the same bits), without importing statsmodels and ``scipy.stats``.

    Examples
    --------
    >>> low, high = wilson_bounds(np.array([3.0]), np.array([10.0]), 0.95)
    >>> round(float(low[0]), 4), round(float(high[0]), 4)
    (0.1078, 0.6032)
    """
    q = successes / trials
    alpha = (1 - conf_level) / 2.0
    crit = -special.ndtri(alpha)  # scipy.stats.norm.isf(alpha), the same bits
    crit2 = crit**2
    denom = 1 + crit2 / trials
    center = (q + crit2 / (2 * trials)) / denom
    dist = crit * np.sqrt(q * (1.0 - q) / trials + crit2 / (4.0 * trials**2))
    dist /= denom
    return np.clip(center - dist, 0, 1), np.clip(center + dist, 0, 1)


def window_differences(
    at: pd.DataFrame, groups: tuple[Any, ...], grid: FloatArray, conf_level: float
) -> pd.DataFrame:
    z = z_quantile(conf_level)
    m = grid.shape[0]
    surv = at["survival"].to_numpy().reshape(len(groups), m)
    se = at["std_error"].to_numpy().reshape(len(groups), m)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_s = np.log(surv)
        cloglog = np.log(-log_s)
        v_cloglog = (se / surv) ** 2 / log_s**2  # var(log S) / (log S)^2
    frames = []
    for k in range(1, len(groups)):
        diff = surv[0] - surv[k]  # (1 - S_k) - (1 - S_0)
        se_diff = np.sqrt(se[0] ** 2 + se[k] ** 2)
        with np.errstate(divide="ignore", invalid="ignore"):
            theta = cloglog[k] - cloglog[0]
            se_theta = np.sqrt(v_cloglog[k] + v_cloglog[0])
            statistic = theta / se_theta
        ok = np.isfinite(statistic)
        frames.append(
            pd.DataFrame(
                {
                    "group": [groups[k]] * m,
                    "reference": [groups[0]] * m,
                    "window": grid,
                    "difference": diff,
                    "std_error": se_diff,
                    "ci_lower": diff - z * se_diff,
                    "ci_upper": diff + z * se_diff,
                    "cumulative_hazard_ratio": np.where(ok, np.exp(theta), np.nan),
                    "cumulative_hazard_ratio_lower": np.where(
                        ok, np.exp(theta - z * se_theta), np.nan
                    ),
                    "cumulative_hazard_ratio_upper": np.where(
                        ok, np.exp(theta + z * se_theta), np.nan
                    ),
                    "statistic": np.where(ok, statistic, np.nan),
                    "p_value": np.where(
                        ok, two_sided_p(np.asarray(statistic, dtype=np.float64)), np.nan
                    ),
                }
            )
        )
    if not frames:
        return pd.DataFrame({c: [] for c in DIFFERENCE_COLUMNS})
    return pd.concat(frames, ignore_index=True).loc[:, list(DIFFERENCE_COLUMNS)]
