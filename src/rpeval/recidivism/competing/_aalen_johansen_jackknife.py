"""Infinitesimal-jackknife variance of weighted Aalen–Johansen curves (numpy only).

With case weights ``w_i`` the influence of person ``i`` on ``F_k(t)`` is ``w_i ∂F_k(t)/∂w_i``
and the variance is the sum of its squares over people (R ``survfit`` for multi-state
data). Writing ``h_j`` for the all-cause hazard, ``h_kj`` for cause ``k`` and ``n_j`` for the
weight at risk at time ``t_j``, ``B(t) = Σ_{t_j ≤ t} h_j / (n_j (1 − h_j))`` and
``C_k(t) = Σ_{t_j ≤ t} S(t_j−) h_kj (B(t_j−) − 1/n_j)``, the derivative for someone whose
follow-up ends at ``T_i`` (index ``J``) is ``C_k(t)`` while ``t < T_i`` and, from then on,
``C_k(T_i) + S(T_i−) [cause_i = k] / n_J − A_i (F_k(t) − F_k(T_i))`` with
``A_i = [event_i] / (n_J (1 − h_J)) − B(T_i)``. Expanding the square gives running sums,
so every time costs O(1) after an O(n log n) pass.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["robust_cif_variance"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


def robust_cif_variance(
    index: IntArray,
    cause: IntArray,
    weights: FloatArray,
    n: FloatArray,
    d_cause: FloatArray,
    survival: FloatArray,
    incidence: FloatArray,
    cluster: IntArray | None = None,
) -> FloatArray:
    """Variance (times × causes) of the incidences at each distinct time.

    With ``cluster`` (a code per person) the influences are summed within clusters
    before squaring (see :func:`_clustered_sums`).

    ``index`` is each person's position among the distinct times, ``n`` the weight at
    risk, ``d_cause`` the weighted events per cause (times × causes), as in
    :func:`rpeval.recidivism.competing._aalen_johansen_kernel.aalen_johansen`.

    Examples
    --------
    >>> n = np.array([4.0, 3, 1]); d = np.array([[1.0, 0], [0, 1], [1, 0]])
    >>> s = np.array([0.75, 0.5, 0.0]); f = np.array([[0.25, 0], [0.25, 0.25], [0.75, 0.25]])
    >>> v = robust_cif_variance(np.array([0, 1, 1, 2]), np.array([1, 2, 0, 1]), np.ones(4),
    ...                         n, d, s, f)
    >>> np.sqrt(v[:, 0]).round(4).tolist()
    [0.2165, 0.2165, 0.2165]
    """
    m = n.size
    hazard = d_cause.sum(axis=1) / n
    s_minus = np.concatenate([[1.0], survival[:-1]])
    with np.errstate(divide="ignore", invalid="ignore"):
        step = np.where(hazard < 1.0, hazard / (n * (1.0 - hazard)), 0.0)
        own_jump = np.where(hazard < 1.0, 1.0 / (n * (1.0 - hazard)), 0.0)
    B = np.cumsum(step)
    B_minus = np.concatenate([[0.0], B[:-1]])
    w2 = weights**2
    later_weight = np.cumsum(np.bincount(index, weights=w2, minlength=m)[::-1])[::-1]
    still_in = np.concatenate([later_weight[1:], [0.0]])  # Σ w² over people with T_i > t_j
    A = np.where(cause > 0, own_jump[index], 0.0) - B[index]
    variance = np.empty_like(incidence)
    for k in range(incidence.shape[1]):
        h_k = d_cause[:, k] / n
        C = np.cumsum(s_minus * h_k * (B_minus - 1.0 / n))
        F = incidence[:, k]
        P = C[index] + s_minus[index] * (cause == k + 1) / n[index] + A * F[index]
        if cluster is not None:
            sums = _clustered_sums(index, cluster, weights, P, A, m)
            raw = C**2 * sums["aa"] + sums["bb"] + F**2 * sums["cc"]
            raw += 2.0 * (C * sums["ab"] - C * F * sums["ac"] - F * sums["bc"])
            variance[:, k] = np.maximum(raw, 0.0)
            continue

        def ended(values: FloatArray) -> FloatArray:
            return np.cumsum(np.bincount(index, weights=values, minlength=m))

        Q0, Q1, Q2 = ended(w2 * P * P), ended(w2 * P * A), ended(w2 * A * A)
        raw = still_in * C**2 + Q0 - 2.0 * F * Q1 + F * F * Q2
        variance[:, k] = np.maximum(raw, 0.0)  # rounding can dip below 0
    return variance


def _clustered_sums(
    index: IntArray, cluster: IntArray, weights: FloatArray, P: FloatArray, A: FloatArray, m: int
) -> dict[str, FloatArray]:
    """Sums over clusters of the products of ``a``, ``b``, ``c`` at each distinct time.

    A cluster's influence at time ``t_j`` is ``C_j a + b - F_j c`` with ``a`` the weight of
    its people still at risk after ``t_j``, and ``b``, ``c`` the sums of ``w P`` and
    ``w A`` over its people whose follow-up ended by ``t_j``. Each changes only when one
    of its people leaves, so the sums over clusters of ``a²``, ``ab``, ... move by the
    change of that cluster's product at that time: O(n log n), no clusters × times array.
    With one person per cluster this is the unclustered formula.
    """
    order = np.lexsort((index, cluster))
    when, group, w = index[order], cluster[order], weights[order]
    first = np.concatenate([[True], group[1:] != group[:-1]])
    starts = np.flatnonzero(first)
    sizes = np.diff(np.append(starts, group.size))

    def within(values: FloatArray) -> FloatArray:  # running sum within each cluster
        total = np.cumsum(values)
        return total - np.repeat((total - values)[starts], sizes)

    wa, wb, wc = w, w * P[order], w * A[order]
    a_after = np.repeat(within(wa)[starts + sizes - 1], sizes) - within(wa)
    b_after, c_after = within(wb), within(wc)
    after = {"a": a_after, "b": b_after, "c": c_after}
    before = {"a": a_after + wa, "b": b_after - wb, "c": c_after - wc}
    start_aa = float(np.sum(before["a"][starts] ** 2))  # everyone at risk before t_1
    sums: dict[str, FloatArray] = {}
    for pair in ("aa", "ab", "ac", "bb", "bc", "cc"):
        x, y = pair
        change = after[x] * after[y] - before[x] * before[y]
        by_time = np.bincount(when, weights=change, minlength=m)
        sums[pair] = np.asarray(np.cumsum(by_time), dtype=np.float64)
    sums["aa"] = sums["aa"] + start_aa
    return sums
