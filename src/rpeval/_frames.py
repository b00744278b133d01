"""The one place that checks data-frame arguments.

Public functions pass their frame and column names through these small checkers. Each
takes ``arg`` (the argument that named the column) and ``caller`` (the public function),
so that a message says which input failed, where, what was found and what to do. Bad
input raises an :class:`~rpeval.errors.RpevalError` subclass, never a pandas or numpy
error. Nothing here mutates the caller's frame: arrays are new, and frames are new objects
that may share memory with the input (as pandas' own methods do), so callers may add
columns to them but must not write into them in place.
Covariate formulas and their coding live in :mod:`rpeval._formula`.

Examples
--------
>>> df = pd.DataFrame({"duration": [3, 5], "event": [1, 0]})
>>> try:
...     require_columns(df, ["duraton"], arg="duration", caller="kaplan_meier")
... except DataError as error:
...     print(error.message)
kaplan_meier(): column 'duraton' (argument `duration`) is not in `data`. Did you mean
'duration'? Available columns: 'duration', 'event'.
"""

from __future__ import annotations

import difflib
import warnings
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import narwhals as nw
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from rpeval._coding import (
    DesignMatrix,
    TreatmentCoding,
    build_design,
    code_treatment,
    constant_columns,
    is_binary,
)
from rpeval._formula import CovariateSpec, is_dates_or_complex, resolve_covariates, show_values
from rpeval.errors import DataError, SpecificationError

__all__ = [
    "CompleteCases",
    "CovariateSpec",
    "DesignMatrix",
    "TreatmentCoding",
    "as_pandas",
    "boolean_array",
    "column_label",
    "complete_cases",
    "constant_columns",
    "design_matrix",
    "frame_of",
    "get_column",
    "numeric_array",
    "require_columns",
    "require_no_missing",
    "resolve_covariates",
    "treatment_indicator",
]

MissingPolicy = Literal["error", "drop"]
_types = pd.api.types
_DROP_HINT = "drop or impute those rows, or pass missing='drop' where the function offers it"


def _names(names: Sequence[Hashable], limit: int = 20) -> str:
    shown = ", ".join(repr(n) for n in names[:limit]) or "(none)"
    return shown + (f", ... and {len(names) - limit} more" if len(names) > limit else "")


def column_label(caller: str, column: str, arg: str) -> str:
    """``cox(): column 'age' (argument `covariates`)``: how messages name a column."""
    return f"{caller}(): column {column!r}" + (f" (argument `{arg}`)" if arg else "")


def as_pandas(data: object, *, arg: str, caller: str) -> pd.DataFrame:
    """Return ``data`` as a new pandas DataFrame (a shallow copy of pandas input).

    polars and pyarrow tables are converted through narwhals. Anything else, and a frame
    with duplicated column names, raises :class:`DataError`.

    Examples
    --------
    >>> as_pandas([1, 2], arg="data", caller="cox")
    Traceback (most recent call last):
    rpeval.errors.DataError: cox(): `data` must be a data frame, got list ...
    """
    if isinstance(data, pd.DataFrame):
        frame = data.copy(deep=False)
    else:
        unknown: Any = data
        try:
            native = nw.from_native(unknown, eager_only=True)
        except TypeError:
            native = None
        if not isinstance(native, nw.DataFrame):
            tip = " (series.to_frame() makes one)" if isinstance(data, pd.Series) else ""
            raise DataError(
                f"{caller}(): `{arg}` must be a data frame, got {type(data).__name__}",
                hint="pass a pandas DataFrame or a polars or pyarrow table" + tip,
            )
        try:
            frame = native.to_pandas()
        except (ImportError, TypeError, ValueError) as error:
            raise DataError(f"{caller}(): `{arg}` cannot be converted to pandas: {error}") from None
    if not frame.columns.is_unique:
        twice = frame.columns[frame.columns.duplicated()].unique().tolist()
        raise DataError(
            f"{caller}(): `{arg}` has duplicated column names {_names(twice)}",
            hint="rename the columns so that each name is used once",
        )
    return frame


