"""The outcome model of :func:`rpeval.matching.effect`: fit, g-computation, sandwiches.

Pure numpy kernels, written to give the numbers R gives for an ``lm`` or a binomial
``glm`` fitted with prior weights ``w`` and R's ``sandwich`` 3.0 package:

* bread ``B = (X' V X)^-1``, with the IRLS working weights ``V = w`` (linear) or
  ``V = w mu (1 - mu)`` (logit), as ``sandwich::bread``;
* estimating functions ``s_i = w_i (y_i - mu_i) x_i``, as ``sandwich::estfun``;
* hat values ``h_i``: the diagonal of the projection on ``V^(1/2) X``, as
  ``stats::hatvalues`` of the weighted (IRLS) fit;
* cluster-robust ``c B (sum_g S_g S_g') B`` with ``S_g`` the summed ``s_i`` of cluster
  ``g``, as ``sandwich::vcovCL`` with its defaults (``type = NULL``, ``cadjust = TRUE``):
  ``c = G / (G - 1)``, times ``(n - 1) / (n - k)`` for a linear model only (vcovCL uses
  ``type = "HC1"`` for ``lm`` objects and ``"HC0"`` for every other class, ``glm``
  included);
* ``HC3``: ``B (sum_i s_i s_i' / (1 - h_i)^2) B``, as ``sandwich::vcovHC(type = "HC3")``.

Columns that are linear combinations of earlier ones are dropped first, by R's rule for
``lm`` (:func:`aliased_columns`), so the bread is a true inverse.
"""

from __future__ import annotations

from typing import Literal, NamedTuple

import numpy as np
from numpy.typing import NDArray

from rpeval._lazy import linalg, special
from rpeval.matching._glm import fit_binary

__all__ = [
    "ALIAS_TOL",
    "Estimate",
    "Measure",
    "OutcomeFit",
    "aliased_columns",
    "cluster_covariance",
    "contrast_gradient",
    "fit_outcome",
    "g_computation",
    "hc3_covariance",
]

FloatArray = NDArray[np.float64]
Measure = Literal["mean_difference", "risk_difference", "risk_ratio", "odds_ratio"]
ALIAS_TOL = 1e-7  # R's lm.fit: a column is aliased when less than this share of it is new
GLM_TOL = 1e-10  # deviance convergence of the logistic fit (R's glm default is 1e-8)
ESTIMABLE_TOL = 1e-6  # gap allowed between a target row and the row space (scaled)


class OutcomeFit(NamedTuple):
    """A fitted weighted linear or logistic outcome model (full-rank design)."""

    coef: FloatArray
    fitted: FloatArray  # mu: the linear predictor, or the fitted probability
    bread: FloatArray  # (X' V X)^-1
    scores: FloatArray  # n x k estimating functions w (y - mu) x
    leverage: FloatArray  # hat values of the weighted (IRLS) fit
    converged: bool
    boundary: int  # fitted probabilities numerically 0 or 1


class Estimate(NamedTuple):
    """A g-computation estimate (on the log scale for ratios) from the outcome model
    ``fit``, with its gradient in the model's coefficients (aliased columns left out)."""

    value: float
    gradient: FloatArray
    fit: OutcomeFit
    estimable: bool  # False: some target prediction depends on an aliased column
    design: FloatArray  # the outcome model's design (kept columns)
    means: FloatArray  # weighted mean predictions over the target, under treatment, control
    treated_design: FloatArray  # target rows of the design set to treatment (kept columns)
    control_design: FloatArray  # the same rows set to control


def aliased_columns(A: FloatArray, tol: float = ALIAS_TOL) -> NDArray[np.bool_]:
    """Columns of ``A`` that are (nearly) linear combinations of the columns before them.

    Column ``j`` is aliased when the part of it orthogonal to the kept columns before it
    is shorter than ``tol`` times its length: the rule of R's ``lm`` (``dqrdc2`` with
    ``tol = 1e-7``), which keeps the earlier column of a collinear pair.

    Examples
    --------
    >>> A = np.array([[1.0, 2, 0, 1], [1, 2, 1, 0], [1, 2, 0, 0]])
    >>> aliased_columns(A).tolist()
    [False, True, False, False]
    """
    n, k = A.shape
    basis = np.empty((n, k))
    kept = 0
    aliased = np.zeros(k, dtype=np.bool_)
    for j in range(k):
        column = A[:, j]
        length = float(np.linalg.norm(column))
        rest = column.copy()
        for _ in range(2):  # Gram-Schmidt twice is enough for orthogonality
            rest -= basis[:, :kept] @ (basis[:, :kept].T @ rest)
        remaining = float(np.linalg.norm(rest))
        if length == 0.0 or remaining < tol * length:
            aliased[j] = True
        else:
            basis[:, kept] = rest / remaining
            kept += 1
    return aliased


