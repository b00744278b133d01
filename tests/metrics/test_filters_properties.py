"""Property tests of the filter language: round trips and agreement with a reference.

Random, well-typed trees are drawn over a fixed schema. (a) Rendering a tree and parsing
it back gives the same tree, also when the text is written noisily (extra parentheses
and whitespace, ``==``, single quotes, backticks, shuffled lists). (b) On random frames
with nulls, pandas, polars and DuckDB keep exactly the rows that a slow row-by-row
interpreter written here (SQL three-valued logic) keeps.
"""

from __future__ import annotations

import calendar
import datetime as dt
import operator
from typing import Any

import duckdb
import narwhals as nw
import pandas as pd
import polars as pl
from hypothesis import HealthCheck, assume, given
from hypothesis import strategies as st

from rpeval.metrics.filters import (
    And,
    Arithmetic,
    Boolean,
    Column,
    Comparison,
    DateLiteral,
    Duration,
    FilterExpr,
    InList,
    IsNull,
    Negate,
    Not,
    Number,
    Or,
    String,
    parse_filter,
    to_narwhals,
)
from tests.hypothesis_budget import budget

NUMERIC = ["n1", "n2", "f"]
TEXT = ["s t"]  # a name that needs backticks
DATES = ["d1", "date"]  # `date` is a column here, not the function
BOOLS = ["b"]
SETTINGS = budget(60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# -- strategies of well-typed trees -------------------------------------------------------------
ints = st.integers(-20, 20).map(Number)
halves = st.integers(-40, 40).map(lambda k: Number(k / 2))
num_literals = st.one_of(ints, halves)
str_literals = st.sampled_from(["", "a", "b", "ab", "é"]).map(String)
date_literals = st.dates(dt.date(2019, 1, 1), dt.date(2021, 12, 31)).map(DateLiteral)
durations = st.builds(Duration, st.sampled_from(["days", "months"]), st.integers(-40, 40))
bool_literals = st.booleans().map(Boolean)
signs = st.sampled_from(["+", "-"])


def numbers(depth: int) -> st.SearchStrategy[FilterExpr]:
    leaf = st.one_of(st.sampled_from(NUMERIC).map(Column), num_literals)
    if depth == 0:
        return leaf
    sub = numbers(depth - 1)
    arithmetic = st.builds(Arithmetic, signs, sub, sub)
    negated = st.builds(Negate, st.one_of(st.sampled_from(NUMERIC).map(Column), arithmetic))
    return st.one_of(leaf, arithmetic, negated)


def dates(depth: int) -> st.SearchStrategy[FilterExpr]:
    leaf = st.one_of(st.sampled_from(DATES).map(Column), date_literals)
    if depth == 0:
        return leaf
    sub = dates(depth - 1)
    shifted = st.builds(Arithmetic, signs, sub, durations)
    added = st.builds(lambda d, x: Arithmetic("+", d, x), durations, sub)
    return st.one_of(leaf, shifted, added)


strings = st.one_of(st.sampled_from(TEXT).map(Column), str_literals)
bools = st.one_of(st.sampled_from(BOOLS).map(Column), bool_literals)
ops = st.sampled_from(["=", "!=", "<", "<=", ">", ">="])


def _lists(values: st.SearchStrategy[Any]) -> st.SearchStrategy[tuple[Any, ...]]:
    return st.lists(values, min_size=1, max_size=4).map(tuple)


def comparisons(depth: int) -> st.SearchStrategy[FilterExpr]:
    nums, ds = numbers(depth), dates(depth)
    return st.one_of(
        st.builds(Comparison, ops, nums, nums),
        st.builds(Comparison, ops, strings, strings),
        st.builds(Comparison, ops, ds, ds),
        st.builds(Comparison, st.sampled_from(["=", "!="]), bools, bools),
        st.builds(InList, nums, _lists(num_literals), st.booleans()),
        st.builds(InList, strings, _lists(str_literals), st.booleans()),
        st.builds(InList, ds, _lists(date_literals), st.booleans()),
        st.builds(InList, bools, _lists(bool_literals), st.booleans()),
        st.builds(IsNull, st.one_of(nums, strings, ds, bools), st.booleans()),
        st.sampled_from(BOOLS).map(Column),
    )  # fmt: skip


def conditions(depth: int = 2) -> st.SearchStrategy[FilterExpr]:
    if depth == 0:
        return comparisons(1)
    sub = conditions(depth - 1)
    return st.one_of(
        comparisons(2),
        st.builds(Not, sub),
        st.lists(sub, min_size=2, max_size=3).map(lambda xs: And(tuple(xs))),
        st.lists(sub, min_size=2, max_size=3).map(lambda xs: Or(tuple(xs))),
    )


filters = conditions().filter(lambda e: bool(e.columns()))


# -- (a) round trips ----------------------------------------------------------------------------
@SETTINGS
@given(filters)
def test_rendered_text_parses_back_to_the_same_tree(expr: FilterExpr) -> None:
    text = str(expr)
    assert parse_filter(text) == expr
    assert str(parse_filter(text)) == text


@SETTINGS
@given(st.builds(Number, st.floats(allow_nan=False, allow_infinity=False)), st.text(max_size=20))
def test_any_float_and_any_string_survive_the_round_trip(number: Number, text: str) -> None:
    expr = And((Comparison("<", Column("x"), number), Comparison("=", Column("s"), String(text))))
    assert parse_filter(str(expr)) == expr


_PRECEDENCE = {Or: 1, And: 2, Not: 3, Comparison: 4, InList: 4, IsNull: 4, Arithmetic: 5, Negate: 6}


def _noisy(node: FilterExpr, data: st.DataObject) -> str:
    """`node` written with random redundant parentheses, whitespace, quotes and spellings."""

    def gap(required: bool = False) -> str:
        return data.draw(st.sampled_from([" ", "  ", "\n  ", "\t"] + ([] if required else [""])))

    def sub(child: FilterExpr, slot: int) -> str:
        text = _noisy(child, data)
        rank = _PRECEDENCE.get(type(child), 7)
        if isinstance(child, Number) and child.value < 0:
            rank = 6
        return f"({gap()}{text}{gap()})" if rank < slot else text

    kw = gap(required=True)
    if isinstance(node, Column):
        plain = node.name.isidentifier() and node.name.isascii() and " " not in node.name
        text = node.name if plain and data.draw(st.booleans()) else str(node)
        if plain and text == node.name:
            return text
        return "`" + node.name.replace("`", "``") + "`"
    if isinstance(node, String):
        if data.draw(st.booleans()):
            return str(node)
        return "'" + node.value.replace("\\", "\\\\").replace("'", "\\'") + "'"
    if isinstance(node, Number | Boolean | Duration):
        return str(node)
    if isinstance(node, DateLiteral):
        return f"date({gap()}'{node.value.isoformat()}'{gap()})"
    if isinstance(node, Negate):
        inner = sub(node.operand, 6 + data.draw(st.integers(0, 1)))
        return "-" + gap(required=inner.startswith("-")) + inner
    if isinstance(node, Arithmetic):
        right = sub(node.right, 6)
        space = gap(required=node.op == "-" and right.startswith("-"))  # `--` is refused
        return f"{sub(node.left, 5)}{gap()}{node.op}{space}{right}"
    if isinstance(node, Comparison):
        op = "==" if node.op == "=" and data.draw(st.booleans()) else node.op
        return f"{sub(node.left, 5)}{gap()}{op}{gap()}{sub(node.right, 5)}"
    if isinstance(node, InList):
        values = list(data.draw(st.permutations(node.values)))
        values += data.draw(st.lists(st.sampled_from(node.values), max_size=2))
        items = ("," + gap()).join(_noisy(v, data) for v in values)
        trailing = "," if data.draw(st.booleans()) else ""
        keyword = f"not{kw}in" if node.negated else "in"
        return f"{sub(node.operand, 5)}{kw}{keyword}{kw}[{gap()}{items}{trailing}]"
    if isinstance(node, IsNull):
        keyword = f"is{kw}not{kw}null" if node.negated else f"is{kw}null"
        return f"{sub(node.operand, 5)}{kw}{keyword}"
    if isinstance(node, Not):
        return f"not{kw}{sub(node.operand, 3 + data.draw(st.integers(0, 4)))}"
    assert isinstance(node, And | Or)
    word, slot = ("and", 3) if isinstance(node, And) else ("or", 2)
    parts = [sub(o, slot + data.draw(st.integers(0, 3))) for o in node.operands]
    return f"{kw}{word}{kw}".join(parts)


@SETTINGS
@given(filters, st.data())
def test_layout_and_spelling_do_not_change_the_tree(expr: FilterExpr, data: st.DataObject) -> None:
    text = _noisy(expr, data)
    assert parse_filter(text) == expr, text


# -- (b) agreement with a reference interpreter -------------------------------------------------
def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    year, month = index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


_CMP = {"=": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le,
        ">": operator.gt, ">=": operator.ge}  # fmt: skip


def ref_value(node: FilterExpr, row: dict[str, Any]) -> Any:
    if isinstance(node, Column):
        return row[node.name]
    if isinstance(node, Number | String | Boolean | DateLiteral):
        return node.value
    if isinstance(node, Negate):
        value = ref_value(node.operand, row)
        return None if value is None else -value
    assert isinstance(node, Arithmetic)
    if isinstance(node.left, Duration) or isinstance(node.right, Duration):
        duration = node.left if isinstance(node.left, Duration) else node.right
        assert isinstance(duration, Duration)
        base = ref_value(node.right if duration is node.left else node.left, row)
        if base is None:
            return None
        amount = duration.amount if node.op == "+" else -duration.amount
        if duration.unit == "days":
            return base + dt.timedelta(days=amount)
        return _add_months(base, amount)
    left, right = ref_value(node.left, row), ref_value(node.right, row)
    if left is None or right is None:
        return None
    return left + right if node.op == "+" else left - right


def ref_truth(node: FilterExpr, row: dict[str, Any]) -> bool | None:
    """SQL three-valued logic, one row at a time."""
    if isinstance(node, Column | Boolean):
        return ref_value(node, row)  # type: ignore[no-any-return]
    if isinstance(node, Comparison):
        left, right = ref_value(node.left, row), ref_value(node.right, row)
        return None if left is None or right is None else _CMP[node.op](left, right)
    if isinstance(node, InList):
        value = ref_value(node.operand, row)
        return None if value is None else (value in [v.value for v in node.values]) != node.negated
    if isinstance(node, IsNull):
        return (ref_value(node.operand, row) is None) != node.negated
    if isinstance(node, Not):
        inner = ref_truth(node.operand, row)
        return None if inner is None else not inner
    assert isinstance(node, And | Or)
    values = [ref_truth(o, row) for o in node.operands]
    decisive = isinstance(node, Or)  # True decides an `or`, False decides an `and`
    if decisive in values:
        return decisive
    return None if None in values else not decisive


def _maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), strategy)


