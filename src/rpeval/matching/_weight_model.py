"""The estimating equations of :func:`rpeval.matching.weight`'s weights, for the stacked
sandwich of :func:`rpeval.matching.effect` (weights estimated, not known).

Each builder returns, at the fitted weights, every unit's estimating function ``psi_i``
of the weighting model's parameters ``nu``, their summed derivative
``J = sum_i d psi_i / d nu``, the weights ``w_i`` and their derivatives ``d w_i / d nu``:
what the outcome model's and target means' equations need to carry the weights'
estimation into the effect's variance.

* IPW (Lunceford & Davidian 2004): ``nu`` is the propensity model's coefficients ``gamma``,
  ``psi_i`` its score (``(T - e) x`` for the logit link), and ``w`` the closed forms of
  :func:`rpeval.matching.weighting.ipw_weights` in ``e(x' gamma)``.
* Entropy balancing (Zhao & Percival 2017): ``nu`` is the target means ``mu`` (the
  reweighted covariates' means in the target group), the dual coefficients ``lambda_g``
  and a normalising constant ``c_g`` for each reweighted group ``g``, with
  ``u_i = exp((x_i - mu)' lambda_g)``, ``w_i = u_i / c_g`` and the equations
  ``r_i (x_i - mu)`` (``r`` the target rows), ``u_i (x_i - mu)`` (balance) and
  ``u_i - c_g`` (weights averaging 1 in their group, as :func:`weight` scales them).
* Truncation at a quantile of a group's weights caps them at ``(1 - f) w_(j) + f w_(j+1)``
  (the order statistics numpy's quantile interpolates), whose derivative the capped units
  share; stabilisation multiplies a group's weights by its share ``pi`` of the sample,
  one more parameter with equation ``T_i - pi``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from rpeval._lazy import linalg, special, stats
from rpeval.errors import DataError
from rpeval.matching._entropy import entropy_weights
from rpeval.matching._outcome import aliased_columns

__all__ = ["WeightModel", "WeightingPlan", "parameter_influence", "weight_equations"]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


class WeightingPlan(NamedTuple):
    """Everything :func:`weight_equations` needs, built once from a ``WeightResult``."""

    design: FloatArray  # N x k covariate design (no intercept) of the units weighted
    is_treated: BoolArray  # N
    inside: BoolArray  # N: units kept after trimming (the weighted sample)
    method: str  # "ipw" or "entropy"
    estimand: str  # "ATE", "ATT", "ATC" or "ATO"
    link: str  # propensity link for IPW
    linear_predictor: FloatArray | None  # N: the propensity model's, for IPW
    truncate: float | None
    stabilize: bool


class WeightModel(NamedTuple):
    """Estimating functions of the weights' parameters and the weights' derivatives."""

    psi: FloatArray  # N x q
    jacobian: FloatArray  # q x q: sum_i d psi_i / d nu
    weights: FloatArray  # N (0 outside the weighted sample)
    derivative: FloatArray  # N x q: d w_i / d nu


def weight_equations(plan: WeightingPlan) -> WeightModel:
    """The weighting model of ``plan`` as estimating equations, at its fit.

    Examples
    --------
    >>> X = np.array([[0.0], [1.0], [2.0], [0.5], [1.5], [3.0]])
    >>> treated = np.array([True, True, True, False, False, False])
    >>> plan = WeightingPlan(X, treated, np.ones(6, bool), "entropy", "ATT", "logit",
    ...                      None, None, False)
    >>> model = weight_equations(plan)
    >>> round(float(model.weights[~treated] @ X[~treated, 0] / 3), 9)
    1.0
    """
    if plan.method == "ipw":
        assert plan.linear_predictor is not None
        model = _ipw(plan.design, plan.is_treated, plan.linear_predictor, plan.link, plan.estimand)
    else:
        model = _entropy(plan.design, plan.is_treated, plan.estimand)
    weights = np.where(plan.inside, model.weights, 0.0)
    derivative = np.where(plan.inside[:, None], model.derivative, 0.0)
    model = model._replace(weights=weights, derivative=derivative)
    if plan.truncate is not None:
        model = _truncated(model, plan.is_treated, plan.inside, plan.truncate)
    if plan.stabilize:
        model = _stabilized(model, plan.is_treated, plan.inside)
    return model


def _ipw(
    X: FloatArray, treated: BoolArray, eta: FloatArray, link: str, estimand: str
) -> WeightModel:
    """Propensity score equations and the closed-form weights' derivatives."""
    design = np.column_stack([np.ones(len(X)), X])
    design = design[:, ~aliased_columns(design)]  # the same fitted scores, identified
    t = treated.astype(np.float64)
    if link == "logit":
        e = special.expit(eta)
        de = e * (1.0 - e)
        psi = design * (t - e)[:, None]
        slope = -de  # d/d eta of the score's factor (t - e)
    else:
        e, de = stats.norm.cdf(eta), stats.norm.pdf(eta)
        variance = e * (1.0 - e)
        ratio = de / variance
        psi = design * ((t - e) * ratio)[:, None]
        d_ratio = -eta * ratio - ratio * ratio * (1.0 - 2.0 * e)
        slope = -de * ratio + (t - e) * d_ratio
    jacobian = (design * slope[:, None]).T @ design
    w, dw_de = _ipw_weights(e, treated, estimand)
    return WeightModel(psi, jacobian, w, design * (dw_de * de)[:, None])


