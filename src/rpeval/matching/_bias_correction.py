"""Abadie & Imbens' bias-corrected matching estimator and its variance, for
``effect(..., bias_correction=True)`` on nearest-neighbour pairs.

For each matched focal unit ``i`` (treated for the ATT) with matches ``J(i)`` (shares
``w_ij = 1 / |J(i)|``), the counterfactual outcome is its matches' outcomes corrected by a
regression ``mu`` of the outcome on covariates among the matched units of the other group
(weighted by the number of times each is used, ``K_j = sum_i w_ij``)::

    Yhat_i = sum_j w_ij (Y_j + mu(X_i) - mu(X_j)),    d_i = Y_i - Yhat_i   (ATT)

and the estimate is the mean of ``d_i`` over the ``N`` matched focal units (for the ATC,
``d_i = Yhat_i - Y_i``). Abadie & Imbens' (2006) variances, with ``sigma^2_j`` the
conditional variance of unit ``j``'s outcome and ``K'_j = sum_i w_ij^2``:

* population: ``(sum_i (d_i - estimate)^2 + sum_j (K_j^2 - K'_j) sigma^2_j) / N^2``;
* sample (covariates fixed): ``(sum_i sigma^2_i + sum_j K_j^2 sigma^2_j) / N^2``.

``sigma^2_j`` is the sample variance of ``Y_j`` and the outcomes of the
:data:`VARIANCE_NEIGHBOURS` nearest units of ``j``'s own group (ties at the last distance
included, within :data:`TIE_TOL` of its squared distance), in the correction's
covariates, each divided by its SD over the kept units: R's ``Matching::Match(...,
Var.calc = 4)`` when it matches on those covariates. When the pairs were matched on a
propensity score, Matching's neighbours are near in the score only, so its ``sigma^2``
also holds the outcome's variation among units of equal score (which the correction
removes) and its SEs run large; ours are near in the covariates. Without replacement
every ``K_j <= 1``, so the population variance needs no ``sigma^2``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from rpeval import _frames
from rpeval.errors import DataError, SpecificationError
from rpeval.matching._outcome import aliased_columns
from rpeval.matching.result import MatchResult

__all__ = ["VARIANCE_NEIGHBOURS", "BiasCorrected", "bias_corrected", "corrected_kernel"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]
VARIANCE_NEIGHBOURS = 4  # units of the same group whose outcomes estimate sigma^2_j
TIE_TOL = 1e-12  # squared (standardised) distances this close to the last one are ties
CHUNK = 256  # units whose neighbours are found at once (memory: CHUNK x group size)


class BiasCorrected(NamedTuple):
    """The bias-corrected estimate, its SE, and the sample sizes."""

    estimate: float
    std_error: float
    n: int  # matched units
    n_sets: int  # matched focal units


class Kernel(NamedTuple):
    """The estimator on arrays: estimate and both variances."""

    estimate: float
    var_population: float
    var_sample: float


def corrected_kernel(
    y: FloatArray,
    X: FloatArray,
    focal: IntArray,
    match: IntArray,
    sigma2: FloatArray,
    *,
    focal_is_treated: bool,
) -> Kernel:
    """Bias-corrected matching estimate from ``(focal, match)`` row pairs.

    ``X`` holds the correction's covariates (no intercept); ``sigma2`` the conditional
    variance estimates of every row (only the rows used count). Returns the estimate
    and its population and sample variances (module docstring).

    Examples
    --------
    >>> y = np.array([3.0, 5.0, 1.0, 2.0])
    >>> X = np.array([[1.0], [2.0], [0.5], [2.5]])
    >>> k = corrected_kernel(y, X, np.array([0, 1]), np.array([2, 3]), np.ones(4),
    ...                      focal_is_treated=True)
    >>> round(k.estimate, 12)  # mu(x) = 0.75 + 0.5 x: pairs corrected by 0.25 and -0.25
    2.5
    """
    units = np.unique(focal)
    per_unit = np.bincount(np.searchsorted(units, focal), minlength=len(units))
    share = 1.0 / per_unit[np.searchsorted(units, focal)]
    used, where = np.unique(match, return_inverse=True)
    times = np.bincount(where, weights=share)  # K_j
    times_sq = np.bincount(where, weights=share * share)  # K'_j
    design = np.column_stack([np.ones(len(used)), X[used]])
    kept = ~aliased_columns(design * np.sqrt(times)[:, None])
    root = np.sqrt(times)
    coef = np.linalg.lstsq(design[:, kept] * root[:, None], y[used] * root, rcond=None)[0]
    mu_focal = np.column_stack([np.ones(len(focal)), X[focal]])[:, kept] @ coef
    mu_match = np.column_stack([np.ones(len(match)), X[match]])[:, kept] @ coef
    imputed_parts = share * (y[match] + mu_focal - mu_match)
    imputed = np.bincount(np.searchsorted(units, focal), weights=imputed_parts)
    d = y[units] - imputed if focal_is_treated else imputed - y[units]
    estimate = float(d.mean())
    n = len(units)
    var_population = (
        float(((d - estimate) ** 2).sum()) + float(((times**2 - times_sq) * sigma2[used]).sum())
    ) / n**2
    var_sample = (float(sigma2[units].sum()) + float((times**2 * sigma2[used]).sum())) / n**2
    return Kernel(estimate, var_population, var_sample)


def neighbour_variances(
    y: FloatArray, metric: FloatArray, groups: NDArray[np.bool_], rows: IntArray
) -> FloatArray:
    """``sigma^2`` of each of ``rows`` (NaN elsewhere): the sample variance of its outcome
    and those of its :data:`VARIANCE_NEIGHBOURS` nearest units in the same group (all
    units tied with the last one included), distances in ``metric`` (n x p).

    Examples
    --------
    >>> y = np.array([1.0, 3.0, 2.0, 10.0, 0.0, 4.0])
    >>> metric = np.array([[0.0], [1.0], [2.0], [9.0], [3.0], [4.0]])
    >>> groups = np.ones(6, dtype=bool)
    >>> round(float(neighbour_variances(y, metric, groups, np.array([0]))[0]), 12)
    2.5
    """
    out = np.full(len(y), np.nan)
    for group in (True, False):
        members = np.flatnonzero(groups == group)
        wanted = rows[groups[rows] == group]
        if len(wanted) and len(members) < 2:
            raise DataError(
                "effect(): bias_correction=True needs at least two units in each group "
                "to estimate the outcome's variance"
            )
        count = min(VARIANCE_NEIGHBOURS, len(members) - 1)
        for start in range(0, len(wanted), CHUNK):
            chunk = wanted[start : start + CHUNK]
            distance = np.zeros((len(chunk), len(members)))
            for column in metric.T:  # one covariate at a time: CHUNK x group in memory
                distance += (column[chunk][:, None] - column[members][None, :]) ** 2
            distance[chunk[:, None] == members[None, :]] = np.inf  # not its own neighbour
            limit = np.partition(distance, count - 1, axis=1)[:, count - 1]
            chosen = distance <= (limit + TIE_TOL)[:, None]
            size = chosen.sum(axis=1) + 1.0
            values = y[members][None, :]
            mean = (y[chunk] + (chosen * values).sum(axis=1)) / size
            squares = (y[chunk] - mean) ** 2 + (chosen * (values - mean[:, None]) ** 2).sum(axis=1)
            out[chunk] = squares / (size - 1.0)
    return out


def bias_corrected(
    result: MatchResult,
    outcome: str,
    measure: str,
    spec: _frames.CovariateSpec | None,
    *,
    target: str,
) -> BiasCorrected:
    """Abadie & Imbens' estimator on ``result``'s pairs (module docstring)."""
    if result.settings.get("method") != "nearest" or result.estimand not in ("ATT", "ATC"):
        raise SpecificationError(
            "effect(): bias_correction=True needs nearest-neighbour pairs (the ATT or ATC), "
            f"not method={result.settings.get('method')!r} for the {result.estimand}",
            hint="match(..., method='nearest'), or use adjust= with this design",
        )
    if measure not in ("mean_difference", "risk_difference"):
        raise SpecificationError(
            f"effect(): bias_correction=True corrects differences, not the {measure}",
            hint='use measure="mean_difference" or "risk_difference", or adjust= for ratios',
        )
    frame = result._frame.reset_index(drop=True)
    index = result._frame.index
    if not index.is_unique:
        raise DataError(
            "effect(): bias_correction=True reads the pairs by row label, and the matched "
            "frame's index repeats labels",
            hint="match on data.reset_index(drop=True)",
        )
    focal = index.get_indexer(pd.Index(result.pairs["focal"])).astype(np.intp)
    match = index.get_indexer(pd.Index(result.pairs["match"])).astype(np.intp)
    if spec is None:
        spec = _frames.resolve_covariates(result._covariates, arg="covariates", caller="effect")
    pool = np.flatnonzero(result._kept)
    sample = frame.iloc[pool]
    _frames.complete_cases(
        frame.iloc[np.union1d(focal, match)], [outcome, *spec.columns], missing="error",
        arg="result", caller="effect",
    )  # fmt: skip
    known = sample[[outcome, *spec.columns]].notna().all(axis=1).to_numpy()
    pool, sample = pool[known], sample[known]
    y_pool = _frames.numeric_array(sample, outcome, arg="outcome", caller="effect")
    if measure == "risk_difference" and not np.isin(y_pool, (0.0, 1.0)).all():
        raise DataError(f"effect(): measure={measure!r} needs a 0/1 outcome {outcome!r}")
    X_pool = _frames.design_matrix(sample, spec, arg="adjust", caller="effect").X
    position = pd.Series(np.arange(len(pool)), index=pool)
    focal_at = position.reindex(focal).to_numpy()
    match_at = position.reindex(match).to_numpy()
    if np.isnan(focal_at).any() or np.isnan(match_at).any():
        raise DataError("effect(): a matched unit lies outside the kept sample")
    focal_at, match_at = focal_at.astype(np.intp), match_at.astype(np.intp)
    spread = X_pool.std(axis=0)  # Matching's scaling: the SD over all units (divisor n)
    metric = X_pool / np.where(spread > 0, spread, 1.0)
    groups = result._is_treated[pool]
    needed = np.union1d(focal_at, match_at)
    if target == "population":  # only controls serving two or more focal units count
        pairs = np.unique(np.column_stack([focal_at, match_at]), axis=0)
        served, count = np.unique(pairs[:, 1], return_counts=True)
        estimated = served[count > 1]
    else:
        estimated = needed
    sigma2 = neighbour_variances(y_pool, metric, groups, estimated)
    sigma2[np.isnan(sigma2)] = 0.0  # not used: their variance terms are zero
    kernel = corrected_kernel(
        y_pool, X_pool, focal_at, match_at, sigma2, focal_is_treated=result.estimand == "ATT"
    )
    variance = kernel.var_population if target == "population" else kernel.var_sample
    return BiasCorrected(
        kernel.estimate, float(np.sqrt(variance)), len(needed), len(np.unique(focal_at))
    )
