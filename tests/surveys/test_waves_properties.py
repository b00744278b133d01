"""Property: two independent waves compared with compare_waves equal the contrast between
the wave domains of one stacked design whose strata are nested in the waves."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given

import rpeval.surveys as sv
from tests.hypothesis_budget import budget
from tests.surveys.test_design_properties import designs


@budget(40, deadline=None)
@given(before=designs(), after=designs())
def test_waves_equal_the_stacked_contrast(before: pd.DataFrame, after: pd.DataFrame) -> None:
    one = sv.mean(sv.SurveyDesign(before, weights="w", strata="stratum", psu="psu"), "y")
    two = sv.mean(sv.SurveyDesign(after, weights="w", strata="stratum", psu="psu"), "y")
    change = sv.compare_waves(one, two).summary().iloc[0]
    stacked = pd.concat(
        [before.assign(wave="pre"), after.assign(wave="post", psu=after["psu"] + 10_000)],
        ignore_index=True,
    )
    stacked["stratum"] = stacked["wave"] + "-" + stacked["stratum"]
    design = sv.SurveyDesign(stacked, weights="w", strata="stratum", psu="psu")
    contrast = sv.mean(design, "y", by="wave").difference("post", "pre").summary().iloc[0]
    assert contrast["estimate"] == pytest.approx(change["difference"], rel=1e-9, abs=1e-9)
    assert contrast["std_error"] == pytest.approx(change["std_error"], rel=1e-9, abs=1e-12)