row_strategy = st.fixed_dictionaries(
    {
        "n1": _maybe(st.integers(-10, 10)),
        "n2": _maybe(st.integers(-10, 10)),
        "f": _maybe(st.integers(-20, 20).map(lambda k: k / 2)),
        "s t": _maybe(st.sampled_from(["", "a", "b", "ab", "é"])),
        "b": _maybe(st.booleans()),
        "d1": _maybe(st.dates(dt.date(2019, 1, 1), dt.date(2021, 12, 31))),
        "date": _maybe(st.dates(dt.date(2019, 1, 1), dt.date(2021, 12, 31))),
    }
)
SCHEMA = {"id": pl.Int64, "n1": pl.Int64, "n2": pl.Int64, "f": pl.Float64, "s t": pl.String,
          "b": pl.Boolean, "d1": pl.Date, "date": pl.Date}  # fmt: skip


def _frames(records: list[dict[str, Any]]) -> dict[str, Any]:
    columns = {name: [r.get(name) for r in records] for name in SCHEMA}
    polars_frame = pl.DataFrame(columns, schema=SCHEMA)
    pandas_frame = pd.DataFrame({k: pd.Series(v, dtype=object) for k, v in columns.items()})
    pandas_frame = pandas_frame.astype(
        {"id": "int64", "n1": "float64", "n2": "float64", "f": "float64"}
    )
    for name in ("d1", "date"):
        pandas_frame[name] = pd.to_datetime(pandas_frame[name])
    return {
        "pandas": pandas_frame,
        "polars": polars_frame,
        "duckdb": duckdb.from_arrow(polars_frame.to_arrow()),
    }


