"""Matching on MatchIt's lalonde data against R (MatchIt 4.7.2 JSON) and its
published vignette figures (DOMAIN.md)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rpeval.matching import match, propensity
from tests.reference_data import reference, reference_csv

FORMULA = "age + educ + race + married + nodegree + re74 + re75"
R_TERMS = {"raceblack": "race_black", "racehispan": "race_hispan", "racewhite": "race_white"}


@pytest.fixture(scope="module")
def lalonde() -> pd.DataFrame:
    return reference_csv("lalonde.csv")


def _r_table(table: dict[str, list[float | None]]) -> pd.DataFrame:
    frame = pd.DataFrame({k: v for k, v in table.items() if v is not None})
    frame["term"] = frame["terms"].map(lambda t: R_TERMS.get(t, t))
    return frame.set_index("term").drop(columns="terms").astype(float)


def test_propensity_matches_glm(lalonde: pd.DataFrame) -> None:
    ref = reference("matchit_lalonde")["propensity"]
    ps = propensity(lalonde, "treat", FORMULA)
    np.testing.assert_allclose(ps.coef, list(ref["coef"].values()), rtol=1e-6)
    np.testing.assert_allclose(ps.score, ref["distance"], atol=1e-7)
    shown = str(ps)  # one renderer: the coefficients and the overlap, never an array
    assert shown.startswith("Propensity score model\nlink: logit\nn:    614 (185 treated)")
    assert "Overlap of the scores" in shown and "array(" not in shown + repr(ps)


def test_balance_before_matching_equals_matchit(lalonde: pd.DataFrame) -> None:
    expected = _r_table(reference("matchit_lalonde")["nearest"]["sum_all"])
    ours = match(lalonde, "treat", FORMULA).balance().before.set_index("term")
    # eCDF statistics of the distance count distinct score values; R's glm stops at a
    # looser tolerance, so near-tied scores differ in the last bits: compare covariates only
    ecdf_terms = [t for t in expected.index if t != "distance"]
    for col in ("ecdf_mean", "ecdf_max"):
        np.testing.assert_allclose(
            ours.loc[ecdf_terms, col], expected.loc[ecdf_terms, col], atol=1e-4, err_msg=col
        )
        assert ours.loc["distance", col] == pytest.approx(expected.loc["distance", col], abs=1e-3)
    for ours_col, r_col in [
        ("means_treated", "means_treated"),
        ("means_control", "means_control"),
        ("std_mean_diff", "std_mean_diff"),
        ("var_ratio", "var_ratio"),
    ]:
        np.testing.assert_allclose(
            ours.loc[expected.index, ours_col], expected[r_col], atol=1e-4, err_msg=ours_col
        )


def test_nearest_reproduces_matchit_47_published_balance(lalonde: pd.DataFrame) -> None:
    # MatchIt 4.7.2 vignette: 185 matched pairs, these SMDs after matching
    published = {
        "distance": 0.9739,
        "age": 0.0718,
        "educ": -0.1290,
        "race_black": 1.0259,
        "race_hispan": -0.6629,
        "race_white": -0.7296,
        "married": -0.0552,
        "nodegree": 0.1546,
        "re74": -0.0505,
        "re75": -0.0257,
    }
    result = match(lalonde, "treat", FORMULA)
    counts = result.counts()
    assert counts.loc["matched"].tolist() == [185, 185]
    assert counts.loc["unmatched", "control"] == 244
    after = result.balance().after.set_index("term")["std_mean_diff"]
    for term, value in published.items():
        assert after[term] == pytest.approx(value, abs=5e-5), term


def test_balance_of_rs_matched_set(lalonde: pd.DataFrame) -> None:
    # our balance statistics on MatchIt's matched set reproduce its table
    from rpeval.matching.balance import balance_rows, expand_columns, scale_sds

    ref = reference("matchit_lalonde")
    expected = _r_table(ref["nearest"]["sum_matched"])
    columns = ["distance", "age", "educ", "race", "married", "nodegree", "re74", "re75"]
    data = lalonde.assign(distance=ref["propensity"]["distance"])
    names, X, binary = expand_columns(data, columns, frozenset())
    is_treated = data["treat"].to_numpy() == 1
    labels = pd.Series(ref["nearest"]["subclass"], dtype=object)
    subclass = np.where(labels.isna(), 0, pd.factorize(labels)[0] + 1).astype(np.int64)
    sd = scale_sds(X, binary, is_treated, "ATT")
    weights = np.asarray(ref["nearest"]["weights"], dtype=float)
    ours = balance_rows(names, X, binary, is_treated, weights, sd, subclass).set_index("term")
    for col in (
        "means_treated",
        "means_control",
        "std_mean_diff",
        "var_ratio",
        "ecdf_mean",
        "ecdf_max",
        "std_pair_dist",
    ):
        np.testing.assert_allclose(
            ours.loc[expected.index, col], expected[col], atol=1e-4, err_msg=col
        )


def test_effect_with_cluster_robust_se(lalonde: pd.DataFrame) -> None:
    from rpeval.matching import effect

    ref = reference("matchit_lalonde")["effect"]
    result = effect(match(lalonde, "treat", FORMULA), "re78")
    row = result.summary().iloc[0]
    # our own pairs are MatchIt 4.7.2's, so our effect is R's
    assert row["estimate"] == pytest.approx(ref["estimate"], rel=1e-8)
    assert row["std_error"] == pytest.approx(ref["se"], rel=1e-6)
    # and so is the effect computed on the matched data R wrote
    subclass = [
        s if s is not None else "" for s in reference("matchit_lalonde")["nearest"]["subclass"]
    ]
    data = lalonde.assign(
        weights=reference("matchit_lalonde")["nearest"]["weights"], subclass=subclass
    )
    theirs = effect(data[data["weights"] > 0], "re78", treatment="treat").summary().iloc[0]
    assert theirs["estimate"] == pytest.approx(ref["estimate"], rel=1e-8)
    assert theirs["std_error"] == pytest.approx(ref["se"], rel=1e-6)
