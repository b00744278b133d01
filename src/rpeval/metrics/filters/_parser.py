"""Recursive-descent parser of the filter language (grammar in :mod:`rpeval.metrics.filters`).

One function per grammar rule, loosest binding first. Nesting (parentheses, ``not``,
unary minus, calls, lists) is counted on the way down and refused past ``MAX_DEPTH``,
so hostile input gets a clean error instead of a ``RecursionError``. Source positions
of the nodes are kept beside the tree (keyed by node identity) for the type checker's
messages; the tree itself holds none.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal, TypeVar

from rpeval.metrics.filters._ast import (
    MAX_DEPTH,
    MAX_OFFSET,
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
    ListValue,
    Negate,
    Not,
    Number,
    Or,
    String,
)
from rpeval.metrics.filters._errors import FilterSyntaxError
from rpeval.metrics.filters._lexer import Token, tokenize
from rpeval.metrics.filters._types import Spans, check_filter, tree_depth

__all__ = ["parse"]

_N = TypeVar("_N", bound=FilterExpr)
_COMPARISONS: dict[str, ComparisonOp] = {
    "=": "=",
    "==": "=",
    "!=": "!=",
    "<": "<",
    "<=": "<=",
    ">": ">",
    ">=": ">=",
}
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
_FUNCTIONS = ("date", "days", "months")
_VALUE = "a value (column, number, string, true, false or date(...))"


def parse(text: str) -> FilterExpr:
    """Parse and type-check `text`; raise :class:`FilterSyntaxError` if it is not a filter."""
    parser = _Parser(text)
    if parser.peek.kind == "end":
        raise FilterSyntaxError(
            "the filter is empty; expected a condition such as `age >= 18`",
            text=text,
            hint="leave out the `where:` to count every row",
        )
    root = parser.or_expr()
    parser.expect_end()
    depth, offender = tree_depth(root)
    if depth > MAX_DEPTH:
        start, end = parser.spans.get(id(offender), (0, len(text)))
        raise FilterSyntaxError(
            f"the expression is nested more than {MAX_DEPTH} levels deep",
            text=text,
            position=start,
            length=end - start,
            hint="simplify it; long chains of `+`/`-` count one level per operator",
        )
    check_filter(root, text=text, spans=parser.spans)
    return root


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.index = 0
        self.nesting = 0
        self.spans: Spans = {}

    # -- token helpers -------------------------------------------------------------------
    @property
    def peek(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        self.index = min(self.index + 1, len(self.tokens) - 1)
        return token

    def at(self, kind: str, *values: str) -> bool:
        token = self.peek
        return token.kind == kind and (not values or token.text in values)

    def last_end(self) -> int:
        return self.tokens[self.index - 1].end if self.index else 0

    def error(
        self, reason: str, token: Token | None = None, *, hint: str | None = None
    ) -> FilterSyntaxError:
        token = token or self.peek
        length = max(1, token.end - token.start)
        return FilterSyntaxError(
            reason, text=self.text, position=token.start, length=length, hint=hint
        )

    def expect(self, kind: str, value: str, reason: str, *, hint: str | None = None) -> Token:
        if not self.at(kind, value):
            raise self.error(f"{reason}, found {self.peek.describe()}", hint=hint)
        return self.advance()

    def node(self, node: _N, start: int) -> _N:
        self.spans[id(node)] = (start, max(start + 1, self.last_end()))
        return node

    def enter(self, token: Token) -> None:
        self.nesting += 1
        if self.nesting > MAX_DEPTH:
            raise self.error(
                f"the expression is nested more than {MAX_DEPTH} levels deep",
                token,
                hint="remove redundant parentheses, `not`s or minus signs",
            )

    def expect_end(self) -> None:
        token = self.peek
        if token.kind == "end":
            return
        if token.text == ")":
            raise self.error("unbalanced `)`: there is no `(` to close")
        hint = None
        if token.text == "[":
            hint = "subscripts are not allowed; a list can only follow `in`"
        elif token.text == "(":
            hint = "only date(), days() and months() can be called"
        elif token.kind in ("name", "number", "string"):
            hint = "join two conditions with `and` or `or`"
        raise self.error(
            "expected an operator (= != < <= > >= in is + -), `and`, `or` or the end of the "
            f"filter, found {token.describe()}",
            hint=hint,
        )

    # -- grammar rules -------------------------------------------------------------------
    def or_expr(self) -> FilterExpr:
        start = self.peek.start
        operands = [self.and_expr()]
        while self.at("keyword", "or"):
            self.advance()
            operands.append(self.and_expr())
        return operands[0] if len(operands) == 1 else self.node(Or(tuple(operands)), start)

    def and_expr(self) -> FilterExpr:
        start = self.peek.start
        operands = [self.not_expr()]
        while self.at("keyword", "and"):
            self.advance()
            operands.append(self.not_expr())
        return operands[0] if len(operands) == 1 else self.node(And(tuple(operands)), start)

    def not_expr(self) -> FilterExpr:
        if not self.at("keyword", "not"):
            return self.predicate()
        token = self.advance()
        self.enter(token)
        operand = self.not_expr()
        self.nesting -= 1
        return self.node(Not(operand), token.start)

    def predicate(self) -> FilterExpr:
        start = self.peek.start
        left = self.sum_expr()
        token = self.peek
        result: FilterExpr
        if token.kind == "op" and token.text in _COMPARISONS:
            self.advance()
            right = self.sum_expr()
            result = Comparison(_COMPARISONS[token.text], left, right)
        elif self.at("keyword", "in") or self.at("keyword", "not"):
            negated = self.advance().text == "not"
            if negated:
                self.expect("keyword", "in", "expected `in` after `not`")
            result = InList(left, self.value_list(), negated)
        elif self.at("keyword", "is"):
            self.advance()
            negated = self.at("keyword", "not")
            if negated:
                self.advance()
            self.expect(
                "keyword",
                "null",
                "expected `null` or `not null` after `is`",
                hint="`is` only tests for missing values; compare with `=` otherwise",
            )
            result = IsNull(left, negated)
        else:
            return left
        follow = self.peek
        if (follow.kind == "op" and follow.text in _COMPARISONS) or self.at(
            "keyword", "in", "is", "not"
        ):
            raise self.error(
                f"a condition cannot be followed by {follow.describe()}",
                hint="comparisons do not chain: write `a < b and b < c`",
            )
        return self.node(result, start)

    def sum_expr(self) -> FilterExpr:
        start = self.peek.start
        left = self.unary()
        while self.at("op", "+", "-"):
            op: Literal["+", "-"] = "+" if self.advance().text == "+" else "-"
            left = self.node(Arithmetic(op, left, self.unary()), start)
        return left

    def unary(self) -> FilterExpr:
        if not self.at("op", "-"):
            return self.primary()
        token = self.advance()
        self.enter(token)
        operand = self.unary()
        self.nesting -= 1
        if isinstance(operand, Number):
            return self.node(Number(-operand.value), token.start)
        return self.node(Negate(operand), token.start)

    def primary(self) -> FilterExpr:
        token = self.peek
        start = token.start
        if token.kind == "number":
            self.advance()
            assert not isinstance(token.value, str)
            return self.node(Number(token.value), start)
        if token.kind == "string":
            self.advance()
            return self.node(String(str(token.value)), start)
        if self.at("keyword", "true", "false"):
            self.advance()
            return self.node(Boolean(token.text == "true"), start)
        if self.at("keyword", "null"):
            raise self.error(
                "`null` can only be used in `is null` or `is not null`",
                hint="`x = null` is never true; write `x is null` (or `x is not null`)",
            )
        if token.kind == "name":
            self.advance()
            if not token.text.startswith("`") and self.at("op", "("):
                return self.call(token)
            return self.node(Column(str(token.value)), start)
        if self.at("op", "("):
            self.advance()
            self.enter(token)
            inner = self.or_expr()
            self.expect("op", ")", f"expected `)` to close the `(` at column {start + 1}")
            self.nesting -= 1
            return inner
        hint = "a list can only follow `in`" if token.text == "[" else None
        if token.text == ">" and self.index and self.tokens[self.index - 1].text == "<":
            hint = "write `!=` for 'not equal'"
        raise self.error(f"expected {_VALUE}, found {token.describe()}", hint=hint)

    def call(self, name: Token) -> FilterExpr:
        if name.text not in _FUNCTIONS:
            raise self.error(
                f"unknown function {name.text!r}",
                name,
                hint='the only functions are date("YYYY-MM-DD"), days(n) and months(n)',
            )
        self.enter(self.advance())
        result: FilterExpr
        if name.text == "date":
            result = self.date_argument()
        else:
            unit: Literal["days", "months"] = "days" if name.text == "days" else "months"
            result = Duration(unit, self.whole_number(unit))
        self.expect("op", ")", f"expected `)` to close {name.text}(")
        self.nesting -= 1
        return self.node(result, name.start)

    def date_argument(self) -> DateLiteral:
        token = self.peek
        if token.kind != "string":
            raise self.error(
                f'date() takes one string such as "2024-01-31", found {token.describe()}'
            )
        self.advance()
        value = str(token.value)
        if not _ISO_DATE.match(value):
            raise self.error(f"date {token.text} is not written YYYY-MM-DD", token)
        try:
            return DateLiteral(dt.date.fromisoformat(value))
        except ValueError as error:
            raise self.error(f"date {token.text} does not exist: {error}", token) from None

    def whole_number(self, unit: str) -> int:
        start = self.peek
        sign = -1 if self.at("op", "-") else 1
        if sign == -1:
            self.advance()
        token = self.peek
        if token.kind != "number" or not isinstance(token.value, int):
            what = "a whole-number literal" if token.kind != "name" else "a literal, not a column"
            raise self.error(
                f"{unit}() takes {what}, found {token.describe()}",
                hint=f"e.g. {unit}(30); fractions of a {unit[:-1]} are not supported",
            )
        self.advance()
        if token.value > MAX_OFFSET:
            raise self.error(f"{unit}({sign * token.value}) is beyond ±{MAX_OFFSET:,}", start)
        return sign * token.value

    def value_list(self) -> tuple[ListValue, ...]:
        opening = self.expect("op", "[", "expected `[` to start a list, e.g. x in [1, 2]")
        self.enter(opening)
        if self.at("op", "]"):
            raise self.error("an `in` list needs at least one value")
        values: list[ListValue] = []
        while True:
            values.append(self.list_value())
            if self.at("op", ","):
                self.advance()
                if self.at("op", "]"):
                    break
            elif not self.at("op", "]"):
                raise self.error(f"expected `,` or `]` in the list, found {self.peek.describe()}")
            else:
                break
        self.advance()
        self.nesting -= 1
        return tuple(values)

    def list_value(self) -> ListValue:
        token = self.peek
        if self.at("keyword", "null"):
            raise self.error(
                "`null` cannot be in an `in` list (it would never match)",
                hint="write `x is null or x in [...]`",
            )
        value = self.unary() if self.at("op", "-") else self.primary()
        if not isinstance(value, Number | String | Boolean | DateLiteral):
            raise self.error(
                f"an `in` list holds literal values only, found `{value}`",
                token,
                hint="use `or` to compare with columns or computed values",
            )
        return value