def frame_of(data: object, *, arg: str, caller: str) -> pd.DataFrame:
    """`data` itself if a pandas frame with unique column names, else :func:`as_pandas`."""
    if isinstance(data, pd.DataFrame) and data.columns.is_unique:
        return data
    return as_pandas(data, arg=arg, caller=caller)


def _guess(name: str, available: list[str]) -> str | None:
    key = name.strip().casefold()
    same = [a for a in available if a.strip().casefold() == key]
    close = same or difflib.get_close_matches(name, available, n=1, cutoff=0.6)
    return close[0] if close else None


def require_columns(
    data: pd.DataFrame,
    columns: str | Sequence[str],
    *,
    arg: str,
    caller: str,
    frame_arg: str = "data",
) -> None:
    """Check that ``columns`` (named by the argument ``arg``) are columns of ``data``.

    A name that is not a string raises :class:`SpecificationError`; absent columns raise
    :class:`DataError` with a "did you mean" suggestion and the available columns.

    Examples
    --------
    >>> df = pd.DataFrame({"age": [20], "sex": ["f"]})
    >>> require_columns(df, ["age", "sex"], arg="covariates", caller="cox")
    """
    data = frame_of(data, arg=frame_arg, caller=caller)
    names = [columns] if isinstance(columns, str) else list(columns)
    for name in names:
        if not isinstance(name, str):
            raise SpecificationError(
                f"{caller}(): `{arg}` must name columns with strings, got {name!r}",
                hint="rename the frame's columns to strings",
            )
    absent = [name for name in dict.fromkeys(names) if name not in data.columns]
    if not absent:
        return
    available = [str(c) for c in data.columns]
    guesses = {name: _guess(name, available) for name in absent}
    given = f" (argument `{arg}`)" if arg and arg != frame_arg else ""
    if len(absent) == 1:
        guess = guesses[absent[0]]
        what = f"column {absent[0]!r}{given} is not"
        tip = f" Did you mean {guess!r}?" if guess else ""
    else:
        listed = [f"{n!r}" + (f" (did you mean {g!r}?)" if g else "") for n, g in guesses.items()]
        what, tip = f"columns {', '.join(listed)}{given} are not", ""
    raise DataError(
        f"{caller}(): {what} in `{frame_arg}`.{tip} Available columns: {_names(available)}.",
        hint="check the spelling: names are case-sensitive and spaces count",
    )


def get_column(data: object, column: str, *, arg: str, caller: str) -> pd.Series:
    """The column `column` of `data` (named by argument `arg`), checked to exist."""
    frame = frame_of(data, arg="data", caller=caller)
    require_columns(frame, [column], arg=arg, caller=caller)
    return frame[column]


def require_no_missing(
    values: pd.Series, column: str, *, arg: str, caller: str, what: str = "values"
) -> None:
    """Raise :class:`DataError` naming the rows when `values` (of `column`) has missing
    entries; `what` names them in the message ("dates")."""
    missing = values.isna().to_numpy(dtype=bool)
    if missing.any():
        raise DataError(
            f"{column_label(caller, column, arg)} has {int(missing.sum())} missing {what} "
            f"(rows {show_values(values.index[missing])})",
            hint=_DROP_HINT,
        )


