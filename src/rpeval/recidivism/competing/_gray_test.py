"""Gray's (1988) K-sample test of equal cumulative incidence, on numpy arrays.

The score of group ``k`` compares its cause-``c`` events with those expected under equal
subdistribution hazards, where the subdistribution risk set of group ``r`` is
``R_r(t) = h_r(t) (1 − F_r(t−))`` with ``h_r = Y_r / S_r(t−)``:
``z_k = Σ_t L(t) [d_kc(t) − d_·c(t) R_k(t) / Σ_r R_r(t)]``, weighted by
``L(t) = (1 − F_0(t−))^ρ``. Its covariance is Gray's martingale estimator under the null
hypothesis: the common cumulative incidence ``F_0`` has jumps ``d_·c / Σ_r h_r``, events
of the cause are weighted by their null expectation and other causes by their observed
counts, with the hypergeometric correction for tied events. The numbers agree with R's
``cmprsk::cuminc`` to 1e-12 (``tests/reference/competing_risks.json``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from rpeval._inference import chi2_sf
from rpeval._lazy import linalg

__all__ = ["GrayTest", "gray_test"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


@dataclass(frozen=True)
class GrayTest:
    """Scores of all groups, their covariance, and the chi-square on ``K − 1`` df."""

    score: FloatArray
    variance: FloatArray
    statistic: float
    df: int
    p_value: float


def _counts(
    time: FloatArray, cause: IntArray, group: IntArray, n_groups: int, code: int
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Per group and distinct time: number at risk, events of the cause, other events."""
    _, position = np.unique(time, return_inverse=True)
    m = int(position.max()) + 1
    shape = (n_groups, m)
    leaving, own, other = np.zeros(shape), np.zeros(shape), np.zeros(shape)
    np.add.at(leaving, (group, position), 1.0)
    np.add.at(own, (group, position), (cause == code).astype(np.float64))
    np.add.at(other, (group, position), ((cause > 0) & (cause != code)).astype(np.float64))
    at_risk = np.cumsum(leaving[:, ::-1], axis=1)[:, ::-1]
    return at_risk, own, other


def gray_test(
    time: FloatArray,
    cause: IntArray,
    group: IntArray,
    n_groups: int,
    code: int,
    rho: float,
    stratum: IntArray | None = None,
) -> GrayTest:
    """Gray's test that cause ``code`` has the same cumulative incidence in every group.

    ``group`` holds codes ``0..n_groups-1``; ``cause`` 0 is censoring. With ``stratum``
    codes the scores and their covariances are summed over strata (each with its own
    curves), as ``cmprsk::cuminc(strata = )``. When the covariance of the first
    ``K − 1`` scores is singular (groups without events while others are at risk) the
    statistic uses a generalised inverse and ``df`` is its rank; with rank 0 the
    statistic and p-value are NaN.

    Examples
    --------
    >>> t = np.array([1.0, 2, 3, 4, 5, 6, 7, 8])
    >>> result = gray_test(t, np.array([1, 2, 1, 0, 1, 1, 2, 0]),
    ...                    np.array([0, 0, 0, 0, 1, 1, 1, 1]), 2, 1, 0.0)
    >>> result.df, round(result.statistic, 4)
    (1, 2.2323)
    """
    score = np.zeros(n_groups)
    variance = np.zeros((n_groups, n_groups))
    codes = np.zeros(time.size, dtype=np.int64) if stratum is None else stratum
    for value in np.unique(codes):
        rows = codes == value
        part_score, part_variance = _score_and_variance(
            time[rows], cause[rows], group[rows], n_groups, code, rho
        )
        score += part_score
        variance += part_variance
    head, block = score[: n_groups - 1], variance[: n_groups - 1, : n_groups - 1]
    values, vectors = linalg.eigh(block)
    keep = values > 1e-10 * max(float(values.max(initial=0.0)), 1e-300)
    df = int(keep.sum())
    if df == 0:
        return GrayTest(score, variance, float("nan"), 0, float("nan"))
    projected = vectors[:, keep].T @ head
    statistic = float(projected @ (projected / values[keep]))
    return GrayTest(score, variance, statistic, df, chi2_sf(statistic, df))


def _score_and_variance(
    time: FloatArray, cause: IntArray, group: IntArray, n_groups: int, code: int, rho: float
) -> tuple[FloatArray, FloatArray]:
    """Scores of all groups and their covariance within one stratum."""
    Y, d1, d2 = _counts(time, cause, group, n_groups, code)
    at = Y > 0
    safe_y = np.where(at, Y, 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        S = np.cumprod(np.where(at, 1.0 - (d1 + d2) / safe_y, 1.0), axis=1)
        S_minus = np.hstack([np.ones((n_groups, 1)), S[:, :-1]])
        F = np.cumsum(S_minus * d1 / safe_y, axis=1)
        F_minus = np.hstack([np.zeros((n_groups, 1)), F[:, :-1]])
        h = np.where(at, Y / np.where(S_minus > 0, S_minus, 1.0), 0.0)
        R = h * (1.0 - F_minus)
        H = h.sum(axis=0)
        total = d1.sum(axis=0)
        F0 = np.cumsum(np.where(H > 0, total / H, 0.0))
        F0_minus = np.concatenate([[0.0], F0[:-1]])
        weight = np.clip(1.0 - F0_minus, 0.0, None) ** rho
        share = np.where(R.sum(axis=0) > 0, R / R.sum(axis=0), 0.0)
        score = (weight * (d1 - share * total)).sum(axis=1)
        d_gamma = np.where(total > 0, total / (H * (1.0 - F0_minus)), 0.0)
        # a[i, k, t] = L h_k (δ_ik − h_i / H): the integrand of group k in score i
        a = weight * h[None, :, :] * (np.eye(n_groups)[:, :, None] - h[:, None, :] / H)
        a = np.nan_to_num(a)
        cumulative = np.cumsum(a * np.nan_to_num(d_gamma), axis=2)
        remaining = cumulative[:, :, -1:] - cumulative
        alive = S > 0
        safe_s = np.where(alive, S, 1.0)
        tie_own = np.where(total > 1, 1.0 - (total - 1.0) / (H * S_minus - 1.0), 1.0)
        var_own = np.where(at & (total > 0), tie_own * S_minus * total / (H * safe_y), 0.0)
        tie_other = np.where(d2 > 1, 1.0 - (d2 - 1.0) / (safe_y - 1.0), 1.0)
        var_other = np.where(alive & at & (d2 > 0), tie_other * S_minus**2 * d2 / safe_y**2, 0.0)
        coef_own = a + np.where(alive, 1.0 - (1.0 - F0) / safe_s, 1.0)[None] * remaining
        coef_other = np.where(alive, (1.0 - F0) / safe_s, 0.0)[None] * remaining
    variance = np.einsum("ikt,jkt,kt->ij", coef_own, coef_own, np.nan_to_num(var_own))
    variance += np.einsum("ikt,jkt,kt->ij", coef_other, coef_other, np.nan_to_num(var_other))
    return np.asarray(score, dtype=np.float64), np.asarray(variance, dtype=np.float64)
