"""Unit tests of the filter language: each construct on every backend, errors with carets."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import duckdb
import narwhals as nw
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

from rpeval.errors import MetricDefinitionError
from rpeval.metrics.filters import (
    MAX_DEPTH,
    And,
    Column,
    Comparison,
    DateLiteral,
    FilterExpr,
    FilterSyntaxError,
    Not,
    Number,
    Or,
    parse_filter,
    to_narwhals,
)

D = dt.date
# Eight cases of a restorative-justice program; None is missing.
DATA: dict[str, list[Any]] = {
    "id": list(range(8)),
    "age": [15, 17, None, 22, 17, 30, 19, 16],
    "score": [1.5, -2.0, 3.25, None, 0.0, 10.0, 2.5, -0.5],
    "status": [
        "completed", "pending", None, "completed", "failed", "pending", "completed", "failed",
    ],
    "victim_present": [True, False, True, None, True, False, False, True],
    "offense type": ["theft", "assault", "theft", None, "vandalism", "theft", "assault", "theft"],
    "referral_date": [
        D(2024, 1, 15), D(2024, 1, 31), D(2024, 2, 29), D(2024, 3, 31),
        None, D(2023, 12, 1), D(2024, 5, 10), D(2024, 1, 31),
    ],
    "agreement_due_date": [
        D(2024, 2, 15), D(2024, 2, 29), D(2024, 3, 31), D(2024, 4, 30),
        D(2024, 1, 1), None, D(2024, 6, 10), D(2024, 3, 1),
    ],
    "completion_date": [
        D(2024, 3, 10), D(2024, 3, 30), None, D(2024, 5, 1),
        D(2023, 12, 31), D(2024, 1, 1), D(2024, 6, 10), D(2024, 2, 29),
    ],
}  # fmt: skip
DATES = ("referral_date", "agreement_due_date", "completion_date")


def _pandas(times: bool = False, object_dates: bool = False, nullable: bool = False) -> Any:
    df = pd.DataFrame({k: pd.Series(v, dtype=object) for k, v in DATA.items()})
    df = df.astype({"id": "int64", "age": "float64", "score": "float64"})
    for name in DATES:
        if not object_dates:
            df[name] = pd.to_datetime(df[name])
        if times:
            df[name] = df[name] + pd.Timedelta(hours=13, minutes=30)
    if nullable:
        df = df.convert_dtypes()
    return df


def _polars() -> Any:
    return pl.DataFrame(DATA)


def _duckdb() -> Any:
    return duckdb.from_arrow(pl.DataFrame(DATA).to_arrow())


BACKENDS: dict[str, Callable[[], Any]] = {
    "pandas": _pandas,
    "pandas-object-dates": lambda: _pandas(object_dates=True),
    "pandas-timestamps": lambda: _pandas(times=True),
    "pandas-nullable": lambda: _pandas(nullable=True),
    "polars": _polars,
    "duckdb": _duckdb,
}


def rows(native: Any, text: str) -> list[int]:
    """Ids of the rows the filter keeps, on any narwhals backend."""
    result = nw.from_native(native).filter(to_narwhals(parse_filter(text)))
    if isinstance(result, nw.LazyFrame):
        result = result.collect()
    return sorted(int(i) for i in result["id"].to_list())


# (filter, ids kept), worked out by hand from DATA. Null makes a comparison UNKNOWN,
# and UNKNOWN rows are dropped.
CASES: list[tuple[str, list[int]]] = [
    ("age >= 18", [3, 5, 6]),
    ("age == 17", [1, 4]),
    ("age = 17", [1, 4]),
    ("age != 17", [0, 3, 5, 6, 7]),
    ("age < 17", [0, 7]),
    ("age <= 17", [0, 1, 4, 7]),
    ("age > 17", [3, 5, 6]),
    ("not age < 17", [1, 3, 4, 5, 6]),
    ("score > 0", [0, 2, 5, 6]),
    ("score >= -0.5", [0, 2, 4, 5, 6, 7]),
    ("-score > 1", [1]),
    ("age + score > 20", [5, 6]),
    ("age - 1 = 16", [1, 4]),
    ("status = 'completed'", [0, 3, 6]),
    ('status == "completed"', [0, 3, 6]),
    ("status != 'completed'", [1, 4, 5, 7]),
    ("status in ['pending', 'failed']", [1, 4, 5, 7]),
    ("status not in ['pending', 'failed']", [0, 3, 6]),
    ("not status in ['completed']", [1, 4, 5, 7]),
    ("status is null", [2]),
    ("status is not null", [0, 1, 3, 4, 5, 6, 7]),
    ("not status is null", [0, 1, 3, 4, 5, 6, 7]),
    ("age in [15, 16, 17]", [0, 1, 4, 7]),
    ("age in [17.0, 22]", [1, 3, 4]),
    ("age not in [17]", [0, 3, 5, 6, 7]),
    ("victim_present", [0, 2, 4, 7]),
    ("not victim_present", [1, 5, 6]),
    ("victim_present = true", [0, 2, 4, 7]),
    ("victim_present != true", [1, 5, 6]),
    ("victim_present in [false]", [1, 5, 6]),
    ("`offense type` = 'theft'", [0, 2, 5, 7]),
    ("age >= 18 and status = 'completed'", [3, 6]),
    ("age >= 18 or status = 'failed'", [3, 4, 5, 6, 7]),
    ("status = 'completed' or age > 100", [0, 3, 6]),
    ("not (status = 'completed' or age > 18)", [1, 4, 7]),
    ("status = 'completed' or age is null", [0, 2, 3, 6]),
    ("(age > 16 or score > 100) and not victim_present", [1, 5, 6]),
    ("age > 16 and true", [1, 3, 4, 5, 6]),
    ("age > 16 and false or status = 'failed'", [4, 7]),
    ("referral_date >= date('2024-02-01')", [2, 3, 6]),
    ("referral_date = date('2024-01-31')", [1, 7]),
    ("not referral_date < date('2024-02-01')", [2, 3, 6]),
    ("completion_date <= agreement_due_date", [4, 6, 7]),
    ("completion_date <= agreement_due_date + days(30)", [0, 1, 3, 4, 6, 7]),
    ("completion_date <= agreement_due_date + days(29)", [0, 3, 4, 6, 7]),
    ("days(30) + agreement_due_date >= completion_date", [0, 1, 3, 4, 6, 7]),
    # calendar months clamp to the month's end: 2024-01-31 + 1 month = 2024-02-29
    ("completion_date <= referral_date + months(1)", [5, 6, 7]),
    ("completion_date <= referral_date + months(2)", [0, 1, 3, 5, 6, 7]),
    ("completion_date - months(1) <= referral_date", [5, 6, 7]),
    ("agreement_due_date < date('2024-03-31') - months(1)", [0, 4]),
    ("referral_date in [date('2024-01-31'), date('2024-05-10')]", [1, 6, 7]),
    ("referral_date not in [date('2024-01-31')]", [0, 2, 3, 5, 6]),
    ("referral_date + days(1) is null", [4]),
]
MONTHS = [case for case in CASES if "months(" in case[0]]


@pytest.mark.parametrize("backend", list(BACKENDS))
@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0] for c in CASES])
def test_construct_keeps_the_hand_computed_rows(
    backend: str, text: str, expected: list[int]
) -> None:
    assert rows(BACKENDS[backend](), text) == expected


def test_hand_computed_ids_match_a_pandas_mask() -> None:
    # An independent check of a few expectations with plain pandas masks.
    df = _pandas()
    mask = (df["age"] >= 18) & (df["status"] == "completed")
    assert rows(df, "age >= 18 and status = 'completed'") == df.loc[mask, "id"].tolist()
    due = df["agreement_due_date"] + pd.Timedelta(days=30)
    mask = (df["completion_date"] <= due) & df["completion_date"].notna() & due.notna()
    text = "completion_date <= agreement_due_date + days(30)"
    assert rows(df, text) == df.loc[mask, "id"].tolist()


@pytest.mark.parametrize(("text", "expected"), [c for c in CASES if c not in MONTHS][:20])
def test_pyarrow_tables_work_without_months(text: str, expected: list[int]) -> None:
    assert rows(pl.DataFrame(DATA).to_arrow(), text) == expected


def test_pyarrow_month_offsets_are_a_documented_narwhals_gap() -> None:
    # narwhals 2.x has no month offset for PyArrow; the module docstring says so.
    table = pa.table({"id": [1], "d": [D(2024, 1, 31)]})
    with pytest.raises(NotImplementedError, match="mo"):
        rows(table, "d + months(1) = date('2024-02-29')")


def test_lazy_duckdb_result_stays_lazy_until_collected() -> None:
    frame = nw.from_native(_duckdb()).filter(to_narwhals(parse_filter("age > 20")))
    assert isinstance(frame, nw.LazyFrame)
    assert isinstance(frame.to_native(), duckdb.DuckDBPyRelation)
    assert sorted(frame.collect()["id"].to_list()) == [3, 5]


# -- parsing and canonical text -------------------------------------------------------------
@pytest.mark.parametrize(
    ("variants", "canonical"),
    [
        (["a = 1", "a==1", "  (a)  =  ((1)) ", "(a = 1)"], "a = 1"),
        (["(a or b) or c", "a or (b or c)", "a or b or c"], "a or b or c"),
        (["a and (b or c)", "(a) and ((b) or (c))"], "a and (b or c)"),
        (["a or b and c", "a or (b and c)"], "a or b and c"),
        (["not (a = 1)", "not a = 1", "not(a=1)"], "not a = 1"),
        (["x in [3, 1, 2, 1]", "x in [1,2,3,]", "(x) in [2, 3, 1]"], "x in [1, 2, 3]"),
        (["x not in ['b', \"a\"]"], 'x not in ["a", "b"]'),
        (["a - (b - c) > 0"], "a - (b - c) > 0"),
        (["(a - b) - c > 0", "a - b - c > 0"], "a - b - c > 0"),
        (["-(a + 1) < - 5", "-(a+1)<-5"], "-(a + 1) < -5"),
        (["a - -5 = 3", "a- -5=3", "a-(-5)=3"], "a - -5 = 3"),
        (["- -a = 3", "-(-a) = 3", "-(-(a))=3"], "-(-a) = 3"),
        (["d <= date('2024-01-31') + months(1)"], 'd <= date("2024-01-31") + months(1)'),
        (["`offense type` = 'x'", '`offense type`="x"'], '`offense type` = "x"'),
        (["`and` = 1", "`and`=1"], "`and` = 1"),
        (["`date` = 1", "date = 1"], "date = 1"),
        (["'a\\'b\\n\\u00e9' = s", '"a\'b\\n\\u00e9" = s'], '"a\'b\\né" = s'),
        (["a = 1.50", "a = 15e-1"], "a = 1.5"),
    ],
)
def test_layout_variants_normalise_equal(variants: list[str], canonical: str) -> None:
    parsed = [parse_filter(v) for v in variants]
    assert all(p == parsed[0] for p in parsed)
    assert {str(p) for p in parsed} == {canonical}
    assert parse_filter(canonical) == parsed[0]


def test_tree_shape_and_columns() -> None:
    expr = parse_filter("completion_date <= agreement_due_date + days(30) and `offense type` = 'x'")
    assert isinstance(expr, And)
    assert expr.columns() == {"completion_date", "agreement_due_date", "offense type"}
    assert parse_filter("a = 1 or b = 2") == Or(
        (Comparison("=", Column("a"), Number(1)), Comparison("=", Column("b"), Number(2)))
    )
    assert parse_filter("a = 1") != parse_filter("a = 1.0")
    assert parse_filter("d = date('2024-01-31')").right == DateLiteral(D(2024, 1, 31))  # type: ignore[attr-defined]


def test_hand_built_trees_are_checked_too() -> None:
    with pytest.raises(FilterSyntaxError, match="cannot compare a date with a number"):
        to_narwhals(Comparison("=", DateLiteral(D(2024, 1, 1)), Number(5)))
    with pytest.raises(MetricDefinitionError, match="dunder"):
        Column("__class__")
    with pytest.raises(MetricDefinitionError, match="not finite"):
        Number(float("nan"))
    nested = And((And((Column("a"), Column("b"))), Column("c")))
    assert nested == parse_filter("a and b and c")
    tall: FilterExpr = Column("a")
    for _ in range(5_000):  # far deeper than the parser allows; checked without recursion
        tall = Not(tall)
    with pytest.raises(FilterSyntaxError, match="levels"):
        to_narwhals(tall)


# -- errors -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "reason", "column"),
    [
        ("a = ", "expected a value", 5),
        ("a = 1 b = 2", "expected an operator", 7),
        ("a.b = 1", "unexpected character '.'", 2),
        ("__import__('os')", "dunder names", 1),
        ("a = 1 and open('f')", "unknown function 'open'", 11),
        ("x[0] = 1", "found `[`", 2),
        ("lambda: 1", "unexpected character ':'", 7),
        ("1;2", "unexpected character ';'", 2),
        ("a = 'abc", "unterminated string", 5),
        ("a = null", "`null` can only be used", 5),
        ("a in [1, null]", "`null` cannot be in", 10),
        ("a in [1, 'x']", "mixes a number and a string", 10),
        ("a in []", "at least one value", 7),
        ("age >= 18 and date('2024-01-31') = 5", "cannot compare a date with a number", 15),
        ("d + days(1.5) > d", "whole-number", 10),
        ("d + days(n) > d", "not a column", 10),
        ("date('2024-02-30') < d", "does not exist", 6),
        ("d1 - date('2024-01-01') > 3", "cannot subtract a column value and a date", 1),
        ("a < b < c", "cannot be followed by `<`", 7),
        ("a = 1 AND b = 2", "reserved word in the wrong case", 7),
        ("(a = 1", "expected `)` to close the `(` at column 1", 7),
        ("a = 1)", "unbalanced `)`", 6),
        ("1 = 1", "refers to no column", 1),
        ("a + 1", "expected a condition", 1),
        ("a < true", "booleans can only be compared", 1),
        ("(a = 1) + 1 > 0", "condition cannot be used as a value", 2),
        ("a <> 1", "found `>`", 4),
        ("a = 1 -- note", "`--` is not allowed", 7),
        ("s = 'it''s'", "expected an operator", 9),
        ("âge > 1", "ASCII only", 1),
        ("a = 1 and\n  b = ", "expected a value", 7),
        ("a = 1 and " * 12 + "b = 'x' ; c", "unexpected character ';'", 129),  # windowed
    ],
)
def test_error_names_the_problem_and_points_at_it(text: str, reason: str, column: int) -> None:
    with pytest.raises(FilterSyntaxError) as info:
        parse_filter(text)
    error = info.value
    assert reason in error.reason
    assert error.column == column
    assert isinstance(error, MetricDefinitionError)
    lines = str(error).splitlines()
    caret_line = next(line for line in lines if line.strip().startswith("^"))
    source_line = lines[lines.index(caret_line) - 1]
    offset = caret_line.index("^")
    line = text.splitlines()[(error.line or 1) - 1] if text.strip() else ""
    assert source_line[offset : offset + 1] == line[column - 1 : column]  # caret under it
    if len(line) < 70:
        assert source_line[offset:] == line[column - 1 :]


def test_column_arithmetic_is_left_to_the_data() -> None:
    # Column types are unknown before the data arrive, so this is not a static error.
    assert str(parse_filter("d - e + days(1) > d - e")) == "d - e + days(1) > d - e"


def test_error_message_layout() -> None:
    with pytest.raises(FilterSyntaxError) as info:
        parse_filter("age >= ")
    assert str(info.value) == (
        "invalid filter: expected a value (column, number, string, true, false or date(...)),"
        " found end of text (column 8)\n"
        "    age >= \n"
        "           ^"
    )


def test_limits_give_clean_errors_not_recursion_errors() -> None:
    with pytest.raises(FilterSyntaxError, match="limit is 4,000"):
        parse_filter("(" * 10_000 + "a" + ")" * 10_000)
    with pytest.raises(FilterSyntaxError, match=f"more than {MAX_DEPTH} levels"):
        parse_filter("(" * 1_000 + "a" + ")" * 1_000)
    with pytest.raises(FilterSyntaxError, match="levels"):
        parse_filter("not " * 900 + "a")
    with pytest.raises(FilterSyntaxError, match="levels"):
        parse_filter("- " * 1_500 + "a > 1")
    with pytest.raises(FilterSyntaxError, match="levels") as info:
        parse_filter(" + ".join(["a"] * 200) + " > 1")
    assert info.value.hint is not None and "chains" in info.value.hint
    deep = "(" * (MAX_DEPTH - 1) + "a" + ")" * (MAX_DEPTH - 1)
    assert parse_filter(deep) == Column("a")
    wide = " or ".join(f"age = {i}" for i in range(300))  # long flat chains are fine
    for make in (_pandas, _polars, _duckdb):
        assert rows(make(), wide) == [0, 1, 3, 4, 5, 6, 7]


def test_non_string_filter_is_a_definition_error() -> None:
    with pytest.raises(MetricDefinitionError, match="must be a string, got bool"):
        parse_filter(True)  # type: ignore[arg-type]
    with pytest.raises(FilterSyntaxError, match="empty"):
        parse_filter("   ")
