"""The Python inside a formula term: checked against an allow-list, then interpreted.

A formula term such as ``np.log(priors + 1)`` or ``I(age ** 2)`` holds a Python
expression. Covariate formulas may come from a configuration file, so the expression is
never handed to :func:`eval`: it is parsed with :mod:`ast`, every node is checked against
an allow-list (column names, ``np.<function>`` for the functions in :data:`NUMPY`,
``I()``, ``C(column)`` and ``C(column, Treatment(reference))``, number and text
literals, arithmetic and comparison operators), and the checked tree is computed by the
small interpreter here. Anything else raises :class:`SpecificationError` naming the term.

Examples
--------
>>> factor = check_factor("np.log(priors + 1)", arg="covariates", caller="cox")
>>> factor.columns, evaluate(factor, {"priors": np.array([0.0, np.e - 1])}).tolist()
(('priors',), [0.0, 1.0])
>>> check_factor("C(offense, Treatment('drug'))", arg="covariates", caller="cox").reference
('drug',)
"""

from __future__ import annotations

import ast
import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from rpeval.errors import SpecificationError

__all__ = ["NUMPY", "Factor", "check_factor", "evaluate"]

NUMPY: frozenset[str] = frozenset(
    {
        "abs", "cbrt", "ceil", "clip", "exp", "expm1", "floor", "log", "log10", "log1p",
        "log2", "maximum", "minimum", "power", "sign", "sqrt", "square",
    }
)  # fmt: skip
_RESERVED = frozenset({"np", "C", "I", "Treatment"})
_BINARY: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
    ast.BitAnd: operator.and_,
    ast.BitOr: operator.or_,
}
_UNARY: dict[type[ast.unaryop], Callable[[Any], Any]] = {
    ast.USub: operator.neg,
    ast.UAdd: operator.pos,
    ast.Invert: operator.invert,
}
_COMPARE: dict[type[ast.cmpop], Callable[[Any, Any], Any]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
}
_QUOTED = re.compile(r"`([^`]*)`")
HINT = (
    "a term may use column names, np.<f>(...) for f in "
    + ", ".join(sorted(NUMPY))
    + ", I(...), C(column) or C(column, Treatment('reference')), numbers, text in quotes, "
    "+ - * / ** and comparisons; quote other column names in backticks"
)


@dataclass(frozen=True)
class Factor:
    """One factor of a formula term: a column (``tree`` None) or a checked expression.

    ``label`` names it in the design (the column for ``C(column)``); ``columns`` are the
    columns it reads; ``categorical`` and ``reference`` come from ``C()`` and
    ``Treatment()``.
    """

    label: str
    columns: tuple[str, ...]
    tree: ast.expr | None = field(default=None, compare=False)
    categorical: bool = False
    reference: tuple[object, ...] | None = None


def _error(expr: str, what: str, arg: str, caller: str) -> SpecificationError:
    return SpecificationError(
        f"{caller}(): the formula in `{arg}` has the term {expr!r}, which {what}", hint=HINT
    )


class _Checker:
    """Walks a parsed term, collecting its columns; raises on any node not allowed."""

    def __init__(self, expr: str, quoted: Mapping[str, str], arg: str, caller: str) -> None:
        self.expr, self.quoted, self.arg, self.caller = expr, quoted, arg, caller
        self.columns: list[str] = []

    def fail(self, what: str) -> SpecificationError:
        return _error(self.expr, what, self.arg, self.caller)

    def column(self, node: ast.expr) -> str | None:
        """The column a Name or a dotted chain such as ``prior.arrests`` names, if any."""
        parts: list[str] = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name) or node.id in _RESERVED:
            return None
        name = ".".join([self.quoted.get(node.id, node.id), *reversed(parts)])
        if name not in self.columns:
            self.columns.append(name)
        return name

    def check(self, node: ast.expr) -> None:
        if isinstance(node, ast.Constant):
            if isinstance(node.value, bool | int | float | str):
                return
            raise self.fail(f"holds the literal {node.value!r}")
        if isinstance(node, ast.Name | ast.Attribute):
            if self.column(node) is None:
                raise self.fail(f"uses {ast.unparse(node)!r} as a value")
        elif isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            self.check(node.left)
            self.check(node.right)
        elif isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
            self.check(node.operand)
        elif isinstance(node, ast.Compare) and all(type(op) in _COMPARE for op in node.ops):
            for part in (node.left, *node.comparators):
                self.check(part)
        elif isinstance(node, ast.Call):
            self.call(node)
        else:
            raise self.fail(f"holds {_describe(node)}, which formulas do not allow")

    def call(self, node: ast.Call) -> None:
        func = node.func
        name = ast.unparse(func)
        allowed = (isinstance(func, ast.Name) and func.id == "I") or (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.value.id == "np"
            and func.attr in NUMPY
        )
        if not allowed:
            tip = f" (write np.{name})" if name in NUMPY else ""
            raise self.fail(f"calls {name}(), which is not an allowed function{tip}")
        if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
            raise self.fail(f"passes keyword or starred arguments to {name}()")
        if not node.args or (name == "I" and len(node.args) != 1):
            raise self.fail(
                f"calls {name}() without exactly one argument"
                if name == "I"
                else f"calls {name}() without an argument"
            )
        for a in node.args:
            self.check(a)


