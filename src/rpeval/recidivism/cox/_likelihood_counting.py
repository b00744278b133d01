"""Partial likelihood of the Cox model: value, score, information and score residuals.

Pure numpy on sorted arrays (see :mod:`._risk_sets`). Ties follow R's ``coxph``:

* Breslow: each event time contributes ``sum_D w_i eta_i - W_D log S0``.
* Efron: with ``d`` tied events of total weight ``W_D`` and mean weight ``m = W_D/d``,
  the k-th of them (k = 0..d-1) sees the denominator ``S0 - (k/d) A`` where ``A`` is
  the risk weight of the tied events, and contributes ``-m log(S0 - (k/d) A)``.

Every p-vector or p x p quantity of a tie step is linear or quadratic in the risk-set
sums ``S1`` and ``A_x`` (the tied events' part), so the steps only enter through six
scalar sums per event time, e.g. ``c0 = sum_k 1/denom_k`` and ``q1 = sum_k f_k/denom_k^2``
with ``f_k = k/d`` (all ``f_k = 0`` for Breslow). The information needs no
``n x p x p`` array either: ``sum_t c_t S2(t)`` equals ``X' diag(r_i C_i) X`` with ``C_i``
the sum of ``c_t`` over the event times row ``i`` was at risk for, an O(n p^2) product.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from rpeval.recidivism.cox._risk_sets import (
    RiskSetIndex,
    group_sums,
    risk_and_tied_sums,
    sum_by_event_time,
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
class EventTerms:
    """Risk-set sums and tie-step sums at each event time (``m`` = mean tied weight).

    ``c0 = m sum_k 1/denom_k``, ``c1 = m sum_k f_k/denom_k`` and ``q0, q1, q2`` the same
    with ``denom_k^2`` and powers 0, 1, 2 of ``f_k``; ``log_denom = m sum_k log denom_k``.
    """

    risk: FloatArray  # w_i exp(eta_i), sorted rows
    s1: FloatArray  # (T, p)
    tied_x: FloatArray  # (T, p): A_x
    c0: FloatArray
    c1: FloatArray
    q0: FloatArray
    q1: FloatArray
    q2: FloatArray
    log_denom: FloatArray

    def xbar_sum(self) -> FloatArray:
        """``m sum_k xbar_k`` per event time."""
        return self.s1 * self.c0[:, None] - self.tied_x * self.c1[:, None]

    def hazard_xbar(self, own: bool = False) -> FloatArray:
        """``m sum_k xbar_k / denom_k`` (times ``f_k`` when ``own``) per event time."""
        if own:
            return self.s1 * self.q1[:, None] - self.tied_x * self.q2[:, None]
        return self.s1 * self.q0[:, None] - self.tied_x * self.q1[:, None]


def event_terms(
    index: RiskSetIndex, X: FloatArray, weights: FloatArray, eta: FloatArray, ties: Ties
) -> EventTerms:
    """Risk-set sums and tie-step sums at every event time for linear predictor ``eta``."""
    risk = weights * np.exp(eta)
    risk_x = X * risk[:, None]
    s0, tied = risk_and_tied_sums(index, risk)
    s1, tied_x = risk_and_tied_sums(index, risk_x)
    rows, of = index.event_rows, index.event_time_of
    n_times = index.n_event_times
    mean_weight = sum_by_event_time(index, weights[rows]) / index.n_tied
    if ties == "efron":
        f = index.tie_rank / index.n_tied[of]
        inv = 1.0 / (s0[of] - f * tied[of])
        c0 = group_sums(of, inv, n_times)
        c1 = group_sums(of, f * inv, n_times)
        q0 = group_sums(of, inv * inv, n_times)
        q1 = group_sums(of, f * inv * inv, n_times)
        q2 = group_sums(of, f * f * inv * inv, n_times)
        log_denom = -group_sums(of, np.log(inv), n_times)
    else:
        d = index.n_tied.astype(np.float64)
        c0, q0 = d / s0, d / (s0 * s0)
        c1 = q1 = q2 = np.zeros(n_times)
        log_denom = d * np.log(s0)
    m = mean_weight
    return EventTerms(risk, s1, tied_x, m * c0, m * c1, m * q0, m * q1, m * q2, m * log_denom)


@dataclass(frozen=True)
class PartialLikelihood:
    """Log partial likelihood, its gradient and the observed information at ``beta``."""

    loglik: float
    score: FloatArray
    information: FloatArray


def event_sums(index: RiskSetIndex, X: FloatArray, weights: FloatArray) -> FloatArray:
    """``sum`` of ``w_i x_i`` over the events; it does not depend on ``beta``."""
    rows = index.event_rows
    return np.asarray(weights[rows] @ X[rows], dtype=np.float64)


def partial_likelihood(
    index: RiskSetIndex,
    X: FloatArray,
    weights: FloatArray,
    beta: FloatArray,
    ties: Ties,
    weighted_x_events: FloatArray | None = None,
) -> PartialLikelihood:
    """Evaluate the log partial likelihood, score and information at ``beta``.

    ``X`` and ``weights`` must be in the index's sorted row order; ``X`` should be
    centred for numerical stability (the estimates do not depend on it).
    ``weighted_x_events`` is :func:`event_sums`, passed to avoid recomputing it.
    """
    wx = event_sums(index, X, weights) if weighted_x_events is None else weighted_x_events
    terms = event_terms(index, X, weights, X @ beta, ties)
    loglik = float(wx @ beta - terms.log_denom.sum())
    score = wx - terms.xbar_sum().sum(axis=0)
    information = weighted_information(index, X, terms, None)
    return PartialLikelihood(loglik, np.asarray(score, dtype=np.float64), information)


def weighted_information(
    index: RiskSetIndex, X: FloatArray, terms: EventTerms, h: FloatArray | None
) -> FloatArray:
    """``sum`` over tie steps of ``h(t) m V_k``, ``V_k`` the risk-set covariance.

    With ``h = None`` (1) this is the observed information; ``cox.zph`` uses
    ``h = g(t)`` and ``g(t)^2`` (one value per event time) for its time-varying blocks.
    """
    scale = np.ones_like(terms.c0) if h is None else h
    at_risk = sum_over_risk_sets(index, terms.c0 * scale)
    rows, of = index.event_rows, index.event_time_of
    at_risk[rows] -= (terms.c1 * scale)[of]
    row_weight = terms.risk * at_risk
    s1, ax = terms.s1, terms.tied_x
    q0, q1, q2 = (terms.q0 * scale)[:, None], (terms.q1 * scale)[:, None], terms.q2 * scale
    cross = (s1 * q1).T @ ax
    xbar_outer = (s1 * q0).T @ s1 - cross - cross.T + (ax * q2[:, None]).T @ ax
    return np.asarray((X * row_weight[:, None]).T @ X - xbar_outer, dtype=np.float64)


@dataclass(frozen=True)
class ScoreResiduals:
    """Per-row score residuals (per unit case weight, sorted order)."""

    residuals: FloatArray


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
    The event term uses the mean of the tie steps' ``xbar_k``.
    """
    eta = X @ beta
    terms = event_terms(index, X, weights, eta, ties)
    rows, of = index.event_rows, index.event_time_of
    cum_h = sum_over_risk_sets(index, terms.c0)
    cum_g = sum_over_risk_sets(index, terms.hazard_xbar())
    cum_h[rows] -= terms.c1[of]
    cum_g[rows] -= terms.hazard_xbar(own=True)[of]
    resid = -np.exp(eta)[:, None] * (X * cum_h[:, None] - cum_g)
    tied_weight = group_sums(of, weights[rows], index.n_event_times)
    safe = np.where(tied_weight > 0, tied_weight, 1.0)  # zero-weight events add nothing
    mean_xbar = terms.xbar_sum() / safe[:, None]
    resid[rows] += X[rows] - mean_xbar[of]
    return ScoreResiduals(resid)
