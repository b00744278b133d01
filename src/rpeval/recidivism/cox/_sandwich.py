"""The robust (cluster) sandwich of a Cox fit in one pass over the rows (numba).

The score residuals ``L_i`` of :func:`._likelihood_counting.score_residuals` are formed row by
row and their weighted sums within clusters accumulated at once, without the ``n x p``
temporaries of the numpy version (seven of them at a million rows); the per-event-time
sums are the same as there. The dfbeta sums are then ``(sum_c w L) V``, so the result
equals ``D' D`` with ``D`` the cluster sums of ``(L * w) @ V`` to rounding.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from rpeval._jit import jit
from rpeval.recidivism.cox._likelihood_counting import Ties, event_terms
from rpeval.recidivism.cox._risk_sets import RiskSetIndex, group_sums
from rpeval.recidivism.cox._risk_sets import restarting_prefix_sums as prefix_sums

__all__ = ["robust_covariance"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]


@jit
def _cluster_scores(  # pragma: no cover - compiled; tested through `robust_covariance`
    X: FloatArray,
    eta: FloatArray,
    weights: FloatArray,
    lo: IntArray,
    hi: IntArray,
    reset: BoolArray,
    head_h: FloatArray,
    head_g: FloatArray,
    row_of: IntArray,
    own_h: FloatArray,
    own_g: FloatArray,
    mean_xbar: FloatArray,
    groups: IntArray,
    n_groups: int,
) -> FloatArray:
    n, p = X.shape
    out = np.zeros((n_groups, p))
    g = np.empty(p)
    for i in range(n):
        a, b = lo[i], hi[i]
        h = 0.0
        for j in range(p):
            g[j] = 0.0
        if b > a:
            h = head_h[b, 0] - (0.0 if reset[a] else head_h[a, 0])
            for j in range(p):
                g[j] = head_g[b, j] - (0.0 if reset[a] else head_g[a, j])
        k = row_of[i]
        if k >= 0:
            h -= own_h[k]
            for j in range(p):
                g[j] -= own_g[k, j]
        e = math.exp(eta[i])
        w = weights[i]
        c = groups[i]
        for j in range(p):
            r = -e * (X[i, j] * h - g[j])
            if k >= 0:
                r += X[i, j] - mean_xbar[k, j]
            out[c, j] += r * w
    return out


def robust_covariance(
    index: RiskSetIndex,
    X: FloatArray,
    weights: FloatArray,
    beta: FloatArray,
    ties: Ties,
    covariance: FloatArray,
    cluster: IntArray | None,
) -> FloatArray:
    """``D' D``, ``D`` the dfbeta summed within ``cluster`` (each row its own without one).

    Rows, ``X`` and ``weights`` are in the index's sorted order, as for the fit.
    """
    n = X.shape[0]
    eta = X @ beta
    terms = event_terms(index, X, weights, eta, ties)
    rows, of = index.event_rows, index.event_time_of
    n_times = index.n_event_times
    first = np.ones(n_times, dtype=np.bool_)
    first[1:] = index.event_stratum[1:] != index.event_stratum[:-1]
    reset = np.zeros(n_times + 1, dtype=np.bool_)
    reset[:n_times] = first
    head_h = prefix_sums(np.ascontiguousarray(terms.c0[:, None]), first)
    head_g = prefix_sums(np.ascontiguousarray(terms.hazard_xbar()), first)
    row_of = np.full(n, -1, dtype=np.int64)
    row_of[rows] = of
    tied_weight = group_sums(of, weights[rows], n_times)
    safe = np.where(tied_weight > 0, tied_weight, 1.0)  # zero-weight events add nothing
    mean_xbar = np.ascontiguousarray(terms.xbar_sum() / safe[:, None])
    groups = (
        np.arange(n, dtype=np.int64) if cluster is None else np.asarray(cluster, dtype=np.int64)
    )
    n_groups = n if cluster is None else int(cluster.max()) + 1 if n else 0
    score_sums = _cluster_scores(
        np.ascontiguousarray(X),
        eta,
        np.ascontiguousarray(weights, dtype=np.float64),
        np.asarray(index.event_lo, dtype=np.int64),
        np.asarray(index.event_hi, dtype=np.int64),
        reset,
        head_h,
        head_g,
        row_of,
        np.ascontiguousarray(terms.c1, dtype=np.float64),
        np.ascontiguousarray(terms.hazard_xbar(own=True)),
        mean_xbar,
        groups,
        n_groups,
    )
    dfbeta = score_sums @ covariance  # the cluster sums of w L, then times V: linear
    return np.asarray(dfbeta.T @ dfbeta, dtype=np.float64)
