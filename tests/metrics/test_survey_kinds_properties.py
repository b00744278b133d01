"""Properties: the survey metric kinds equal rpeval.surveys on random designs.

The metrics pillar uses the shared linearisation core through its own one-stage path
(rows read through narwhals, domains built from the by columns, the design's df per
cell); rpeval.surveys builds the same designs its own way. They must agree.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import rpeval.surveys as sv
from rpeval.metrics import Registry
from tests.hypothesis_budget import budget
from tests.surveys.test_design_properties import designs

YAML = """
name: y_mean
version: 1.0.0
title: Mean of y
description: Design-based mean.
kind: survey_mean
value: {column: y}
design: {weights: w, strata: stratum, psu: psu}
---
name: y_share
version: 1.0.0
title: Share of positive y
description: Design-based share.
kind: survey_proportion
denominator: {where: y > -5}
numerator: {where: y > 0}
design: {weights: w, strata: stratum, psu: psu}
"""


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Registry:
    path = Path(tmp_path_factory.mktemp("survey_kinds")) / "kinds.yaml"
    path.write_text(YAML, encoding="utf-8")
    return Registry.from_paths(path, include_builtin=False)


@budget(40, deadline=None)
@given(frame=designs(), by=st.booleans())
def test_survey_mean_equals_the_survey_pillar(
    registry: Registry, frame: pd.DataFrame, by: bool
) -> None:
    design = sv.SurveyDesign(frame, weights="w", strata="stratum", psu="psu")
    expected = sv.mean(design, "y", by="d" if by else None).summary()
    got = registry.compute("y_mean", frame, by="d" if by else None, suppress_below=1).frame
    if by:
        got = got.set_index("d").loc[list(expected["domain"])].reset_index()
    for column in ("estimate", "ci_lower", "ci_upper"):
        mine = got["value" if column == "estimate" else column].astype(float).to_numpy()
        assert mine == pytest.approx(expected[column].to_numpy(), rel=1e-9, abs=1e-9)


@budget(40, deadline=None)
@given(frame=designs())
def test_survey_proportion_equals_the_survey_pillar(
    registry: Registry, frame: pd.DataFrame
) -> None:
    frame = frame.assign(positive=(frame["y"] > 0).astype(float))
    frame.loc[frame["y"] <= -5, "positive"] = float("nan")
    if frame["positive"].notna().sum() == 0:
        return
    design = sv.SurveyDesign(frame, weights="w", strata="stratum", psu="psu")
    expected = sv.proportion(design, "positive", missing="drop").summary().iloc[0]
    got = registry.compute("y_share", frame, suppress_below=1).frame.iloc[0]
    assert float(got["value"]) == pytest.approx(expected["estimate"], rel=1e-9, abs=1e-12)
    if 0 < expected["estimate"] < 1 and expected["df"] > 0:
        assert float(got["ci_lower"]) == pytest.approx(expected["ci_lower"], rel=1e-8, abs=1e-10)
        assert float(got["ci_upper"]) == pytest.approx(expected["ci_upper"], rel=1e-8, abs=1e-10)
