"""Means, totals, ratios, proportions, quantiles and domains against R survey 4.1.

tests/reference/surveys_api.R (apistrat, apiclus1 with and without fpc, two-stage
apiclus2, apisrs). Tolerances: 1e-10 relative for linearised SEs and design effects
(the issue asks 1e-8), 1e-8 absolute for intervals that R computes through a fitted glm.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import rpeval.surveys as sv
from rpeval.surveys import SurveyDesign
from tests.reference_data import reference, reference_csv

SE_RTOL = 1e-10
CI_ATOL = 1e-8


def ref(name: str) -> dict[str, Any]:
    designs: dict[str, Any] = reference("surveys_api")["designs"]
    return designs[name]  # type: ignore[no-any-return]


def flat(value: Any) -> np.ndarray:
    return np.ravel(np.asarray(value, dtype=float))


def test_degrees_of_freedom(api: tuple[str, SurveyDesign]) -> None:
    name, design = api
    assert design.degrees_of_freedom == ref(name)["degf"]
    assert design.weights.sum() == pytest.approx(ref(name)["population_size"], rel=1e-12)


def test_mean_total_ratio(api: tuple[str, SurveyDesign]) -> None:
    name, design = api
    r = ref(name)
    mean = sv.mean(design, "api00").summary()
    np.testing.assert_allclose(mean["estimate"], flat(r["mean_api00"]["estimate"]), rtol=1e-12)
    np.testing.assert_allclose(mean["std_error"], flat(r["mean_api00"]["se"]), rtol=SE_RTOL)
    np.testing.assert_allclose(mean["deff"], flat(r["mean_api00"]["deff"]), rtol=SE_RTOL)
    np.testing.assert_allclose(
        mean[["ci_lower", "ci_upper"]].to_numpy().ravel(), flat(r["mean_ci"]), rtol=1e-12
    )
    total = sv.total(design, "enroll", missing="drop").summary()
    np.testing.assert_allclose(total["estimate"], flat(r["total"]["estimate"]), rtol=1e-12)
    np.testing.assert_allclose(total["std_error"], flat(r["total"]["se"]), rtol=SE_RTOL)
    np.testing.assert_allclose(total["deff"], flat(r["total"]["deff"]), rtol=SE_RTOL)
    ratio = sv.ratio(design, "api.stu", "enroll", missing="drop").summary()
    for column, key in [("estimate", "estimate"), ("std_error", "se"), ("deff", "deff")]:
        np.testing.assert_allclose(ratio[column], flat(r["ratio"][key]), rtol=SE_RTOL)


def test_domains_as_svyby(api: tuple[str, SurveyDesign]) -> None:
    name, design = api
    r = ref(name)
    cases = [
        (sv.mean(design, "api00", by="stype"), r["by_mean"], True),
        (sv.total(design, "enroll", by="stype", missing="drop"), r["by_total"], True),
        (sv.ratio(design, "api.stu", "enroll", by="stype", missing="drop"), r["by_ratio"], False),
    ]
    for result, expected, has_deff in cases:
        table = result.summary()
        assert table["domain"].tolist() == expected["levels"]
        assert table["stype"].tolist() == expected["levels"]
        np.testing.assert_allclose(table["estimate"], flat(expected["estimate"]), rtol=1e-12)
        np.testing.assert_allclose(table["std_error"], flat(expected["se"]), rtol=SE_RTOL)
        np.testing.assert_allclose(table["ci_lower"], flat(expected["ci_lower"]), rtol=1e-12)
        np.testing.assert_allclose(table["ci_upper"], flat(expected["ci_upper"]), rtol=1e-12)
        if has_deff:
            np.testing.assert_allclose(table["deff"], flat(expected["deff"]), rtol=SE_RTOL)


def test_two_way_domains(api: tuple[str, SurveyDesign]) -> None:
    name, design = api
    expected = ref(name)["by_two"]
    table = sv.mean(design, "api00", by=["stype", "awards"]).summary()
    ours = {
        (s, a): (e, se)
        for s, a, e, se in table[["stype", "awards", "estimate", "std_error"]].itertuples(
            index=False
        )
    }
    assert len(ours) == len(expected["stype"])
    for s, a, e, se in zip(
        expected["stype"], expected["awards"], expected["estimate"], expected["se"], strict=True
    ):
        assert ours[(s, a)][0] == pytest.approx(e, rel=1e-12)
        assert ours[(s, a)][1] == pytest.approx(se, rel=SE_RTOL)


def test_contrast_uses_covariance_between_domains(api: tuple[str, SurveyDesign]) -> None:
    name, design = api
    r = ref(name)
    diff = sv.mean(design, "api00", by="stype").difference("E", "H")
    assert diff.estimate == pytest.approx(r["contrast_mean_EH"]["estimate"], rel=1e-12)
    assert diff.std_error == pytest.approx(r["contrast_mean_EH"]["se"], rel=SE_RTOL)
    if name == "strat":  # domains are strata: no covariance, svyby's block-diagonal is right
        block = flat(r["contrast_mean_EH"]["svyby_block_se"])[0]
        assert diff.std_error == pytest.approx(block, rel=SE_RTOL)
    totals = sv.total(design, "enroll", by="stype", missing="drop").difference("E", "H")
    assert totals.estimate == pytest.approx(flat(r["contrast_total_EH"]["estimate"])[0], rel=1e-12)
    assert totals.std_error == pytest.approx(flat(r["contrast_total_EH"]["se"])[0], rel=SE_RTOL)


@pytest.mark.parametrize("method", ["logit", "likelihood", "beta", "mean"])
def test_proportion_intervals(api: tuple[str, SurveyDesign], method: str) -> None:
    name, design = api
    r = ref(name)
    expected = r["proportion"][method]
    table = sv.proportion(design, "sch.wide", success="Yes", method=method).summary()
    assert table["estimate"][0] == pytest.approx(expected["estimate"], abs=CI_ATOL)
    assert table["std_error"][0] == pytest.approx(expected["se"], rel=SE_RTOL)
    np.testing.assert_allclose(
        table[["ci_lower", "ci_upper"]].to_numpy().ravel(), expected["ci"], atol=CI_ATOL, rtol=0
    )
    assert table["df"][0] == expected["df"]
    by = r["by_proportion"][method]
    table = sv.proportion(design, "sch.wide", success="Yes", method=method, by="stype").summary()
    assert table["domain"].tolist() == by["levels"]
    np.testing.assert_allclose(table["estimate"], flat(by["estimate"]), atol=CI_ATOL, rtol=0)
    np.testing.assert_allclose(table["std_error"], flat(by["se"]), rtol=SE_RTOL)
    np.testing.assert_allclose(table["ci_lower"], flat(by["ci_lower"]), atol=CI_ATOL, rtol=0)
    np.testing.assert_allclose(table["ci_upper"], flat(by["ci_upper"]), atol=CI_ATOL, rtol=0)


def test_proportion_90_percent(api: tuple[str, SurveyDesign]) -> None:
    name, design = api
    expected = ref(name)["proportion_90"]
    table = sv.proportion(design, "sch.wide", success="Yes", conf_level=0.9).summary()
    np.testing.assert_allclose(
        table[["ci_lower", "ci_upper"]].to_numpy().ravel(), expected["ci"], atol=CI_ATOL, rtol=0
    )


def test_quantiles_woodruff(api: tuple[str, SurveyDesign]) -> None:
    name, design = api
    r = ref(name)
    expected = r["quantile"]
    table = sv.quantile(design, "api00", expected["probs"]).summary()
    assert table["probability"].tolist() == expected["probs"]
    for column, key in [
        ("estimate", "estimate"),
        ("ci_lower", "ci_lower"),
        ("ci_upper", "ci_upper"),
        ("std_error", "se"),
    ]:
        np.testing.assert_allclose(table[column], flat(expected[key]), rtol=1e-12)
    by = r["by_median"]
    table = sv.quantile(design, "api00", 0.5, by="stype").summary()
    for column, key in [
        ("estimate", "estimate"),
        ("ci_lower", "ci_lower"),
        ("ci_upper", "ci_upper"),
        ("std_error", "se"),
    ]:
        np.testing.assert_allclose(table[column], flat(by[key]), rtol=1e-12)


@pytest.mark.parametrize("rule", ["remove", "adjust", "average"])
def test_lonely_psu_rules(rule: str) -> None:
    expected = reference("surveys_api")["lonely"][rule]
    design = SurveyDesign(
        reference_csv("apistrat.csv"), weights="pw", strata="cname", lonely_psu=rule
    )
    assert design.n_lonely == expected["n_lonely"]
    mean = sv.mean(design, "api00").summary()
    assert mean["std_error"][0] == pytest.approx(flat(expected["mean"]["se"])[0], rel=SE_RTOL)
    total = sv.total(design, "api00").summary()
    assert total["std_error"][0] == pytest.approx(flat(expected["total"]["se"])[0], rel=SE_RTOL)
    by = sv.mean(design, "api00", by="stype").summary()
    np.testing.assert_allclose(by["std_error"], flat(expected["by_mean"]["se"]), rtol=SE_RTOL)


def test_lonely_psu_fail_names_the_strata() -> None:
    from rpeval.errors import DataError

    with pytest.raises(DataError, match=r"single PSU.*'Amador'") as info:
        SurveyDesign(reference_csv("apistrat.csv"), weights="pw", strata="cname")
    assert "lonely_psu='remove'" in str(info.value)
    assert "Amador" in reference("surveys_api")["lonely"]["fail_message"]
