"""effect()'s outcome model and sandwiches against slow direct formulas (hypothesis), and
the combinations it refuses to compute."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from hypothesis import HealthCheck, assume, given
from hypothesis import strategies as st
from numpy.typing import NDArray

from rpeval.errors import DataError
from rpeval.matching import effect
from rpeval.matching._outcome import (
    aliased_columns,
    cluster_covariance,
    fit_outcome,
    hc3_covariance,
)
from tests.hypothesis_budget import budget

SETTINGS = budget(40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FloatArray = NDArray[np.float64]


class Problem:
    """Random weighted data: design with intercept and treatment, 0/1 and normal outcomes."""

    def __init__(self, seed: int, n: int, k: int, n_clusters: int) -> None:
        rng = np.random.default_rng(seed)
        self.t = np.tile([0.0, 1.0], n // 2 + 1)[:n]
        self.Z = rng.normal(size=(n, k)) * rng.choice([1.0, 1000.0], size=k)
        self.X = np.column_stack([np.ones(n), self.t, self.Z])
        self.w = rng.uniform(0.2, 5.0, n)
        signal = self.Z[:, 0] / self.Z[:, 0].std() if k else 0.0
        self.y_normal = self.t + signal + rng.normal(size=n)
        self.y_binary = (rng.uniform(size=n) < 0.5).astype(np.float64)
        self.clusters = rng.integers(0, n_clusters, n)
        self.clusters = np.unique(self.clusters, return_inverse=True)[1]


problems = st.builds(
    Problem,
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(12, 40),
    k=st.integers(0, 2),
    n_clusters=st.integers(2, 12),
)


def slow_hc3_linear(X: FloatArray, y: FloatArray, w: FloatArray) -> FloatArray:
    """HC3 of weighted least squares is the sum of squared leave-one-out changes in the
    coefficients: b - b(-i) = B x_i w_i e_i / (1 - h_i)."""
    root = np.sqrt(w)
    full = np.linalg.lstsq(X * root[:, None], y * root, rcond=None)[0]
    total = np.zeros((X.shape[1], X.shape[1]))
    for i in range(len(y)):
        keep = np.arange(len(y)) != i
        loo = np.linalg.lstsq(X[keep] * root[keep, None], y[keep] * root[keep], rcond=None)[0]
        total += np.outer(full - loo, full - loo)
    return total


def slow_glm_pieces(
    X: FloatArray, y: FloatArray, w: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """statsmodels' logistic fit, the explicit n x n hat matrix and the scores."""
    fitted = sm.GLM(y, X, family=sm.families.Binomial(), var_weights=w).fit(tol=1e-12)
    mu = np.asarray(fitted.fittedvalues)
    root = np.sqrt(w * mu * (1 - mu))
    bread = np.linalg.inv((X * (w * mu * (1 - mu))[:, None]).T @ X)
    hat = (X * root[:, None]) @ bread @ (X * root[:, None]).T
    scores = X * (w * (y - mu))[:, None]
    return bread, np.diag(hat).copy(), scores


def slow_cluster(
    bread: FloatArray, scores: FloatArray, clusters: NDArray[np.intp], factor: float
) -> FloatArray:
    meat = np.zeros_like(bread)
    for g in np.unique(clusters):
        total = scores[clusters == g].sum(axis=0)
        meat += np.outer(total, total)
    return factor * bread @ meat @ bread


def _both_outcomes(problem: Problem) -> bool:
    y, t = problem.y_binary, problem.t
    return all(0 < y[t == a].sum() < (t == a).sum() for a in (0.0, 1.0))


@SETTINGS
@given(problems)
def test_linear_hc3_is_the_leave_one_out_sum(problem: Problem) -> None:
    fit = fit_outcome(problem.X, problem.y_normal, problem.w, linear=True)
    assume(fit.leverage.max() < 0.99)
    expected = slow_hc3_linear(problem.X, problem.y_normal, problem.w)
    np.testing.assert_allclose(hc3_covariance(fit), expected, rtol=1e-6, atol=1e-12)


@SETTINGS
@given(problems)
def test_linear_cluster_is_the_direct_sum(problem: Problem) -> None:
    X, y, w = problem.X, problem.y_normal, problem.w
    fit = fit_outcome(X, y, w, linear=True)
    n, k = X.shape
    G = int(problem.clusters.max()) + 1
    bread = np.linalg.inv((X * w[:, None]).T @ X)
    scores = X * (w * (y - X @ (bread @ (X.T @ (w * y)))))[:, None]
    expected = slow_cluster(bread, scores, problem.clusters, G / (G - 1) * (n - 1) / (n - k))
    got = cluster_covariance(fit, problem.clusters, small_sample=True)
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-12 * np.abs(expected).max())


