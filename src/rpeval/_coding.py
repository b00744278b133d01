"""How checked columns enter a model: design coding and treatment coding.

Categorical columns are treatment-coded against a reference level, with design columns
labelled like ``offense_type[T.violent]`` (as statsmodels and R print them). The functions
here take columns that :mod:`rpeval._frames` has already looked up and checked for missing
values; public code calls the checkers there.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from rpeval._formula import CovariateSpec, is_dates_or_complex, plain_value, show_values
from rpeval.errors import DataError, SpecificationError

__all__ = [
    "CodedColumn",
    "DesignMatrix",
    "TreatmentCoding",
    "build_design",
    "code_covariate",
    "code_treatment",
    "constant_columns",
    "is_binary",
    "is_numeric",
    "require_distinct_labels",
    "separating_columns",
    "sorted_levels",
]

_types = pd.api.types


@dataclass(frozen=True)
class DesignMatrix:
    """A numeric design without intercept.

    ``X`` has one row per kept input row (``rows_kept``) and one column per label in
    ``terms``; ``levels`` holds each categorical column's levels, reference first, so that
    new data can be coded the same way.
    """

    X: NDArray[np.float64]
    terms: tuple[str, ...]
    levels: dict[str, tuple[object, ...]]
    rows_kept: NDArray[np.bool_]

    @property
    def n_dropped(self) -> int:
        """Input rows left out because of missing covariates."""
        return int(self.rows_kept.size - np.count_nonzero(self.rows_kept))


# -- coding one column --------------------------------------------------------------------


def _level_key(value: object) -> tuple[int, float, str]:
    if isinstance(value, numbers.Real):
        return (0, float(value), "")
    if isinstance(value, str):
        return (1, 0.0, value)
    return (2, 0.0, f"{type(value).__name__}:{value!r}")


def sorted_levels(values: pd.Series) -> tuple[object, ...]:
    """The distinct values of a column without missing values, reference level first.

    A pandas categorical keeps its category order (the first category is the reference,
    as in R), leaving out unused categories. Other columns are sorted: numbers
    numerically, then text, then anything else by its repr.

    Examples
    --------
    >>> sorted_levels(pd.Series(["violent", "drug", "violent"]))
    ('drug', 'violent')
    """
    if isinstance(values.dtype, pd.CategoricalDtype):
        used = np.unique(values.cat.codes.to_numpy())
        return tuple(plain_value(c) for c in values.cat.categories[used[used >= 0]])
    return tuple(sorted((plain_value(v) for v in pd.unique(values)), key=_level_key))


class CodedColumn(NamedTuple):
    """One covariate's design columns as rows (``XT``, k × n), labels, categorical levels."""

    XT: NDArray[np.float64]
    labels: list[str]
    levels: tuple[object, ...] | None


def is_numeric(values: pd.Series) -> bool:
    """Whether a column codes as numbers: numeric, boolean, or object holding numbers."""
    if _types.is_bool_dtype(values.dtype) or _types.is_numeric_dtype(values.dtype):
        return True
    numeric = ("boolean", "integer", "floating", "mixed-integer-float", "decimal", "empty")
    return values.dtype == np.dtype(object) and _types.infer_dtype(values) in numeric


def _level_codes(
    values: pd.Series, levels: tuple[object, ...] | None
) -> tuple[tuple[object, ...], NDArray[np.intp]]:
    """The levels (``levels``, or :func:`sorted_levels`) and each row's position among
    them (-1 for a value not among them).

    The column is factorised once and only its distinct values are looked up among the
    levels: on a million rows of text that is several times faster than looking up every
    row, with the same equality (the same hash tables compare the same values).
    """
    rows, distinct = pd.factorize(values)
    if np.any(rows < 0):  # missing values (callers drop them first): look up every row
        use = levels if levels is not None else sorted_levels(values)
        return use, pd.Index(list(use), dtype=object).get_indexer(pd.Index(values))
    if levels is not None:
        use = levels
    elif isinstance(values.dtype, pd.CategoricalDtype):
        use = sorted_levels(values)
    else:  # pd.unique gives the distinct values in the order factorize found them
        use = tuple(sorted((plain_value(v) for v in distinct), key=_level_key))
    found = pd.Index(list(use), dtype=object).get_indexer(pd.Index(distinct))
    return use, found[rows]


