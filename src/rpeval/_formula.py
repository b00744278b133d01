"""Covariate formulas: which columns enter a model, and how.

Covariates are a list of column names or a formula right-hand side. Plain formulas (names
joined by ``+``, ``C(name)`` for a categorical column) are read by a small scanner here,
without importing formulaic; anything more (interactions ``a*b`` and ``a:b``, ``I()``,
``np.log()`` and the other allowed numpy functions, ``C(x, Treatment('ref'))``, backtick
names) is read by formulaic's parser in :mod:`rpeval._formula_parse`, with every term's
Python checked against an allow-list. How columns are coded is :mod:`rpeval._coding` and
:mod:`rpeval._formula_design`; public code calls the checkers in :mod:`rpeval._frames`.

Examples
--------
>>> spec = resolve_covariates("age + C(offense)", arg="covariates", caller="cox")
>>> spec.columns, sorted(spec.categorical), spec.formula is None
(('age', 'offense'), ['offense'], True)
>>> resolve_covariates("age*C(offense)", arg="covariates", caller="cox").columns
('age', 'offense')
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from rpeval._formula_parse import FormulaTerms, parse_formula
from rpeval.errors import SpecificationError

__all__ = [
    "CovariateSpec",
    "is_dates_or_complex",
    "plain_value",
    "resolve_covariates",
    "show_values",
]

_types = pd.api.types


@dataclass(frozen=True)
class CovariateSpec:
    """Covariate columns in the order given, and those declared categorical with ``C()``.

    ``formula`` holds the terms of a formula beyond plain names (interactions, computed
    terms, reference levels); it is None when each column is one term.
    """

    columns: tuple[str, ...]
    categorical: frozenset[str] = field(default_factory=frozenset)
    formula: FormulaTerms | None = None


def is_dates_or_complex(dtype: Any) -> bool:
    """Whether a dtype holds dates, durations, periods or complex numbers."""
    return bool(
        _types.is_datetime64_any_dtype(dtype)
        or _types.is_timedelta64_dtype(dtype)
        or isinstance(dtype, pd.PeriodDtype)
        or _types.is_complex_dtype(dtype)
    )


def plain_value(value: object) -> object:
    """A numpy scalar as the Python value it holds; anything else unchanged."""
    return value.item() if isinstance(value, np.generic) else value


def show_values(values: Iterable[object], limit: int = 5) -> str:
    """A few distinct values for a message, each repr cut to 40 characters."""
    seen: list[str] = []
    for value in values:
        text = repr(plain_value(value))
        text = text if len(text) <= 40 else text[:37] + "..."
        if text not in seen:
            seen.append(text)
        if len(seen) == limit:
            break
    return ", ".join(seen)


# -- the formula scanner ----------------------------------------------------------------


class _NotPlainError(Exception):
    """The scanner met something beyond ``+`` and ``C(name)``: formulaic reads it."""


def _formula_error(text: str, pos: int, what: str, arg: str, caller: str) -> SpecificationError:
    shown = "".join(" " if ch.isspace() else ch for ch in text)
    return SpecificationError(
        f"{caller}(): cannot read the formula in `{arg}` at position {pos}: {what}\n"
        f"    {shown}\n    {' ' * pos}^",
        hint="join terms with '+' (see the formulas page of the docs), "
        "or pass a list of column names",
    )


def _unexpected(text: str, pos: int, expected: str) -> str:
    """What is wrong at ``pos``, for mistakes no formula grammar accepts; else _NotPlainError."""
    if pos >= len(text):
        if text.rstrip().endswith("+") or expected == "')'":
            return f"it ends where {expected} was expected"
        raise _NotPlainError
    ch = text[pos]
    if ch == "~":
        return "write only the right-hand side, without '~' or an outcome"
    if ch.isdigit() and expected != "'+'":
        return "numbers are not covariates (the model adds its own intercept)"
    raise _NotPlainError


def _parse(text: str, arg: str, caller: str) -> CovariateSpec:
    columns: list[str] = []
    categorical: set[str] = set()
    end = len(text)

    def skip(at: int) -> int:
        while at < end and text[at].isspace():
            at += 1
        return at

    def name(at: int) -> tuple[str, int]:
        if at >= end or not (text[at].isalpha() or text[at] == "_"):
            what = _unexpected(text, at, "a column name or C(name)")
            raise _formula_error(text, at, what, arg, caller)
        stop = at + 1
        while stop < end and (text[stop].isalnum() or text[stop] in "_."):
            stop += 1
        return text[at:stop], stop

    if not text.strip():
        raise _formula_error(text, 0, "the formula is empty", arg, caller)
    pos = 0
    twice: tuple[int, str] | None = None
    while True:
        start = skip(pos)
        word, pos = name(start)
        pos = skip(pos)
        if pos < end and text[pos] == "(":
            if word != "C":
                raise _NotPlainError
            word, pos = name(skip(pos + 1))
            pos = skip(pos)
            if pos >= end or text[pos] != ")":
                raise _formula_error(text, pos, _unexpected(text, pos, "')'"), arg, caller)
            categorical.add(word)
            pos = skip(pos + 1)
        if word in columns:  # an error only if the rest is plain too (C(a) + b + C(a):b is not)
            twice = twice or (start, word)
        else:
            columns.append(word)
        if pos == end and twice:
            raise _formula_error(text, twice[0], f"{twice[1]!r} appears twice", arg, caller)
        if pos == end:
            return CovariateSpec(tuple(columns), frozenset(categorical))
        if text[pos] != "+":
            raise _formula_error(text, pos, _unexpected(text, pos, "'+'"), arg, caller)
        pos += 1


def resolve_covariates(covariates: object, *, arg: str, caller: str) -> CovariateSpec:
    """Read covariates given as a list of column names or a formula right-hand side.

    Parameters
    ----------
    covariates
        A list (tuple, array, Index) of column names, or a formula right-hand side in
        formulaic's grammar, such as ``"age*C(program) + np.log(priors + 1)"``: terms
        joined by ``+``, interactions ``a:b`` and ``a*b``, ``C(name)`` or
        ``C(name, Treatment('reference'))`` for a categorical column, ``I(...)`` and
        ``np.<function>(...)`` for computed terms (see :mod:`rpeval._formula_ast` for the
        allow-list), and backticks around names that are not identifiers.
    arg, caller
        The argument's and the public function's names, for error messages.

    Returns
    -------
    CovariateSpec
        ``columns`` every column read, in the order given; the ``categorical`` ones; and
        ``formula`` when the terms are more than one column each.

    Raises
    ------
    SpecificationError
        An empty or malformed formula, a name given twice, a Python expression outside
        the allow-list, ``- 1``/``0 +``, or anything that is neither a string nor a list
        of strings.

    Examples
    --------
    >>> resolve_covariates(["age", "sex"], arg="covariates", caller="cox").columns
    ('age', 'sex')
    >>> try:
    ...     resolve_covariates("age +", arg="covariates", caller="cox")
    ... except SpecificationError as error:
    ...     print(error.message)
    cox(): cannot read the formula in `covariates` at position 5: it ends where ...
        age +
             ^
    >>> resolve_covariates("age + __import__('os')", arg="covariates", caller="cox")
    Traceback (most recent call last):
    rpeval.errors.SpecificationError: cox(): the formula in `covariates` has the term ...
    """
    if isinstance(covariates, str):
        try:
            return _parse(covariates, arg, caller)
        except _NotPlainError:
            pass
        parsed = parse_formula(covariates, arg=arg, caller=caller)
        if all(len(t) == 1 and t[0].tree is None and t[0].reference is None for t in parsed.terms):
            return CovariateSpec(parsed.columns, parsed.categorical)
        return CovariateSpec(parsed.columns, parsed.categorical, parsed)
    if not isinstance(covariates, list | tuple | pd.Index | np.ndarray):
        raise SpecificationError(
            f"{caller}(): `{arg}` must be a list of column names or a formula string, "
            f"got {type(covariates).__name__}",
            hint="e.g. ['age', 'prior_arrests'] or 'age + prior_arrests + C(offense_type)'",
        )
    names = covariates.ravel().tolist() if isinstance(covariates, np.ndarray) else [*covariates]
    if not names:
        raise SpecificationError(f"{caller}(): `{arg}` is empty; give at least one covariate")
    bad = [n for n in names if not isinstance(n, str)]
    if bad:
        raise SpecificationError(f"{caller}(): `{arg}` must hold column names, found {bad[:3]!r}")
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise SpecificationError(f"{caller}(): `{arg}` names {twice!r} more than once")
    return CovariateSpec(tuple(names))
