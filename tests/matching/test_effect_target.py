"""effect(target=...): the population ATT adds the target units' own sampling variance
(clustered by matched set) to the sample ATT's delta method; checked against the stacked
estimating equations differentiated numerically (hypothesis)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given
from hypothesis import strategies as st
from numpy.typing import NDArray
from scipy import special

from rpeval.errors import SpecificationError
from rpeval.matching import effect, match
from tests.hypothesis_budget import budget
from tests.matching.test_effect_sandwich_properties import numerical_se
from tests.reference_data import reference_csv

FloatArray = NDArray[np.float64]
COVARIATES = "age + educ + race + married + nodegree + re74 + re75"


class Matched:
    """A random matched sample: sets of one treated unit and 1-3 controls."""

    def __init__(self, seed: int, n_sets: int, binary: bool) -> None:
        rng = np.random.default_rng(seed)
        sizes = rng.integers(1, 4, n_sets)
        subclass = np.concatenate([np.repeat(g, 1 + s) for g, s in enumerate(sizes)])
        t = np.concatenate([np.r_[1.0, np.zeros(s)] for s in sizes])
        w = np.concatenate([np.r_[1.0, np.full(s, 1.0 / s)] for s in sizes])
        x = rng.normal(size=len(t)) + 0.3 * t
        signal = 0.2 + x + (1.0 - 1.5 * x) * t
        y = (
            (rng.random(len(t)) < special.expit(signal)).astype(float)
            if binary
            else signal + rng.normal(size=len(t))
        )
        self.frame = pd.DataFrame({"treat": t, "y": y, "x": x, "weights": w, "subclass": subclass})
        self.binary = binary


matched = st.builds(Matched, st.integers(0, 2**32 - 1), st.integers(15, 40), st.booleans())


@budget(30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(matched)
def test_population_se_is_the_clustered_stacked_sandwich(problem: Matched) -> None:
    frame = problem.frame
    measure = "risk_ratio" if problem.binary else "mean_difference"
    y = frame["y"].to_numpy()
    t, x, w = frame["treat"].to_numpy(), frame["x"].to_numpy(), frame["weights"].to_numpy()
    assume(not problem.binary or all(0 < y[t == a].sum() < (t == a).sum() for a in (0, 1)))
    result = effect(frame, "y", treatment="treat", measure=measure, adjust=["x"])  # type: ignore[arg-type]
    sample = effect(frame, "y", treatment="treat", measure=measure, adjust=["x"], target="sample")  # type: ignore[arg-type]
    assert result.estimate == sample.estimate
    X = np.column_stack([np.ones_like(t), t, x, x * t])
    X1, X0 = X.copy(), X.copy()
    X1[:, 1], X1[:, 3], X0[:, 1], X0[:, 3] = 1.0, x, 0.0, 0.0
    h: Callable[[FloatArray], FloatArray] = special.expit if problem.binary else (lambda z: z)
    beta = np.zeros(4)
    for _ in range(50):  # Newton / weighted least squares
        mu = h(X @ beta)
        slope = mu * (1 - mu) if problem.binary else np.ones_like(mu)
        beta = beta + np.linalg.solve((X * (w * slope)[:, None]).T @ X, X.T @ (w * (y - mu)))
    v = np.where(t == 1, w, 0.0)
    m = np.array([v @ h(X1 @ beta), v @ h(X0 @ beta)]) / v.sum()

    def psi(theta: FloatArray) -> FloatArray:
        b, means = theta[:4], theta[4:]
        score = X * (w * (y - h(X @ b)))[:, None]
        return np.column_stack([score, v * (h(X1 @ b) - means[0]), v * (h(X0 @ b) - means[1])])

    groups = frame["subclass"].to_numpy()
    n_groups = len(np.unique(groups))

    def clustered(theta: FloatArray) -> FloatArray:  # each set's summed estimating functions
        per_unit = psi(theta)
        return np.stack([np.bincount(groups, weights=col) for col in per_unit.T], axis=1)

    grad = np.array([1.0, -1.0]) if not problem.binary else np.array([1 / m[0], -1 / m[1]])
    factor = (
        n_groups / (n_groups - 1) * ((len(y) - 1) / (len(y) - 4) if not problem.binary else 1.0)
    )
    expected = numerical_se(clustered, np.concatenate([beta, m]), grad) * np.sqrt(factor)
    assert result.std_error == pytest.approx(expected, rel=1e-5)
    assert result.summary()["estimand"].item() == "population ATT"
    assert sample.summary()["estimand"].item() == "sample ATT"


def test_without_adjustment_population_and_sample_agree() -> None:
    data = reference_csv("lalonde.csv")
    m = match(data, "treat", COVARIATES)
    for se in ("cluster", "hc3"):
        population = effect(m, "re78", se=se)  # type: ignore[arg-type]
        sample = effect(m, "re78", se=se, target="sample")  # type: ignore[arg-type]
        assert population.std_error == sample.std_error
    adjusted = effect(m, "re78", adjust=COVARIATES)
    assert adjusted.std_error > effect(m, "re78", adjust=COVARIATES, target="sample").std_error
    hc3 = effect(m, "re78", adjust=COVARIATES, se="hc3")
    assert hc3.std_error > effect(m, "re78", adjust=COVARIATES, se="hc3", target="sample").std_error


def test_target_options_are_checked() -> None:
    data = reference_csv("lalonde.csv")
    m = match(data, "treat", COVARIATES)
    with pytest.raises(SpecificationError, match="target="):
        effect(m, "re78", target="everyone")  # type: ignore[arg-type]
    with pytest.raises(SpecificationError, match="population"):
        effect(m, "re78", se="bootstrap", target="sample")
    with pytest.raises(SpecificationError, match="weight"):
        effect(m, "re78", se="sandwich")