def code_covariate(
    values: pd.Series,
    column: str,
    *,
    categorical: bool,
    levels: tuple[object, ...] | None = None,
    fitted: bool = False,
    arg: str,
    caller: str,
) -> CodedColumn:
    """Code one covariate column without missing values.

    Numbers stay as they are and booleans become 0/1. Declared (``categorical``), text
    and pandas categorical columns are treatment-coded against their first level (see
    :func:`sorted_levels`), or against ``levels`` when given. With ``fitted`` the coding
    must match a fitted model: a column without ``levels`` must be numeric. Dates,
    complex numbers, infinite values and unseen levels raise :class:`DataError`.

    Examples
    --------
    >>> coded = code_covariate(
    ...     pd.Series(["b", "a", "c"]), "g", categorical=False, arg="covariates", caller="f"
    ... )
    >>> coded.XT.tolist(), coded.labels, coded.levels
    ([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]], ['g[T.b]', 'g[T.c]'], ('a', 'b', 'c'))
    """
    where = f"{caller}(): covariate {column!r} (argument `{arg}`)"
    dtype = values.dtype
    if is_dates_or_complex(dtype):
        raise DataError(
            f"{where} holds {dtype} values",
            hint="convert dates to a number first, e.g. the year or the days since a date",
        )
    is_category = categorical or levels is not None or isinstance(dtype, pd.CategoricalDtype)
    if not is_category and is_numeric(values):
        parsed = values if values.dtype != np.dtype(object) else pd.to_numeric(values)
        x = parsed.to_numpy(dtype=np.float64, na_value=np.nan)
        if not np.all(np.isfinite(x)):
            raise DataError(f"{where} has infinite values", hint="drop or cap them")
        return CodedColumn(x[None, :], [column], None)
    if fitted and levels is None:
        raise DataError(f"{where} holds {dtype} values where the fitted model had numbers")
    try:
        use, codes = _level_codes(values, levels)
    except (TypeError, ValueError, pd.errors.InvalidIndexError):
        raise DataError(f"{where} holds values that cannot be compared or hashed") from None
    if np.any(codes < 0):
        unseen = sorted_levels(values[codes < 0])
        raise DataError(
            f"{where} has levels {list(unseen[:5])!r} that the fitted model did not see "
            f"(it knows {list(use[:10])!r})",
            hint="drop those rows, or refit with data that includes these levels",
        )
    XT = (np.arange(1, len(use))[:, None] == codes[None, :]).astype(np.float64)
    return CodedColumn(XT, [f"{column}[T.{level}]" for level in use[1:]], tuple(use))


def build_design(
    frame: pd.DataFrame,
    spec: CovariateSpec,
    rows_kept: NDArray[np.bool_],
    *,
    levels: dict[str, tuple[object, ...]] | None,
    arg: str,
    caller: str,
) -> DesignMatrix:
    """Code every covariate of ``spec`` (see :func:`code_covariate`) into one design.

    ``frame`` holds the covariate columns without missing values: the ``rows_kept`` of
    the caller's frame, checked by :func:`rpeval._frames.design_matrix`.
    """
    rows: list[NDArray[np.float64]] = []
    terms: list[str] = []
    used: dict[str, tuple[object, ...]] = {}
    for column in spec.columns:
        coded = code_covariate(
            frame[column],
            column,
            categorical=column in spec.categorical,
            levels=None if levels is None else levels.get(column),
            fitted=levels is not None,
            arg=arg,
            caller=caller,
        )
        rows.extend(coded.XT)
        terms.extend(coded.labels)
        if coded.levels is not None:
            used[column] = coded.levels
    require_distinct_labels(terms, caller=caller)
    X = np.column_stack(rows) if rows else np.empty((len(frame), 0))
    return DesignMatrix(X, tuple(terms), used, rows_kept)


def constant_columns(X: NDArray[np.float64], terms: Sequence[str]) -> list[str]:
    """Labels of design columns that take one value on every row (all, if there are none).

    Examples
    --------
    >>> constant_columns(np.array([[1.0, 0.0], [1.0, 2.0]]), ["site", "age"])
    ['site']
    """
    if X.ndim != 2 or X.shape[1] != len(terms):
        raise SpecificationError(f"constant_columns(): a {X.shape} design for {len(terms)} terms")
    if X.shape[0] == 0:
        return list(terms)
    same = np.all(X[:1] == X, axis=0)
    return [t for t, flag in zip(terms, same, strict=True) if flag]


