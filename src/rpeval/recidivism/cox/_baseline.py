"""Baseline cumulative hazard and predicted survival after a Cox fit (R ``survfit.coxph``).

The hazard increments match the tie method of the fit (Breslow, or Efron's
``sum_k (W/d) / (S0 - (k/d) A)``); the variance of ``H(t | x)`` is the Tsiatis
formula: the baseline term ``sum_t sum_k (W/d) / (S0 - (k/d) A)^2`` plus the
uncertainty of ``beta``, ``q(t)' V q(t)`` with ``q(t)`` the cumulative
``(x - xbar_k)`` weighted hazard.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from rpeval.recidivism.cox._likelihood_counting import event_terms
from rpeval.recidivism.cox._risk_sets import RiskSetIndex

__all__ = ["BaselineHazard", "baseline_hazard", "predict_cumulative_hazard"]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class BaselineHazard:
    """Per stratum and event time: hazard step, its variance step and ``sum_k step_k xbar_k``."""

    time: FloatArray
    stratum: NDArray[np.int64]
    hazard_step: FloatArray
    variance_step: FloatArray
    xbar_step: FloatArray  # (n_event_times, p)


def baseline_hazard(
    index: RiskSetIndex,
    X: FloatArray,
    weights: FloatArray,
    beta: FloatArray,
    ties: Literal["efron", "breslow"],
) -> BaselineHazard:
    """Hazard increments at every event time for the covariate centre ``X = 0``."""
    terms = event_terms(index, X, weights, X @ beta, ties)
    return BaselineHazard(
        index.event_time, index.event_stratum, terms.c0, terms.q0, terms.hazard_xbar()
    )


@dataclass(frozen=True)
class PredictedHazard:
    """Cumulative hazard of new profiles at requested times, with its standard error."""

    cumulative_hazard: FloatArray  # (n_profiles, n_times)
    std_error: FloatArray


def predict_cumulative_hazard(
    base: BaselineHazard,
    covariance: FloatArray,
    new_X: FloatArray,
    beta: FloatArray,
    stratum: int,
    times: FloatArray,
) -> PredictedHazard:
    """``H(t | x)`` and ``se(H(t | x))`` for centred profiles ``new_X`` in one stratum."""
    in_stratum = base.stratum == stratum
    event_time = base.time[in_stratum]
    cum_h = np.concatenate([[0.0], np.cumsum(base.hazard_step[in_stratum])])
    cum_v = np.concatenate([[0.0], np.cumsum(base.variance_step[in_stratum])])
    cum_xbar = np.vstack(
        [np.zeros((1, new_X.shape[1])), np.cumsum(base.xbar_step[in_stratum], axis=0)]
    )
    upto = np.searchsorted(event_time, times, side="right")
    # after a separated fit exp(x'beta) may overflow: the hazard is then infinite
    # (survival 0) from the first event time on, and 0 before it, without a warning
    with np.errstate(over="ignore", invalid="ignore"):
        risk = np.exp(new_X @ beta)
        hazard = risk[:, None] * cum_h[upto][None, :]
        # q(t) = x * H0(t) - sum step * xbar, one row per (profile, time)
        q = new_X[:, None, :] * cum_h[upto][None, :, None] - cum_xbar[upto][None, :, :]
        beta_term = np.einsum("ntp,pq,ntq->nt", q, covariance, q)
        variance = risk[:, None] ** 2 * (cum_v[upto][None, :] + beta_term)
    before_first = (upto == 0)[None, :]
    hazard = np.where(before_first, 0.0, hazard)
    variance = np.where(before_first, 0.0, np.where(np.isnan(variance), np.inf, variance))
    return PredictedHazard(hazard, np.sqrt(variance))
