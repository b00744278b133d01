"""_frames and _formula: every bad input is an RpevalError, and inputs are never mutated."""

from __future__ import annotations

import contextlib

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rpeval import _frames
from rpeval.errors import DataError, RpevalError, SpecificationError

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

names = st.text(min_size=1, max_size=12)
cells = st.one_of(
    st.none(),
    st.integers(-5, 5),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.text(max_size=4),
    st.dates().map(pd.Timestamp),
)


@st.composite
def messy_frames(draw: st.DrawFn) -> pd.DataFrame:
    n_cols = draw(st.integers(1, 4))
    cols = draw(st.lists(names, min_size=n_cols, max_size=n_cols, unique=True))
    n_rows = draw(st.integers(0, 8))
    data = {c: draw(st.lists(cells, min_size=n_rows, max_size=n_rows)) for c in cols}
    frame = pd.DataFrame(data, dtype=object)
    for c in cols:  # let pandas infer a dtype for some columns
        if draw(st.booleans()):
            frame[c] = pd.Series(frame[c].tolist()).infer_objects()
    return frame


CHECKERS = {
    "numeric": lambda df, col: _frames.numeric_array(df, col, arg="x", caller="f"),
    "boolean": lambda df, col: _frames.boolean_array(df, col, arg="x", caller="f"),
    "date": lambda df, col: _frames.date_series(df, col, arg="x", caller="f"),
    "treatment": lambda df, col: _frames.treatment_indicator(df, col, arg="x", caller="f"),
    "complete": lambda df, col: _frames.complete_cases(
        df, [col], missing="drop", arg="x", caller="f"
    ),
    "design": lambda df, col: _frames.design_matrix(
        df, _frames.resolve_covariates([col], arg="x", caller="f"), arg="x", caller="f"
    ),
}


@SETTINGS
@given(frame=messy_frames(), which=st.sampled_from(sorted(CHECKERS)), pick=st.integers(0, 10))
def test_checkers_raise_only_rpeval_errors_and_never_mutate(
    frame: pd.DataFrame, which: str, pick: int
) -> None:
    before = frame.copy(deep=True)
    columns = [*frame.columns, "not a column"]
    with contextlib.suppress(RpevalError):
        CHECKERS[which](frame, columns[pick % len(columns)])
    pd.testing.assert_frame_equal(frame, before)


@SETTINGS
@given(frame=messy_frames())
def test_complete_cases_counts_match_a_slow_count(frame: pd.DataFrame) -> None:
    cols = list(frame.columns)
    result = _frames.complete_cases(frame, cols, missing="drop", arg="data", caller="f")
    slow = sum(any(pd.isna(frame.iloc[i][c]) for c in cols) for i in range(len(frame)))
    assert result.n_dropped == slow
    assert len(result.frame) == len(frame) - slow
    for c in cols:
        assert result.missing_by_column.get(str(c), 0) == int(frame[c].isna().sum())
    if slow:
        with pytest.raises(DataError, match="missing"):
            _frames.complete_cases(frame, cols, missing="error", arg="data", caller="f")


@SETTINGS
@given(
    labels=st.lists(st.sampled_from(["a", "b", "c", 0, 1, True, None]), min_size=0, max_size=10),
    treated=st.sampled_from([None, "a", "b", "z", 1]),
)
def test_treatment_coding(labels: list[object], treated: object) -> None:
    frame = pd.DataFrame({"t": pd.Series(labels, dtype=object)})
    try:
        coding = _frames.treatment_indicator(frame, "t", treated=treated, arg="t", caller="f")
    except RpevalError:
        distinct = set(frame["t"].dropna())
        ok_pair = len(distinct) == 2 and frame["t"].notna().all()
        assert not ok_pair or (treated is None and distinct != {0, 1}) or treated not in distinct
        return
    assert coding.n_treated >= 1 and coding.n_control >= 1
    assert coding.n_treated + coding.n_control == len(labels)
    expected = treated if treated is not None else 1
    assert np.array_equal(coding.is_treated, (frame["t"] == expected).to_numpy())


