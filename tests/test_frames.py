"""_frames and _formula: what each checker accepts, what its messages say, and (property
tests) that bad input only ever raises an RpevalError and never changes the caller's frame."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given
from hypothesis import strategies as st

from rpeval import _dates, _frames
from rpeval.errors import DataError, RpevalError, SpecificationError
from tests.hypothesis_budget import budget

SETTINGS = budget(80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
KW = {"arg": "x", "caller": "f"}


@contextlib.contextmanager
def raises(error: type[RpevalError], *patterns: str) -> Iterator[None]:
    """Like ``pytest.raises``, checking that the message contains every pattern as text."""
    with pytest.raises(error) as info:
        yield
    for pattern in patterns:
        assert pattern in str(info.value), (pattern, str(info.value))


# -- frames and columns --------------------------------------------------------------------


def test_absent_column_names_caller_argument_guess_and_columns() -> None:
    df = pd.DataFrame({"duration": [1.0], "event": [1]})
    with raises(
        DataError,
        "kaplan_meier(): column 'duraton' (argument `duration`) is not in `data`. Did you "
        "mean 'duration'? Available columns: 'duration', 'event'.",
    ):
        _frames.require_columns(df, "duraton", arg="duration", caller="kaplan_meier")


def test_column_guesses_and_lists() -> None:
    df = pd.DataFrame({"Age ": [1], "sex": [1]})
    with raises(DataError, "Did you mean 'Age '?"):
        _frames.require_columns(df, ["age"], **KW)
    with raises(DataError, "columns 'sx' (did you mean 'sex'?), 'zzz' (argument `x`) are not"):
        _frames.require_columns(df, ["sex", "sx", "zzz"], **KW)
    with raises(DataError, "'c19', ... and 30 more."):
        _frames.require_columns(pd.DataFrame({f"c{i}": [0] for i in range(50)}), "q", **KW)
    with raises(SpecificationError, "must name columns with strings, got 3"):
        _frames.require_columns(df, [3], **KW)  # type: ignore[list-item]
    with raises(DataError, "column 'pid' (argument `events_id`) is not in `events`"):
        _frames.require_columns(df, ["pid"], arg="events_id", caller="f", frame_arg="events")


def test_as_pandas_copies_converts_and_rejects() -> None:
    df = pd.DataFrame({"a": [1, 2]})
    copy = _frames.as_pandas(df, arg="data", caller="f")
    copy["b"] = 0
    assert copy is not df and list(df.columns) == ["a"]
    for bad in ([1, 2], {"a": [1]}, None, df["a"], np.ones((2, 2))):
        with raises(DataError, "f(): `data` must be a data frame"):
            _frames.as_pandas(bad, arg="data", caller="f")
    twice = pd.DataFrame([[1, 2]], columns=["a", "a"])
    with raises(DataError, "duplicated column names 'a'"):
        _frames.as_pandas(twice, **KW)
    with raises(DataError, "duplicated"):
        _frames.numeric_array(twice, "a", **KW)


def test_polars_and_pyarrow_frames_are_converted() -> None:
    pl = pytest.importorskip("polars")
    pa = pytest.importorskip("pyarrow")
    for native in (pl.DataFrame({"a": [1, 2]}), pa.table({"a": [1, 2]})):
        assert _frames.numeric_array(native, "a", **KW).tolist() == [1.0, 2.0]
    with raises(DataError, "must be a data frame, got LazyFrame"):
        _frames.as_pandas(pl.LazyFrame({"a": [1]}), **KW)


# -- numbers, indicators, dates ------------------------------------------------------------


def test_numeric_array() -> None:
    df = pd.DataFrame(
        {
            "text": ["1", " 2.5", None],
            "bad": ["3", "three", "4 days"],
            "flag": [True, False, True],
            "nullable": pd.array([1, None, 3], dtype="Int64"),
            "when": pd.to_datetime(["2024-01-01"] * 3),
        }
    )
    before = df.copy(deep=True)
    got = _frames.numeric_array(df, "text", **KW, allow_missing=True)
    np.testing.assert_array_equal(got, [1.0, 2.5, np.nan])
    _frames.numeric_array(df, "flag", **KW)[:] = 7.0  # a new, writable array
    np.testing.assert_array_equal(
        _frames.numeric_array(df, "nullable", **KW, allow_missing=True), [1.0, np.nan, 3.0]
    )
    pd.testing.assert_frame_equal(df, before)
    with raises(DataError, "f(): column 'text' (argument `x`) has 1 missing values (rows 2)"):
        _frames.numeric_array(df, "text", **KW)
    with raises(DataError, "must be numeric; 2 of 3 values are not, e.g. 'three', '4 days'"):
        _frames.numeric_array(df, "bad", **KW)
    with raises(DataError, "must be numeric, found datetime64"):
        _frames.numeric_array(df, "when", **KW)


def test_boolean_array() -> None:
    df = pd.DataFrame({"i": [0, 1], "f": [1.0, 0.0], "o": pd.Series([True, 0], dtype=object)})
    for column, expected in (("i", [False, True]), ("f", [True, False]), ("o", [True, False])):
        assert _frames.boolean_array(df, column, **KW).tolist() == expected
    bad = pd.DataFrame({"two": [0, 2], "text": ["yes", "no"], "gap": [1.0, np.nan]})
    with raises(DataError, "f(): column 'two' (argument `x`) must be 0/1 or True/False; found 2"):
        _frames.boolean_array(bad, "two", **KW)
    with raises(DataError, "found 'yes', 'no'", "hint: recode"):
        _frames.boolean_array(bad, "text", **KW)
    with raises(DataError, "1 missing values"):
        _frames.boolean_array(bad, "gap", **KW)


def test_date_series_accepts_iso_text_date_objects_and_datetimes() -> None:
    zone = pd.Timestamp("2024-01-31 23:30", tz="America/New_York")
    df = pd.DataFrame(
        {
            "text": ["2024-01-31", "2024-02-01T10:30", None],
            "objects": [dt.date(2024, 1, 31), dt.datetime(2024, 2, 1, 10, 30), None],
            "category": pd.Categorical(["2024-01-31", "2024-02-01 10:30", None]),
            "empty": [np.nan] * 3,
            "zone": [zone] * 3,
        },
        index=[10, 11, 12],
    )
    stamps = [pd.Timestamp("2024-01-31"), pd.Timestamp("2024-02-01 10:30"), pd.NaT]
    expected = pd.Series(stamps, index=df.index, dtype="datetime64[ns]")
    for column in ("text", "objects", "category"):
        got = _dates.date_series(df, column, **KW)
        pd.testing.assert_series_equal(got, expected.rename(column))
    assert _dates.date_series(df, "empty", **KW).isna().all()
    assert str(_dates.date_series(df, "zone", **KW).iloc[0]) == "2024-01-31 23:30:00"
    # offsets that differ between rows (daylight saving time): the local clock time is kept
    offsets = pd.DataFrame(
        {"d": ["2024-03-30T23:30+01:00", "2024-04-01T00:30+02:00", "2024-04-02"]}
    )
    assert _dates.date_series(offsets, "d", **KW).dt.strftime("%d %H:%M").tolist() == [
        "30 23:30",
        "01 00:30",
        "02 00:00",
    ]
    with raises(DataError, "f(): column 'text' (argument `x`) has 1 missing dates (rows 12)"):
        _dates.date_series(df, "text", **KW, allow_missing=False)


@pytest.mark.parametrize(
    ("values", "pattern"),
    [
        (
            pd.Series(["2024-01-31", "31/01/2024"]),
            "1 of 2 values do not, the first at row 1: '31/01/2024'",
        ),
        (pd.Series([1, 2]), "must hold dates, found int64 values, e.g. 1, 2"),
        (pd.Series([1, "2024-01-01"], dtype=object), "1 of 2 values do not, the first at row 0: 1"),
        (pd.Series(["1500-01-01"]), "years 1678-2261"),
        (pd.Series([dt.date(2024, 1, 1), [2024, 1]], dtype=object), "row 1: [2024, 1]"),
        (pd.Series(["2022-01-31", "2022-02-30"], index=[7, 9]), "row 9: '2022-02-30'"),
    ],
)
def test_date_series_rejects(values: pd.Series, pattern: str) -> None:
    with raises(DataError, "f(): column 'd' (argument `x`)", pattern):
        _dates.date_series(pd.DataFrame({"d": values}), "d", **KW)


# -- missing values ------------------------------------------------------------------------


def test_complete_cases_drops_and_counts_or_raises() -> None:
    df = pd.DataFrame(
        {"a": [1.0, np.nan, 3.0, np.nan], "b": ["x", None, "z", "w"], "c": [None] * 4},
        index=list("pqrs"),
    )
    cc = _frames.complete_cases(df, ["a", "b", "a"], missing="drop", arg="data", caller="cox")
    assert cc.n_dropped == 2 and cc.kept.tolist() == [True, False, True, False]
    assert cc.missing_by_column == {"a": 2, "b": 1}
    assert list(cc.frame.index) == ["p", "r"] and list(cc.frame.columns) == ["a", "b", "c"]
    message = "cox(): 2 of 4 rows of `data` have missing values ('a': 2, 'b': 1)"
    with raises(DataError, message, "missing='drop'"):
        _frames.complete_cases(df, ["a", "b"], missing="error", arg="data", caller="cox")
    with raises(SpecificationError, "missing='ignore' is not a policy"):
        _frames.complete_cases(df, "a", missing="ignore", **KW)
    with raises(DataError, "column 'zz' is not in `data`"):
        _frames.complete_cases(df, ["zz"], missing="drop", arg="data", caller="f")


# -- treatment -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "treated", "labels"),
    [
        ([0, 1, 1], None, (1, 0)),
        ([True, False, False], None, (True, False)),
        ([1.0, 0.0, 1.0], None, (1.0, 0.0)),
        (["court", "rj", "rj"], "rj", ("rj", "court")),
        ([0, 1, 1], 0, (0, 1)),
        (pd.Categorical(["rj", "court", "rj"], ["x", "court", "rj"]), "rj", ("rj", "court")),
    ],
)
def test_treatment_codings(values: Any, treated: object, labels: tuple[object, object]) -> None:
    coding = _frames.treatment_indicator(pd.DataFrame({"t": values}), "t", treated=treated, **KW)
    assert (coding.treated_label, coding.control_label) == labels
    assert coding.n_treated + coding.n_control == 3
    assert coding.n_treated == int(coding.is_treated.sum())


@pytest.mark.parametrize(
    ("values", "treated", "error", "pattern"),
    [
        ([0, 1, 2], None, DataError, "exactly two distinct values, found 3: 0, 1, 2"),
        ([1, 1, 1], None, DataError, "found 1: 1"),
        ([], None, DataError, "found 0"),
        (["court", "rj", None], "rj", DataError, "1 missing values"),
        (["court", "rj"], None, SpecificationError, "say which is the treated group"),
        (["court", "rj"], "RJ", SpecificationError, "did you mean treated='rj'?"),
        ([0, 1], "1", SpecificationError, "did you mean treated=1?"),
        ([0, 1], [1], SpecificationError, "must be a single label"),
    ],
)
def test_treatment_errors(
    values: list[object], treated: object, error: type[RpevalError], pattern: str
) -> None:
    frame = pd.DataFrame({"group": pd.Series(values, dtype=object)})
    with raises(error, "match():", pattern):
        _frames.treatment_indicator(
            frame, "group", treated=treated, arg="treatment", caller="match"
        )


# -- formulas and designs ------------------------------------------------------------------


def test_formulas_and_lists() -> None:
    spec = _frames.resolve_covariates(" age+prior_arrests +  C( offense_type ) ", **KW)
    assert spec.columns == ("age", "prior_arrests", "offense_type")
    assert spec.categorical == frozenset({"offense_type"})
    assert _frames.resolve_covariates("âge + C(région)", **KW).columns == ("âge", "région")
    for names in (["a b", "c"], ("a b", "c"), pd.Index(["a b", "c"]), np.array(["a b", "c"])):
        assert _frames.resolve_covariates(names, **KW).columns == ("a b", "c")
    for bad in ([], ["a", 1], ["a", "a"], 5, {"a"}, None):
        with raises(SpecificationError, "f(): `x`"):
            _frames.resolve_covariates(bad, **KW)


@pytest.mark.parametrize(
    ("formula", "position", "what"),
    [
        ("age +", 5, "it ends where a column name or C(name) was expected"),
        ("y ~ age", 2, "without '~'"),
        ("1 + age", 0, "numbers are not covariates"),
        ("C(x", 3, "it ends where ')' was expected"),
        ("age + age", 6, "'age' appears twice"),
        ("  ", 0, "the formula is empty"),
    ],
)
def test_formula_errors_point_at_the_position(formula: str, position: int, what: str) -> None:
    with pytest.raises(SpecificationError) as info:
        _frames.resolve_covariates(formula, arg="covariates", caller="cox")
    lines = str(info.value).splitlines()
    assert lines[0].startswith(
        f"cox(): cannot read the formula in `covariates` at position {position}"
    )
    assert what in lines[0] and lines[2] == " " * (4 + position) + "^"


def test_design_matrix_codes_numbers_flags_and_categories() -> None:
    df = pd.DataFrame(
        {
            "age": [20, 30, 40, 50],
            "female": [True, False, False, True],
            "offense": ["violent", "drug", "property", "drug"],
            "site": pd.Categorical(["b", "a", "b", "b"], categories=["b", "a", "z"]),
            "year": [2019, 2020, 2019, 2021],
        }
    )
    spec = _frames.resolve_covariates("age + female + offense + site + C(year)", **KW)
    design = _frames.design_matrix(df, spec, **KW)
    offense = ["offense[T.property]", "offense[T.violent]"]
    assert design.terms == ("age", "female", *offense, "site[T.a]", "year[T.2020]", "year[T.2021]")
    np.testing.assert_array_equal(design.X[1], [30, 0, 0, 0, 1, 1, 0])
    assert design.levels["site"] == ("b", "a") and design.rows_kept.all()
    again = _frames.design_matrix(df.iloc[::-1], spec, **KW, levels=design.levels)
    np.testing.assert_array_equal(again.X, design.X[::-1])
    with raises(DataError, "covariate 'offense' (argument `x`) has levels ['arson'] that the"):
        _frames.design_matrix(df.assign(offense="arson"), spec, **KW, levels=design.levels)
    with raises(DataError, "where the fitted model had numbers"):
        _frames.design_matrix(df.assign(age="old"), spec, **KW, levels=design.levels)
    assert _frames.constant_columns(design.X[:1], design.terms) == list(design.terms)
    assert _frames.constant_columns(design.X, design.terms) == []


def test_design_matrix_missing_dates_infinities_and_clashes() -> None:
    df = pd.DataFrame({"a": [1.0, np.nan, np.inf], "d": pd.to_datetime(["2024-01-01"] * 3)})
    spec = _frames.resolve_covariates(["a"], **KW)
    with raises(DataError, "1 of 3 rows of `data` have missing values ('a': 1)"):
        _frames.design_matrix(df, spec, **KW)
    with raises(DataError, "covariate 'a' (argument `x`) has infinite values"):
        _frames.design_matrix(df, spec, **KW, missing="drop")
    design = _frames.design_matrix(df.iloc[:2], spec, **KW, missing="drop")
    assert design.X.tolist() == [[1.0]] and design.rows_kept.tolist() == [True, False]
    assert design.n_dropped == 1
    with raises(DataError, "holds datetime64"):
        _frames.design_matrix(df, _frames.resolve_covariates(["d"], **KW), **KW)
    clash = pd.DataFrame({"g": pd.Series([0, 1, "1"], dtype=object)})
    with raises(DataError, "would have the same label"):
        _frames.design_matrix(clash, _frames.resolve_covariates(["g"], **KW), **KW)


# -- properties ----------------------------------------------------------------------------

_MIXED = st.one_of(st.none(), st.integers(-2, 2), st.floats(), st.booleans(), st.text(max_size=3))
_TIMES = st.datetimes(dt.datetime(1900, 1, 1), dt.datetime(2200, 1, 1)) | st.none()
_COLUMNS: dict[str, tuple[st.SearchStrategy[Any], str | None]] = {
    "int": (st.integers(-3, 3), "int64"),
    "float": (st.floats(allow_nan=True, allow_infinity=True) | st.none(), "float64"),
    "bool": (st.booleans(), "bool"),
    "nullable": (st.integers(0, 1) | st.none(), "Int64"),
    "text": (st.text(max_size=4) | st.sampled_from(["1", "2024-01-02", "yes"]) | st.none(), None),
    "mixed": (_MIXED | st.dates() | st.dates().map(pd.Timestamp), "object"),
    "datetime": (_TIMES, "datetime64[ns]"),
    "category": (st.sampled_from(["a", "b", "c"]) | st.none(), "category"),
}


@st.composite
def frames(draw: st.DrawFn) -> pd.DataFrame:
    """1-4 columns with any names (unicode, spaces) and dtypes, 0-8 rows, missing values."""
    names = draw(st.lists(st.text(min_size=1, max_size=8), min_size=1, max_size=4, unique=True))
    n = draw(st.integers(0, 8))
    data = {}
    for name in names:
        cells, dtype = _COLUMNS[draw(st.sampled_from(sorted(_COLUMNS)))]
        data[name] = pd.Series(draw(st.lists(cells, min_size=n, max_size=n)), dtype=dtype)
    return pd.DataFrame(data)


def _design(frame: pd.DataFrame, column: str, how: object) -> object:
    covariates = [column] if how == "list" else f"C({column})" if how == "C" else column
    spec = _frames.resolve_covariates(covariates, **KW)
    return _frames.design_matrix(frame, spec, **KW, missing="drop" if how == "list" else "error")


CHECKS: dict[str, Callable[[pd.DataFrame, str, Any], object]] = {
    "columns": lambda df, col, _: _frames.require_columns(df, [col], **KW),
    "numeric": lambda df, col, _: _frames.numeric_array(df, col, **KW, allow_missing=True),
    "boolean": lambda df, col, _: _frames.boolean_array(df, col, **KW),
    "date": lambda df, col, _: _dates.date_series(df, col, **KW),
    "treatment": lambda df, col, label: _frames.treatment_indicator(df, col, **KW, treated=label),
    "copies": lambda df, col, _: _frames.as_pandas(df, **KW).insert(0, "added column", col),
    "complete": lambda df, col, _: _frames.complete_cases(df, [col], missing="error", **KW),
    "design": _design,
}


@SETTINGS
@given(
    frame=frames(),
    check=st.sampled_from(sorted(CHECKS)),
    pick=st.integers(0, 9),
    extra=st.sampled_from([None, "a", 1, 0, True, "list", "C", "formula"]),
)
def test_checkers_raise_only_rpeval_errors_and_never_mutate(
    frame: pd.DataFrame, check: str, pick: int, extra: object
) -> None:
    before = frame.copy(deep=True)
    columns = [*frame.columns, "not a column"]
    with contextlib.suppress(RpevalError):
        CHECKS[check](frame, columns[pick % len(columns)], extra)
    pd.testing.assert_frame_equal(frame, before)


def _is_missing(value: object) -> bool:
    return value is None or value is pd.NA or value is pd.NaT or value != value


@SETTINGS
@given(frame=frames())
def test_complete_cases_counts_match_a_slow_count(frame: pd.DataFrame) -> None:
    cols = list(frame.columns)
    result = _frames.complete_cases(frame, cols, missing="drop", arg="data", caller="f")
    rows = [[frame[c].iloc[i] for c in cols] for i in range(len(frame))]
    dropped = [any(_is_missing(v) for v in row) for row in rows]
    assert result.kept.tolist() == [not d for d in dropped]
    assert result.n_dropped == sum(dropped) == len(frame) - len(result.frame)
    for j, c in enumerate(cols):
        assert result.missing_by_column[c] == sum(_is_missing(row[j]) for row in rows)


@SETTINGS
@given(
    labels=st.lists(st.sampled_from(["a", "b", "c", 0, 1, True, None, np.nan]), max_size=8),
    treated=st.sampled_from([None, "a", "b", "z", 1, np.nan]),
)
def test_bad_treatment_codings_raise_rpeval_errors(labels: list[object], treated: object) -> None:
    frame = pd.DataFrame({"t": pd.Series(labels, dtype=object)})
    try:
        coding = _frames.treatment_indicator(frame, "t", treated=treated, **KW)
    except RpevalError:
        return
    distinct = set(labels)  # 1 and True are one label, as in pandas
    assert len(distinct) == 2 and not any(_is_missing(v) for v in labels)
    assert treated is not None or distinct <= {0, 1}
    assert coding.n_treated > 0 and coding.n_control > 0
    assert coding.n_treated + coding.n_control == len(labels)
    assert coding.treated_label == (1 if treated is None else treated)


@budget(300, deadline=None)
@given(text=st.text(alphabet=st.sampled_from("aC_é1 +()*~.\t"), max_size=24) | st.text(max_size=16))
def test_formula_parser_raises_only_specification_errors(text: str) -> None:
    try:
        spec = _frames.resolve_covariates(text, **KW)
    except SpecificationError:
        return
    for name in spec.columns:  # backticks quote any name; the rest are identifiers
        assert name and ("`" in text or all(c.isalnum() or c in "_." for c in name))
    assert spec.columns and set(spec.categorical) <= set(spec.columns)
