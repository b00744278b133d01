"""Weighting to the population against R survey 4.1 (tests/reference/surveys_weighting.R),
raking's margins, and bad margins."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import rpeval.surveys as sv
from rpeval.errors import ConvergenceWarning, DataError, SpecificationError
from tests.hypothesis_budget import budget
from tests.reference_data import reference, reference_csv

POP_STYPE = {"E": 4421, "H": 755, "M": 1018}
POP_SCH = {"No": 1072, "Yes": 5122}


def flat(value: Any) -> np.ndarray:
    return np.ravel(np.asarray(value, dtype=float))


def clus1() -> sv.SurveyDesign:
    return sv.SurveyDesign(reference_csv("apiclus1.csv"), weights="pw", psu="dnum", fpc="fpc")


def strat() -> sv.SurveyDesign:
    return sv.SurveyDesign(reference_csv("apistrat.csv"), weights="pw", strata="stype", fpc="fpc")


WEIGHTED = {
    "poststratify": lambda: sv.post_stratify(clus1(), "stype", POP_STYPE),
    "rake": lambda: sv.rake(clus1(), {"stype": POP_STYPE, "sch.wide": POP_SCH})[0],
    "calibrate_linear": lambda: sv.calibrate(clus1(), {"stype": POP_STYPE, "api99": 3914069}),
    "calibrate_raking": lambda: sv.calibrate(
        clus1(), {"stype": POP_STYPE, "api99": 3914069}, calfun="raking"
    ),
    "calibrate_linear_strat": lambda: sv.calibrate(
        strat(), {"(intercept)": 6194, "api99": 3914069}
    ),
}


@pytest.mark.parametrize("name", list(WEIGHTED))
def test_weights_and_ses_match_r(name: str) -> None:
    expected = reference("surveys_weighting")["results"][name]
    design = WEIGHTED[name]()
    np.testing.assert_allclose(design.weights, flat(expected["weights"]), rtol=1e-10)
    mean = sv.mean(design, "api00").summary()
    assert mean["estimate"][0] == pytest.approx(expected["mean"], rel=1e-10)
    assert mean["std_error"][0] == pytest.approx(flat(expected["mean_se"])[0], rel=1e-10)
    total = sv.total(design, "enroll").summary()
    assert total["estimate"][0] == pytest.approx(expected["total"], rel=1e-10)
    assert total["std_error"][0] == pytest.approx(flat(expected["total_se"])[0], rel=1e-10)
    by = sv.mean(design, "api00", by="stype").summary()
    np.testing.assert_allclose(by["estimate"], flat(expected["by_mean"]), rtol=1e-10)
    np.testing.assert_allclose(by["std_error"], flat(expected["by_se"]), rtol=1e-10)


def test_trimming_and_kish_match_r() -> None:
    expected = reference("surveys_weighting")["results"]
    trimmed = sv.trim_weights(strat(), lower=20, upper=40)
    np.testing.assert_allclose(trimmed.weights, flat(expected["trim"]["weights"]), rtol=1e-12)
    strict = sv.trim_weights(strat(), lower=20, upper=40, strict=True)
    np.testing.assert_allclose(strict.weights, flat(expected["trim"]["strict"]), rtol=1e-12)
    assert sv.weight_diagnostics(strat()).kish_ess == pytest.approx(
        expected["kish"]["apistrat"], rel=1e-12
    )
    raked = WEIGHTED["rake"]()
    diag = sv.weight_diagnostics(raked)
    assert diag.kish_ess == pytest.approx(expected["kish"]["raked"], rel=1e-10)
    assert diag.kish_deff == pytest.approx(diag.n / diag.kish_ess)
    assert "Kish" in str(diag)


def test_calibrated_total_of_a_calibration_variable_has_no_variance() -> None:
    design = sv.calibrate(clus1(), {"stype": POP_STYPE, "api99": 3914069})
    table = sv.total(design, "api99").summary()
    assert table["estimate"][0] == pytest.approx(3914069, rel=1e-12)
    assert table["std_error"][0] == pytest.approx(0.0, abs=1e-6)


def test_bad_margins() -> None:
    with pytest.raises(DataError, match="sum to different population totals"):
        sv.rake(clus1(), {"stype": POP_STYPE, "sch.wide": {"No": 1000, "Yes": 5000}})
    with pytest.raises(DataError, match="have no population count"):
        sv.post_stratify(clus1(), "stype", {"E": 4421, "H": 755})
    with pytest.raises(DataError, match="cannot be met"):
        sv.post_stratify(clus1(), "stype", {**POP_STYPE, "K": 10})
    with pytest.raises(DataError, match="linearly dependent"):
        sv.calibrate(clus1(), {"(intercept)": 6194, "stype": POP_STYPE})
    with pytest.raises(SpecificationError, match="calfun='logit'"):
        sv.calibrate(clus1(), {"api99": 1.0}, calfun="logit")
    with pytest.raises(SpecificationError, match="must be a SurveyDesign"):
        sv.rake(sv.replicate_design(clus1()), {"stype": POP_STYPE})  # type: ignore[arg-type]


def test_margins_that_fight_do_not_converge_and_say_so() -> None:
    frame = pd.DataFrame({"a": ["x", "x", "y"], "b": ["u", "v", "v"], "w": 1.0, "unit": [1, 2, 3]})
    design = sv.SurveyDesign(frame, weights="w", psu="unit")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _, report = sv.rake(design, {"a": {"x": 1, "y": 99}, "b": {"u": 99, "v": 1}}, maxit=5)
    assert not report.converged
    assert any(issubclass(w.category, ConvergenceWarning) for w in caught)
    assert "DID NOT CONVERGE" in str(report)
    assert report.summary()["max_abs_error"].max() > 1


@budget(50, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(20, 200),
    share=st.floats(0.2, 0.8),
    share2=st.floats(0.2, 0.8),
)
def test_raking_reproduces_its_margins(seed: int, n: int, share: float, share2: float) -> None:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "a": rng.choice(["x", "y"], size=n),
            "b": rng.choice(["u", "v", "t"], size=n),
            "w": rng.uniform(1, 5, size=n),
        }
    )
    frame.loc[:5, "a"] = ["x", "y", "x", "y", "x", "y"]
    frame.loc[:5, "b"] = ["u", "v", "t", "u", "v", "t"]
    total = 1000.0
    margins = {
        "a": {"x": share * total, "y": (1 - share) * total},
        "b": {"u": share2 * total / 2, "v": share2 * total / 2, "t": (1 - share2) * total},
    }
    design, report = sv.rake(sv.SurveyDesign(frame, weights="w"), margins, maxit=200, epsilon=1e-9)
    assert report.converged
    for column, pop in margins.items():
        for level, count in pop.items():
            got = design.weights[(frame[column] == level).to_numpy()].sum()
            assert got == pytest.approx(count, rel=1e-6)