@SETTINGS
@given(problems)
def test_logistic_hc3_and_cluster_are_the_direct_formulas(problem: Problem) -> None:
    assume(_both_outcomes(problem))
    X, y, w = problem.X, problem.y_binary, problem.w
    fit = fit_outcome(X, y, w, linear=False)
    assume(fit.converged and fit.fitted.min() > 1e-6 and fit.fitted.max() < 1 - 1e-6)
    bread, hat, scores = slow_glm_pieces(X, y, w)
    np.testing.assert_allclose(fit.leverage, hat, rtol=1e-6, atol=1e-9)
    scaled = scores / (1 - hat)[:, None]
    hc3 = bread @ (scaled.T @ scaled) @ bread
    scale = np.abs(hc3).max()
    np.testing.assert_allclose(hc3_covariance(fit), hc3, rtol=1e-5, atol=1e-9 * scale)
    G = int(problem.clusters.max()) + 1
    cluster = slow_cluster(bread, scores, problem.clusters, G / (G - 1))  # no (n-1)/(n-k)
    got = cluster_covariance(fit, problem.clusters, small_sample=False)
    np.testing.assert_allclose(got, cluster, rtol=1e-5, atol=1e-9 * np.abs(cluster).max())


@SETTINGS
@given(problems, st.sampled_from(["cluster", "hc3"]))
def test_risk_difference_se_is_the_delta_method_by_finite_differences(
    problem: Problem, se: str
) -> None:
    """Unadjusted, ATT: RD = expit(b0 + b1) - expit(b0); its gradient by differences."""
    assume(_both_outcomes(problem))
    X, y, w = problem.X[:, :2], problem.y_binary, problem.w
    frame = pd.DataFrame({"treat": problem.t, "y": y, "weights": w, "subclass": problem.clusters})
    result = effect(frame, "y", treatment="treat", measure="risk_difference", se=se)  # type: ignore[arg-type]
    bread, hat, scores = slow_glm_pieces(X, y, w)
    if se == "hc3":
        scaled = scores / (1 - hat)[:, None]
        cov = bread @ (scaled.T @ scaled) @ bread
    else:
        G = int(problem.clusters.max()) + 1
        cov = slow_cluster(bread, scores, problem.clusters, G / (G - 1))
    coef = sm.GLM(y, X, family=sm.families.Binomial(), var_weights=w).fit(tol=1e-12).params

    def rd(b: FloatArray) -> float:
        return float(1 / (1 + np.exp(-(b[0] + b[1]))) - 1 / (1 + np.exp(-b[0])))

    step = 1e-6
    gradient = np.array(
        [(rd(coef + step * e) - rd(coef - step * e)) / (2 * step) for e in np.eye(2)]
    )
    assert result.estimate == pytest.approx(rd(coef), abs=1e-9)
    assert result.std_error == pytest.approx(np.sqrt(gradient @ cov @ gradient), rel=1e-5)


@SETTINGS
@given(problems, st.sampled_from(["mean_difference", "risk_ratio"]))
def test_a_collinear_covariate_changes_nothing(problem: Problem, measure: str) -> None:
    """An adjust= column that is a linear function of another is aliased, as in R."""
    assume(problem.Z.shape[1] > 0 and _both_outcomes(problem))
    frame = pd.DataFrame(
        {
            "treat": problem.t,
            "y": problem.y_normal if measure == "mean_difference" else problem.y_binary,
            "weights": problem.w,
            "subclass": problem.clusters,
            "x": problem.Z[:, 0] / problem.Z[:, 0].std(),
        }
    )
    frame["x_again"] = 3.0 * frame["x"] - 2.0
    kwargs = {"treatment": "treat", "measure": measure, "se": "cluster"}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        once = effect(frame, "y", adjust=["x"], **kwargs)  # type: ignore[arg-type]
        twice = effect(frame, "y", adjust=["x", "x_again"], **kwargs)  # type: ignore[arg-type]
    assume(not caught)  # no separation: both fits have a finite optimum
    assert twice.estimate == pytest.approx(once.estimate, rel=1e-7, abs=1e-10)
    assert twice.std_error == pytest.approx(once.std_error, rel=1e-6)


def test_aliased_columns_follow_rs_order() -> None:
    x = np.array([1.0, 2.0, 4.0, 7.0])
    A = np.column_stack([np.ones(4), x, 2 * x + 1, np.zeros(4), x**2])
    assert aliased_columns(A).tolist() == [False, False, True, True, False]


def _frame(levels: list[str]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "treat": [1, 1, 1, 1, 0, 0, 0, 0, 0, 0],
            "y": [1.0, 0, 1, 1, 0, 1, 0, 1, 0, 0],
            "weights": 1.0,
            "subclass": [1, 2, 3, 4, 1, 2, 3, 4, 1, 2],
            "site": levels,
        }
    )


def test_hc3_with_a_unit_of_leverage_one_is_an_error() -> None:
    # site "b": a single treated unit (and two controls), so with treat * site that unit
    # fits its own coefficient
    frame = _frame(["a", "a", "a", "b", "a", "a", "b", "a", "b", "a"])
    with pytest.raises(DataError, match="leverage 1"):
        effect(frame, "y", treatment="treat", adjust=["site"], se="hc3")
    assert np.isfinite(effect(frame, "y", treatment="treat", adjust=["site"]).std_error)


def test_an_effect_the_data_do_not_identify_is_an_error() -> None:
    # site "b" only among the treated: their outcome under control is not identified
    frame = _frame(["a", "b", "a", "b", "a", "a", "a", "a", "a", "a"])
    with pytest.raises(DataError, match="not identified"):
        effect(frame, "y", treatment="treat", adjust=["site"])


def test_one_matched_set_cannot_be_clustered_on() -> None:
    frame = _frame(["a"] * 10).assign(subclass=1)
    with pytest.raises(DataError, match="two matched sets"):
        effect(frame, "y", treatment="treat", se="cluster")
