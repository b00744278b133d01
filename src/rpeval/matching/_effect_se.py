"""Analytic SEs of :func:`rpeval.matching.effect` on matched data: R's cluster-robust and
HC3 delta method for the sample target, influence values summed by matched set for the
population target (:mod:`._stacked`)."""

from __future__ import annotations

import warnings

import numpy as np
from numpy.typing import NDArray

from rpeval.errors import ConvergenceWarning, DataError
from rpeval.matching._outcome import (
    Estimate,
    Measure,
    OutcomeFit,
    cluster_covariance,
    hc3_covariance,
)
from rpeval.matching._stacked import clustered_variance, influence_values

__all__ = ["LEVERAGE_TOL", "robust_se", "warn_about_fit"]

FloatArray = NDArray[np.float64]
LEVERAGE_TOL = 1.5e-8  # HC3 is undefined for a unit with hat value within this of 1


def robust_se(
    point: Estimate,
    y: FloatArray,
    w: FloatArray,
    focus: NDArray[np.bool_],
    clusters: NDArray[np.intp] | None,
    measure: Measure,
    population: bool,
) -> float:
    """Delta-method SE from the cluster-robust (``clusters`` given) or HC3 covariance;
    for the ``population`` target, from the influence values summed by cluster."""
    fit = point.fit
    n, k = fit.scores.shape
    factor = 1.0
    if clusters is not None:
        n_groups = int(clusters.max()) + 1
        if n_groups < 2:
            raise DataError(
                'effect(): se="cluster" needs at least two matched sets (subclass values); '
                f"found {n_groups}",
                hint='use se="hc3" or se="bootstrap"',
            )
        linear = measure == "mean_difference"
        if linear and n <= k:
            raise DataError(
                f"effect(): the outcome model has {k} coefficients but only {n} units",
                hint="use fewer adjust= covariates",
            )
        if not population:
            cov = cluster_covariance(fit, clusters, small_sample=linear)
            return float(np.sqrt(point.gradient @ cov @ point.gradient))
        factor = n_groups / (n_groups - 1) * ((n - 1) / (n - k) if linear else 1.0)
        phi = influence_values(point, y, w, focus, measure, population=True)
        return float(np.sqrt(clustered_variance(phi, clusters, factor)))
    exact = int(np.sum(fit.leverage > 1.0 - LEVERAGE_TOL))
    if exact:
        raise DataError(
            f'effect(): se="hc3" is undefined: {exact} unit(s) have leverage 1 in the '
            "outcome model (each fits its own coefficient, e.g. the only unit of an "
            "adjust= level in its treatment group), so 1 / (1 - h) is infinite",
            hint="merge rare levels or drop that covariate from adjust=, or use "
            'se="cluster" (matching without replacement) or se="bootstrap"',
        )
    if not population:
        cov = hc3_covariance(fit)
        return float(np.sqrt(point.gradient @ cov @ point.gradient))
    phi = influence_values(
        point, y, w, focus, measure, population=True, score_scale=1.0 - fit.leverage
    )
    return float(np.sqrt(clustered_variance(phi, None, factor)))


def warn_about_fit(fit: OutcomeFit, measure: Measure) -> None:
    """Say so when the logistic outcome model did not converge or separates."""
    if not fit.converged:
        warnings.warn(
            f"effect(): the logistic outcome model for the {measure} did not converge; "
            "the estimate and its SE are unreliable",
            ConvergenceWarning,
            stacklevel=3,
        )
    elif fit.boundary:
        warnings.warn(
            f"effect(): the logistic outcome model fits a risk of 0 or 1 to {fit.boundary} "
            "unit(s) (separation); the estimate and its SE are unreliable",
            ConvergenceWarning,
            stacklevel=3,
        )


def _target(t: FloatArray, estimand: str) -> NDArray[np.bool_]:
    if estimand == "ATT":
        return np.asarray(t == 1, dtype=np.bool_)
    if estimand == "ATC":
        return np.asarray(t == 0, dtype=np.bool_)
    return np.ones(len(t), dtype=np.bool_)
