"""Replicate-weight designs against R survey 4.1 (tests/reference/surveys_replicates.R)
and their agreement with linearisation."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import rpeval.surveys as sv
from rpeval.errors import DataError, SpecificationError
from tests.hypothesis_budget import budget
from tests.reference_data import REFERENCE, reference, reference_csv

SE_RTOL = 1e-10
CI_ATOL = 1e-8


def flat(value: Any) -> np.ndarray:
    return np.ravel(np.asarray(value, dtype=float))


def _designs() -> dict[str, sv.ReplicateDesign]:
    strat = sv.SurveyDesign(reference_csv("apistrat.csv"), weights="pw", strata="stype", fpc="fpc")
    clus1 = reference_csv("apiclus1.csv")
    pairs = sv.SurveyDesign(reference_csv("api_pairs.csv"), weights="pw", strata="pair")
    hadamard = np.loadtxt(REFERENCE / "api_pairs_hadamard.csv", delimiter=",")
    boot = reference_csv("api_boot_weights.csv")
    columns = [c for c in boot.columns if c.startswith("rep")]
    return {
        "jk1": sv.replicate_design(sv.SurveyDesign(clus1, weights="pw", psu="dnum", fpc="fpc")),
        "jk1_nofpc": sv.replicate_design(sv.SurveyDesign(clus1, weights="pw", psu="dnum"), "JK1"),
        "jkn": sv.replicate_design(strat, "JKn"),
        "jkn_mse": sv.replicate_design(strat, "JKn", mse=True),
        "brr_hadamard": sv.replicate_design(pairs, "BRR", hadamard=hadamard),
        "fay_hadamard": sv.replicate_design(pairs, "Fay", fay_rho=0.3, hadamard=hadamard),
        "bootstrap_columns": sv.ReplicateDesign.from_columns(
            pd.concat([clus1, boot[columns]], axis=1),
            weights="pw",
            replicate_weights=columns,
            type="bootstrap",
        ),
    }


DESIGNS = _designs()


@pytest.mark.parametrize("name", list(DESIGNS))
def test_replicate_estimates_match_r(name: str) -> None:
    design, expected = DESIGNS[name], reference("surveys_replicates")["designs"][name]
    assert design.degrees_of_freedom == expected["degf"]
    assert design.n_replicates == expected["n_replicates"]
    assert design.scale == pytest.approx(expected["scale"], rel=1e-12)
    for result, key in [
        (sv.mean(design, "api00"), "mean"),
        (sv.total(design, "enroll"), "total"),
        (sv.ratio(design, "api.stu", "enroll"), "ratio"),
    ]:
        table = result.summary()
        assert table["estimate"][0] == pytest.approx(flat(expected[key]["estimate"])[0], rel=1e-12)
        assert table["std_error"][0] == pytest.approx(flat(expected[key]["se"])[0], rel=SE_RTOL)
    by = sv.mean(design, "api00", by="stype")
    np.testing.assert_allclose(
        by.summary()["std_error"], flat(expected["by_mean"]["se"]), rtol=SE_RTOL
    )
    k = len(by.summary())
    np.testing.assert_allclose(
        by.covariance, flat(expected["by_mean"]["cov"]).reshape(k, k).T, rtol=1e-9, atol=1e-12
    )
    contrast = by.difference("E", "H")
    assert contrast.std_error == pytest.approx(flat(expected["contrast_EH"]["se"])[0], rel=SE_RTOL)
    for method in ["logit", "beta", "mean"]:
        table = sv.proportion(design, "sch.wide", success="Yes", method=method).summary()
        ref = expected["proportion"][method]
        assert table["std_error"][0] == pytest.approx(ref["se"], rel=SE_RTOL)
        np.testing.assert_allclose(
            table[["ci_lower", "ci_upper"]].to_numpy().ravel(), ref["ci"], atol=CI_ATOL, rtol=0
        )


def test_own_hadamard_matches_r_for_totals_and_linearisation() -> None:
    """Any full-orthogonal Hadamard matrix gives the same BRR variance of a total, equal to
    the linearised with-replacement variance (two PSUs per stratum)."""
    expected = reference("surveys_replicates")["designs"]
    pairs = sv.SurveyDesign(reference_csv("api_pairs.csv"), weights="pw", strata="pair")
    for name, design in [
        ("brr", sv.replicate_design(pairs, "BRR")),
        ("fay", sv.replicate_design(pairs, "Fay", fay_rho=0.3)),
    ]:
        assert design.n_replicates == 128  # Sylvester; R's own matrix has 104 columns
        se = sv.total(design, "enroll").summary()["std_error"][0]
        assert se == pytest.approx(flat(expected[name]["total"]["se"])[0], rel=SE_RTOL)
        linear = flat(expected["pairs_linearised"]["total"]["se"])[0]
        assert se == pytest.approx(linear, rel=SE_RTOL)


def test_bad_replicate_input() -> None:
    strat = sv.SurveyDesign(reference_csv("apistrat.csv"), weights="pw", strata="stype")
    with pytest.raises(SpecificationError, match="JK1 is for unstratified"):
        sv.replicate_design(strat, "JK1")
    with pytest.raises(DataError, match="exactly two PSUs"):
        sv.replicate_design(strat, "BRR")
    with pytest.raises(SpecificationError, match="type='jackknife'"):
        sv.replicate_design(strat, "jackknife")
    with pytest.raises(SpecificationError, match="not supported here"):
        sv.quantile(sv.replicate_design(strat), "api00", 0.5)
    with pytest.raises(SpecificationError, match="likelihood"):
        sv.proportion(sv.replicate_design(strat), "sch.wide", success="Yes", method="likelihood")
    frame = pd.DataFrame({"w": [1.0, 1.0], "r1": [2.0, -1.0]})
    with pytest.raises(DataError, match="finite and >= 0"):
        sv.ReplicateDesign.from_columns(frame, weights="w", replicate_weights=["r1"], type="JK1")
    with pytest.raises(SpecificationError, match="needs scale= or rscales="):
        sv.ReplicateDesign.from_columns(
            frame.assign(r1=1.0), weights="w", replicate_weights=["r1"], type="JKn"
        )


def test_bootstrap_is_reproducible_and_reported() -> None:
    clus1 = sv.SurveyDesign(reference_csv("apiclus1.csv"), weights="pw", psu="dnum", fpc="fpc")
    one = sv.replicate_design(clus1, "bootstrap", replicates=40, random_state=7)
    two = sv.replicate_design(clus1, "bootstrap", replicates=40, random_state=7)
    np.testing.assert_array_equal(one.replicate_weights, two.replicate_weights)
    assert "40 replicates" in str(one)
    assert one.to_dict()["type"] == "bootstrap" and one.summary()["n_replicates"][0] == 40


@budget(40, deadline=None)
@given(
    n=st.integers(30, 300),
    seed=st.integers(0, 2**32 - 1),
    spread=st.floats(0.0, 4.0),
)
def test_jackknife_se_tends_to_linearised_se_in_a_simple_random_sample(
    n: int, seed: int, spread: float
) -> None:
    """JK1 and linearisation agree exactly for totals and to O(1/n) for means (exactly
    with equal weights)."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({"w": 1.0 + spread * rng.uniform(size=n), "y": rng.normal(size=n)})
    design = sv.SurveyDesign(frame, weights="w")
    jackknife = sv.replicate_design(design, "JK1")
    lin_total = sv.total(design, "y").summary()["std_error"][0]
    jk_total = sv.total(jackknife, "y").summary()["std_error"][0]
    assert math.isclose(jk_total, lin_total, rel_tol=1e-9)
    lin_mean = sv.mean(design, "y").summary()["std_error"][0]
    jk_mean = sv.mean(jackknife, "y").summary()["std_error"][0]
    tolerance = 1e-9 if spread == 0 else 2.0 / n
    assert abs(jk_mean / lin_mean - 1) <= tolerance
