"""Simulated community survey waves: structure, reproducibility, and truth recovered."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rpeval.datasets import SurveyWaves, simulate_program, simulate_survey_waves
from rpeval.errors import SpecificationError
from rpeval.surveys import SurveyDesign, mean, reliability


@pytest.fixture(scope="module")
def waves() -> SurveyWaves:
    return simulate_survey_waves(random_state=5)


def test_columns_and_design(waves: SurveyWaves) -> None:
    r = waves.responses
    assert set(r["wave"]) == {"pre", "post"}
    assert {*waves.items, waves.weights, waves.strata, waves.psu, "age_group"} <= set(r.columns)
    assert (r["weight"] > 0).all()
    assert r["respondent_id"].is_unique
    # each block sits in one neighbourhood; under-35s oversampled (smaller base weights)
    assert r.groupby("block")["neighbourhood"].nunique().max() == 1
    by_age = r.groupby("age_group")["base_weight"].mean()
    assert by_age["16-34"] < by_age["35+"]
    answered = r[list(waves.items)].to_numpy().ravel()
    assert set(answered[~np.isnan(answered)]) <= {1.0, 2.0, 3.0, 4.0, 5.0}
    assert r[list(waves.items)].isna().any().any()  # some item non-response
    # the negatively worded item runs against the others
    assert r["police_unfair"].corr(r["trust_police"]) < 0


def test_reproducible_and_seeded_by_the_program() -> None:
    first = simulate_survey_waves(random_state=9)
    again = simulate_survey_waves(random_state=9)
    pd.testing.assert_frame_equal(first.responses, again.responses)
    program = simulate_program(100, 300, random_state=9)
    pd.testing.assert_frame_equal(simulate_survey_waves(program).responses, first.responses)
    assert not simulate_survey_waves(random_state=10).responses.equals(first.responses)


def test_weighted_estimates_recover_the_population(waves: SurveyWaves) -> None:
    r = waves.responses.copy()
    r["police_unfair"] = 6 - r["police_unfair"]
    r["score"] = r[list(waves.items)].mean(axis=1, skipna=False)
    truth = waves.population.set_index(["wave", "area", "measure"])["value"]
    for wave in ("pre", "post"):
        design = SurveyDesign(
            r[r["wave"] == wave], weights="weight", strata="neighbourhood", psu="block"
        )
        row = mean(design, "score", missing="drop").summary().iloc[0]
        assert abs(row["estimate"] - truth[(wave, "all", "trust_score")]) < 4 * row["std_error"]
    gain = truth[("post", "program", "trust_score")] - truth[("pre", "program", "trust_score")]
    elsewhere = (
        truth[("post", "elsewhere", "trust_score")] - truth[("pre", "elsewhere", "trust_score")]
    )
    assert gain > elsewhere > 0


def test_scale_is_reliable(waves: SurveyWaves) -> None:
    pre = waves.responses[waves.responses["wave"] == "pre"]
    result = reliability(pre, list(waves.items), scale=waves.scale, reverse=list(waves.reverse))
    assert 0.8 < result.alpha < 0.95


def test_bad_arguments() -> None:
    with pytest.raises(SpecificationError, match="n_neighbourhoods"):
        simulate_survey_waves(n_neighbourhoods=1)
    with pytest.raises(SpecificationError, match="sample_size"):
        simulate_survey_waves(sample_size=50)
