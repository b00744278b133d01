"""effect(..., bias_correction=True): Abadie & Imbens' bias-corrected matching estimator
against R's Matching 4.10 (tests/reference/matching_bias_correction.R) on lalonde: its pairs
and estimate, its SE when the variance's neighbours are taken in the score as Matching
does, and the formulas written out in R with rpeval's neighbours (near in the covariates);
and its algebra on random pairs (hypothesis)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given
from hypothesis import strategies as st

from rpeval.errors import SpecificationError
from rpeval.matching import effect, match, weight
from rpeval.matching._bias_correction import corrected_kernel, neighbour_variances
from tests.hypothesis_budget import budget
from tests.reference_data import reference, reference_csv

COVARIATES = "age + educ + race + married + nodegree + re74 + re75"
RTOL = 1e-8


@pytest.fixture(scope="module")
def lalonde() -> pd.DataFrame:
    data = reference_csv("lalonde.csv")
    score = reference("matching_bias_correction")["score"]
    return data.assign(employed=(data["re78"] > 0).astype(float), score=score)


CASES = [
    ("att_m1", 1, "ATT", "re78", "population"),
    ("att_m1_sample", 1, "ATT", "re78", "sample"),
    ("atc_m1", 1, "ATC", "re78", "population"),
    ("att_m1_employed", 1, "ATT", "employed", "population"),
    ("att_m2", 2, "ATT", "re78", "population"),
    ("att_m2_sample", 2, "ATT", "re78", "sample"),
    ("atc_m2", 2, "ATC", "re78", "population"),
    ("att_m2_employed", 2, "ATT", "employed", "population"),
]


@pytest.mark.parametrize(("case", "ratio", "estimand", "outcome", "target"), CASES)
def test_bias_correction_equals_matching(
    lalonde: pd.DataFrame, case: str, ratio: int, estimand: str, outcome: str, target: str
) -> None:
    ref = reference("matching_bias_correction")[case]
    m = match(
        lalonde, "treat", COVARIATES, distance="score", replace=True, ratio=ratio,
        estimand=estimand,  # type: ignore[arg-type]
    )  # fmt: skip
    if estimand == "ATT":  # the same pairs as Matching's (R rows are 1-based)
        ours = set(zip(m.pairs["focal"] + 1, m.pairs["match"] + 1, strict=True))
        assert ours == set(zip(ref["focal"], ref["match"], strict=True))
    result = effect(
        m, outcome, bias_correction=True, adjust=COVARIATES, target=target,  # type: ignore[arg-type]
        measure="risk_difference" if outcome == "employed" else "mean_difference",
    )  # fmt: skip
    assert result.se_type == "abadie_imbens"
    assert result.estimate == pytest.approx(ref["estimate"], rel=RTOL, abs=1e-12)
    assert result.std_error == pytest.approx(ref["se"], rel=RTOL)
    assert result.summary()["estimand"].item() == f"{target} {estimand}"
    # with Matching's neighbours (near in the score) the same kernel gives Matching's SE
    y = lalonde[outcome].to_numpy(float)
    X = pd.get_dummies(lalonde[["age", "educ", "race", "married", "nodegree", "re74", "re75"]],
                       drop_first=True, dtype=float).to_numpy()  # fmt: skip
    score = lalonde["score"].to_numpy()[:, None]
    treated = lalonde["treat"].to_numpy() == 1
    focal, matched = m.pairs["focal"].to_numpy(), m.pairs["match"].to_numpy()
    rows = np.union1d(focal, matched)
    sigma2 = neighbour_variances(y, score / score.std(), treated, rows)
    kernel = corrected_kernel(y, X, focal, matched, sigma2, focal_is_treated=estimand == "ATT")
    variance = kernel.var_population if target == "population" else kernel.var_sample
    assert np.sqrt(variance) == pytest.approx(ref["se_matching"], rel=RTOL)


def test_without_replacement_it_is_regression_adjustment(lalonde: pd.DataFrame) -> None:
    """1:1 without replacement: the corrected estimate is the g-computation estimate with
    the same covariates, and the population variance is that of the corrected pair
    differences (Sum (d_i - estimate)^2 / N^2)."""
    m = match(lalonde, "treat", COVARIATES)
    corrected = effect(m, "re78", bias_correction=True)
    adjusted = effect(m, "re78", adjust=COVARIATES)
    assert corrected.estimate == pytest.approx(adjusted.estimate, rel=1e-9)
    assert corrected.n_clusters == 185 and corrected.n == 370


def test_bias_correction_needs_nearest_pairs_and_a_difference(lalonde: pd.DataFrame) -> None:
    with pytest.raises(SpecificationError, match="nearest-neighbour"):
        effect(match(lalonde, "treat", COVARIATES, method="full"), "re78", bias_correction=True)
    with pytest.raises(SpecificationError, match="nearest-neighbour"):
        effect(weight(lalonde, "treat", COVARIATES), "re78", bias_correction=True)
    m = match(lalonde, "treat", COVARIATES)
    with pytest.raises(SpecificationError, match="corrects differences"):
        effect(m, "employed", measure="risk_ratio", bias_correction=True)
    with pytest.raises(SpecificationError, match="own"):
        effect(m, "re78", bias_correction=True, se="cluster")


@budget(40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 2**32 - 1), st.integers(3, 12), st.integers(1, 3))
def test_kernel_is_the_direct_formula(seed: int, n_focal: int, k: int) -> None:
    """Random pairs with reuse: estimate and both variances from a direct loop."""
    rng = np.random.default_rng(seed)
    n_other = n_focal + 4
    X = rng.normal(size=(n_focal + n_other, 2))
    y = X @ [1.0, -0.5] + rng.normal(size=len(X))
    focal = np.repeat(np.arange(n_focal), k)
    match_rows = n_focal + rng.integers(0, n_other, size=len(focal))
    sigma2 = rng.uniform(0.5, 2.0, len(X))
    got = corrected_kernel(y, X, focal, match_rows, sigma2, focal_is_treated=True)
    used = np.unique(match_rows)
    times = np.array([np.sum(match_rows == j) / k for j in used])
    times_sq = np.array([np.sum(match_rows == j) / k**2 for j in used])
    design = np.column_stack([np.ones(len(used)), X[used]])
    if np.linalg.matrix_rank(design) < 3:
        return
    coef = np.linalg.lstsq(design * np.sqrt(times)[:, None], y[used] * np.sqrt(times), rcond=None)[
        0
    ]

    def mu(row: int) -> float:
        return float(coef[0] + X[row] @ coef[1:])

    d = np.array([
        y[i] - np.mean([y[j] + mu(i) - mu(j) for j in match_rows[focal == i]])
        for i in range(n_focal)
    ])  # fmt: skip
    estimate = d.mean()
    population = (
        ((d - estimate) ** 2).sum() + ((times**2 - times_sq) * sigma2[used]).sum()
    ) / n_focal**2
    sample = (sigma2[:n_focal].sum() + (times**2 * sigma2[used]).sum()) / n_focal**2
    assert got.estimate == pytest.approx(estimate, rel=1e-9, abs=1e-12)
    assert got.var_population == pytest.approx(population, rel=1e-9)
    assert got.var_sample == pytest.approx(sample, rel=1e-9)
