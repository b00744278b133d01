"""Bad input to SurveyDesign and the estimators: clear RpevalErrors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import rpeval.surveys as sv
from rpeval.errors import DataError, SpecificationError
from tests.surveys.conftest import small_frame


def test_weights_must_be_positive_and_present() -> None:
    frame = small_frame()
    frame.loc[1, "w"] = 0.0
    with pytest.raises(DataError, match=r"`weights`\) must hold sampling weights > 0"):
        sv.SurveyDesign(frame, weights="w")
    frame.loc[1, "w"] = np.nan
    with pytest.raises(DataError, match="1 missing"):
        sv.SurveyDesign(frame, weights="w")
    frame.loc[1, "w"] = -3.0
    with pytest.raises(DataError, match="non-positive"):
        sv.SurveyDesign(frame, weights="w")


def test_columns_are_checked() -> None:
    with pytest.raises(DataError, match="Did you mean 'stratum'"):
        sv.SurveyDesign(small_frame(), strata="stratm")
    frame = small_frame()
    frame.loc[0, "stratum"] = None
    with pytest.raises(DataError, match="missing values"):
        sv.SurveyDesign(frame, strata="stratum")


def test_psu_in_two_strata_needs_nest() -> None:
    frame = small_frame()
    frame["psu"] = [1, 2, 3, 1, 2, 3]
    with pytest.raises(DataError, match="nest=True"):
        sv.SurveyDesign(frame, weights="w", strata="stratum", psu="psu")
    nested = sv.SurveyDesign(frame, weights="w", strata="stratum", psu="psu", nest=True)
    assert nested.n_psu == 6


def test_fpc_checks() -> None:
    frame = small_frame()
    frame["fpc"] = [10, 10, 10, 0.5, 0.5, 0.5]
    with pytest.raises(DataError, match="mixes population sizes"):
        sv.SurveyDesign(frame, strata="stratum", fpc="fpc")
    frame["fpc"] = [10, 11, 10, 8, 8, 8]
    with pytest.raises(DataError, match="varies within a stratum"):
        sv.SurveyDesign(frame, strata="stratum", fpc="fpc")
    frame["fpc"] = [2, 2, 2, 8, 8, 8]
    with pytest.raises(DataError, match="more than 100%"):
        sv.SurveyDesign(frame, strata="stratum", fpc="fpc")
    frame["fpc2"] = 9
    with pytest.raises(SpecificationError, match="one fpc column per psu"):
        sv.SurveyDesign(frame, psu="psu", fpc=["fpc", "fpc2"])


def test_fpc_gives_weights_and_fraction_equals_size() -> None:
    frame = small_frame()
    frame["N"] = [30, 30, 30, 12, 12, 12]
    frame["f"] = [0.1, 0.1, 0.1, 0.25, 0.25, 0.25]
    by_size = sv.SurveyDesign(frame, strata="stratum", fpc="N")
    by_fraction = sv.SurveyDesign(frame, strata="stratum", fpc="f")
    np.testing.assert_allclose(by_size.weights, [10, 10, 10, 4, 4, 4])
    a, b = sv.mean(by_size, "trust").summary(), sv.mean(by_fraction, "trust").summary()
    pd.testing.assert_frame_equal(a, b, rtol=1e-12)


def test_single_psu_and_options() -> None:
    frame = small_frame()
    frame["one"] = 1
    with pytest.raises(DataError, match="only one primary sampling unit"):
        sv.SurveyDesign(frame, psu="one")
    with pytest.raises(SpecificationError, match="lonely_psu='maybe'"):
        sv.SurveyDesign(frame, lonely_psu="maybe")


def test_lonely_stratum_rules() -> None:
    frame = small_frame().iloc[:4]  # stratum b keeps one PSU
    with pytest.raises(DataError, match=r"single PSU at stage 1 \('b'\)"):
        sv.SurveyDesign(frame, weights="w", strata="stratum", psu="psu")
    removed = sv.SurveyDesign(frame, weights="w", strata="stratum", psu="psu", lonely_psu="remove")
    assert removed.n_lonely == 1
    assert "lonely" in str(removed)


def test_estimator_inputs() -> None:
    design = sv.SurveyDesign(small_frame(), weights="w", strata="stratum")
    with pytest.raises(SpecificationError, match="must be a SurveyDesign"):
        sv.mean(small_frame(), "trust")  # type: ignore[arg-type]
    with pytest.raises(SpecificationError, match="conf_level"):
        sv.mean(design, "trust", conf_level=95)
    with pytest.raises(SpecificationError, match="missing='skip'"):
        sv.mean(design, "trust", missing="skip")
    with pytest.raises(SpecificationError, match="method='wilson'"):
        sv.proportion(design, "trust", success=5, method="wilson")
    with pytest.raises(DataError, match="must be 0/1"):
        sv.proportion(design, "trust")
    with pytest.raises(DataError, match="no answer"):
        sv.proportion(design, "trust", success=9)
    with pytest.raises(SpecificationError, match="probabilities"):
        sv.quantile(design, "trust", [0.5, 1.0])


def test_missing_answers_are_an_error_or_a_domain() -> None:
    frame = small_frame()
    frame["trust"] = frame["trust"].astype(float)
    frame.loc[2, "trust"] = np.nan
    design = sv.SurveyDesign(frame, weights="w", strata="stratum")
    with pytest.raises(DataError, match="missing='drop'"):
        sv.mean(design, "trust")
    dropped = sv.mean(design, "trust", missing="drop")
    assert dropped.n_missing == 1
    assert dropped.summary()["n"][0] == 5
    assert "left out" in str(dropped)


def test_empty_domain_and_zero_denominator() -> None:
    frame = small_frame()
    frame["trust"] = frame["trust"].astype(float)
    frame.loc[frame["stratum"] == "b", "trust"] = np.nan
    design = sv.SurveyDesign(frame, weights="w", strata="stratum")
    with pytest.raises(DataError, match="domain 'b' has no respondent"):
        sv.mean(design, "trust", by="stratum", missing="drop")
    frame = small_frame()
    frame["zero"] = 0.0
    design = sv.SurveyDesign(frame, weights="w", strata="stratum")
    with pytest.raises(DataError, match="total of 'zero' is 0"):
        sv.ratio(design, "trust", "zero")


def test_top_box_checks_the_scale() -> None:
    design = sv.SurveyDesign(small_frame(), weights="w", strata="stratum")
    with pytest.raises(DataError, match="outside the scale"):
        sv.top_box(design, "trust", scale=[1, 2, 3, 4])
    share = sv.top_box(design, "trust", scale=[1, 2, 3, 4, 5], boxes=2).summary()
    manual = sv.proportion(design, "trust", success=[4, 5]).summary()
    pd.testing.assert_frame_equal(share, manual)
    bottom = sv.top_box(design, "trust", scale=[1, 2, 3, 4, 5], boxes=2, bottom=True)
    assert bottom.summary()["estimate"][0] == pytest.approx(8 / 18)


def test_result_contract() -> None:
    design = sv.SurveyDesign(small_frame(), weights="w", strata="stratum", psu="psu")
    result = sv.mean(design, "trust", by="stratum")
    assert list(result.summary().columns[:10]) == [
        "variable",
        "domain",
        "estimate",
        "std_error",
        "ci_lower",
        "ci_upper",
        "deff",
        "n",
        "weight_sum",
        "df",
    ]
    as_dict = result.to_dict()
    assert as_dict["statistic"] == "mean" and len(as_dict["estimates"]) == 2
    assert "Survey mean" in str(result) and "<table" in result._repr_html_()
    contrast = result.difference("a", "b")
    assert contrast.to_dict()["estimate"] == pytest.approx(contrast.estimate)
    assert "Contrast" in str(contrast)
    with pytest.raises(SpecificationError, match="domain 'z'"):
        result.difference("a", "z")
    design_dict = design.to_dict()
    assert design_dict["n_psu"] == 6 and design_dict["degrees_of_freedom"] == 4
    with pytest.raises(AttributeError):
        design.nest = True  # type: ignore[misc]


def test_plot_returns_axes() -> None:
    import matplotlib

    matplotlib.use("Agg")
    design = sv.SurveyDesign(small_frame(), weights="w", strata="stratum", psu="psu")
    ax = sv.mean(design, "trust", by="stratum").plot()
    assert ax.get_xlabel().startswith("mean")