@pytest.mark.parametrize(
    ("values", "treated", "message"),
    [
        ([0, 1, 2], None, "exactly two values"),
        ([1, 1, 1], None, "exactly two values"),
        (["court", "rj", None], "rj", "missing"),
        (["court", "rj"], None, "say which"),
        (["court", "rj"], "RJ", "not a value"),
    ],
)
def test_treatment_messages(values: list[object], treated: object, message: str) -> None:
    frame = pd.DataFrame({"group": values})
    with pytest.raises(RpevalError, match=message):
        _frames.treatment_indicator(
            frame, "group", treated=treated, arg="treatment", caller="match"
        )


def test_missing_column_suggests_a_name() -> None:
    frame = pd.DataFrame({"prior_arrests": [1], "age": [20]})
    with pytest.raises(DataError, match="Did you mean 'prior_arrests'") as info:
        _frames.require_columns(frame, ["prior_arest"], arg="covariates", caller="cox")
    assert "cox()" in str(info.value) and "available columns" in str(info.value)


def test_numeric_and_boolean_and_dates() -> None:
    frame = pd.DataFrame(
        {"x": ["1", "2.5", None], "b": [True, False, True], "d": ["2024-01-31", None, "2024-02-01"]}
    )
    np.testing.assert_array_equal(
        _frames.numeric_array(frame, "x", arg="x", caller="f", allow_missing=True),
        [1.0, 2.5, np.nan],
    )
    with pytest.raises(DataError, match="missing"):
        _frames.numeric_array(frame, "x", arg="x", caller="f")
    assert _frames.boolean_array(frame, "b", arg="b", caller="f").tolist() == [True, False, True]
    dates = _frames.date_series(frame, "d", arg="d", caller="f")
    assert dates.dtype == "datetime64[ns]" and dates.isna().sum() == 1
    with pytest.raises(DataError, match="must hold dates"):
        _frames.date_series(pd.DataFrame({"d": ["soon"]}), "d", arg="d", caller="f")
    with pytest.raises(DataError, match="0/1 or boolean"):
        _frames.boolean_array(pd.DataFrame({"e": [0, 2]}), "e", arg="event", caller="f")


def test_polars_and_non_frames() -> None:
    polars = pytest.importorskip("polars")
    converted = _frames.as_pandas(polars.DataFrame({"a": [1, 2]}), arg="data", caller="f")
    assert converted["a"].tolist() == [1, 2]
    with pytest.raises(DataError, match="must be a data frame"):
        _frames.as_pandas([1, 2, 3], arg="data", caller="f")


def test_design_matrix_codes_categoricals() -> None:
    frame = pd.DataFrame({"age": [20, 30, 40], "offense": ["drug", "property", "drug"]})
    spec = _frames.resolve_covariates("age + C(offense)", arg="covariates", caller="cox")
    design = _frames.design_matrix(frame, spec, arg="covariates", caller="cox")
    assert design.terms == ("age", "offense[T.property]")
    np.testing.assert_array_equal(design.X, [[20, 0], [30, 1], [40, 0]])
    new = pd.DataFrame({"age": [50], "offense": ["violent"]})
    with pytest.raises(DataError, match="did not see"):
        _frames.design_matrix(new, spec, arg="new_data", caller="f", levels=design.levels)


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=40))
def test_formula_parser_never_raises_anything_else(text: str) -> None:
    try:
        spec = _frames.resolve_covariates(text, arg="covariates", caller="cox")
    except SpecificationError:
        return
    assert spec.columns and all(name.strip() == name for name in spec.columns)


@pytest.mark.parametrize(
    "formula", ["age +", "log(age)", "age * sex", "__import__('os')", "a.b()", "C(x", "age + age"]
)
def test_formula_rejects_what_it_does_not_know(formula: str) -> None:
    with pytest.raises(SpecificationError, match="position"):
        _frames.resolve_covariates(formula, arg="covariates", caller="cox")
