"""Partial likelihood of the Cox model: value, score, information and score residuals.

Pure numpy on sorted arrays (see :mod:`._risk_sets`). Ties follow R's ``coxph``:

* Breslow: each event time contributes ``sum_D w_i eta_i - W_D log S0``.
* Efron: with ``d`` tied events of total weight ``W_D`` and mean weight ``W_D/d``, the
  k-th of them (k = 0..d-1) sees the denominator ``S0 - (k/d) A`` where ``A`` is the
  risk weight of the tied events; each contributes ``-(W_D/d) log(S0 - (k/d) A)``.

Both are handled by one formula over *event rows* with a fraction ``k/d`` (0 for
Breslow). The information matrix is assembled without an ``n x p x p`` array:
``sum_t c_t S2(t)`` equals ``X' diag(r_i C_i) X`` with ``C_i`` the sum of ``c_t`` over
the event times row ``i`` was at risk for, an O(n p^2) product.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from rpeval.recidivism._risk_sets import (
    RiskSetIndex,
    group_sums,
    risk_set_sums,
    sum_over_risk_sets,
)

__all__ = [
    "EventTerms",
    "PartialLikelihood",
    "ScoreResiduals",
    "event_terms",
    "partial_likelihood",
    "score_residuals",
    "weighted_information",
]

FloatArray = NDArray[np.float64]
Ties = Literal["efron", "breslow"]


@dataclass(frozen=True)
class PartialLikelihood:
    """Log partial likelihood, its gradient and the observed information at ``beta``."""

    loglik: float
    score: FloatArray
    information: FloatArray


@dataclass(frozen=True)
class EventTerms:
    """Per event row: denominators, mean weights and ``x-bar`` of the Efron/Breslow steps."""

    risk: FloatArray  # w_i exp(eta_i), sorted rows
    denom: FloatArray
    mean_weight: FloatArray
    fraction: FloatArray
    xbar: FloatArray
    tied_risk: FloatArray
    tied_risk_x: FloatArray


def event_terms(
    index: RiskSetIndex, X: FloatArray, weights: FloatArray, eta: FloatArray, ties: Ties
) -> EventTerms:
    risk = weights * np.exp(eta)
    risk_x = X * risk[:, None]
    s0 = risk_set_sums(index, risk)
    s1 = risk_set_sums(index, risk_x)
    rows, of = index.event_rows, index.event_time_of
    n_times = index.n_event_times
    tied_risk = group_sums(of, risk[rows], n_times)
    tied_x = group_sums(of, risk_x[rows], n_times)
    tied_weight = group_sums(of, weights[rows], n_times)
    mean_weight = (tied_weight / index.n_tied)[of]
    fraction = index.tie_rank / index.n_tied[of] if ties == "efron" else np.zeros(rows.shape[0])
    denom = s0[of] - fraction * tied_risk[of]
    xbar = (s1[of] - fraction[:, None] * tied_x[of]) / denom[:, None]
    return EventTerms(risk, denom, mean_weight, fraction, xbar, tied_risk, tied_x)


def partial_likelihood(
    index: RiskSetIndex,
    X: FloatArray,
    weights: FloatArray,
    beta: FloatArray,
    ties: Ties,
) -> PartialLikelihood:
    """Evaluate the log partial likelihood, score and information at ``beta``.

    ``X`` and ``weights`` must be in the index's sorted row order; ``X`` should be
    centred for numerical stability (the estimates do not depend on it).
    """
    eta = X @ beta
    terms = event_terms(index, X, weights, eta, ties)
    rows = index.event_rows
    mw = terms.mean_weight
    loglik = float(weights[rows] @ eta[rows] - mw @ np.log(terms.denom))
    score = weights[rows] @ X[rows] - mw @ terms.xbar

    information = weighted_information(index, X, terms, np.ones(rows.shape[0]))
    return PartialLikelihood(loglik, np.asarray(score, dtype=np.float64), information)


def weighted_information(
    index: RiskSetIndex, X: FloatArray, terms: EventTerms, h: FloatArray
) -> FloatArray:
    """``sum`` over event rows of ``h * mean_weight * V_k``, ``V_k`` the risk-set covariance.

    With ``h = 1`` this is the observed information; ``cox.zph`` uses ``h = g(t)`` and
    ``g(t)^2`` for its time-varying blocks.
    """
    rows, of = index.event_rows, index.event_time_of
    step = h * terms.mean_weight / terms.denom  # hazard increment of each event row
    at_risk = sum_over_risk_sets(index, group_sums(of, step, index.n_event_times))
    own = np.zeros(X.shape[0])
    own[rows] = group_sums(of, step * terms.fraction, index.n_event_times)[of]
    row_weight = terms.risk * (at_risk - own)
    xbar_weight = terms.xbar * (h * terms.mean_weight)[:, None]
    return np.asarray((X * row_weight[:, None]).T @ X - xbar_weight.T @ terms.xbar)


@dataclass(frozen=True)
class ScoreResiduals:
    """Per-row score residuals (per unit case weight, sorted order) and hazard increments."""

    residuals: FloatArray
    hazard_step: FloatArray  # baseline hazard increment at each event time
    xbar_step: FloatArray  # sum over the tie steps of hazard step times x-bar


def score_residuals(
    index: RiskSetIndex,
    X: FloatArray,
    weights: FloatArray,
    beta: FloatArray,
    ties: Ties,
) -> ScoreResiduals:
    """Score residuals ``L_i`` with ``sum_i w_i L_i`` equal to the score.

    For a row at risk at an event time it is not part of, the compensator adds the full
    hazard step; a row among Efron-tied events at its own time is down-weighted by
    ``1 - k/d`` at the k-th step, exactly as the likelihood treats it (R ``coxph``).
    """
    eta = X @ beta
    terms = event_terms(index, X, weights, eta, ties)
    rows, of = index.event_rows, index.event_time_of
    n_times = index.n_event_times
    step = terms.mean_weight / terms.denom
    hazard = group_sums(of, step, n_times)
    xbar_hazard = group_sums(of, step[:, None] * terms.xbar, n_times)
    cum_h = sum_over_risk_sets(index, hazard)
    cum_g = sum_over_risk_sets(index, xbar_hazard)
    # own event time: replace the full step by the down-weighted one
    own_h = group_sums(of, step * terms.fraction, n_times)
    own_g = group_sums(of, (step * terms.fraction)[:, None] * terms.xbar, n_times)
    cum_h[rows] -= own_h[of]
    cum_g[rows] -= own_g[of]
    resid = -np.exp(eta)[:, None] * (X * cum_h[:, None] - cum_g)
    mean_xbar = group_sums(of, terms.xbar, n_times) / index.n_tied[:, None]
    resid[rows] += X[rows] - mean_xbar[of]
    return ScoreResiduals(resid, hazard, xbar_hazard)
