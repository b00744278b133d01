"""Compile a checked filter tree into one narwhals expression with SQL null semantics.

Backends disagree on nulls: pandas compares a missing value as ``False`` (so ``~`` turns
it into ``True``) while polars and DuckDB propagate null. To give the same rows
everywhere, each condition is compiled for a *polarity*: ``condition(node, True)`` is
true exactly where the condition is known to be TRUE, ``condition(node, False)`` exactly
where it is known to be FALSE. Both are never null: every comparison is and-ed with
"all its columns are not null". ``not`` swaps the polarity, ``and``/``or`` follow
Kleene's rules (TRUE needs all / any operand TRUE, FALSE needs any / all FALSE), so
UNKNOWN never becomes TRUE.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

import narwhals as nw

from rpeval.metrics.filters._ast import (
    MAX_DEPTH,
    And,
    Arithmetic,
    Boolean,
    Column,
    Comparison,
    ComparisonOp,
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
)
from rpeval.metrics.filters._errors import FilterSyntaxError
from rpeval.metrics.filters._types import Kind, check_filter, fold_date, tree_depth

__all__ = ["compile_filter"]

_COMPARE: dict[ComparisonOp, Callable[[nw.Expr, nw.Expr], nw.Expr]] = {
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}
_COMPLEMENT: dict[ComparisonOp, ComparisonOp] = {
    "=": "!=",
    "!=": "=",
    "<": ">=",
    "<=": ">",
    ">": "<=",
    ">=": "<",
}


def compile_filter(root: FilterExpr) -> nw.Expr:
    """A boolean narwhals expression, never null, TRUE exactly where `root` is TRUE."""
    depth, _ = tree_depth(root)
    if depth > MAX_DEPTH:
        raise FilterSyntaxError(
            f"the expression is nested more than {MAX_DEPTH} levels deep", text=""
        )
    return _Compiler(check_filter(root)).condition(root, positive=True)


def _balanced(parts: list[nw.Expr], conjunction: bool) -> nw.Expr:
    """Combine with ``&`` or ``|`` as a balanced tree (shallow even for long lists)."""
    while len(parts) > 1:
        pairs = [(parts[i], parts[i + 1]) for i in range(0, len(parts) - 1, 2)]
        merged = [(a & b) if conjunction else (a | b) for a, b in pairs]
        parts = merged + parts[len(pairs) * 2 :]
    return parts[0]


def _not_null(columns: Iterable[str]) -> nw.Expr | None:
    masks = [~nw.col(name).is_null() for name in sorted(columns)]
    return _balanced(masks, conjunction=True) if masks else None


def _midnight(value: dt.date) -> dt.datetime:
    return dt.datetime(value.year, value.month, value.day)


class _Compiler:
    def __init__(self, kinds: dict[int, Kind]) -> None:
        self.kinds = kinds

    def known(self, expr: nw.Expr, *operands: FilterExpr) -> nw.Expr:
        """`expr` and-ed with "no column of `operands` is null"."""
        mask = _not_null(set().union(*(o.columns() for o in operands)))
        return expr if mask is None else expr & mask

    def condition(self, node: FilterExpr, *, positive: bool) -> nw.Expr:
        if isinstance(node, Boolean):
            return nw.lit(node.value == positive)
        if isinstance(node, Column):
            return self.known(nw.col(node.name) == nw.lit(positive), node)
        if isinstance(node, Not):
            return self.condition(node.operand, positive=not positive)
        if isinstance(node, And | Or):
            parts = [self.condition(o, positive=positive) for o in node.operands]
            return _balanced(parts, conjunction=isinstance(node, And) == positive)
        if isinstance(node, Comparison):
            op = node.op if positive else _COMPLEMENT[node.op]
            dates = Kind.DATE in (self.kinds[id(node.left)], self.kinds[id(node.right)])
            left, right = (self.date_value(o) if dates else self.value(o) for o in node.children())
            return self.known(_COMPARE[op](left, right), node)
        if isinstance(node, InList):
            return self.in_list(node, hit=positive != node.negated)
        if isinstance(node, IsNull):
            missing = self.value(node.operand).is_null()
            return missing if positive != node.negated else ~missing
        raise AssertionError(f"unchecked node {node!r}")  # pragma: no cover

    def in_list(self, node: InList, *, hit: bool) -> nw.Expr:
        first = node.values[0]
        if isinstance(first, DateLiteral):
            dates = [_midnight(v.value) for v in node.values if isinstance(v, DateLiteral)]
            found = self.date_value(node.operand).is_in(dates)
        elif isinstance(first, String):
            found = self.value(node.operand).is_in([v.value for v in node.values])
        else:
            # Numbers and booleans by equality: polars refuses is_in across int and float.
            operand = self.value(node.operand)
            found = _balanced([operand == nw.lit(v.value) for v in node.values], False)
        return self.known(found if hit else ~found, node.operand)

    def value(self, node: FilterExpr) -> nw.Expr:
        if self.kinds.get(id(node)) is Kind.DATE:
            return self.date_value(node)
        if isinstance(node, Column):
            return nw.col(node.name)
        if isinstance(node, Number | String | Boolean):
            return nw.lit(node.value)
        if isinstance(node, Negate):
            return -self.value(node.operand)
        if isinstance(node, Arithmetic):
            left, right = self.value(node.left), self.value(node.right)
            return left + right if node.op == "+" else left - right
        raise AssertionError(f"unchecked value {node!r}")  # pragma: no cover

    def date_value(self, node: FilterExpr) -> nw.Expr:
        """A date-typed value as a midnight timestamp (microseconds, no time zone)."""
        folded = fold_date(node)
        if folded is not None:
            return nw.lit(_midnight(folded))
        if isinstance(node, Column):
            return nw.col(node.name).cast(nw.Datetime("us")).dt.truncate("1d")
        if isinstance(node, Arithmetic) and Duration in (type(node.left), type(node.right)):
            base, duration = (
                (node.left, node.right)
                if isinstance(node.right, Duration)
                else (node.right, node.left)
            )
            assert isinstance(duration, Duration)
            amount = duration.amount if node.op == "+" else -duration.amount
            suffix = "d" if duration.unit == "days" else "mo"
            return self.date_value(base).dt.offset_by(f"{amount}{suffix}")
        return self.value(node)