def _describe(node: ast.AST) -> str:
    names = {
        ast.Lambda: "a lambda",
        ast.Subscript: "a subscript",
        ast.BoolOp: "'and'/'or' (use & and |)",
        ast.IfExp: "an if-expression",
    }
    return names.get(type(node), f"a {type(node).__name__} expression")


def _literal(node: ast.expr) -> object:
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        value = _literal(node.operand)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return -value
    if isinstance(node, ast.Constant) and isinstance(node.value, bool | int | float | str):
        return node.value
    raise ValueError


def _categorical(node: ast.Call, checker: _Checker) -> Factor:
    if node.keywords or not 1 <= len(node.args) <= 2:
        raise checker.fail("is not C(column) or C(column, Treatment(reference))")
    column = checker.column(node.args[0])
    if column is None:
        raise checker.fail("declares something other than a column categorical")
    if len(node.args) == 1:
        return Factor(column, (column,), categorical=True)
    coding = node.args[1]
    given: list[ast.expr] = []
    named: set[str | None] = set()
    if (
        isinstance(coding, ast.Call)
        and isinstance(coding.func, ast.Name)
        and coding.func.id == "Treatment"
    ):
        given = [*coding.args, *(k.value for k in coding.keywords)]
        named = {k.arg for k in coding.keywords}
    try:
        if len(given) != 1 or named - {"reference"}:
            raise ValueError
        reference = _literal(given[0])
    except ValueError:
        raise checker.fail("codes a column other than by Treatment(reference)") from None
    return Factor(column, (column,), categorical=True, reference=(reference,))


def check_factor(expr: str, *, arg: str, caller: str) -> Factor:
    """Check one factor's expression (as formulaic writes it) against the allow-list.

    Examples
    --------
    >>> check_factor("I(age ** 2)", arg="covariates", caller="cox").columns
    ('age',)
    >>> check_factor("__import__('os')", arg="covariates", caller="cox")
    Traceback (most recent call last):
    rpeval.errors.SpecificationError: cox(): the formula in `covariates` has the term ...
    """
    quoted: dict[str, str] = {}

    def placeholder(match: re.Match[str]) -> str:
        key = f"_rpeval_quoted_{len(quoted)}"
        quoted[key] = match.group(1)
        return key

    checker = _Checker(expr, quoted, arg, caller)
    try:
        tree = ast.parse(_QUOTED.sub(placeholder, expr).strip(), mode="eval").body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        raise checker.fail("is not a Python expression, or nests too deeply") from None
    if isinstance(tree, ast.Call) and isinstance(tree.func, ast.Name) and tree.func.id == "C":
        return _categorical(tree, checker)
    column = checker.column(tree)
    if column is not None:
        return Factor(column, (column,))
    try:
        checker.check(tree)
    except RecursionError:
        raise checker.fail("nests too deeply") from None
    if not checker.columns:
        raise checker.fail("uses no column")
    return Factor(expr, tuple(checker.columns), _Renamer(quoted).visit(tree))


class _Renamer(ast.NodeTransformer):
    """Turns placeholders and dotted chains back into the column names they stand for."""

    def __init__(self, quoted: Mapping[str, str]) -> None:
        self.quoted = quoted

    def visit_Name(self, node: ast.Name) -> ast.Name:
        return ast.Name(self.quoted.get(node.id, node.id), node.ctx)

    def visit_Attribute(self, node: ast.Attribute) -> ast.expr:
        root: ast.expr = node
        parts: list[str] = []
        while isinstance(root, ast.Attribute):
            parts.append(root.attr)
            root = root.value
        if isinstance(root, ast.Name) and root.id == "np":
            return node
        assert isinstance(root, ast.Name)  # the checker allowed only name chains
        return ast.Name(".".join([self.quoted.get(root.id, root.id), *reversed(parts)]))


def evaluate(factor: Factor, columns: Mapping[str, NDArray[Any]]) -> NDArray[Any]:
    """Compute a checked factor on column arrays (no ``eval``; numpy errors pass through)."""
    if factor.tree is None:
        return np.asarray(columns[factor.label])
    return np.asarray(_value(factor.tree, columns))


def _value(node: ast.expr, columns: Mapping[str, NDArray[Any]]) -> Any:
    if isinstance(node, ast.Constant):  # integers as floats: 10 ** 10 ** 10 is inf, not a hang
        value = node.value
        return np.float64(value) if type(value) is int else value
    if isinstance(node, ast.Name):
        return columns[node.id]
    if isinstance(node, ast.BinOp):
        return _BINARY[type(node.op)](_value(node.left, columns), _value(node.right, columns))
    if isinstance(node, ast.UnaryOp):
        return _UNARY[type(node.op)](_value(node.operand, columns))
    if isinstance(node, ast.Compare):
        left, result = _value(node.left, columns), True
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            right = _value(right_node, columns)
            result = result & _COMPARE[type(op)](left, right)
            left = right
        return result
    if isinstance(node, ast.Call):
        args = [_value(a, columns) for a in node.args]
        if isinstance(node.func, ast.Name):  # I(): identity
            return args[0]
        assert isinstance(node.func, ast.Attribute)
        return getattr(np, node.func.attr)(*args)
    raise TypeError(f"unchecked node {type(node).__name__}")  # pragma: no cover
