"""Fixed-window re-arrest rates: 1 − KM at each window, and BJS-style complete follow-up."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from rpeval.errors import SpecificationError
from rpeval.recidivism._product_limit import product_limit, step_values
from rpeval.recidivism._survival_data import survival_arrays
from rpeval.recidivism.kaplan_meier import confidence_limits

__all__ = ["RATE_COLUMNS", "recidivism_rates"]

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
    "p_value",
)


def recidivism_rates(
    data: pd.DataFrame,
    duration: str,
    event: str,
    windows: Sequence[float],
    *,
    group: str | None = None,
    conf_level: float = 0.95,
) -> pd.DataFrame:
    """Cumulative re-arrest at fixed windows, two ways, by group.

    ``cumulative_incidence`` is ``1 − S(window)`` from the Kaplan–Meier curve with the
    log-scale CI of ``S`` (it uses everyone, censored or not). ``complete_proportion`` is
    the BJS-style share among the ``complete_n`` people observed for the whole window (an
    event within it, or follow-up of at least the window), with a Wilson CI.

    With exactly two groups, one more row per window (``group`` = ``"<b> - <a>"``) holds
    the difference in cumulative incidence (second minus first group) with a delta-method
    CI, and ``p_value`` from the complementary log-log test of equal survival at the window
    (``z = (log(-log S_b) - log(-log S_a)) / sqrt(var_a + var_b)`` with
    ``var = se(log S)^2 / log(S)^2``; Klein et al. 2007).

    Returns
    -------
    pandas.DataFrame
        Columns: ``group``, ``window``, ``cumulative_incidence``, ``ci_lower``,
        ``ci_upper``, ``n_risk``, ``complete_n``, ``complete_events``,
        ``complete_proportion``, ``complete_ci_lower``, ``complete_ci_upper``, ``p_value``.

    Examples
    --------
    >>> from rpeval.datasets import load_rossi
    >>> rates = recidivism_rates(load_rossi(), "week", "arrest", [52], group="fin")
    >>> rates["cumulative_incidence"].round(3).tolist()
    [0.306, 0.222, -0.083]
    """
    grid = np.asarray(windows, dtype=np.float64)
    if grid.ndim != 1 or grid.size == 0 or np.any(~np.isfinite(grid)) or np.any(grid <= 0):
        raise SpecificationError(
            f"recidivism_rates(): windows={list(windows)!r} must be positive numbers",
            hint="e.g. windows=[365, 730, 1095] for 1, 2 and 3 years in days",
        )
    if not 0.0 < conf_level < 1.0:
        raise SpecificationError(f"recidivism_rates(): conf_level={conf_level} must be in (0, 1)")
    arrays = survival_arrays(
        data, duration, event, group=group, weights=None, caller="recidivism_rates"
    )
    frames = []
    curves = {}
    for code, label in enumerate(arrays.group_labels):
        time, status, weights = arrays.select(code)
        pl = product_limit(time, status, weights)
        surv = step_values(pl.time, pl.survival, grid, 1.0)
        se_log = step_values(pl.time, pl.se_log, grid, 0.0)
        curves[label] = (surv, se_log)
        lower, upper = confidence_limits(surv, se_log, conf_level, "log")
        position = np.searchsorted(pl.time, grid, side="left")
        n_risk = np.concatenate([pl.n_risk, [0.0]])[position]
        events_within = status[None, :] & (time[None, :] <= grid[:, None])
        complete = events_within | (time[None, :] >= grid[:, None])
        n_complete = complete.sum(axis=1)
        n_events = events_within.sum(axis=1)
        share = np.divide(
            n_events, n_complete, out=np.full(grid.size, np.nan), where=n_complete > 0
        )
        low, high = proportion_confint(
            n_events, np.maximum(n_complete, 1), alpha=1 - conf_level, method="wilson"
        )
        frames.append(
            pd.DataFrame(
                {
                    "group": label,
                    "window": grid,
                    "cumulative_incidence": 1.0 - surv,
                    "ci_lower": 1.0 - upper,
                    "ci_upper": 1.0 - lower,
                    "n_risk": n_risk,
                    "complete_n": n_complete,
                    "complete_events": n_events,
                    "complete_proportion": share,
                    "complete_ci_lower": np.where(n_complete > 0, low, np.nan),
                    "complete_ci_upper": np.where(n_complete > 0, high, np.nan),
                    "p_value": np.nan,
                }
            )
        )
    if len(curves) == 2:
        frames.append(_difference(curves, grid, conf_level))
    return pd.concat(frames, ignore_index=True).loc[:, list(RATE_COLUMNS)]


def _difference(
    curves: dict[str, tuple[np.ndarray, np.ndarray]], grid: np.ndarray, conf_level: float
) -> pd.DataFrame:
    (a, (s_a, se_a)), (b, (s_b, se_b)) = curves.items()
    z = stats.norm.ppf(0.5 + conf_level / 2.0)
    diff = s_a - s_b  # (1 - S_b) - (1 - S_a)
    with np.errstate(divide="ignore", invalid="ignore"):
        se = np.hypot(np.where(s_a > 0, s_a * se_a, 0.0), np.where(s_b > 0, s_b * se_b, 0.0))
        theta = np.log(-np.log(s_b)) - np.log(-np.log(s_a))
        se_theta = np.hypot(se_a / np.log(s_a), se_b / np.log(s_b))
        p_value = 2 * stats.norm.sf(np.abs(theta / se_theta))
    return pd.DataFrame(
        {
            "group": f"{b} - {a}",
            "window": grid,
            "cumulative_incidence": diff,
            "ci_lower": diff - z * se,
            "ci_upper": diff + z * se,
            "n_risk": np.nan,
            "complete_n": np.nan,
            "complete_events": np.nan,
            "complete_proportion": np.nan,
            "complete_ci_lower": np.nan,
            "complete_ci_upper": np.nan,
            "p_value": np.where(np.isfinite(p_value), p_value, np.nan),
        }
    )