def _ipw_weights(e: FloatArray, treated: BoolArray, estimand: str) -> tuple[FloatArray, FloatArray]:
    """The weights of :func:`ipw_weights` and their derivatives in the score."""
    if estimand == "ATE":
        return (
            np.where(treated, 1.0 / e, 1.0 / (1.0 - e)),
            np.where(treated, -1.0 / e**2, 1.0 / (1.0 - e) ** 2),
        )
    if estimand == "ATT":
        return np.where(treated, 1.0, e / (1.0 - e)), np.where(treated, 0.0, 1.0 / (1.0 - e) ** 2)
    if estimand == "ATC":
        return np.where(treated, (1.0 - e) / e, 1.0), np.where(treated, -1.0 / e**2, 0.0)
    return np.where(treated, 1.0 - e, e), np.where(treated, -1.0, 1.0)


def _entropy(X: FloatArray, treated: BoolArray, estimand: str) -> WeightModel:
    """Entropy balancing's equations (Zhao & Percival 2017), at the weights re-solved on
    the columns that vary independently within each reweighted group."""
    n = len(X)
    target = {"ATT": treated, "ATC": ~treated}.get(estimand, np.ones(n, dtype=np.bool_))
    groups = {"ATT": [~treated], "ATC": [treated]}.get(estimand, [treated, ~treated])
    kept = []
    for group in groups:
        rows = np.column_stack([np.ones(int(group.sum())), X[group]])
        kept.append(~aliased_columns(rows)[1:])
    used = np.logical_or.reduce(kept)
    Xu = X[:, used]
    k = Xu.shape[1]
    mu = Xu[target].mean(axis=0)
    sizes = [k] + [int(g.sum()) + 1 for g in kept]
    q = k + sum(int(g.sum()) + 1 for g in kept)
    psi = np.zeros((n, q))
    jacobian = np.zeros((q, q))
    weights = np.ones(n)
    derivative = np.zeros((n, q))
    psi[:, :k] = (Xu - mu) * target[:, None]
    jacobian[:k, :k] = -float(target.sum()) * np.eye(k)
    start = k
    for group, columns, size in zip(groups, kept, sizes[1:], strict=True):
        cols = columns[used]  # this group's columns among the used ones
        lam_at = np.arange(start, start + size - 1)
        c_at = start + size - 1
        mu_at = np.flatnonzero(cols)
        d = Xu[group][:, cols] - mu[cols]
        lam = entropy_weights(Xu[group][:, cols], mu[cols]).coef
        u = np.exp(d @ lam)
        c = float(u.mean())
        w = u / c
        psi[np.ix_(group, lam_at)] = d * u[:, None]
        psi[group, c_at] = u - c
        ud = d * u[:, None]
        jacobian[np.ix_(lam_at, lam_at)] = ud.T @ d
        eye = np.eye(len(lam))
        jacobian[np.ix_(lam_at, mu_at)] = -np.outer(ud.sum(axis=0), lam) - u.sum() * eye
        jacobian[c_at, lam_at] = ud.sum(axis=0)
        jacobian[c_at, mu_at] = -u.sum() * lam
        jacobian[c_at, c_at] = -float(group.sum())
        weights[group] = w
        derivative[np.ix_(group, lam_at)] = d * w[:, None]
        derivative[np.ix_(group, mu_at)] = -np.outer(w, lam)
        derivative[group, c_at] = -w / c
        start += size
    return WeightModel(psi, jacobian, weights, derivative)