def _kept(native: Any, expr: FilterExpr) -> list[int]:
    result = nw.from_native(native).filter(to_narwhals(expr))
    if isinstance(result, nw.LazyFrame):
        result = result.collect()
    return sorted(int(i) for i in result["id"].to_list())


@budget(80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(filters, st.lists(row_strategy, min_size=1, max_size=10))
def test_backends_agree_with_the_reference_interpreter(
    expr: FilterExpr, records: list[dict[str, Any]]
) -> None:
    records = [{"id": i, **r} for i, r in enumerate(records)]
    assume(any(r[c] is None for r in records for c in expr.columns()) or len(records) > 3)
    expected = [r["id"] for r in records if ref_truth(expr, r) is True]
    for backend, native in _frames(records).items():
        assert _kept(native, expr) == expected, (backend, str(expr))


month_ends = st.sampled_from(
    [dt.date(2020, m, calendar.monthrange(2020, m)[1]) for m in range(1, 13)]
)
boundary_dates = st.one_of(month_ends, st.dates(dt.date(2019, 1, 1), dt.date(2021, 12, 31)))


@SETTINGS
@given(
    st.lists(st.tuples(_maybe(boundary_dates), st.integers(-2, 2)), min_size=1, max_size=12),
    st.sampled_from(["days", "months"]),
    st.integers(-14, 14),
    ops,
)
def test_date_offsets_agree_at_the_boundary(
    pairs: list[tuple[dt.date | None, int]], unit: str, amount: int, op: str
) -> None:
    # `date` sits within two days of d1 shifted by the offset, so every comparison is
    # decided near the boundary where day and calendar-month arithmetic differ.
    def shift(day: dt.date) -> dt.date:
        return day + dt.timedelta(days=amount) if unit == "days" else _add_months(day, amount)

    records = [
        {"id": i, "n1": None, "n2": None, "f": None, "s t": None, "b": None, "d1": d,
         "date": None if d is None else shift(d) + dt.timedelta(days=jitter)}
        for i, (d, jitter) in enumerate(pairs)
    ]  # fmt: skip
    expr = parse_filter(f"date {op} d1 + {unit}({amount})")
    expected = [r["id"] for r in records if ref_truth(expr, r) is True]
    for backend, native in _frames(records).items():
        assert _kept(native, expr) == expected, backend
