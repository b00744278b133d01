"""Proportional-hazards score tests, as R ``survival::cox.zph`` (survival >= 3.0).

For each term the model is extended by ``x * g(t)`` with ``g`` a transform of time
centred over the events; the test is the score test of the extra coefficients at
``(beta_hat, 0)``, using the information of the extended model. GLOBAL tests all the
extra coefficients together (Grambsch & Therneau 1994; Therneau, survival >= 3.0).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from rpeval._inference import chi2_sf
from rpeval._lazy import stats
from rpeval.recidivism.cox._likelihood_counting import event_terms, weighted_information
from rpeval.recidivism.cox._risk_sets import (
    RiskSetIndex,
    build_risk_set_index,
    group_sums,
    risk_set_sums,
)

__all__ = ["ZphTable", "time_transform", "zph_tests"]

FloatArray = NDArray[np.float64]
Transform = Literal["km", "rank", "identity", "log"]


@dataclass(frozen=True)
class ZphTable:
    """Chi-square, degrees of freedom and p-value per term, then GLOBAL."""

    names: tuple[str, ...]
    chisq: FloatArray
    df: NDArray[np.int64]
    p_value: FloatArray


def time_transform(index: RiskSetIndex, transform: Transform) -> FloatArray:
    """``g(t)`` for every sorted row, centred over the events (R ``gtime``).

    ``"km"`` is one minus the left-continuous, unweighted Kaplan–Meier estimate of the
    whole sample (ignoring strata), ``"rank"`` the average rank of the row's time among
    all rows.
    """
    times = index.stop
    if transform == "identity":
        values = times.copy()
    elif transform == "log":
        values = np.log(times)
    elif transform == "rank":
        values = stats.rankdata(times)
    else:
        values = 1.0 - _left_continuous_km(index)
    return np.asarray(values - values[index.event].mean(), dtype=np.float64)


def _left_continuous_km(index: RiskSetIndex) -> FloatArray:
    pooled = _pooled_index(index)
    at_risk = risk_set_sums(pooled, np.ones(pooled.stop.shape[0]))
    survival = np.cumprod(1.0 - pooled.n_tied / at_risk)
    before = np.searchsorted(pooled.event_time, index.stop, side="left")
    return np.asarray(np.concatenate([[1.0], survival])[before], dtype=np.float64)


def _pooled_index(index: RiskSetIndex) -> RiskSetIndex:
    """The same rows as one stratum (R's ``cox.zph`` ignores strata for the KM transform)."""
    return build_risk_set_index(
        index.stop,
        index.event,
        np.zeros(index.stop.shape[0], dtype=np.int64),
        index.start if index.has_start else None,
    )


def zph_tests(
    index: RiskSetIndex,
    X: FloatArray,
    weights: FloatArray,
    beta: FloatArray,
    ties: Literal["efron", "breslow"],
    term_columns: dict[str, list[int]],
    transform: Transform = "km",
) -> ZphTable:
    """Score tests of proportional hazards per term (several columns for a factor) and GLOBAL."""
    g_rows = time_transform(index, transform)
    terms = event_terms(index, X, weights, X @ beta, ties)
    rows, of = index.event_rows, index.event_time_of
    g = group_sums(of, g_rows[rows], index.n_event_times) / index.n_tied  # one per time
    p = X.shape[1]
    info = np.empty((2 * p, 2 * p))
    info[:p, :p] = weighted_information(index, X, terms, None)
    cross = weighted_information(index, X, terms, g)
    info[:p, p:] = cross
    info[p:, :p] = cross.T
    info[p:, p:] = weighted_information(index, X, terms, g * g)
    score_g = (g_rows[rows] * weights[rows]) @ X[rows] - g @ terms.xbar_sum()

    names: list[str] = []
    chisq: list[float] = []
    df: list[int] = []
    for name, cols in term_columns.items():
        keep = list(range(p)) + [p + c for c in cols]
        u = np.concatenate([np.zeros(p), score_g[cols]])
        chisq.append(float(u @ np.linalg.solve(info[np.ix_(keep, keep)], u)))
        names.append(name)
        df.append(len(cols))
    u_all = np.concatenate([np.zeros(p), score_g])
    chisq.append(float(u_all @ np.linalg.solve(info, u_all)))
    names.append("GLOBAL")
    df.append(p)
    chi = np.asarray(chisq, dtype=np.float64)
    dfs = np.asarray(df, dtype=np.int64)
    return ZphTable(tuple(names), chi, dfs, chi2_sf(chi, dfs))
