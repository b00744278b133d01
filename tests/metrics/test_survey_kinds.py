"""Design-based metric kinds (survey_mean, survey_proportion) against R survey 4.1.

References: tests/reference/metrics_survey.R (svymean, svyby, confint; svyciprop logit) on
one-stage designs of the api data shipped under tests/reference.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from rpeval.errors import DataError, MetricDefinitionError
from rpeval.metrics import Registry

REF = Path(__file__).parents[1] / "reference"
DESIGNS = {
    "strat": ("apistrat.csv", "design: {weights: pw, strata: stype}"),
    "clus1": ("apiclus1.csv", "design: {weights: pw, psu: dnum}"),
}
METRICS = """
name: api_mean
version: 1.0.0
title: Mean API
description: Design-based mean of api00.
kind: survey_mean
value: {{column: api00}}
{design}
---
name: school_wide_share
version: 1.0.0
title: School-wide target met
description: Share meeting the school-wide target among schools with 20%+ free meals.
kind: survey_proportion
denominator: {{where: meals >= 20}}
numerator: {{where: sch_wide == 'Yes'}}
{design}
"""


def _setup(tmp_path: Path, name: str, extra: str = "") -> tuple[Registry, pd.DataFrame]:
    csv, design = DESIGNS[name]
    path = tmp_path / f"{name}.yaml"
    path.write_text(METRICS.format(design=design + extra), encoding="utf-8")
    data = pd.read_csv(REF / csv).rename(columns={"sch.wide": "sch_wide"})
    return Registry.from_paths(path, include_builtin=False), data


@pytest.fixture(scope="module")
def reference() -> dict[str, dict[str, object]]:
    loaded: dict[str, dict[str, object]] = json.loads((REF / "metrics_survey.json").read_text())
    return loaded


def _check(row: pd.Series, expected: dict[str, float], tol: float = 1e-8) -> None:
    for column in ("value", "ci_lower", "ci_upper"):
        assert float(row[column]) == pytest.approx(expected[column], rel=tol, abs=tol)


@pytest.mark.parametrize("name", sorted(DESIGNS))
def test_survey_mean_matches_svymean(tmp_path: Path, name: str, reference: dict) -> None:
    registry, data = _setup(tmp_path, name)
    table = registry.compute("api_mean", data, suppress_below=1).frame
    _check(table.iloc[0], reference[name]["mean"])
    by = registry.compute("api_mean", data, by="awards", suppress_below=1).frame
    for expected in reference[name]["mean_by_awards"]:
        _check(by.set_index("awards").loc[expected["awards"]], expected)
    weighted = float((data["pw"] * data["api00"]).sum())
    assert float(table["numerator"].iloc[0]) == pytest.approx(weighted)
    assert float(table["denominator"].iloc[0]) == pytest.approx(float(data["pw"].sum()))


@pytest.mark.parametrize("name", sorted(DESIGNS))
def test_survey_proportion_matches_svyciprop(tmp_path: Path, name: str, reference: dict) -> None:
    registry, data = _setup(tmp_path, name)
    table = registry.compute("school_wide_share", data, suppress_below=1).frame
    _check(table.iloc[0], reference[name]["share_meals20"])
    by = registry.compute("school_wide_share", data, by="stype", suppress_below=1).frame
    for expected in reference[name]["share_by_stype"]:
        _check(by.set_index("stype").loc[expected["stype"]], expected)


def test_small_respondent_counts_are_suppressed(tmp_path: Path) -> None:
    registry, data = _setup(tmp_path, "strat")
    table = registry.compute("school_wide_share", data, by="stype", suppress_below=10).frame
    counts = (
        data[data["meals"] >= 20]
        .groupby("stype")["sch_wide"]
        .apply(lambda s: min(len(s), int((s == "Yes").sum()), int((s != "Yes").sum())))
    )
    small = set(counts[(counts > 0) & (counts < 10)].index)
    assert small  # some cell has fewer than 10 schools missing the target
    hidden = set(table.loc[table["suppressed"], "stype"])
    assert small <= hidden
    assert table.loc[table["suppressed"], "value"].isna().all()


def test_design_input_errors(tmp_path: Path) -> None:
    registry, data = _setup(tmp_path, "strat")
    bad = data.assign(pw=data["pw"].where(data.index != 3, 0.0))
    with pytest.raises(DataError, match="weights column 'pw'"):
        registry.compute("api_mean", bad)
    with pytest.raises(DataError, match="needs column"):
        registry.compute("api_mean", data.drop(columns="pw"))
    lonely = data.assign(stype=np.where(data.index == 0, "lonely", data["stype"]))
    with pytest.raises(DataError, match="single PSU"):
        registry.compute("api_mean", lonely)


def test_lonely_psu_rule_from_yaml(tmp_path: Path) -> None:
    csv, _ = DESIGNS["strat"]
    path = tmp_path / "lonely.yaml"
    text = METRICS.format(design="design: {weights: pw, strata: stype, lonely_psu: remove}")
    path.write_text(text, encoding="utf-8")
    registry = Registry.from_paths(path, include_builtin=False)
    data = pd.read_csv(REF / csv).rename(columns={"sch.wide": "sch_wide"})
    lonely = data.assign(stype=np.where(data.index == 0, "lonely", data["stype"]))
    row = registry.compute("api_mean", lonely, suppress_below=1).frame.iloc[0]
    assert np.isfinite(float(row["ci_lower"]))


def test_schema_requires_a_design(tmp_path: Path) -> None:
    path = tmp_path / "nodesign.yaml"
    path.write_text(METRICS.split("---")[0].format(design=""), encoding="utf-8")
    with pytest.raises(MetricDefinitionError, match="needs `design`"):
        Registry.from_paths(path, include_builtin=False)
    path.write_text(
        METRICS.split("---")[0].format(design="design: {weights: pw}\ninterval: logit"),
        encoding="utf-8",
    )
    with pytest.raises(MetricDefinitionError, match="does not apply"):
        Registry.from_paths(path, include_builtin=False)


def test_validate_checks_the_design_columns(tmp_path: Path) -> None:
    from rpeval.metrics import validate

    path = tmp_path / "survey.yaml"
    text = METRICS.format(design="design: {weights: pw, strata: stype}")
    path.write_text(text.replace("kind: survey_mean", "kind: survey_mean\ntable: cases"))
    messages = " ".join(issue.message for issue in validate([path]).issues)
    assert "column 'pw' is not a column of table 'cases'" in messages
    assert "column 'stype' is not a column of table 'cases'" in messages
