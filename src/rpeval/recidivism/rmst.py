"""Restricted mean survival time ("arrest-free days within tau") by group."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import stats

from rpeval.errors import DataError, SpecificationError
from rpeval.recidivism._product_limit import product_limit
from rpeval.recidivism._survival_data import survival_arrays

__all__ = ["RMSTResult", "rmst"]

FloatArray = NDArray[np.float64]


def _area_and_se(
    time: FloatArray, event: NDArray[np.bool_], weights: FloatArray, tau: float
) -> tuple[float, float]:
    """Area under the KM curve on ``[0, tau]`` and its standard error (R ``survmean``).

    ``var = sum_{t_j <= tau} A_j^2 d_j / (n_j (n_j - d_j))`` where ``A_j`` is the area
    under the curve from ``t_j`` to ``tau``.
    """
    pl = product_limit(time, event, weights)
    inside = pl.time <= tau
    knots = np.concatenate([[0.0], pl.time[inside], [tau]])
    heights = np.concatenate([[1.0], pl.survival[inside]])
    pieces = np.diff(knots) * heights
    area = float(pieces.sum())
    area_after = np.cumsum(pieces[::-1])[::-1][1:]  # from each t_j to tau
    d, n = pl.n_event[inside], pl.n_risk[inside]
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where((d > 0) & (n > d), area_after**2 * d / (n * (n - d)), 0.0)
    return area, float(np.sqrt(terms.sum()))


@dataclass(frozen=True)
class RMSTResult:
    """RMST per group and, for two groups, their difference and ratio."""

    tau: float
    conf_level: float
    groups: pd.DataFrame
    contrasts: pd.DataFrame

    def summary(self) -> pd.DataFrame:
        """Per group: ``group``, ``tau``, ``rmst``, ``std_error``, ``ci_lower``, ``ci_upper``."""
        return self.groups.copy()

    def to_dict(self) -> dict[str, Any]:
        return {
            "tau": self.tau,
            "conf_level": self.conf_level,
            "groups": self.groups.to_dict(orient="records"),
            "contrasts": self.contrasts.to_dict(orient="records"),
        }

    def _repr_html_(self) -> str:
        return self.groups.to_html(index=False) + self.contrasts.to_html(index=False)


def rmst(
    data: pd.DataFrame,
    duration: str,
    event: str,
    tau: float,
    *,
    group: str | None = None,
    conf_level: float = 0.95,
) -> RMSTResult:
    """Restricted mean survival time to ``tau``, by group, with difference and ratio.

    Parameters
    ----------
    tau
        Horizon, in the units of ``duration``; it may not exceed the last observed time of
        any group (the curve would be extrapolated).

    Returns
    -------
    RMSTResult
        ``groups`` (``group``, ``tau``, ``rmst``, ``std_error``, ``ci_lower``, ``ci_upper``)
        and, with exactly two groups, ``contrasts``: the ``difference`` (second minus first
        group) and the ``ratio`` (second over first, CI on the log scale by the delta
        method) with ``estimate``, ``std_error``, ``ci_lower``, ``ci_upper``, ``p_value``.

    Notes
    -----
    The variance is the one R prints with ``print(survfit(...), rmean = tau)``; agrees with
    R survival 3.5 to 1e-8 on the Rossi data at tau 52 and 40.

    Examples
    --------
    >>> from rpeval.datasets import load_rossi
    >>> result = rmst(load_rossi(), "week", "arrest", 52, group="fin")
    >>> result.groups["rmst"].round(2).tolist()
    [44.83, 46.88]
    """
    if not np.isfinite(tau) or tau <= 0:
        raise SpecificationError(f"rmst(): tau={tau} must be a positive number")
    if not 0.0 < conf_level < 1.0:
        raise SpecificationError(f"rmst(): conf_level={conf_level} must lie in (0, 1)")
    arrays = survival_arrays(data, duration, event, group=group, weights=None, caller="rmst")
    z = stats.norm.ppf(0.5 + conf_level / 2.0)
    rows = []
    for code, label in enumerate(arrays.group_labels):
        time, status, weights = arrays.select(code)
        if tau > time.max():
            raise DataError(
                f"rmst(): tau={tau} is beyond the last time ({time.max():g}) of {label}",
                hint="choose tau no larger than the shortest group's follow-up",
            )
        area, se = _area_and_se(time, status, weights, tau)
        rows.append(
            {
                "group": label,
                "tau": tau,
                "rmst": area,
                "std_error": se,
                "ci_lower": area - z * se,
                "ci_upper": area + z * se,
            }
        )
    groups = pd.DataFrame(rows)
    return RMSTResult(float(tau), conf_level, groups, _contrasts(groups, z))


def _contrasts(groups: pd.DataFrame, z: float) -> pd.DataFrame:
    columns = ["contrast", "estimate", "std_error", "ci_lower", "ci_upper", "p_value"]
    if len(groups) != 2:
        return pd.DataFrame(columns=columns)
    m0, m1 = groups["rmst"].to_numpy()
    s0, s1 = groups["std_error"].to_numpy()
    a, b = groups["group"].tolist()
    diff, se_diff = m1 - m0, float(np.hypot(s0, s1))
    log_ratio, se_log = np.log(m1 / m0), float(np.hypot(s0 / m0, s1 / m1))
    return pd.DataFrame(
        [
            [
                f"difference ({b} - {a})",
                diff,
                se_diff,
                diff - z * se_diff,
                diff + z * se_diff,
                2 * stats.norm.sf(abs(diff / se_diff)),
            ],
            [
                f"ratio ({b} / {a})",
                m1 / m0,
                se_log * m1 / m0,
                np.exp(log_ratio - z * se_log),
                np.exp(log_ratio + z * se_log),
                2 * stats.norm.sf(abs(log_ratio / se_log)),
            ],
        ],
        columns=columns,
    )
