"""Evaluate a checked filter tree on numpy arrays: the eager pandas path of ``compute``.

The same rules as :mod:`rpeval.metrics.filters._compile` (SQL three-valued logic by
polarity, dates at day resolution, calendar months clamped to the month's end), applied to
numpy arrays instead of building narwhals expressions node by node, which on a small
pandas frame costs far more than the arithmetic. Where a column's type leaves the rule in
doubt (a date column used as a number, a text column in arithmetic) the evaluation raises
:class:`EagerUnsupportedError` and the caller falls back to the narwhals expression.

>>> days = np.array(["2024-01-31", "2024-03-31", "2023-12-15"], dtype="datetime64[D]")
>>> add_months(days, 1).tolist()
[datetime.date(2024, 2, 29), datetime.date(2024, 4, 30), datetime.date(2024, 1, 15)]
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any, Protocol

import numpy as np
import pandas as pd

from rpeval.metrics.filters._ast import (
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
)
from rpeval.metrics.filters._types import Kind, check_filter, fold_date

__all__ = ["ColumnArrays", "EagerUnsupportedError", "MaskFunction", "add_months", "compile_numpy"]

_COMPARE: dict[str, Callable[[Any, Any], Any]] = {
    "=": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
_COMPLEMENT = {"=": "!=", "!=": "=", "<": ">=", "<=": ">", ">": "<=", ">=": "<"}


class EagerUnsupportedError(Exception):
    """A column type or use the numpy evaluation does not decide: use narwhals instead."""


class ColumnArrays(Protocol):
    """The columns of one frame as numpy arrays, with their missing rows."""

    rows: int
    memo: dict[object, Any]

    def values(self, name: str) -> np.ndarray:
        """The column's values (missing rows hold a harmless filler)."""

    def dates(self, name: str) -> np.ndarray:
        """The column as ``datetime64[D]`` (the day of each value; a filler where missing)."""

    def missing(self, name: str) -> np.ndarray:
        """Where the column is null (narwhals' ``is_null``)."""


MaskFunction = Callable[[ColumnArrays], np.ndarray]
_Pair = tuple[Any, Any]  # (values, missing): arrays, or scalars for literals


def add_months(days: np.ndarray, months: int) -> np.ndarray:
    """Days (``datetime64[D]``) moved by calendar months with pandas' own vectorised
    ``DateOffset(months=k)`` (the day clamped to the end of a shorter month), as the
    narwhals path does; NaT stays NaT."""
    stamps = pd.Series(days.astype("datetime64[s]"), copy=False)
    moved: np.ndarray = (stamps + pd.DateOffset(months=months)).to_numpy()
    return moved.astype("datetime64[D]")


def compile_numpy(root: FilterExpr) -> MaskFunction:
    """A function of the columns giving the boolean mask where `root` is TRUE."""
    kinds = check_filter(root)
    uses = {id(node): sorted(node.columns()) for node in root.walk()}
    texts = {id(node): str(node) for node in root.walk()}

    def mask(columns: ColumnArrays) -> np.ndarray:
        with np.errstate(all="ignore"):
            result = _Evaluator(kinds, uses, texts, columns).condition(root, positive=True)
        shaped: np.ndarray = np.broadcast_to(np.asarray(result, dtype=bool), (columns.rows,))
        return shaped

    return mask


def _is_dates(values: object) -> bool:
    return isinstance(values, np.ndarray) and values.dtype.kind == "M"


def _combine(parts: list[Any], conjunction: bool) -> Any:
    result = parts[0]
    for part in parts[1:]:
        result = (result & part) if conjunction else (result | part)
    return result


