"""The design of a formula with interactions or computed terms, built by formulaic.

Each column is first coded by the rules of :func:`rpeval._coding.code_covariate` (so a
formula codes ``age`` and ``offense`` exactly as a list of names does); computed terms are
evaluated by :func:`rpeval._formula_ast.evaluate`; formulaic (imported at first use) then
only looks these prepared columns up by name and forms the interactions, with the same
reduced-rank rules as R's ``model.matrix``. It never evaluates text from the formula.

Examples
--------
>>> from rpeval._formula_parse import parse_formula
>>> df = pd.DataFrame({"age": [20.0, 30, 40], "g": ["a", "b", "b"]})
>>> parsed = parse_formula("age*g", arg="covariates", caller="cox")
>>> design = formula_design(df, parsed, np.ones(3, bool), levels=None, arg="covariates",
...                         caller="cox")
>>> design.terms, design.X[:, 2].tolist()
(('age', 'g[T.b]', 'age:g[T.b]'), [0.0, 30.0, 40.0])
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from rpeval._coding import DesignMatrix, code_covariate, is_numeric
from rpeval._formula import show_values
from rpeval._formula_ast import Factor, evaluate
from rpeval._formula_parse import FormulaTerms
from rpeval.errors import DataError, SpecificationError

__all__ = ["formula_design"]

Levels = dict[str, tuple[object, ...]]


def _reordered(
    levels: tuple[object, ...], reference: object, column: str, arg: str, caller: str
) -> tuple[object, ...]:
    at = [i for i, level in enumerate(levels) if _same(level, reference)]
    if not at:
        raise DataError(
            f"{caller}(): the reference level {reference!r} of C({column}, Treatment(...)) "
            f"(argument `{arg}`) is not a value of column {column!r}; its values are "
            f"{show_values(levels, limit=10)}",
            hint="give one of those values (text in quotes, numbers without)",
        )
    return (levels[at[0]], *levels[: at[0]], *levels[at[0] + 1 :])


def _same(a: object, b: object) -> bool:
    try:
        return bool(a == b) and isinstance(a, str) == isinstance(b, str)
    except (TypeError, ValueError):
        return False


def _code_columns(
    frame: pd.DataFrame, parsed: FormulaTerms, levels: Levels | None, arg: str, caller: str
) -> tuple[dict[str, Any], Levels]:
    """Each column as floats or as a pandas Categorical (reference first), and its levels."""
    coded: dict[str, Any] = {}
    used: Levels = {}
    references = parsed.references
    for column in parsed.columns:
        one = code_covariate(
            frame[column],
            column,
            categorical=column in parsed.categorical,
            levels=None if levels is None else levels.get(column),
            fitted=levels is not None,
            arg=arg,
            caller=caller,
        )
        if one.levels is None:
            coded[column] = one.XT[0]
            continue
        order = one.levels
        if column in references:
            order = _reordered(order, references[column], column, arg, caller)
        codes = pd.Index(list(order), dtype=object).get_indexer(pd.Index(frame[column]))
        names = [str(level) for level in order]
        if len(set(names)) < len(names):
            raise DataError(
                f"{caller}(): covariate {column!r} (argument `{arg}`) has levels that print "
                f"alike ({show_values(order)})",
                hint="recode levels that print alike (such as 1 and '1')",
            )
        coded[column] = pd.Categorical.from_codes(codes, categories=pd.Index(names))
        used[column] = order
    return coded, used


def _computed(factor: Factor, frame: pd.DataFrame, arg: str, caller: str) -> NDArray[np.float64]:
    env: dict[str, NDArray[Any]] = {}
    for column in factor.columns:
        values = frame[column]
        if pd.api.types.is_bool_dtype(values.dtype):  # stays boolean for & and |
            env[column] = values.to_numpy(dtype=bool)
        elif is_numeric(values):
            parsed = values if values.dtype != np.dtype(object) else pd.to_numeric(values)
            env[column] = parsed.to_numpy(dtype=np.float64, na_value=np.nan)
        else:
            env[column] = values.to_numpy(dtype=object)
    where = f"{caller}(): the term {factor.label!r} (argument `{arg}`)"
    try:
        with np.errstate(all="ignore"):
            result = np.asarray(evaluate(factor, env))
            if result.dtype == np.dtype(object) or not (
                np.issubdtype(result.dtype, np.number) or result.dtype == np.bool_
            ):
                raise TypeError(f"it gives {result.dtype} values, not numbers")
            values_ = np.broadcast_to(result.astype(np.float64), (len(frame),)).copy()
    except (TypeError, ValueError, ArithmeticError, RecursionError) as error:
        raise DataError(
            f"{where} cannot be computed: {error}",
            hint="numpy functions and arithmetic need numeric columns; compare text "
            "columns with == or != inside I()",
        ) from None
    bad = ~np.isfinite(values_)
    if bad.any():
        raise DataError(
            f"{where} gives {int(bad.sum())} infinite or undefined values "
            f"(rows {show_values(frame.index[bad])})",
            hint="shift or cap the column first, e.g. np.log(priors + 1)",
        )
    return values_


def formula_design(
    frame: pd.DataFrame,
    parsed: FormulaTerms,
    rows_kept: NDArray[np.bool_],
    *,
    levels: Levels | None,
    arg: str,
    caller: str,
) -> DesignMatrix:
    """Code ``frame`` (complete rows) by the formula's terms into a design without intercept."""
    from formulaic import model_matrix
    from formulaic.errors import FormulaicError

    coded, used = _code_columns(frame, parsed, levels, arg, caller)
    table: dict[str, Any] = {}
    for factor in parsed.factors:
        if "`" in factor.label and factor.tree is None:
            raise SpecificationError(
                f"{caller}(): column {factor.label!r} (argument `{arg}`) has a backtick in "
                "its name, which a formula cannot quote",
                hint="rename the column, or pass covariates as a list of names",
            )
        key = factor.label.replace("`", "")
        value = (
            coded[factor.label] if factor.tree is None else _computed(factor, frame, arg, caller)
        )
        if key in table:
            raise SpecificationError(
                f"{caller}(): two terms of `{arg}` are both written {key!r}",
                hint="rename the column, or write the expression differently",
            )
        table[key] = value
    terms = " + ".join(
        ":".join(f"`{f.label.replace('`', '')}`" for f in term) for term in parsed.terms
    )
    try:
        matrix = model_matrix(
            f"1 + {terms}",
            pd.DataFrame(table, index=pd.RangeIndex(len(frame))),
            context={},
            ensure_full_rank=True,
            na_action="ignore",
        )
    except FormulaicError as error:  # pragma: no cover - the prepared frame is plain
        raise SpecificationError(f"{caller}(): formulaic cannot build `{arg}`: {error}") from None
    matrix = matrix.drop(columns="Intercept")
    X = np.array(matrix.to_numpy(dtype=np.float64), dtype=np.float64, order="C", copy=True)
    return DesignMatrix(X.reshape(len(frame), -1), tuple(map(str, matrix.columns)), used, rows_kept)
