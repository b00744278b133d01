"""Static checks of a filter tree: what can be known about types before seeing any data.

Column types are unknown until the data arrive, so a column is compatible with
anything; literals, ``date()``, ``days()``/``months()`` and arithmetic on them have
known types, and mismatches among those are reported with a caret. The checker also
returns the type of every value node, which the compiler uses to decide where date
semantics apply.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Mapping
from enum import Enum
from typing import TypeAlias

from rpeval.metrics.filters._ast import (
    MAX_DEPTH,
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
from rpeval.metrics.filters._errors import FilterSyntaxError

__all__ = ["Kind", "Spans", "check_filter", "fold_date", "shift_date", "tree_depth"]

Spans: TypeAlias = dict[int, tuple[int, int]]
"""Source ``(start, end)`` of each node, keyed by ``id(node)``."""


class Kind(Enum):
    """Static type of a value node. ``UNKNOWN`` is a column or arithmetic on columns."""

    NUMBER = "a number"
    STRING = "a string"
    BOOLEAN = "a boolean"
    DATE = "a date"
    DURATION = "a duration"
    UNKNOWN = "a column value"

    @property
    def plural(self) -> str:
        """``"numbers"``, ``"strings"``, ...: for messages about lists."""
        return self.name.lower() + "s"


_CONDITIONS = (Comparison, InList, IsNull, Not, And, Or)


def shift_date(value: dt.date, unit: str, amount: int) -> dt.date:
    """`value` moved by `amount` days or calendar months (clamped to the month's end).

    Raises ``OverflowError`` outside years 1-9999.

    Examples
    --------
    >>> shift_date(dt.date(2024, 1, 31), "months", 1)
    datetime.date(2024, 2, 29)
    >>> shift_date(dt.date(2024, 3, 31), "months", -13)
    datetime.date(2023, 2, 28)
    """
    if unit == "days":
        return value + dt.timedelta(days=amount)
    year, month0 = divmod(value.year * 12 + value.month - 1 + amount, 12)
    if not dt.MINYEAR <= year <= dt.MAXYEAR:
        raise OverflowError("date value out of range")
    last_day = calendar.monthrange(year, month0 + 1)[1]
    return dt.date(year, month0 + 1, min(value.day, last_day))


def fold_date(node: FilterExpr) -> dt.date | None:
    """The value of a date expression built only from literals, else ``None``."""
    if isinstance(node, DateLiteral):
        return node.value
    if isinstance(node, Arithmetic):
        if isinstance(node.right, Duration):
            base, duration, sign = node.left, node.right, 1 if node.op == "+" else -1
        elif isinstance(node.left, Duration) and node.op == "+":
            base, duration, sign = node.right, node.left, 1
        else:
            return None
        start = fold_date(base)
        if start is not None:
            return shift_date(start, duration.unit, sign * duration.amount)
    return None


def tree_depth(root: FilterExpr) -> tuple[int, FilterExpr]:
    """Depth of the tree and its shallowest node at depth ``MAX_DEPTH + 1`` (else `root`).

    Computed without recursion, so that an over-deep hand-built tree cannot overflow the
    stack before it is rejected.
    """
    depth: dict[int, int] = {}
    offender: FilterExpr = root
    stack: list[tuple[FilterExpr, bool]] = [(root, False)]
    while stack:
        node, expanded = stack.pop()
        if not expanded:
            stack.append((node, True))
            stack.extend((child, False) for child in node.children())
            continue
        own = 1 + max((depth[id(c)] for c in node.children()), default=0)
        depth[id(node)] = own
        if own == MAX_DEPTH + 1 and offender is root:
            offender = node
    return depth[id(root)], offender


def check_filter(
    root: FilterExpr, *, text: str | None = None, spans: Mapping[int, tuple[int, int]] | None = None
) -> dict[int, Kind]:
    """Check that `root` is a well-typed condition on at least one column.

    Returns the static type of every value node, keyed by ``id(node)``.

    Raises
    ------
    FilterSyntaxError
        With a caret when `text` and `spans` come from the parser; for a tree built by
        hand the message quotes the canonical text instead.
    """
    checker = _Checker(str(root) if text is None else text, spans or {})
    checker.condition(root)
    if not root.columns():
        raise checker.error(
            root,
            "the filter refers to no column, so it keeps all rows or none",
            hint="compare a column, or leave out the `where:`",
        )
    return checker.kinds


class _Checker:
    def __init__(self, text: str, spans: Mapping[int, tuple[int, int]]) -> None:
        self.text = text
        self.spans = spans
        self.kinds: dict[int, Kind] = {}

    def error(self, node: FilterExpr, reason: str, *, hint: str | None = None) -> FilterSyntaxError:
        span = self.spans.get(id(node))
        if span is None:
            return FilterSyntaxError(f"{reason}, in `{node}`", text=self.text, hint=hint)
        start, end = span
        return FilterSyntaxError(
            reason, text=self.text, position=start, length=end - start, hint=hint
        )

    def condition(self, node: FilterExpr) -> None:
        if isinstance(node, Column | Boolean):
            self.kinds[id(node)] = Kind.UNKNOWN if isinstance(node, Column) else Kind.BOOLEAN
        elif isinstance(node, Not):
            self.condition(node.operand)
        elif isinstance(node, And | Or):
            for operand in node.operands:
                self.condition(operand)
        elif isinstance(node, Comparison):
            self.comparison(node)
        elif isinstance(node, InList):
            self.in_list(node)
        elif isinstance(node, IsNull):
            self.not_duration(node.operand, self.value(node.operand), "tested for null")
        else:
            kind = self.value(node)
            raise self.error(
                node,
                f"expected a condition, found {kind.value} `{node}`",
                hint="compare it, e.g. `x = 1`, or test it with `x is null`",
            )

    def not_duration(self, node: FilterExpr, kind: Kind, what: str) -> None:
        if kind is Kind.DURATION:
            raise self.error(
                node,
                f"a duration cannot be {what}",
                hint="add it to a date, e.g. `end_date <= start_date + days(30)`",
            )

    def comparison(self, node: Comparison) -> None:
        left, right = self.value(node.left), self.value(node.right)
        self.not_duration(node.left, left, "compared")
        self.not_duration(node.right, right, "compared")
        if Kind.UNKNOWN not in (left, right) and left is not right:
            raise self.error(node, f"cannot compare {left.value} with {right.value}")
        if Kind.BOOLEAN in (left, right) and node.op not in ("=", "!="):
            raise self.error(node, f"booleans can only be compared with = or !=, not {node.op}")

    def in_list(self, node: InList) -> None:
        operand = self.value(node.operand)
        self.not_duration(node.operand, operand, "tested against a list")
        kinds = [self.value(value) for value in node.values]
        for value, kind in zip(node.values, kinds, strict=True):
            if kind is not kinds[0]:
                raise self.error(
                    value, f"the list mixes {kinds[0].value} and {kind.value}", hint="use one type"
                )
        if operand is not Kind.UNKNOWN and operand is not kinds[0]:
            raise self.error(
                node, f"cannot look for {operand.value} in a list of {kinds[0].plural}"
            )

    def value(self, node: FilterExpr) -> Kind:
        kind = self._value(node)
        self.kinds[id(node)] = kind
        return kind

    def _value(self, node: FilterExpr) -> Kind:
        if isinstance(node, Column):
            return Kind.UNKNOWN
        if isinstance(node, Number):
            return Kind.NUMBER
        if isinstance(node, String):
            return Kind.STRING
        if isinstance(node, Boolean):
            return Kind.BOOLEAN
        if isinstance(node, DateLiteral):
            return Kind.DATE
        if isinstance(node, Duration):
            return Kind.DURATION
        if isinstance(node, Negate):
            operand = self.value(node.operand)
            if operand not in (Kind.NUMBER, Kind.UNKNOWN):
                raise self.error(node, f"cannot negate {operand.value}")
            return Kind.NUMBER
        if isinstance(node, Arithmetic):
            return self.arithmetic(node)
        assert isinstance(node, _CONDITIONS)
        raise self.error(
            node,
            "a condition cannot be used as a value",
            hint="compare values, and combine conditions with `and` / `or`",
        )

    def arithmetic(self, node: Arithmetic) -> Kind:
        left, right = self.value(node.left), self.value(node.right)
        verb = "add" if node.op == "+" else "subtract"
        if Kind.DURATION in (left, right):
            date_first = right is Kind.DURATION and left in (Kind.DATE, Kind.UNKNOWN)
            date_last = (
                node.op == "+" and left is Kind.DURATION and right in (Kind.DATE, Kind.UNKNOWN)
            )
            if not (date_first or date_last):
                raise self.error(
                    node,
                    f"cannot {verb} {left.value} and {right.value}",
                    hint="days(n) and months(n) can only be added to or subtracted from a date",
                )
            try:
                fold_date(node)
            except OverflowError:
                raise self.error(node, "the date falls outside the years 1 to 9999") from None
            return Kind.DATE
        if Kind.DATE in (left, right):
            hint = "add days(n) or months(n) to a date"
            if left is right:
                hint = "compare the dates instead, e.g. `end_date <= start_date + days(30)`"
            raise self.error(node, f"cannot {verb} {left.value} and {right.value}", hint=hint)
        for kind in (left, right):
            if kind in (Kind.STRING, Kind.BOOLEAN):
                raise self.error(node, f"cannot {verb} {kind.value}; `+` and `-` need numbers")
        return Kind.UNKNOWN if left is right is Kind.UNKNOWN else Kind.NUMBER
