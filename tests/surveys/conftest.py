"""The survey package's api designs, as R's svydesign builds them in surveys_api.R."""

from __future__ import annotations

import pandas as pd
import pytest

from rpeval.surveys import SurveyDesign
from tests.reference_data import reference_csv


def api_design(name: str) -> SurveyDesign:
    if name == "strat":
        return SurveyDesign(reference_csv("apistrat.csv"), weights="pw", strata="stype", fpc="fpc")
    if name == "clus1":
        return SurveyDesign(reference_csv("apiclus1.csv"), weights="pw", psu="dnum", fpc="fpc")
    if name == "clus1_nofpc":
        return SurveyDesign(reference_csv("apiclus1.csv"), weights="pw", psu="dnum")
    if name == "clus2":
        return SurveyDesign(
            reference_csv("apiclus2.csv"), psu=["dnum", "snum"], fpc=["fpc1", "fpc2"]
        )
    if name == "srs":
        return SurveyDesign(reference_csv("apisrs.csv"), fpc="fpc")
    raise KeyError(name)


DESIGNS = ["strat", "clus1", "clus1_nofpc", "clus2", "srs"]


@pytest.fixture(params=DESIGNS)
def api(request: pytest.FixtureRequest) -> tuple[str, SurveyDesign]:
    return request.param, api_design(request.param)


def small_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "stratum": ["a", "a", "a", "b", "b", "b"],
            "psu": [1, 2, 3, 4, 5, 6],
            "w": [2.0, 2.0, 2.0, 4.0, 4.0, 4.0],
            "trust": [3, 4, 5, 2, 3, 2],
        }
    )