def _truncated(model: WeightModel, treated: BoolArray, inside: BoolArray, q: float) -> WeightModel:
    """Weights capped at the ``q`` quantile of their group's (numpy's linear rule)."""
    weights, derivative = model.weights.copy(), model.derivative.copy()
    for group in (treated & inside, ~treated & inside):
        rows = np.flatnonzero(group)
        order = rows[np.argsort(weights[rows], kind="stable")]
        position = (len(rows) - 1) * q
        low = int(np.floor(position))
        frac = position - low
        high = min(low + 1, len(rows) - 1)
        cap = float(np.quantile(weights[rows], q))
        d_cap = (1.0 - frac) * derivative[order[low]] + frac * derivative[order[high]]
        capped = rows[weights[rows] > cap]
        weights[capped] = cap
        derivative[capped] = d_cap
    return model._replace(weights=weights, derivative=derivative)


def _stabilized(model: WeightModel, treated: BoolArray, inside: BoolArray) -> WeightModel:
    """Each group's weights times its share ``pi`` of the weighted sample; ``pi`` joins
    the parameters with the equation ``T_i - pi`` over that sample."""
    t = treated.astype(np.float64)
    share = float(t[inside].mean())
    factor = np.where(treated, share, 1.0 - share)
    q = model.jacobian.shape[0]
    psi = np.column_stack([model.psi, np.where(inside, t - share, 0.0)])
    jacobian = np.zeros((q + 1, q + 1))
    jacobian[:q, :q] = model.jacobian
    jacobian[q, q] = -float(inside.sum())
    d_share = np.where(treated, model.weights, -model.weights)
    derivative = np.column_stack([model.derivative * factor[:, None], d_share])
    return WeightModel(psi, jacobian, model.weights * factor, derivative)


def parameter_influence(model: WeightModel, caller: str) -> FloatArray:
    """Each unit's influence ``-J^-1 psi_i`` on the weighting model's parameters (N x q),
    solved after scaling ``J`` to a unit diagonal (covariates in dollars stay well
    conditioned); a singular ``J`` is a :class:`~rpeval.errors.DataError` naming the
    bootstrap instead."""
    diagonal = np.abs(np.diag(model.jacobian))
    scale = 1.0 / np.sqrt(np.where(diagonal > 0, diagonal, 1.0))
    try:
        scaled = linalg.solve(model.jacobian * np.outer(scale, scale), scale[:, None] * model.psi.T)
    except (linalg.LinAlgError, ValueError):
        raise DataError(
            f"{caller}(): the weighting model's estimating equations are singular at its "
            "fit (fitted scores of 0 or 1, or covariates that do not vary), so the "
            "stacked sandwich is not defined",
            hint='use se="bootstrap", or trim the sample to the region of overlap',
        ) from None
    return np.asarray(-(scale[:, None] * scaled).T, dtype=np.float64)