def separating_columns(
    X: NDArray[np.float64], terms: Sequence[str], group: NDArray[np.bool_]
) -> list[str]:
    """Labels of design columns that on their own split `group` from the rest: every value
    of one group is at or below every value of the other (complete or quasi-separation).

    Examples
    --------
    >>> X = np.array([[25.0, 1.0], [31.0, 1.0], [30.0, 0.0], [44.0, 0.0]])
    >>> separating_columns(X, ["age", "referred"], np.array([True, True, False, False]))
    ['referred']
    """
    found: list[str] = []
    if not group.any() or group.all():
        return found
    for j, term in enumerate(terms):
        inside, outside = X[group, j], X[~group, j]
        if inside.max() <= outside.min() or outside.max() <= inside.min():
            found.append(term)
    return found


# -- treatment --------------------------------------------------------------------------


@dataclass(frozen=True)
class TreatmentCoding:
    """A binary treatment as booleans, the labels it was read from, and the group sizes."""

    is_treated: NDArray[np.bool_]
    treated_label: Any
    control_label: Any
    n_treated: int
    n_control: int


def is_binary(value: object) -> bool:
    """Whether a value reads as 0/1: a bool or a real number equal to 0 or 1 (not text)."""
    return isinstance(value, bool | np.bool_) or (
        isinstance(value, numbers.Real) and value in (0, 1)
    )


def _equal(a: object, b: object) -> bool:
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return False


def code_treatment(
    values: pd.Series, treated: object, *, column: str, arg: str, caller: str
) -> TreatmentCoding:
    """Code a two-group column without missing values (see ``_frames.treatment_indicator``).

    Examples
    --------
    >>> code_treatment(pd.Series([0, 1, 1]), None, column="t", arg="t", caller="f").n_treated
    2
    """
    where = f"{caller}(): column {column!r} (argument `{arg}`)"
    try:
        codes, uniques = pd.factorize(values)
    except TypeError:
        raise DataError(f"{where} holds values that cannot be compared or hashed") from None
    labels = [plain_value(u) for u in uniques]
    if len(labels) != 2:
        raise DataError(
            f"{where} must have exactly two distinct values, found {len(labels)}"
            + (f": {show_values(labels)}" if labels else ""),
            hint="both groups need at least one row; recode the column to 0/1 or two labels",
        )
    if treated is None:
        if not all(is_binary(v) for v in labels):
            raise SpecificationError(
                f"{where} has the labels {show_values(labels)}; say which is the treated group",
                hint=f"pass treated={labels[0]!r}, for example, or recode the column to 0/1",
            )
        position = 0 if _equal(labels[0], 1) else 1
    else:
        matches = [i for i, v in enumerate(labels) if _equal(v, treated)]
        if not matches:
            near = [v for v in labels if str(v).casefold() == str(treated).casefold()]
            hint = f"did you mean treated={near[0]!r}?" if near else "pass one of its values"
            if isinstance(treated, bool) and not near:
                hint = (
                    f"treated={treated!r} is a boolean, but the labels are not: in YAML, "
                    "unquoted yes/no/on/off/true/false are booleans, so quote the label "
                    f"(treated: {str(labels[0])!r})"
                )
            raise SpecificationError(
                f"{caller}(): treated={treated!r} is not a value of column {column!r} "
                f"(argument `{arg}`); its values are {show_values(labels)}",
                hint=hint,
            )
        position = matches[0]
    is_treated = np.asarray(codes == position, dtype=np.bool_)
    n_treated = int(np.count_nonzero(is_treated))
    return TreatmentCoding(
        is_treated, labels[position], labels[1 - position], n_treated, len(codes) - n_treated
    )


def require_distinct_labels(terms: Sequence[str], *, caller: str) -> None:
    """Raise when two design columns would print alike (such as levels 1 and ``'1'``).

    >>> require_distinct_labels(["age", "sex[T.m]"], caller="cox")
    >>> require_distinct_labels(["x[T.1]", "x[T.1]"], caller="cox")
    Traceback (most recent call last):
    ...
    rpeval.errors.DataError: cox(): design columns ['x[T.1]'] would have the same label
      hint: recode levels that print alike (such as 1 and '1'), or rename columns
    """
    names = list(terms)
    twice = sorted({t for t in names if names.count(t) > 1})
    if twice:
        raise DataError(
            f"{caller}(): design columns {twice!r} would have the same label",
            hint="recode levels that print alike (such as 1 and '1'), or rename columns",
        )
