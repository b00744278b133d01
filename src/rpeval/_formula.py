"""Covariates given as a column list or a formula right-hand side, turned into arrays.

The formula language is deliberately small: names joined by ``+``, and ``C(name)`` to
treat a column as categorical. It is parsed here, never evaluated. Text and category
columns are categorical even without ``C()``; booleans become 0/1. Categoricals are
treatment-coded against their first sorted level, with columns named like
``offense_type[T.violent]`` (as statsmodels and R print them).

Examples
--------
>>> spec = resolve_covariates("age + C(offense)", arg="covariates", caller="cox")
>>> spec.columns, spec.categorical
(('age', 'offense'), frozenset({'offense'}))
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from rpeval.errors import DataError, SpecificationError

__all__ = ["CovariateSpec", "DesignMatrix", "design_matrix", "resolve_covariates"]

_TERM = re.compile(
    r"\s*(?:C\(\s*(?P<cat>[A-Za-z_][A-Za-z0-9_.]*)\s*\)|(?P<name>[A-Za-z_][A-Za-z0-9_.]*))\s*"
)


@dataclass(frozen=True)
class CovariateSpec:
    """The covariate columns in order, and which of them are declared categorical."""

    columns: tuple[str, ...]
    categorical: frozenset[str] = field(default_factory=frozenset)


def _formula_error(text: str, position: int, caller: str, what: str) -> SpecificationError:
    pointer = " " * position + "^"
    return SpecificationError(
        f"{caller}(): cannot read the covariate formula at position {position}: {what}\n"
        f"    {text}\n    {pointer}",
        hint="write names joined by '+', with C(name) for categorical columns, "
        "or pass a list of column names",
    )


def resolve_covariates(covariates: str | Sequence[str], *, arg: str, caller: str) -> CovariateSpec:
    """Read a list of names or a formula right-hand side like ``"age + C(offense)"``."""
    if isinstance(covariates, str):
        text = covariates
        columns: list[str] = []
        categorical: set[str] = set()
        position = 0
        while True:
            match = _TERM.match(text, position)
            if match is None or match.end() == position:
                raise _formula_error(text, position, caller, "expected a name or C(name)")
            name = match.group("cat") or match.group("name")
            if match.group("cat"):
                categorical.add(name)
            if name in columns:
                raise _formula_error(text, match.start(), caller, f"{name!r} appears twice")
            columns.append(name)
            position = match.end()
            if position == len(text):
                break
            if text[position] != "+":
                raise _formula_error(text, position, caller, "expected '+'")
            position += 1
        return CovariateSpec(tuple(columns), frozenset(categorical))
    if not isinstance(covariates, Sequence):
        raise SpecificationError(
            f"{caller}(): `{arg}` must be a list of column names or a formula string, "
            f"got {type(covariates).__name__}"
        )
    names = list(covariates)
    if not names:
        raise SpecificationError(f"{caller}(): `{arg}` is empty; give at least one covariate")
    bad = [n for n in names if not isinstance(n, str)]
    if bad:
        raise SpecificationError(f"{caller}(): `{arg}` must hold column names, got {bad[:3]!r}")
    if len(set(names)) != len(names):
        raise SpecificationError(f"{caller}(): `{arg}` names a column twice: {names!r}")
    return CovariateSpec(tuple(names))


@dataclass(frozen=True)
class DesignMatrix:
    """Numeric design (no intercept), its column labels and the categorical levels used."""

    X: NDArray[np.float64]
    terms: tuple[str, ...]
    levels: dict[str, tuple[object, ...]]


def _is_categorical(series: pd.Series, declared: bool) -> bool:
    if declared:
        return True
    return not (pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series))


def _all_numeric(data: pd.DataFrame, columns: Sequence[str]) -> bool:
    return all(
        c in data.columns
        and pd.api.types.is_numeric_dtype(data[c])
        and not isinstance(data[c].dtype, pd.CategoricalDtype)
        for c in columns
    )


def design_matrix(
    data: pd.DataFrame,
    spec: CovariateSpec,
    *,
    arg: str,
    caller: str,
    levels: dict[str, tuple[object, ...]] | None = None,
) -> DesignMatrix:
    """Build the design matrix; pass the fit's ``levels`` to code new data identically."""
    if levels is None and not spec.categorical and _all_numeric(data, spec.columns):
        X = data.loc[:, list(spec.columns)].to_numpy(dtype=np.float64, na_value=np.nan)
        if not np.all(np.isfinite(X)):
            raise DataError(
                f"{caller}(): covariates {list(spec.columns)} contain missing or infinite values",
                hint="drop or impute them, or pass missing='drop'",
            )
        return DesignMatrix(np.ascontiguousarray(X), spec.columns, {})
    blocks: list[NDArray[np.float64]] = []
    labels: list[str] = []
    used_levels: dict[str, tuple[object, ...]] = {}
    for column in spec.columns:
        if column not in data.columns:
            raise DataError(f"{caller}(): covariate {column!r} (`{arg}`) is not in the data")
        series = data[column]
        if series.isna().any():
            raise DataError(
                f"{caller}(): covariate {column!r} has {int(series.isna().sum())} missing values",
                hint="drop or impute them, or pass missing='drop'",
            )
        if _is_categorical(series, column in spec.categorical) or (
            levels is not None and column in levels
        ):
            known = levels.get(column) if levels is not None else None
            found = tuple(sorted(pd.unique(series), key=lambda v: (str(type(v)), v)))
            use = known if known is not None else found
            unknown = [v for v in found if v not in use]
            if unknown:
                raise DataError(
                    f"{caller}(): covariate {column!r} has levels {unknown[:5]!r} that the "
                    "fitted model did not see",
                )
            used_levels[column] = use
            for level in use[1:]:
                blocks.append(np.asarray(series == level, dtype=np.float64)[:, None])
                labels.append(f"{column}[T.{level}]")
            continue
        numeric = pd.to_numeric(series, errors="coerce")
        if numeric.isna().any():
            raise DataError(f"{caller}(): covariate {column!r} is not numeric")
        blocks.append(numeric.to_numpy(dtype=np.float64)[:, None])
        labels.append(column)
    X = np.hstack(blocks) if blocks else np.empty((len(data), 0))
    if not np.all(np.isfinite(X)):
        raise DataError(f"{caller}(): covariates {list(spec.columns)} contain infinite values")
    return DesignMatrix(np.ascontiguousarray(X), tuple(labels), used_levels)
