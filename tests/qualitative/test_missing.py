"""``missing=`` in the qualitative pillar: coded segments and joint displays raise on rows
with missing values by default and drop and count them with ``missing="drop"``; the
reliability coefficients use every pairable rating by default (``"pairable"``), raise with
``"error"`` and keep only the units every coder rated with ``"drop"``."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rpeval.datasets.interviews import simulate_interviews
from rpeval.errors import DataError, SpecificationError
from rpeval.qualitative import (
    coded_segments,
    cohen_kappa,
    fleiss_kappa,
    gwet_ac1,
    joint_display,
    krippendorff_alpha,
    percent_agreement,
)
from rpeval.qualitative.codebook import codebook_from_text
from tests.hypothesis_budget import budget

RATINGS = pd.DataFrame(
    {
        "a": [1, 2, 3, 3, 2, 1, 4, 1, 2, np.nan, np.nan, np.nan],
        "b": [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, np.nan, 3],
        "c": [np.nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, np.nan],
        "d": [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, np.nan],
    }
)
COMPLETE = RATINGS.dropna().reset_index(drop=True)
COEFFICIENTS: list[Any] = [krippendorff_alpha, fleiss_kappa, gwet_ac1, percent_agreement]


@pytest.fixture(scope="module")
def sim() -> Any:
    data = simulate_interviews(120, random_state=3)
    book = codebook_from_text(data.codebook_yaml)
    return data, book


@pytest.mark.parametrize("function", COEFFICIENTS)
def test_reliability_missing_policies(function: Any) -> None:
    default = function(RATINGS)
    assert default.missing == "pairable"
    again = function(RATINGS, missing="pairable")
    assert (again.estimate, again.n_units) == (default.estimate, default.n_units)
    with pytest.raises(DataError, match=r"4 of 12 rows of `ratings` have missing values") as info:
        function(RATINGS, missing="error")
    assert "'a': 3, 'b': 1, 'c': 2, 'd': 1" in info.value.message
    assert "missing='pairable'" in (info.value.hint or "")
    dropped = function(RATINGS, missing="drop")
    reference = function(COMPLETE)
    assert dropped.estimate == pytest.approx(reference.estimate, abs=1e-12)
    assert dropped.n_units == reference.n_units == len(COMPLETE)
    assert dropped.n_units_dropped == len(RATINGS) - len(COMPLETE)
    assert dropped.to_dict()["missing"] == "drop" and "missing:    drop" in str(dropped)
    with pytest.raises(SpecificationError, match="missing='listwise' is not an option"):
        function(RATINGS, missing="listwise")


def test_cohen_kappa_missing_policies() -> None:
    pair = RATINGS[["b", "c"]]
    assert cohen_kappa(pair, missing="drop").estimate == cohen_kappa(pair).estimate
    assert cohen_kappa(pair, missing="drop").n_units_dropped == 3
    with pytest.raises(DataError, match=r"\('b': 1, 'c': 2\)"):
        cohen_kappa(pair, missing="error")


def test_drop_with_no_complete_unit_raises() -> None:
    data = pd.DataFrame({"a": [1, np.nan], "b": [np.nan, 2], "c": [1, 2]})
    with pytest.raises(DataError, match="no unit was rated by every coder"):
        krippendorff_alpha(data, missing="drop")


def test_coded_segments_missing(sim: Any) -> None:
    data, book = sim
    segments = data.segments.copy()
    segments.loc[segments.index[[0, 5]], "coder"] = None
    segments.loc[segments.index[[5, 9]], "segment"] = np.nan
    with pytest.raises(DataError, match=r"3 of \d+ rows of `data`.*'segment': 2, .*'coder': 2"):
        coded_segments(segments, book, rating="rating")
    dropped = coded_segments(segments, book, rating="rating", missing="drop")
    kept = segments.dropna(subset=["segment", "participant", "group", "coder"])
    reference = coded_segments(kept, book, rating="rating")
    assert dropped.n_dropped == 3 and reference.n_dropped == 0
    pd.testing.assert_frame_equal(dropped.codes, reference.codes)
    pd.testing.assert_frame_equal(dropped.reviewed, reference.reviewed)
    assert dropped.to_dict()["n_dropped"] == 3 and "rows dropped: 3" in str(dropped)
    with pytest.raises(SpecificationError, match="missing='skip' is not a policy"):
        coded_segments(segments, book, rating="rating", missing="skip")  # type: ignore[arg-type]


def test_joint_display_missing(sim: Any) -> None:
    data, book = sim
    coded = coded_segments(data.segments, book, rating="rating")
    people = data.participants
    absent = int(people["rearrest_12m"].isna().sum())
    assert absent > 0
    with pytest.raises(DataError, match=rf"{absent} of {len(people)} rows of `outcomes`"):
        joint_display(coded, people, theme="felt_heard", outcome="rearrest_12m")
    options: dict[str, Any] = {"theme": "felt_heard", "outcome": "rearrest_12m"}
    dropped = joint_display(coded, people, missing="drop", **options)
    reference = joint_display(coded, people.dropna(subset=["rearrest_12m"]), **options)
    pd.testing.assert_frame_equal(dropped.summary(), reference.summary())
    assert dropped.difference == reference.difference
    assert dropped.n_dropped == absent and reference.n_dropped == 0
    interviewed = set(coded.participants()["participant"])
    lost = people.loc[people["rearrest_12m"].isna(), "participant"].astype(str)
    assert dropped.n_without_outcome == int(lost.isin(interviewed).sum())
    assert dropped.to_dict()["n_dropped"] == absent
    with pytest.raises(SpecificationError, match="missing=None is not a policy"):
        joint_display(coded, people, missing=None, **options)  # type: ignore[arg-type]


@budget(60)
@given(
    st.lists(
        st.lists(st.one_of(st.none(), st.integers(0, 3)), min_size=3, max_size=3),
        min_size=2,
        max_size=25,
    )
)
def test_drop_is_the_pairable_run_on_complete_units(rows: list[list[int | None]]) -> None:
    data = pd.DataFrame(rows, columns=["a", "b", "c"], dtype=float)
    complete = data.dropna()
    if data.isna().all().any() or len(complete) == 0:
        return
    for function in COEFFICIENTS:
        dropped = function(data, missing="drop")
        reference = function(complete)
        same = dropped.estimate == reference.estimate or (
            np.isnan(dropped.estimate) and np.isnan(reference.estimate)
        )
        assert same
        assert dropped.n_units_dropped == len(data) - len(complete) + reference.n_units_dropped
    if data.isna().any().any():
        with pytest.raises(DataError, match="have missing values"):
            krippendorff_alpha(data, missing="error", n_bootstrap=0)
