"""Covariate formulas: which columns enter a model, and which are categorical.

Covariates are a list of column names or a formula right-hand side: names joined by
``+``, with ``C(name)`` for a categorical column. A hand-written scanner reads it; nothing
is evaluated. How the columns are then coded is :mod:`rpeval._coding`; public code calls
the checkers in :mod:`rpeval._frames`.

Examples
--------
>>> spec = resolve_covariates("age + C(offense)", arg="covariates", caller="cox")
>>> spec.columns, sorted(spec.categorical)
(('age', 'offense'), ['offense'])
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

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
    """Covariate columns in the order given, and those declared categorical with ``C()``."""

    columns: tuple[str, ...]
    categorical: frozenset[str] = field(default_factory=frozenset)


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


def _formula_error(text: str, pos: int, what: str, arg: str, caller: str) -> SpecificationError:
    shown = "".join(" " if ch.isspace() else ch for ch in text)
    return SpecificationError(
        f"{caller}(): cannot read the formula in `{arg}` at position {pos}: {what}\n"
        f"    {shown}\n    {' ' * pos}^",
        hint="join column names with '+', write C(name) for a categorical column, "
        "or pass a list of column names",
    )


def _unexpected(text: str, pos: int, expected: str) -> str:
    if pos >= len(text):
        return f"it ends where {expected} was expected"
    ch = text[pos]
    if ch == "~":
        return "write only the right-hand side, without '~' or an outcome"
    if ch.isdigit() and expected != "'+'":
        return "numbers are not covariates (the model adds its own intercept)"
    if ch in "-*:/^|":
        return f"{ch!r} is not supported; only '+' joins terms (compute derived columns first)"
    return f"expected {expected}, found {ch!r}"


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
    while True:
        start = skip(pos)
        word, pos = name(start)
        pos = skip(pos)
        if pos < end and text[pos] == "(":
            if word != "C":
                what = f"only C(name) may be called; compute {word}(...) as a column first"
                raise _formula_error(text, pos, what, arg, caller)
            word, pos = name(skip(pos + 1))
            pos = skip(pos)
            if pos >= end or text[pos] != ")":
                raise _formula_error(text, pos, _unexpected(text, pos, "')'"), arg, caller)
            categorical.add(word)
            pos = skip(pos + 1)
        if word in columns:
            raise _formula_error(text, start, f"{word!r} appears twice", arg, caller)
        columns.append(word)
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
        A list (tuple, array, Index) of column names, or a string such as
        ``"age + prior_arrests + C(offense_type)"``: names joined by ``+``, and
        ``C(name)`` for a categorical column. Formula names start with a letter or ``_``
        and hold letters, digits, ``_`` and ``.``; pass a list for other names.
    arg, caller
        The argument's and the public function's names, for error messages.

    Returns
    -------
    CovariateSpec
        ``columns`` in the order given, and the ``categorical`` ones.

    Raises
    ------
    SpecificationError
        An empty or malformed formula (the message points at the position), a name given
        twice, or anything that is neither a string nor a list of strings.

    Examples
    --------
    >>> resolve_covariates(["age", "sex"], arg="covariates", caller="cox").columns
    ('age', 'sex')
    >>> try:
    ...     resolve_covariates("age + log(priors)", arg="covariates", caller="cox")
    ... except SpecificationError as error:
    ...     print(error.message)
    cox(): cannot read the formula in `covariates` at position 9: only C(name) ...
        age + log(priors)
                 ^
    """
    if isinstance(covariates, str):
        return _parse(covariates, arg, caller)
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