def fit_outcome(X: FloatArray, y: FloatArray, w: FloatArray, *, linear: bool) -> OutcomeFit:
    """Weighted least squares (``linear``) or weighted logistic regression of ``y`` on
    ``X`` (full column rank, intercept included), with the pieces of its sandwich.

    The logistic fit runs to a relative deviance change of 1e-10, and its working
    weights, bread and hat values are those at the final coefficients (R's ``glm`` keeps
    the ones of the iteration before the last: the two agree once ``glm`` has converged
    tightly, e.g. with ``glm.control(epsilon = 1e-14)``).

    Examples
    --------
    >>> X = np.column_stack([np.ones(4), [0.0, 0, 1, 1]])
    >>> fit = fit_outcome(X, np.array([1.0, 2, 4, 5]), np.ones(4), linear=True)
    >>> np.round(fit.coef, 12).tolist(), np.round(fit.leverage, 12).tolist()
    ([1.5, 3.0], [0.5, 0.5, 0.5, 0.5])
    """
    if linear:
        root = np.sqrt(w)
        q, r = np.linalg.qr(X * root[:, None])
        coef = linalg.solve_triangular(r, q.T @ (y * root))
        mu = X @ coef
        converged, boundary = True, 0
    else:
        binary = fit_binary(X, y, weights=w, tol=GLM_TOL)
        coef, mu = binary.coef, binary.fitted
        q, r = np.linalg.qr(X * np.sqrt(w * mu * (1.0 - mu))[:, None])
        converged, boundary = binary.converged, binary.boundary
    r_inv = linalg.solve_triangular(r, np.eye(r.shape[0]))
    return OutcomeFit(
        coef=np.asarray(coef, dtype=np.float64),
        fitted=np.asarray(mu, dtype=np.float64),
        bread=np.asarray(r_inv @ r_inv.T, dtype=np.float64),
        scores=np.asarray(X * (w * (y - mu))[:, None], dtype=np.float64),
        leverage=np.asarray(np.einsum("ij,ij->i", q, q), dtype=np.float64),
        converged=converged,
        boundary=boundary,
    )


def g_computation(
    y: FloatArray,
    t: FloatArray,
    w: FloatArray,
    Z: FloatArray | None,
    measure: Measure,
    target: NDArray[np.bool_],
) -> Estimate:
    """Fit the outcome model and average its predictions under treatment and under
    control over the ``target`` rows, weighted by ``w``.

    The model is ``y ~ t`` or, with covariates ``Z``, ``y ~ t * Z`` (``Z`` centred at
    its weighted mean among the treated: a reparametrisation that changes neither the
    estimate nor its SE). Ratios are returned on the log scale; ``gradient`` is the
    derivative of ``value`` in the coefficients, for the delta method.

    Examples
    --------
    >>> t = np.array([0.0, 0, 1, 1])
    >>> est = g_computation(np.array([1.0, 2, 4, 5]), t, np.ones(4), None,
    ...                     "mean_difference", t == 1)
    >>> round(est.value, 12), est.gradient.tolist()
    (3.0, [0.0, 1.0])
    """
    if Z is None:
        X = np.column_stack([np.ones_like(t), t])
    else:
        Zc = Z - np.average(Z[t == 1], axis=0, weights=w[t == 1])
        X = np.column_stack([np.ones_like(t), t, Zc, Zc * t[:, None]])
    kept = ~aliased_columns(X * np.sqrt(w)[:, None])
    fit = fit_outcome(X[:, kept], y, w, linear=measure == "mean_difference")
    X1, X0 = X[target].copy(), X[target].copy()
    X1[:, 1], X0[:, 1] = 1.0, 0.0
    if Z is not None:
        k = Z.shape[1]
        X1[:, 2 + k :] = X1[:, 2 : 2 + k]
        X0[:, 2 + k :] = 0.0
    estimable = _in_row_space(X, w, kept, np.vstack([X1, X0]))
    X1, X0 = X1[:, kept], X0[:, kept]
    wf = w[target] / w[target].sum()
    if measure == "mean_difference":
        p1, p0 = X1 @ fit.coef, X0 @ fit.coef
        g1, g0 = wf @ X1, wf @ X0
    else:
        p1, p0 = special.expit(X1 @ fit.coef), special.expit(X0 @ fit.coef)
        g1, g0 = (wf * p1 * (1 - p1)) @ X1, (wf * p0 * (1 - p0)) @ X0
    m1, m0 = float(wf @ p1), float(wf @ p0)
    if measure == "mean_difference":  # exactly linear in the coefficients
        gradient = wf @ (X1 - X0)
        value = float(gradient @ fit.coef)
    else:
        outer = contrast_gradient(measure, m1, m0)
        gradient = outer[0] * g1 + outer[1] * g0
        value = m1 - m0
        if measure == "risk_ratio":
            value = float(np.log(m1 / m0))
        elif measure == "odds_ratio":
            value = float(np.log(m1 / (1 - m1)) - np.log(m0 / (1 - m0)))
    return Estimate(value, gradient, fit, estimable, X[:, kept], np.array([m1, m0]), X1, X0)


