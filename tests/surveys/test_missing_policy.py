"""missing= on the survey functions that read a frame (issue 17): designs, replicate
designs and reliability; weighting raises with counts and has no "drop"."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import rpeval.surveys as sv
from rpeval.errors import DataError, SpecificationError
from tests.hypothesis_budget import budget
from tests.surveys.conftest import small_frame


def _frame_with_gaps() -> pd.DataFrame:
    frame = pd.concat([small_frame(), small_frame().assign(psu=lambda f: f["psu"] + 6)])
    frame = frame.reset_index(drop=True)
    frame["w"] = frame["w"].astype(float)
    frame.loc[1, "w"] = np.nan
    frame.loc[7, "stratum"] = None
    frame.loc[10, "psu"] = np.nan
    return frame


def test_design_missing_values_raise_by_default_with_counts() -> None:
    frame = _frame_with_gaps()
    with pytest.raises(DataError, match="1 missing"):
        sv.SurveyDesign(frame, weights="w")
    with pytest.raises(DataError, match=r"'stratum' \(argument `strata`\) has 1 missing"):
        sv.SurveyDesign(frame, strata="stratum")


def test_design_drop_equals_the_prefiltered_frame() -> None:
    frame = _frame_with_gaps()
    spec = {"weights": "w", "strata": "stratum", "psu": "psu"}
    dropped = sv.SurveyDesign(frame, missing="drop", **spec)
    filtered = sv.SurveyDesign(frame.dropna(subset=["w", "stratum", "psu"]), **spec)
    assert dropped.n_dropped == 3 and filtered.n_dropped == 0
    assert dropped.n_rows == filtered.n_rows == 9
    assert dropped.data.index.tolist() == filtered.data.index.tolist()
    pd.testing.assert_frame_equal(
        sv.mean(dropped, "trust", by="stratum").summary(),
        sv.mean(filtered, "trust", by="stratum").summary(),
    )
    assert dropped.to_dict()["n_dropped"] == 3
    assert "3 rows missing a design value left out" in str(dropped)
    assert "left out" not in str(filtered)


def test_design_drop_keeps_the_count_through_weighting_and_replicates() -> None:
    frame = _frame_with_gaps()
    design = sv.SurveyDesign(frame, weights="w", strata="stratum", psu="psu", missing="drop")
    weighted = sv.post_stratify(design, "stratum", {"a": 40.0, "b": 60.0})
    assert weighted.n_dropped == 3
    replicated = sv.replicate_design(design, "JKn")
    assert replicated.n_dropped == 3 and "3 rows with missing weights" in str(replicated)


def test_design_missing_policy_is_checked() -> None:
    with pytest.raises(SpecificationError, match="missing='skip' is not an option"):
        sv.SurveyDesign(small_frame(), weights="w", missing="skip")  # type: ignore[arg-type]


def test_design_drop_of_every_row_says_so() -> None:
    frame = small_frame().assign(w=np.nan)
    with pytest.raises(DataError, match="no rows left after dropping 6"):
        sv.SurveyDesign(frame, weights="w", missing="drop")


def _replicate_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "w": [2.0, 2.0, 2.0, np.nan, 2.0],
            "y": [1.0, 2.0, 6.0, 3.0, 4.0],
            "r1": [0.0, 2.5, 2.5, 2.5, 2.5],
            "r2": [2.5, 0.0, 2.5, 2.5, 2.5],
            "r3": [2.5, 2.5, 0.0, None, 2.5],
            "r4": [2.5, 2.5, 2.5, 2.5, 0.0],
        }
    )


def test_replicate_columns_missing_policy() -> None:
    frame = _replicate_frame()
    spec = {"weights": "w", "replicate_weights": ["r1", "r2", "r3", "r4"], "type": "JK1"}
    with pytest.raises(DataError, match="missing"):
        sv.ReplicateDesign.from_columns(frame, **spec)  # type: ignore[arg-type]
    dropped = sv.ReplicateDesign.from_columns(frame, missing="drop", **spec)  # type: ignore[arg-type]
    filtered = sv.ReplicateDesign.from_columns(frame.drop(index=3), **spec)  # type: ignore[arg-type]
    assert dropped.n_dropped == 1 and dropped.to_dict()["n_dropped"] == 1
    assert "1 rows with missing weights left out" in str(dropped)
    pd.testing.assert_frame_equal(sv.mean(dropped, "y").summary(), sv.mean(filtered, "y").summary())
    with pytest.raises(SpecificationError, match="missing='skip'"):
        sv.ReplicateDesign.from_columns(frame, missing="skip", **spec)  # type: ignore[arg-type]


def test_weighting_variables_with_missing_values_raise_with_counts() -> None:
    frame = small_frame()
    frame.loc[[0, 4], "stratum"] = None
    design = sv.SurveyDesign(frame, weights="w", psu="psu")
    with pytest.raises(DataError, match=r"2 of 6 rows have a missing value .*'stratum': 2"):
        sv.post_stratify(design, "stratum", {"a": 10.0, "b": 20.0})
    with pytest.raises(DataError, match="no missing='drop'"):
        sv.rake(design, {"stratum": {"a": 10.0, "b": 20.0}})
    with pytest.raises(DataError, match="cannot be weighted"):
        sv.calibrate(design, {"stratum": {"a": 10.0, "b": 20.0}})


def _items() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "q1": [1, 2, 4, 5, 3, 4, None, 2],
            "q2": [2, 2, 5, 4, 3, 5, 3, None],
            "q3": [5, 4, 1, 2, 3, 2, 4, 4],
        }
    )


def test_reliability_missing_policy() -> None:
    items = ["q1", "q2", "q3"]
    data = _items()
    with pytest.raises(DataError, match=r"2 of 8 rows .* \('q1': 1, 'q2': 1\)"):
        sv.reliability(data, items, scale=(1, 5), reverse=["q3"], missing="error")
    dropped = sv.reliability(data, items, scale=(1, 5), reverse=["q3"])  # default "drop"
    filtered = sv.reliability(data.dropna(), items, scale=(1, 5), reverse=["q3"])
    assert dropped.n_dropped == 2 and filtered.n_dropped == 0
    assert dropped.alpha == filtered.alpha and dropped.omega_total == filtered.omega_total
    pd.testing.assert_frame_equal(dropped.summary(), filtered.summary())
    assert dropped.to_dict()["n_dropped"] == 2 and "2 with missing items" in str(dropped)
    with pytest.raises(SpecificationError, match="missing='skip'"):
        sv.reliability(data, items, scale=(1, 5), missing="skip")  # type: ignore[arg-type]


@budget(60)
@given(
    gaps=st.lists(st.integers(0, 23), min_size=0, max_size=8, unique=True),
    column=st.sampled_from(["w", "stratum", "psu"]),
)
def test_design_drop_is_the_filtered_design(gaps: list[int], column: str) -> None:
    rng = np.random.default_rng(len(gaps))
    frame = pd.DataFrame(
        {
            "stratum": np.repeat(["a", "b"], 12),
            "psu": np.arange(24) // 2,
            "w": rng.uniform(1.0, 5.0, 24),
            "y": rng.normal(size=24),
        }
    )
    frame[column] = frame[column].astype(object).where(~frame.index.isin(gaps), None)
    spec = {"weights": "w", "strata": "stratum", "psu": "psu", "lonely_psu": "remove"}
    filtered = sv.SurveyDesign(frame.drop(index=gaps), **spec)
    dropped = sv.SurveyDesign(frame, missing="drop", **spec)
    assert dropped.n_dropped == len(gaps)
    np.testing.assert_array_equal(dropped.weights, filtered.weights)
    a, b = sv.mean(dropped, "y").summary(), sv.mean(filtered, "y").summary()
    pd.testing.assert_frame_equal(a, b)
