"""The typed syntax tree of the filter language and its canonical text.

Nodes are frozen dataclasses, compared structurally and hashable. They carry no source
positions, so two filters that differ only in layout give equal trees. ``str(node)``
renders the canonical text: single spaces, ``=`` for equality, double-quoted strings,
the fewest parentheses that keep the meaning, ``and``/``or`` chains flattened and the
values of an ``in`` list sorted without duplicates.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal, TypeAlias

from rpeval.errors import MetricDefinitionError

__all__ = [
    "MAX_DEPTH",
    "MAX_LENGTH",
    "MAX_OFFSET",
    "RESERVED",
    "And",
    "Arithmetic",
    "Boolean",
    "Column",
    "Comparison",
    "ComparisonOp",
    "DateLiteral",
    "Duration",
    "FilterExpr",
    "InList",
    "IsNull",
    "ListValue",
    "Negate",
    "Not",
    "Number",
    "Or",
    "String",
]

MAX_LENGTH = 4_000
"""Longest filter text accepted, in characters."""
MAX_DEPTH = 64
"""Deepest nesting accepted (parentheses, ``not``, unary minus, operator chains)."""
MAX_OFFSET = 100_000
"""Largest ``n`` accepted in ``days(n)`` and ``months(n)``."""
RESERVED = frozenset({"and", "or", "not", "in", "is", "null", "true", "false"})
"""Reserved words (in any letter case); a column with such a name needs backticks."""

ComparisonOp: TypeAlias = Literal["=", "!=", "<", "<=", ">", ">="]
_COMPARISON_OPS = frozenset({"=", "!=", "<", "<=", ">", ">="})
_BARE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_INT64_MAX = 2**63 - 1

# Binding strength, loosest first; a child binding less tightly than its slot is parenthesised.
_OR, _AND, _NOT, _PREDICATE, _SUM, _UNARY, _ATOM = range(1, 8)


def _invalid(message: str) -> MetricDefinitionError:
    return MetricDefinitionError(f"invalid filter node: {message}")


class FilterExpr:
    """Base class of every node of a parsed ``where:`` filter.

    Examples
    --------
    >>> from rpeval.metrics.filters import parse_filter
    >>> expr = parse_filter("(age >= 18) and `offense type` in ['theft', 'burglary']")
    >>> str(expr)
    'age >= 18 and `offense type` in ["burglary", "theft"]'
    >>> sorted(expr.columns())
    ['age', 'offense type']
    """

    __slots__ = ()

    def children(self) -> tuple[FilterExpr, ...]:
        """The direct sub-expressions, in source order."""
        return ()

    def walk(self) -> Iterator[FilterExpr]:
        """Every node of the tree, this one first (depth first, no recursion)."""
        stack: list[FilterExpr] = [self]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.children()))

    def columns(self) -> frozenset[str]:
        """The names of all columns the expression refers to."""
        return frozenset(node.name for node in self.walk() if isinstance(node, Column))

    def _render(self) -> tuple[str, int]:
        raise NotImplementedError  # pragma: no cover - every node overrides it

    def __str__(self) -> str:
        return self._render()[0]


def _wrap(node: FilterExpr, slot: int) -> str:
    text, precedence = node._render()
    return f"({text})" if precedence < slot else text


@dataclass(frozen=True, slots=True)
class Column(FilterExpr):
    """A column of the data. As a condition on its own it means ``name = true``."""

    name: str

    def __post_init__(self) -> None:
        if not self.name or not all(c.isprintable() for c in self.name):
            raise _invalid(f"column name {self.name!r} is empty or has control characters")
        if self.name.startswith("__") and self.name.endswith("__"):
            raise _invalid(f"column name {self.name!r} is a dunder name")

    def _render(self) -> tuple[str, int]:
        if _BARE_NAME.match(self.name) and self.name.lower() not in RESERVED:
            return self.name, _ATOM
        return "`" + self.name.replace("`", "``") + "`", _ATOM


@dataclass(frozen=True, slots=True, eq=False)
class Number(FilterExpr):
    """An integer (64-bit range) or finite float literal; ``1`` and ``1.0`` differ."""

    value: int | float

    def __post_init__(self) -> None:
        value = self.value
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _invalid(f"number literal {value!r} is not an int or a float")
        if isinstance(value, float):
            if not math.isfinite(value):
                raise _invalid(f"number literal {value!r} is not finite")
            object.__setattr__(self, "value", value + 0.0)  # -0.0 becomes 0.0
        elif abs(value) > _INT64_MAX:
            raise _invalid(f"integer literal {value} is outside the 64-bit range")

    def _key(self) -> tuple[bool, int | float]:
        return isinstance(self.value, float), self.value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Number) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def _render(self) -> tuple[str, int]:
        text = repr(self.value)
        return text, _UNARY if text.startswith("-") else _ATOM


@dataclass(frozen=True, slots=True)
class String(FilterExpr):
    """A string literal."""

    value: str

    def __post_init__(self) -> None:
        if any("\ud800" <= c <= "\udfff" for c in self.value):
            raise _invalid("string literal holds a lone surrogate code point")

    def _render(self) -> tuple[str, int]:
        out = ['"']
        for char in self.value:
            if char in '"\\':
                out.append("\\" + char)
            elif char in _ESCAPES_OUT:
                out.append(_ESCAPES_OUT[char])
            elif not char.isprintable() and ord(char) <= 0xFFFF:
                out.append(f"\\u{ord(char):04x}")
            elif not char.isprintable():
                out.append(f"\\U{ord(char):08x}")
            else:
                out.append(char)
        out.append('"')
        return "".join(out), _ATOM


_ESCAPES_OUT = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


@dataclass(frozen=True, slots=True)
class Boolean(FilterExpr):
    """``true`` or ``false``."""

    value: bool

    def _render(self) -> tuple[str, int]:
        return ("true" if self.value else "false"), _ATOM


@dataclass(frozen=True, slots=True)
class DateLiteral(FilterExpr):
    """A calendar date, written ``date("2024-01-31")``."""

    value: dt.date

    def __post_init__(self) -> None:
        if not isinstance(self.value, dt.date) or isinstance(self.value, dt.datetime):
            raise _invalid(f"date literal {self.value!r} is not a datetime.date")

    def _render(self) -> tuple[str, int]:
        return f'date("{self.value.isoformat()}")', _ATOM


@dataclass(frozen=True, slots=True)
class Duration(FilterExpr):
    """``days(n)`` or ``months(n)``, added to or subtracted from a date."""

    unit: Literal["days", "months"]
    amount: int

    def __post_init__(self) -> None:
        if self.unit not in ("days", "months"):
            raise _invalid(f"duration unit {self.unit!r} is not 'days' or 'months'")
        if isinstance(self.amount, bool) or not isinstance(self.amount, int):
            raise _invalid(f"{self.unit}() takes a whole number, got {self.amount!r}")
        if abs(self.amount) > MAX_OFFSET:
            raise _invalid(f"{self.unit}({self.amount}) is beyond ±{MAX_OFFSET}")

    def _render(self) -> tuple[str, int]:
        return f"{self.unit}({self.amount})", _ATOM


ListValue: TypeAlias = Number | String | Boolean | DateLiteral
"""A literal allowed inside an ``in`` list."""


def _list_key(value: ListValue) -> tuple[int, object, bool]:
    if isinstance(value, Number):
        return 0, value.value, isinstance(value.value, float)
    if isinstance(value, String):
        return 1, value.value, False
    if isinstance(value, Boolean):
        return 2, value.value, False
    return 3, value.value, False


@dataclass(frozen=True, slots=True)
class Negate(FilterExpr):
    """Unary minus on a non-literal number (``-5`` is the literal ``Number(-5)``)."""

    operand: FilterExpr

    def children(self) -> tuple[FilterExpr, ...]:
        return (self.operand,)

    def _render(self) -> tuple[str, int]:
        inner = _wrap(self.operand, _UNARY)
        return ("-(" + inner + ")" if inner.startswith("-") else "-" + inner), _UNARY


@dataclass(frozen=True, slots=True)
class Arithmetic(FilterExpr):
    """``left + right`` or ``left - right`` on numbers, or a date plus or minus a duration."""

    op: Literal["+", "-"]
    left: FilterExpr
    right: FilterExpr

    def __post_init__(self) -> None:
        if self.op not in ("+", "-"):
            raise _invalid(f"arithmetic operator {self.op!r} is not '+' or '-'")

    def children(self) -> tuple[FilterExpr, ...]:
        return self.left, self.right

    def _render(self) -> tuple[str, int]:
        return f"{_wrap(self.left, _SUM)} {self.op} {_wrap(self.right, _UNARY)}", _SUM


@dataclass(frozen=True, slots=True)
class Comparison(FilterExpr):
    """``left op right`` with op one of ``= != < <= > >=`` (``==`` is read as ``=``)."""

    op: ComparisonOp
    left: FilterExpr
    right: FilterExpr

    def __post_init__(self) -> None:
        if self.op not in _COMPARISON_OPS:
            raise _invalid(
                f"comparison operator {self.op!r} is not one of {sorted(_COMPARISON_OPS)}"
            )

    def children(self) -> tuple[FilterExpr, ...]:
        return self.left, self.right

    def _render(self) -> tuple[str, int]:
        return f"{_wrap(self.left, _SUM)} {self.op} {_wrap(self.right, _SUM)}", _PREDICATE


@dataclass(frozen=True, slots=True)
class InList(FilterExpr):
    """``operand in [...]`` or ``operand not in [...]``; the values are kept sorted and unique."""

    operand: FilterExpr
    values: tuple[ListValue, ...]
    negated: bool = False

    def __post_init__(self) -> None:
        if not self.values:
            raise _invalid("an `in` list needs at least one value")
        unique = dict.fromkeys(sorted(self.values, key=_list_key))
        object.__setattr__(self, "values", tuple(unique))

    def children(self) -> tuple[FilterExpr, ...]:
        return (self.operand, *self.values)

    def _render(self) -> tuple[str, int]:
        keyword = "not in" if self.negated else "in"
        items = ", ".join(str(v) for v in self.values)
        return f"{_wrap(self.operand, _SUM)} {keyword} [{items}]", _PREDICATE


@dataclass(frozen=True, slots=True)
class IsNull(FilterExpr):
    """``operand is null`` or ``operand is not null``."""

    operand: FilterExpr
    negated: bool = False

    def children(self) -> tuple[FilterExpr, ...]:
        return (self.operand,)

    def _render(self) -> tuple[str, int]:
        keyword = "is not null" if self.negated else "is null"
        return f"{_wrap(self.operand, _SUM)} {keyword}", _PREDICATE


@dataclass(frozen=True, slots=True)
class Not(FilterExpr):
    """``not operand``."""

    operand: FilterExpr

    def children(self) -> tuple[FilterExpr, ...]:
        return (self.operand,)

    def _render(self) -> tuple[str, int]:
        return "not " + _wrap(self.operand, _NOT), _NOT


def _flatten(kind: type[And | Or], operands: tuple[FilterExpr, ...]) -> tuple[FilterExpr, ...]:
    flat: list[FilterExpr] = []
    for operand in operands:
        flat.extend(operand.operands if isinstance(operand, kind) else (operand,))
    if len(flat) < 2:
        raise _invalid(f"{kind.__name__} needs at least two operands")
    return tuple(flat)


@dataclass(frozen=True, slots=True)
class And(FilterExpr):
    """``a and b and ...``; nested ``And`` operands are flattened."""

    operands: tuple[FilterExpr, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "operands", _flatten(And, tuple(self.operands)))

    def children(self) -> tuple[FilterExpr, ...]:
        return self.operands

    def _render(self) -> tuple[str, int]:
        return " and ".join(_wrap(o, _NOT) for o in self.operands), _AND


@dataclass(frozen=True, slots=True)
class Or(FilterExpr):
    """``a or b or ...``; nested ``Or`` operands are flattened."""

    operands: tuple[FilterExpr, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "operands", _flatten(Or, tuple(self.operands)))

    def children(self) -> tuple[FilterExpr, ...]:
        return self.operands

    def _render(self) -> tuple[str, int]:
        return " or ".join(_wrap(o, _AND) for o in self.operands), _OR
