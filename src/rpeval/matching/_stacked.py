"""Influence values of a g-computation estimate of :func:`rpeval.matching.effect`, from
the stacked estimating equations (M-estimation; Stefanski & Boos 2002).

The parameters are, in order: the weighting model's ``nu`` (when the weights were
estimated, :mod:`._weight_model`), the outcome model's coefficients ``b``, and the
weighted mean predictions ``m1``, ``m0`` over the target units, with equations

* ``psi_nu(i)`` of the weighting model;
* ``w_i(nu) (y_i - mu_i) x_i`` (the outcome model's score);
* ``v_i (p_ai - m_a)``: ``p_ai`` unit ``i``'s prediction under treatment ``a``, ``v_i`` its
  weight if it is a target unit and 0 otherwise.

The system is block triangular, so the influence of unit ``i`` on
``estimate - truth ~ sum_i phi_i`` is, with ``J``, ``D_b``, ``D_a`` the summed
derivatives of the three blocks in ``nu``, ``B`` the outcome model's bread and
``V = sum v_i``:

``phi_nu(i) = -J^-1 psi_nu(i)``, ``phi_b(i) = B (s_i + D_b phi_nu(i))``,
``phi_a(i) = (v_i (p_ai - m_a) + G_a phi_b(i) + D_a phi_nu(i)) / V``,

and ``phi(i) = g_1 phi_1(i) + g_0 phi_0(i)`` for the effect ``g(m1, m0)``. The term
``v_i (p_ai - m_a)`` is the target units' own sampling variability: kept for a
population estimand, left out for the sample one (the target's covariates held fixed,
as the delta method on ``b`` alone does). Without a weighting model and without that
term, ``sum_g (sum_{i in g} phi_i)^2`` is the usual cluster (or HC0) delta-method variance.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from rpeval._lazy import special
from rpeval.matching._outcome import Estimate, Measure, contrast_gradient
from rpeval.matching._weight_model import WeightModel, parameter_influence

__all__ = ["clustered_variance", "influence_values"]

FloatArray = NDArray[np.float64]


def influence_values(
    point: Estimate,
    y: FloatArray,
    w: FloatArray,
    target: NDArray[np.bool_],
    measure: Measure,
    *,
    population: bool,
    model: WeightModel | None = None,
    rows: NDArray[np.intp] | None = None,
    score_scale: FloatArray | None = None,
) -> FloatArray:
    """Each unit's influence on the estimate (on the log scale for ratios).

    ``point`` is the fit on the outcome rows ``y`` with weights ``w``. With a weighting ``model``
    over ``N`` units, ``rows`` gives the outcome rows' positions among them and the
    result has ``N`` values; otherwise one per outcome row. ``score_scale`` divides each
    outcome score (``1 - h_i`` gives HC3's scaling).

    Examples
    --------
    >>> from rpeval.matching._outcome import g_computation
    >>> t = np.array([0.0, 0, 1, 1])
    >>> y = np.array([1.0, 2, 4, 5])
    >>> point = g_computation(y, t, np.ones(4), None, "mean_difference", t == 1)
    >>> influence_values(point, y, np.ones(4), t == 1, "mean_difference",
    ...                  population=True).tolist()
    [0.25, -0.25, -0.25, 0.25]
    """
    fit = point.fit
    n = len(y)
    scores = fit.scores if score_scale is None else fit.scores / score_scale[:, None]
    weights = w
    design = point.design
    outer = contrast_gradient(measure, float(point.means[0]), float(point.means[1]))
    X1, X0 = point.treated_design, point.control_design
    eta1, eta0 = X1 @ fit.coef, X0 @ fit.coef
    linear = measure == "mean_difference"
    p1 = eta1 if linear else special.expit(eta1)
    p0 = eta0 if linear else special.expit(eta0)
    if model is None:
        size = n
        where = np.arange(n)
        phi_nu = None
    else:
        assert rows is not None
        size = len(model.weights)
        where = rows
        weights = model.weights[rows]
        phi_nu = parameter_influence(model, "effect")  # N x q: -J^-1 psi_i
    v = weights[target]
    total_v = float(v.sum())
    full_scores = np.zeros((size, scores.shape[1]))
    full_scores[where] = scores
    phi = np.zeros(size)
    target_at = where[target]
    if phi_nu is not None and model is not None:
        dw = model.derivative[rows]
        residual = y - fit.fitted
        d_b = design.T @ (residual[:, None] * dw)  # k x q
        full_scores += phi_nu @ d_b.T
        dv = dw[target]
        for gradient_a, p_a, m_a in (
            (outer[0], p1, point.means[0]),
            (outer[1], p0, point.means[1]),
        ):
            d_a = (p_a - m_a) @ dv  # q
            phi += gradient_a * (phi_nu @ d_a) / total_v
    phi += full_scores @ (fit.bread @ point.gradient)
    if population:
        contrast = outer[0] * (p1 - point.means[0]) + outer[1] * (p0 - point.means[1])
        np.add.at(phi, target_at, v * contrast / total_v)
    return phi


def clustered_variance(phi: FloatArray, clusters: NDArray[np.intp] | None, factor: float) -> float:
    """``factor * sum_g (sum_{i in g} phi_i)^2`` (each unit its own cluster when None).

    Examples
    --------
    >>> clustered_variance(np.array([0.5, -0.5, 1.0]), np.array([0, 0, 1]), 2.0)
    2.0
    """
    if clusters is None:
        return float(factor * (phi @ phi))
    summed = np.bincount(clusters, weights=phi)
    return float(factor * (summed @ summed))