def numeric_array(
    data: pd.DataFrame, column: str, *, arg: str, caller: str, allow_missing: bool = False
) -> NDArray[np.float64]:
    """A column as a new float64 array; booleans become 0/1 and numeric text is parsed.

    Missing values raise :class:`DataError` unless ``allow_missing`` (then they are NaN).
    Infinite values pass: callers that need finite numbers check for them.

    Examples
    --------
    >>> df = pd.DataFrame({"age": ["19", "23.5"], "event": [True, False]})
    >>> numeric_array(df, "age", arg="covariates", caller="cox").tolist()
    [19.0, 23.5]
    """
    values = get_column(data, column, arg=arg, caller=caller)
    where = column_label(caller, column, arg)
    if is_dates_or_complex(values.dtype):
        raise DataError(
            f"{where} must be numeric, found {values.dtype}",
            hint="convert it first, e.g. durations with .dt.days",
        )
    if _types.is_bool_dtype(values.dtype) or _types.is_numeric_dtype(values.dtype):
        result = values.to_numpy(dtype=np.float64, na_value=np.nan)
    else:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                parsed = pd.to_numeric(values.astype(object), errors="coerce")
                result = parsed.to_numpy(dtype=np.float64, na_value=np.nan)
        except (TypeError, ValueError, OverflowError, Warning):  # e.g. complex numbers
            result = np.full(len(values), np.nan)
        bad = np.isnan(result) & values.notna().to_numpy(dtype=bool)
        if bad.any():
            raise DataError(
                f"{where} must be numeric; {int(bad.sum())} of {len(values)} values are not, "
                f"e.g. {show_values(values[bad])}",
                hint="fix or remove those values, or convert the column with pd.to_numeric",
            )
    if not allow_missing:
        require_no_missing(values, column, arg=arg, caller=caller, what="values")
    return np.array(result, dtype=np.float64, copy=True)


def boolean_array(data: pd.DataFrame, column: str, *, arg: str, caller: str) -> NDArray[np.bool_]:
    """A 0/1 or True/False column as a new bool array; missing values always raise.

    Examples
    --------
    >>> df = pd.DataFrame({"event": [1, 0, 1]})
    >>> boolean_array(df, "event", arg="event", caller="kaplan_meier").tolist()
    [True, False, True]
    """
    values = get_column(data, column, arg=arg, caller=caller)
    require_no_missing(values, column, arg=arg, caller=caller, what="values")
    if _types.is_bool_dtype(values.dtype):
        return np.array(values.to_numpy(dtype=bool), dtype=np.bool_, copy=True)
    if _types.is_numeric_dtype(values.dtype) and not is_dates_or_complex(values.dtype):
        floats = values.to_numpy(dtype=np.float64)
        ok, result = (floats == 0.0) | (floats == 1.0), floats == 1.0
    else:
        objects = values.to_numpy(dtype=object)
        ok = np.fromiter((is_binary(v) for v in objects), dtype=bool, count=len(objects))
        result = np.fromiter((k and v == 1 for v, k in zip(objects, ok, strict=True)), dtype=bool)
    if not ok.all():
        raise DataError(
            f"{column_label(caller, column, arg)} must be 0/1 or True/False; found "
            f"{show_values(values[~ok])}",
            hint="recode it, e.g. df[col] == 'yes' for text labels",
        )
    return np.asarray(result, dtype=np.bool_)


@dataclass(frozen=True)
class CompleteCases:
    """Rows kept by :func:`complete_cases`, and what was dropped.

    ``frame`` holds the kept rows (original index, all columns); ``kept`` is a bool mask
    over the input rows; ``missing_by_column`` counts the missing values of every checked
    column, zeros included (a row missing in two columns counts in both).
    """

    frame: pd.DataFrame
    kept: NDArray[np.bool_]
    n_dropped: int
    missing_by_column: dict[str, int]


def complete_cases(
    data: pd.DataFrame,
    columns: str | Sequence[str],
    *,
    missing: MissingPolicy | str,
    arg: str,
    caller: str,
) -> CompleteCases:
    """Find the rows with a missing value (None, NaN, NaT, pd.NA) in any of ``columns``.

    With ``missing="error"`` such rows raise :class:`DataError` with the counts; with
    ``missing="drop"`` they are left out of ``frame`` and counted. ``arg`` names the frame.

    Examples
    --------
    >>> df = pd.DataFrame({"age": [20, None, 31], "sex": ["f", "m", None]})
    >>> cc = complete_cases(df, ["age", "sex"], missing="drop", arg="data", caller="cox")
    >>> cc.n_dropped, cc.missing_by_column, cc.kept.tolist()
    (2, {'age': 1, 'sex': 1}, [True, False, False])
    """
    if not isinstance(missing, str) or missing not in ("error", "drop"):
        raise SpecificationError(
            f"{caller}(): missing={missing!r} is not a policy", hint="use 'error' or 'drop'"
        )
    frame = frame_of(data, arg=arg, caller=caller)
    names = list(dict.fromkeys([columns] if isinstance(columns, str) else columns))
    require_columns(frame, names, arg=arg, caller=caller, frame_arg=arg)
    null = np.zeros((len(names), len(frame)), dtype=bool)
    for j, name in enumerate(names):
        null[j] = frame[name].isna().to_numpy(dtype=bool)
    counts = {name: int(n) for name, n in zip(names, null.sum(axis=1), strict=True)}
    kept = np.asarray(~null.any(axis=0), dtype=np.bool_)
    n_dropped = len(kept) - int(np.count_nonzero(kept))
    if n_dropped and missing == "error":
        detail = ", ".join(f"{c!r}: {n}" for c, n in counts.items() if n)
        raise DataError(
            f"{caller}(): {n_dropped} of {len(kept)} rows of `{arg}` have missing values "
            f"({detail})",
            hint=_DROP_HINT + " (dropped rows are counted on the result)",
        )
    kept_rows = frame.take(np.flatnonzero(kept)) if n_dropped else frame.copy(deep=False)
    return CompleteCases(kept_rows, kept, n_dropped, counts)