def contrast_gradient(measure: Measure, m1: float, m0: float) -> FloatArray:
    """Derivatives of the effect (log scale for ratios) in the two mean predictions.

    Examples
    --------
    >>> contrast_gradient("risk_ratio", 0.5, 0.25).tolist()
    [2.0, -4.0]
    """
    if measure in ("mean_difference", "risk_difference"):
        return np.array([1.0, -1.0])
    if measure == "risk_ratio":
        return np.array([1.0 / m1, -1.0 / m0])
    return np.array([1.0 / (m1 * (1 - m1)), -1.0 / (m0 * (1 - m0))])


def _in_row_space(X: FloatArray, w: FloatArray, kept: NDArray[np.bool_], rows: FloatArray) -> bool:
    """Whether ``rows`` lie in the row space of ``X``: in each, every aliased column must
    be the same combination of the kept columns as in ``X`` (otherwise the prediction
    depends on a coefficient the data do not identify). Columns are first scaled to unit
    root mean square, so the tolerance is relative to each column's size."""
    if kept.all():
        return True
    size = np.sqrt(np.mean(X * X, axis=0))
    size[size == 0.0] = 1.0
    A = X / size * np.sqrt(w)[:, None]
    scaled = rows / size
    combination = np.linalg.lstsq(A[:, kept], A[:, ~kept], rcond=None)[0]
    gap = scaled[:, ~kept] - scaled[:, kept] @ combination
    bound = 1.0 + np.abs(scaled[:, ~kept]) + np.abs(scaled[:, kept]) @ np.abs(combination)
    return bool(np.all(np.abs(gap) <= ESTIMABLE_TOL * bound))


def cluster_covariance(
    fit: OutcomeFit, clusters: NDArray[np.intp], *, small_sample: bool
) -> FloatArray:
    """``sandwich::vcovCL(fit, cluster = clusters)`` with its defaults: ``G / (G - 1)``
    always and, with ``small_sample`` (R's ``"HC1"``, the default for ``lm`` only),
    ``(n - 1) / (n - k)``. ``clusters`` are codes ``0 .. G - 1``; needs ``G >= 2`` and,
    with ``small_sample``, ``n > k``.

    Examples
    --------
    >>> X = np.column_stack([np.ones(4), [0.0, 0, 1, 1]])
    >>> fit = fit_outcome(X, np.array([1.0, 2, 4, 5]), np.ones(4), linear=True)
    >>> cov = cluster_covariance(fit, np.array([0, 1, 1, 0]), small_sample=True)
    >>> round(float(cov[1, 1]), 12)
    1.5
    """
    n, k = fit.scores.shape
    n_groups = int(clusters.max()) + 1
    summed = np.stack(
        [np.bincount(clusters, weights=fit.scores[:, j], minlength=n_groups) for j in range(k)],
        axis=1,
    )
    factor = n_groups / (n_groups - 1)
    if small_sample:
        factor *= (n - 1) / (n - k)
    return np.asarray(factor * fit.bread @ (summed.T @ summed) @ fit.bread, dtype=np.float64)


def hc3_covariance(fit: OutcomeFit) -> FloatArray:
    """``sandwich::vcovHC(fit, type = "HC3")``: each unit's estimating function divided by
    ``1 - h_i``. Needs every hat value below 1.

    Examples
    --------
    >>> X = np.column_stack([np.ones(4), [0.0, 0, 1, 1]])
    >>> fit = fit_outcome(X, np.array([1.0, 2, 4, 5]), np.ones(4), linear=True)
    >>> round(float(hc3_covariance(fit)[1, 1]), 12)
    1.0
    """
    scaled = fit.scores / (1.0 - fit.leverage)[:, None]
    return np.asarray(fit.bread @ (scaled.T @ scaled) @ fit.bread, dtype=np.float64)
