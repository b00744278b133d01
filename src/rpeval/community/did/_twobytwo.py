"""The 2 x 2 panel difference-in-differences estimators of Sant'Anna & Zhao (2020).

Each function takes one (group, period) comparison -- outcomes in the current and
base periods, a treated indicator and an optional covariate matrix (with its
intercept column) -- and returns the ATT and its influence function, one value per
unit, as R's ``DRDID`` (``reg_did_panel``, ``std_ipw_did_panel``, ``drdid_panel``)
defines them.

Examples
--------
>>> import numpy as np
>>> d = np.array([1, 1, 0, 0, 0], dtype=bool)
>>> fit = did_2x2(np.array([3.0, 5, 1, 2, 3]), np.zeros(5), d, None, "dr")
>>> round(fit.att, 6), (np.round(fit.influence, 6) + 0.0).tolist()
(2.0, [-2.5, 2.5, 1.666667, 0.0, -1.666667])
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

__all__ = ["TwoByTwo", "did_2x2", "logit_fit"]

FloatArray = NDArray[np.float64]

_TRIM = 0.995  # DRDID's trim.level: controls with propensity >= this get weight 0


class TwoByTwo(NamedTuple):
    """ATT of one 2 x 2 comparison and its influence function (length n)."""

    att: float
    influence: FloatArray


def did_2x2(
    y1: FloatArray, y0: FloatArray, treated: NDArray[np.bool_], x: FloatArray | None, method: str
) -> TwoByTwo:
    """ATT and influence function for ``method`` in ``"reg"``, ``"ipw"``, ``"dr"``.

    Without covariates (``x is None``) the three coincide with the difference of mean
    changes, computed in closed form.
    """
    delta = y1 - y0
    d = treated.astype(np.float64)
    if x is None:
        return _unconditional(delta, d)
    if method == "reg":
        return _regression(delta, d, x)
    if method == "ipw":
        return _ipw(delta, d, x)
    return _doubly_robust(delta, d, x)


def _unconditional(delta: FloatArray, d: FloatArray) -> TwoByTwo:
    p1 = d.mean()
    p0 = 1.0 - p1
    mean1 = float((d * delta).sum() / d.sum())
    mean0 = float(((1 - d) * delta).sum() / (1 - d).sum())
    influence = d * (delta - mean1) / p1 - (1 - d) * (delta - mean0) / p0
    return TwoByTwo(mean1 - mean0, influence)


def _ols_on_controls(
    delta: FloatArray, d: FloatArray, x: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Fitted change for every unit and the OLS asymptotic linear representation."""
    control = d == 0
    xc = x[control]
    coef = np.linalg.solve(xc.T @ xc, xc.T @ delta[control])
    fitted = x @ coef
    w = 1.0 - d
    xpx = (w[:, None] * x).T @ x / len(d)
    lin_rep = (w * (delta - fitted))[:, None] * x @ np.linalg.inv(xpx)
    return fitted, lin_rep


def logit_fit(
    x: FloatArray, y: FloatArray, *, tol: float = 1e-12, max_iter: int = 100
) -> FloatArray:
    """Fitted probabilities of a logistic regression by Newton-Raphson (IRLS)."""
    beta = np.zeros(x.shape[1])
    for _ in range(max_iter):
        eta = np.clip(x @ beta, -35.0, 35.0)
        p = 1.0 / (1.0 + np.exp(-eta))
        hess = (x * (p * (1 - p))[:, None]).T @ x
        step = np.linalg.solve(hess, x.T @ (y - p))
        beta = beta + step
        if float(np.max(np.abs(step))) < tol:
            break
    eta = np.clip(x @ beta, -35.0, 35.0)
    fitted: FloatArray = 1.0 / (1.0 + np.exp(-eta))
    return fitted


def _propensity(d: FloatArray, x: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Fitted scores (capped as DRDID does), trimming indicator and the score's linear rep."""
    ps = np.minimum(logit_fit(x, d), 1 - 1e-6)
    keep = np.where(d == 1, ps < 1.01, ps < _TRIM).astype(np.float64)
    w = ps * (1 - ps)
    hessian = np.linalg.inv((x * w[:, None]).T @ x) * len(d)
    lin_rep = ((d - ps)[:, None] * x) @ hessian
    return ps, keep, lin_rep


def _regression(delta: FloatArray, d: FloatArray, x: FloatArray) -> TwoByTwo:
    fitted, lin_rep = _ols_on_controls(delta, d, x)
    mean_d = d.mean()
    eta_treat = float((d * delta).mean() / mean_d)
    eta_cont = float((d * fitted).mean() / mean_d)
    inf_treat = (d * delta - d * eta_treat) / mean_d
    inf_cont = (d * fitted - d * eta_cont + lin_rep @ (d[:, None] * x).mean(axis=0)) / mean_d
    return TwoByTwo(eta_treat - eta_cont, inf_treat - inf_cont)


def _ipw(delta: FloatArray, d: FloatArray, x: FloatArray) -> TwoByTwo:
    ps, keep, lin_rep = _propensity(d, x)
    w_treat = keep * d
    w_cont = keep * ps * (1 - d) / (1 - ps)
    eta_treat = float((w_treat * delta).mean() / w_treat.mean())
    eta_cont = float((w_cont * delta).mean() / w_cont.mean())
    inf_treat = w_treat * (delta - eta_treat) / w_treat.mean()
    m2 = (w_cont * (delta - eta_cont))[:, None] * x
    inf_cont = (w_cont * (delta - eta_cont) + lin_rep @ m2.mean(axis=0)) / w_cont.mean()
    return TwoByTwo(eta_treat - eta_cont, inf_treat - inf_cont)


def _doubly_robust(delta: FloatArray, d: FloatArray, x: FloatArray) -> TwoByTwo:
    ps, keep, ps_rep = _propensity(d, x)
    fitted, ols_rep = _ols_on_controls(delta, d, x)
    w_treat = keep * d
    w_cont = keep * ps * (1 - d) / (1 - ps)
    resid = delta - fitted
    eta_treat = float((w_treat * resid).mean() / w_treat.mean())
    eta_cont = float((w_cont * resid).mean() / w_cont.mean())
    m1 = (w_treat[:, None] * x).mean(axis=0)
    inf_treat = (w_treat * (resid - eta_treat) - ols_rep @ m1) / w_treat.mean()
    m2 = ((w_cont * (resid - eta_cont))[:, None] * x).mean(axis=0)
    m3 = (w_cont[:, None] * x).mean(axis=0)
    inf_cont = (w_cont * (resid - eta_cont) + ps_rep @ m2 - ols_rep @ m3) / w_cont.mean()
    return TwoByTwo(eta_treat - eta_cont, inf_treat - inf_cont)