def treatment_indicator(
    data: pd.DataFrame, column: str, *, treated: Any = None, arg: str, caller: str
) -> TreatmentCoding:
    """Read a two-group treatment column.

    0/1 and boolean columns need no ``treated`` (1/True is treated); any other two labels
    need ``treated=`` naming the treated group's label. Missing values, more or fewer
    than two distinct values, and an absent label raise an RpevalError.

    Examples
    --------
    >>> df = pd.DataFrame({"arm": ["court", "conference", "court"]})
    >>> t = treatment_indicator(df, "arm", treated="conference", arg="treatment", caller="match")
    >>> t.is_treated.tolist(), t.control_label, t.n_treated
    ([False, True, False], 'court', 1)
    """
    values = get_column(data, column, arg=arg, caller=caller)
    if treated is not None and (not _types.is_scalar(treated) or pd.isna(treated)):
        raise SpecificationError(f"{caller}(): treated={treated!r} must be a single label")
    known = "values (treatment must be known for every row)"
    require_no_missing(values, column, arg=arg, caller=caller, what=known)
    return code_treatment(values, treated, column=column, arg=arg, caller=caller)


def design_matrix(
    data: pd.DataFrame,
    spec: CovariateSpec,
    *,
    arg: str,
    caller: str,
    levels: dict[str, tuple[object, ...]] | None = None,
    missing: MissingPolicy | str = "error",
    frame_arg: str = "data",
) -> DesignMatrix:
    """Build the numeric design (no intercept) for the covariates in ``spec``.

    Checks the columns and missing values here, then codes them with
    :func:`rpeval._coding.build_design`: numbers stay, booleans become 0/1, text,
    categorical and ``C()`` columns are treatment-coded against their first level. Pass
    a fitted design's ``levels`` to code new data the same way. Rows with missing
    covariates raise, or with ``missing="drop"`` are left out (``rows_kept``).

    Examples
    --------
    >>> df = pd.DataFrame({"age": [20, 30, 40], "offense": ["drug", "violent", "drug"]})
    >>> spec = resolve_covariates("age + C(offense)", arg="covariates", caller="cox")
    >>> design = design_matrix(df, spec, arg="covariates", caller="cox")
    >>> design.terms, design.X.tolist()
    (('age', 'offense[T.violent]'), [[20.0, 0.0], [30.0, 1.0], [40.0, 0.0]])
    """
    frame = frame_of(data, arg=frame_arg, caller=caller)
    require_columns(frame, spec.columns, arg=arg, caller=caller, frame_arg=frame_arg)
    complete = complete_cases(frame, spec.columns, missing=missing, arg=frame_arg, caller=caller)
    if spec.formula is not None:
        from rpeval._formula_design import formula_design

        return formula_design(
            complete.frame,
            spec.formula,
            complete.kept.copy(),
            levels=levels,
            arg=arg,
            caller=caller,
        )
    return build_design(
        complete.frame, spec, complete.kept.copy(), levels=levels, arg=arg, caller=caller
    )