class _Evaluator:
    def __init__(
        self,
        kinds: dict[int, Kind],
        uses: dict[int, list[str]],
        texts: dict[int, str],
        columns: ColumnArrays,
    ) -> None:
        self.kinds = kinds
        self.uses = uses  # the columns under each node, sorted
        self.texts = texts  # the canonical text of each node
        self.columns = columns

    def condition(self, node: FilterExpr, *, positive: bool) -> Any:
        """Where `node` is TRUE (`positive`) or FALSE; conditions shared by the filters of
        one frame (the same canonical text) are evaluated once."""
        key = ("condition", self.texts[id(node)], positive)
        if key not in self.columns.memo:
            self.columns.memo[key] = self.evaluate(node, positive=positive)
        return self.columns.memo[key]

    def known(self, result: Any, operand: FilterExpr) -> Any:
        for name in self.uses[id(operand)]:
            result = result & ~self.columns.missing(name)
        return result

    def evaluate(self, node: FilterExpr, *, positive: bool) -> Any:
        if isinstance(node, Boolean):
            return np.bool_(node.value == positive)
        if isinstance(node, Column):
            values = self.columns.values(node.name)
            if _is_dates(values):
                raise EagerUnsupportedError(f"date column {node.name!r} used as a condition")
            return self.known(values == positive, node)
        if isinstance(node, Not):
            return self.condition(node.operand, positive=not positive)
        if isinstance(node, And | Or):
            parts = [self.condition(o, positive=positive) for o in node.operands]
            return _combine(parts, conjunction=isinstance(node, And) == positive)
        if isinstance(node, Comparison):
            op = node.op if positive else _COMPLEMENT[node.op]
            dates = Kind.DATE in (self.kinds[id(node.left)], self.kinds[id(node.right)])
            pick = self.date_value if dates else self.value
            left, right = (pick(o)[0] for o in node.children())
            if _is_dates(left) != _is_dates(right) and not dates:
                raise EagerUnsupportedError("a date column compared with a non-date value")
            return self.known(_COMPARE[op](left, right), node)
        if isinstance(node, InList):
            return self.in_list(node, hit=positive != node.negated)
        if isinstance(node, IsNull):
            missing = self.value(node.operand, nulls_only=True)[1]
            missing = np.broadcast_to(np.asarray(missing, dtype=bool), (self.columns.rows,))
            return missing if positive != node.negated else ~missing
        raise AssertionError(f"unchecked node {node!r}")  # pragma: no cover

    def in_list(self, node: InList, *, hit: bool) -> Any:
        literals = node.values  # noqa: PD011 - the list's literals, not a pandas object
        if isinstance(literals[0], DateLiteral):
            operand = self.date_value(node.operand)[0]
            wanted: list[Any] = [
                np.datetime64(v.value, "D") for v in literals if isinstance(v, DateLiteral)
            ]
        else:
            operand = self.value(node.operand)[0]
            if _is_dates(operand):
                raise EagerUnsupportedError("a date column in a list of non-dates")
            wanted = [v.value for v in literals if not isinstance(v, DateLiteral)]
        found = np.asarray(_combine([operand == v for v in wanted], conjunction=False), bool)
        return self.known(found if hit else ~found, node.operand)

    def value(self, node: FilterExpr, *, nulls_only: bool = False) -> _Pair:
        if self.kinds.get(id(node)) is Kind.DATE:
            return self.date_value(node)
        if isinstance(node, Column):
            missing = self.columns.missing(node.name)
            return (None if nulls_only else self.columns.values(node.name)), missing
        if isinstance(node, Number | String | Boolean):
            return node.value, False
        if isinstance(node, Negate):
            values, missing = self.value(node.operand)
            if _is_dates(values):
                raise EagerUnsupportedError("arithmetic on a date column")
            return -values, missing
        if isinstance(node, Arithmetic):
            (left, left_missing), (right, right_missing) = (self.value(o) for o in node.children())
            if _is_dates(left) or _is_dates(right):
                raise EagerUnsupportedError("arithmetic on a date column")
            result = left + right if node.op == "+" else left - right
            missing = left_missing | right_missing
            if isinstance(result, np.ndarray) and result.dtype.kind in "fc":
                missing = missing | np.isnan(result)
            return result, missing
        raise AssertionError(f"unchecked value {node!r}")  # pragma: no cover

    def date_value(self, node: FilterExpr) -> _Pair:
        """A date-typed value as ``datetime64[D]`` (the day of a timestamp)."""
        folded = fold_date(node)
        if folded is not None:
            return np.datetime64(folded, "D"), False
        if isinstance(node, Column):
            return self.columns.dates(node.name), self.columns.missing(node.name)
        if isinstance(node, Arithmetic) and Duration in (type(node.left), type(node.right)):
            base, duration = (
                (node.left, node.right)
                if isinstance(node.right, Duration)
                else (node.right, node.left)
            )
            assert isinstance(duration, Duration)
            amount = duration.amount if node.op == "+" else -duration.amount
            days, missing = self.date_value(base)
            if duration.unit == "days":
                return days + np.timedelta64(amount, "D"), missing
            key = ("months", str(base), amount)  # windows shift the same start twice
            if key not in self.columns.memo:
                self.columns.memo[key] = add_months(np.asarray(days), amount)
            return self.columns.memo[key], missing
        return self.value(node)
