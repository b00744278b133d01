"""The stacked sandwich's analytic derivatives against a numerical-derivative sandwich
(hypothesis): the same estimating equations, written here as functions of the whole
parameter vector and differentiated by central differences."""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given
from hypothesis import strategies as st
from numpy.typing import NDArray
from scipy import optimize, special

from rpeval.errors import RpevalError, RpevalWarning
from rpeval.matching import effect, weight
from tests.hypothesis_budget import budget

FloatArray = NDArray[np.float64]
SETTINGS = budget(30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _weights_ipw(estimand: str, t: FloatArray, e: FloatArray) -> FloatArray:
    return {
        "ATE": np.where(t == 1, 1 / e, 1 / (1 - e)),
        "ATT": np.where(t == 1, 1.0, e / (1 - e)),
        "ATO": np.where(t == 1, 1 - e, e),
    }[estimand]


def numerical_se(
    psi: Callable[[FloatArray], FloatArray], theta: FloatArray, grad: FloatArray
) -> float:
    """Delta-method SE of grad' (m1, m0) from A^-1 B A^-T, A by central differences."""
    at = psi(theta)
    assert np.abs(at.sum(axis=0)).max() < 1e-6 * (1 + np.abs(at).sum(axis=0).max())
    A = np.empty((len(theta), len(theta)))
    for j in range(len(theta)):
        step = 1e-6 * max(abs(theta[j]), 1e-2)
        up, down = theta.copy(), theta.copy()
        up[j] += step
        down[j] -= step
        A[:, j] = (psi(up).sum(axis=0) - psi(down).sum(axis=0)) / (2 * step)
    A_inv = np.linalg.inv(A)
    V = A_inv @ (at.T @ at) @ A_inv.T
    return float(np.sqrt(grad @ V[-2:, -2:] @ grad))


class Case:
    def __init__(self, seed: int, n: int, estimand: str, method: str, adjusted: bool,
                 binary: bool, stabilize: bool) -> None:  # fmt: skip
        rng = np.random.default_rng(seed)
        x = rng.normal(size=(n, 2))
        t = (rng.random(n) < special.expit(-0.3 + 0.8 * x[:, 0] - 0.5 * x[:, 1])).astype(float)
        signal = 0.5 + (1 - 0.8 * x[:, 0]) * t + x[:, 0] + 0.5 * x[:, 1]
        y = (
            (rng.random(n) < special.expit(signal)).astype(float)
            if binary
            else signal + rng.normal(size=n)
        )
        self.frame = pd.DataFrame({"t": t, "y": y, "x1": x[:, 0], "x2": x[:, 1]})
        self.x, self.t, self.y = x, t, y
        self.estimand = estimand if method == "ipw" else estimand.replace("ATO", "ATT")
        self.method, self.adjusted, self.binary = method, adjusted, binary
        self.stabilize = stabilize


cases = st.builds(
    Case,
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(60, 150),
    estimand=st.sampled_from(["ATT", "ATE", "ATO"]),
    method=st.sampled_from(["ipw", "entropy"]),
    adjusted=st.booleans(),
    binary=st.booleans(),
    stabilize=st.booleans(),
)


def _weight_function(
    case: Case,
) -> tuple[FloatArray, Callable[[FloatArray], tuple[FloatArray, FloatArray]]]:
    """Starting nuisance parameters and nu -> (psi_nu, weights), written independently."""
    x, t = case.x, case.t
    n = len(t)
    if case.method == "ipw":
        X = np.column_stack([np.ones(n), x])
        gamma = optimize.minimize(
            lambda g: -(t * (X @ g) - np.logaddexp(0, X @ g)).sum(), np.zeros(3),
            jac=lambda g: -X.T @ (t - special.expit(X @ g)), method="BFGS",
            options={"gtol": 1e-12},
        ).x  # fmt: skip
        start = gamma

        def nuisance(nu: FloatArray) -> tuple[FloatArray, FloatArray]:
            e = special.expit(X @ nu[:3])
            return X * (t - e)[:, None], _weights_ipw(case.estimand, t, e)
    else:
        target = t == 1 if case.estimand == "ATT" else np.ones(n, bool)
        groups = [t == 0] if case.estimand == "ATT" else [t == 1, t == 0]
        mu = x[target].mean(axis=0)
        start_parts = [mu]
        for g in groups:
            lam = optimize.minimize(
                lambda lam, g=g: special.logsumexp((x[g] - mu) @ lam), np.zeros(2),
                method="BFGS", options={"gtol": 1e-13},
            ).x  # fmt: skip
            start_parts += [lam, [np.exp((x[g] - mu) @ lam).mean()]]
        start = np.concatenate(start_parts)

        def nuisance(nu: FloatArray) -> tuple[FloatArray, FloatArray]:
            mu = nu[:2]
            cols = [(x - mu) * target[:, None]]
            w = np.ones(n)
            for j, g in enumerate(groups):
                lam, c = nu[2 + 3 * j : 4 + 3 * j], nu[4 + 3 * j]
                u = np.exp((x - mu) @ lam)
                cols += [(x - mu) * (u * g)[:, None], ((u - c) * g)[:, None]]
                w = np.where(g, u / c, w)
            return np.column_stack(cols), w

    if not case.stabilize:
        return start, nuisance
    share = t.mean()

    def stabilized(nu: FloatArray) -> tuple[FloatArray, FloatArray]:
        psi, w = nuisance(nu[:-1])
        return np.column_stack([psi, t - nu[-1]]), w * np.where(t == 1, nu[-1], 1 - nu[-1])

    return np.append(start, share), stabilized


@SETTINGS
@given(cases)
def test_sandwich_is_the_numerical_derivative_sandwich(case: Case) -> None:
    options = {"estimand": case.estimand, "method": case.method, "stabilize": case.stabilize}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", RpevalWarning)
            w = weight(case.frame, "t", ["x1", "x2"], **options)  # type: ignore[arg-type]
            result = effect(
                w, "y", measure="risk_difference" if case.binary else "mean_difference",
                adjust=["x1"] if case.adjusted else None,
            )  # fmt: skip
    except (RpevalError, RpevalWarning):
        assume(False)
        return
    t, y, n = case.t, case.y, len(case.t)
    nu0, nuisance = _weight_function(case)
    weights0 = nuisance(nu0)[1]
    np.testing.assert_allclose(w.data["weights"], weights0, rtol=1e-6)
    X = np.column_stack(
        [np.ones(n), t] + ([case.x[:, 0], case.x[:, 0] * t] if case.adjusted else [])
    )
    X1, X0 = X.copy(), X.copy()
    X1[:, 1], X0[:, 1] = 1.0, 0.0
    if case.adjusted:
        X1[:, 3], X0[:, 3] = case.x[:, 0], 0.0
    target = {"ATT": t == 1}.get(case.estimand, np.ones(n, bool))
    h: Callable[[FloatArray], FloatArray] = special.expit if case.binary else (lambda z: z)
    beta = optimize.minimize(
        lambda b: float(np.sum(weights0 * (y - h(X @ b)) ** 2)) if not case.binary
        else float(-np.sum(weights0 * (y * (X @ b) - np.logaddexp(0, X @ b)))),
        np.zeros(X.shape[1]), method="BFGS", options={"gtol": 1e-10},
        jac=lambda b: -2 * X.T @ (weights0 * (y - X @ b)) if not case.binary
        else -X.T @ (weights0 * (y - special.expit(X @ b))),
    ).x  # fmt: skip
    beta = beta + np.linalg.solve(  # one Newton step polishes BFGS's answer
        (X * (weights0 * (1 if not case.binary else h(X @ beta) * (1 - h(X @ beta))))[:, None]).T
        @ X,
        X.T @ (weights0 * (y - h(X @ beta))),
    )
    v0 = np.where(target, weights0, 0.0)
    m = np.array([v0 @ h(X1 @ beta), v0 @ h(X0 @ beta)]) / v0.sum()
    q, k = len(nu0), X.shape[1]

    def psi(theta: FloatArray) -> FloatArray:
        psi_nu, wts = nuisance(theta[:q])
        b, means = theta[q : q + k], theta[q + k :]
        v = np.where(target, wts, 0.0)
        return np.column_stack([
            psi_nu, X * (wts * (y - h(X @ b)))[:, None],
            v * (h(X1 @ b) - means[0]), v * (h(X0 @ b) - means[1]),
        ])  # fmt: skip

    expected = numerical_se(psi, np.concatenate([nu0, beta, m]), np.array([1.0, -1.0]))
    assert result.estimate == pytest.approx(m[0] - m[1], rel=1e-6, abs=1e-8)
    assert result.std_error == pytest.approx(expected, rel=1e-4)
