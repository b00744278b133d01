"""Outcomes of a weighted design with the weights' estimation in their variance.

Weights from a fitted propensity model (or entropy balancing) are estimates; a variance
that treats them as known is not valid (too narrow for an IPW ATT in the validity study).
Every statistic ``F`` here — the Cox log hazard ratio, each group's re-arrest risk
``1 - S(t)`` by a window and its RMST — is one block of a stacked M-estimator with the
weighting model (Lunceford & Davidian 2004; for Cox, Shu et al. 2021): its influence is
``phi_i = w_i g_i + (sum_k g_k dw_k/dnu) (-J^-1 psi_i)`` with ``g_i = dF/dw_i`` (Cox:
the score residuals; Kaplan–Meier and RMST:
:func:`rpeval.recidivism.survival.influence.weight_derivatives`) and ``-J^-1 psi_i`` from
:meth:`rpeval.matching.WeightResult.weight_influence`; the variance is ``sum_i phi_i phi_i'``
over every unit weighed, so contrasts carry the groups' covariance.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from rpeval._inference import two_sided_p, z_quantile

__all__ = ["corrected_cox", "corrected_rates", "corrected_rmst", "cox_influence", "rate_influence"]

FloatArray = NDArray[np.float64]


def _influence(parts: Any, own: FloatArray, slope: FloatArray) -> FloatArray:
    """Units x statistics: each statistic's own-row influence ``own`` (data rows x k) plus
    what the weights' estimation adds through ``slope = dF/dw`` (data rows x k)."""
    phi = np.zeros((parts.influence.shape[0], own.shape[1]))
    phi[parts.rows] = own
    phi += parts.influence @ (parts.derivative.T @ slope)
    return phi


def cox_influence(fit: Any, weights: FloatArray, parts: Any) -> FloatArray:
    """Each unit's influence on the weighted Cox coefficients (units x terms), the
    weights' estimation included: ``beta_hat - beta ~ sum_i phi_i``."""
    residuals = fit.score_residuals()
    return np.asarray(
        _influence(parts, weights[:, None] * residuals, residuals) @ fit.covariance,
        dtype=np.float64,
    )


def corrected_cox(fit: Any, weights: FloatArray, parts: Any) -> Any:
    """The weighted Cox fit with its robust covariance replaced by the stacked sandwich."""
    phi = cox_influence(fit, weights, parts)
    return dataclasses.replace(fit, robust_covariance=phi.T @ phi)


def _group_columns(
    sample: pd.DataFrame, treated: str, windows: list[int], tau: float
) -> tuple[FloatArray, FloatArray, dict[bool, dict[str, Any]]]:
    """Per group (True, False): risks by window and RMST, and their dF/dw over all rows
    (columns: treated risks, comparison risks, treated RMST, comparison RMST)."""
    from rpeval.recidivism.survival.influence import weight_derivatives

    time = sample["time_at_risk"].to_numpy(np.float64)
    event = sample["rearrest"].to_numpy() == 1
    weights = sample["weights"].to_numpy(np.float64)
    is_treated = sample[treated].to_numpy(dtype=bool)
    k = len(windows)
    slope = np.zeros((len(sample), 2 * k + 2))
    found: dict[bool, dict[str, Any]] = {}
    for position, flag in enumerate((True, False)):
        rows = is_treated == flag
        parts = weight_derivatives(
            time[rows], event[rows], weights[rows], times=[float(w) for w in windows], tau=tau
        )
        assert parts.rmst is not None
        assert parts.area is not None
        slope[rows, position * k : (position + 1) * k] = -parts.survival  # risk = 1 - S
        slope[rows, 2 * k + position] = parts.rmst
        found[flag] = {
            "risk": 1.0 - parts.estimate,
            "rmst": parts.area,
            "n": int(rows.sum()),
            "events": int(event[rows].sum()),
        }
    return slope, weights, found


def rate_influence(
    sample: pd.DataFrame, treated: str, windows: list[int], tau: float, parts: Any
) -> tuple[FloatArray, dict[bool, dict[str, Any]]]:
    """Each unit's influence (units x statistics) on the participants' risks by window,
    the comparison group's, then the two RMSTs; and the estimates by group."""
    slope, weights, found = _group_columns(sample, treated, windows, tau)
    return _influence(parts, weights[:, None] * slope, slope), found


def _loglog_interval(risk: float, se: float, z: float) -> tuple[float, float]:
    """Interval for a risk ``1 - S`` from the log-log interval of ``S`` (inside [0, 1])."""
    survival = 1.0 - risk
    if se == 0 or survival in (0.0, 1.0):
        return risk, risk
    spread = z * se / (survival * abs(math.log(survival)))
    low_s, high_s = survival ** math.exp(spread), survival ** math.exp(-spread)
    return 1.0 - high_s, 1.0 - low_s


def corrected_rates(
    sample: pd.DataFrame,
    treated: str,
    windows: list[int],
    conf_level: float,
    tau: float,
    parts: Any,
) -> tuple[pd.DataFrame, Any]:
    """Window risks (1 − weighted Kaplan–Meier) by group with their difference, and the
    RMST by group, all with the stacked-sandwich variance."""
    phi, found = rate_influence(sample, treated, windows, tau, parts)
    covariance = phi.T @ phi
    z = z_quantile(conf_level)
    k = len(windows)
    rows = []
    for j, window in enumerate(windows):
        program, comparison = found[True]["risk"][j], found[False]["risk"][j]
        v1, v0, c = covariance[j, j], covariance[k + j, k + j], covariance[j, k + j]
        se_difference = math.sqrt(max(v1 + v0 - 2 * c, 0.0))
        difference = program - comparison
        t_low, t_high = _loglog_interval(program, math.sqrt(v1), z)
        c_low, c_high = _loglog_interval(comparison, math.sqrt(v0), z)
        rows.append(
            {
                "window": float(window),
                "treated": program,
                "treated_ci_lower": t_low,
                "treated_ci_upper": t_high,
                "comparison": comparison,
                "comparison_ci_lower": c_low,
                "comparison_ci_upper": c_high,
                "difference": difference,
                "ci_lower": difference - z * se_difference,
                "ci_upper": difference + z * se_difference,
                "p_value": two_sided_p(difference / se_difference)
                if se_difference > 0
                else math.nan,
            }
        )
    rmst = corrected_rmst(found, covariance[2 * k :, 2 * k :], tau, conf_level)
    return pd.DataFrame(rows), rmst


def corrected_rmst(
    found: dict[bool, dict[str, Any]], covariance: FloatArray, tau: float, conf_level: float
) -> Any:
    """An RMSTResult (comparison first, as the reference) with the stacked covariance."""
    from rpeval.recidivism.survival.rmst import RMSTResult

    swapped = covariance[np.ix_([1, 0], [1, 0])]  # comparison, participants
    return RMSTResult(
        tau=tau,
        groups=(False, True),
        rmst=np.array([found[False]["rmst"], found[True]["rmst"]]),
        variance=np.diag(swapped).copy(),
        n=np.array([found[False]["n"], found[True]["n"]], dtype=np.float64),
        n_events=np.array([found[False]["events"], found[True]["events"]], dtype=np.float64),
        conf_level=conf_level,
        n_dropped=0,
        covariance=swapped,
    )
