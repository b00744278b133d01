"""The one place that checks data-frame arguments.

Every public function passes its frame and column names through these small checkers.
Each takes ``arg`` (the argument's name) and ``caller`` (the public function's name),
so a message says which input failed, in which function, and what to do. Nothing here
mutates the caller's frame.

Examples
--------
>>> import pandas as pd
>>> df = pd.DataFrame({"duration": [3, 5], "event": [1, 0]})
>>> try:
...     require_columns(df, ["duraton"], arg="duration", caller="kaplan_meier")
... except DataError as error:
...     print(error.message)
kaplan_meier(): column 'duraton' (argument `duration`) is not in `data`. Did you mean 'duration'?
"""

from __future__ import annotations

import difflib
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from rpeval._formula import CovariateSpec, DesignMatrix, design_matrix, resolve_covariates
from rpeval.errors import DataError, SpecificationError

__all__ = [
    "CompleteCases",
    "CovariateSpec",
    "DesignMatrix",
    "TreatmentCoding",
    "as_pandas",
    "boolean_array",
    "complete_cases",
    "constant_columns",
    "date_series",
    "design_matrix",
    "numeric_array",
    "require_columns",
    "resolve_covariates",
    "treatment_indicator",
]

MissingPolicy = Literal["error", "drop"]
_SHOWN = 12


def _names(columns: Sequence[Hashable]) -> str:
    shown = ", ".join(repr(c) for c in list(columns)[:_SHOWN])
    more = len(columns) - _SHOWN
    return shown + (f", ... ({more} more)" if more > 0 else "")


def _examples(values: pd.Series) -> str:
    return ", ".join(repr(v) for v in pd.unique(values)[:5])


def as_pandas(data: Any, *, arg: str, caller: str) -> pd.DataFrame:
    """Return ``data`` as a pandas DataFrame (polars and pyarrow go through narwhals).

    The result may share memory with the input; callers never write into it.
    """
    if isinstance(data, pd.DataFrame):
        if not data.columns.is_unique:
            dup = data.columns[data.columns.duplicated()].unique().tolist()
            raise DataError(f"{caller}(): `{arg}` has duplicated column names {dup}")
        return data
    try:
        import narwhals as nw

        frame = nw.from_native(data, eager_only=True)
    except (TypeError, ValueError):
        raise DataError(
            f"{caller}(): `{arg}` must be a data frame, got {type(data).__name__}",
            hint="pass a pandas, polars or pyarrow table",
        ) from None
    native = frame.to_pandas()
    assert isinstance(native, pd.DataFrame)
    return native


def require_columns(
    data: pd.DataFrame, columns: Sequence[str], *, arg: str, caller: str, frame_arg: str = "data"
) -> None:
    """Raise :class:`DataError` naming the first missing column, with a suggestion."""
    available = [str(c) for c in data.columns]
    for column in columns:
        if not isinstance(column, str):
            raise SpecificationError(
                f"{caller}(): `{arg}` must name columns with strings, got {column!r}"
            )
        if column not in data.columns:
            close = difflib.get_close_matches(column, available, n=1, cutoff=0.6)
            guess = f" Did you mean {close[0]!r}?" if close else ""
            raise DataError(
                f"{caller}(): column {column!r} (argument `{arg}`) is not in `{frame_arg}`.{guess}",
                hint=f"available columns: {_names(available)}",
            )


def numeric_array(
    data: pd.DataFrame, column: str, *, arg: str, caller: str, allow_missing: bool = False
) -> NDArray[np.float64]:
    """A column as float64; booleans become 0/1; text that is not a number is an error."""
    require_columns(data, [column], arg=arg, caller=caller)
    values = data[column]
    if isinstance(values.dtype, pd.CategoricalDtype) or pd.api.types.is_datetime64_any_dtype(
        values
    ):
        raise DataError(
            f"{caller}(): column {column!r} (`{arg}`) must be numeric, found dtype {values.dtype}"
        )
    converted = pd.to_numeric(values, errors="coerce")
    bad = converted.isna() & values.notna()
    if bad.any():
        raise DataError(
            f"{caller}(): column {column!r} (`{arg}`) must be numeric; "
            f"{int(bad.sum())} values are not, e.g. {_examples(values[bad])}",
        )
    result = np.asarray(
        converted.astype("float64").to_numpy(dtype=np.float64, na_value=np.nan), np.float64
    )
    if not allow_missing and np.isnan(result).any():
        raise DataError(
            f"{caller}(): column {column!r} (`{arg}`) has {int(np.isnan(result).sum())} "
            "missing values",
            hint="drop or impute them, or pass missing='drop' where available",
        )
    return result


def boolean_array(data: pd.DataFrame, column: str, *, arg: str, caller: str) -> NDArray[np.bool_]:
    """A 0/1 or boolean column as bool; anything else (2, 'yes', missing) is an error."""
    require_columns(data, [column], arg=arg, caller=caller)
    values = data[column]
    if values.isna().any():
        raise DataError(
            f"{caller}(): column {column!r} (`{arg}`) has {int(values.isna().sum())} "
            "missing values",
            hint="an indicator must be 0/1 or True/False on every row",
        )
    if pd.api.types.is_bool_dtype(values):
        return np.asarray(values.to_numpy(dtype=bool), dtype=np.bool_)
    numeric = pd.to_numeric(values, errors="coerce")
    ok = numeric.isin([0, 1])
    if not ok.all():
        raise DataError(
            f"{caller}(): column {column!r} (`{arg}`) must be 0/1 or boolean; found "
            f"{_examples(values[~ok])}",
        )
    return np.asarray(numeric.to_numpy(dtype=np.float64) == 1.0, dtype=np.bool_)


def date_series(
    data: pd.DataFrame, column: str, *, arg: str, caller: str, allow_missing: bool = True
) -> pd.Series:
    """A column as ``datetime64[ns]`` (dates, timestamps or ISO strings); NaT kept if allowed."""
    require_columns(data, [column], arg=arg, caller=caller)
    values = data[column]
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        raise DataError(
            f"{caller}(): column {column!r} (`{arg}`) must hold dates, found numbers",
            hint="convert with pd.to_datetime(...) first",
        )
    try:
        converted = pd.to_datetime(values, errors="coerce", format="mixed")
        if getattr(converted.dt, "tz", None) is not None:
            converted = converted.dt.tz_localize(None)
        converted = converted.astype("datetime64[ns]")
    except (TypeError, ValueError, OverflowError, pd.errors.OutOfBoundsDatetime):
        raise DataError(
            f"{caller}(): column {column!r} (`{arg}`) must hold dates between 1677 and 2262; "
            f"found e.g. {_examples(values)}",
        ) from None
    bad = converted.isna() & values.notna()
    if bad.any():
        raise DataError(
            f"{caller}(): column {column!r} (`{arg}`) must hold dates; {int(bad.sum())} "
            f"values are not, e.g. {_examples(values[bad])}",
        )
    if not allow_missing and converted.isna().any():
        raise DataError(
            f"{caller}(): column {column!r} (`{arg}`) has {int(converted.isna().sum())} "
            "missing dates"
        )
    return converted


@dataclass(frozen=True)
class CompleteCases:
    """Rows without missing values in the checked columns, and what was dropped."""

    frame: pd.DataFrame
    kept: NDArray[np.bool_]
    n_dropped: int
    missing_by_column: dict[str, int]


def complete_cases(
    data: pd.DataFrame,
    columns: Sequence[str],
    *,
    missing: MissingPolicy | str,
    arg: str,
    caller: str,
) -> CompleteCases:
    """Count missing values per column; drop those rows or raise, as ``missing`` says."""
    if missing not in ("error", "drop"):
        raise SpecificationError(
            f"{caller}(): missing={missing!r} is not a policy", hint='use "error" or "drop"'
        )
    require_columns(data, columns, arg=arg, caller=caller)
    null = data.loc[:, list(columns)].isna()
    counts = {str(c): int(n) for c, n in null.sum().items() if n > 0}
    kept = ~null.any(axis=1).to_numpy(dtype=bool)
    n_dropped = int((~kept).sum())
    if n_dropped and missing == "error":
        detail = ", ".join(f"{c!r}: {n}" for c, n in counts.items())
        raise DataError(
            f"{caller}(): {n_dropped} rows of `{arg}` have missing values ({detail})",
            hint="pass missing='drop' to drop them (they are counted on the result)",
        )
    frame = data.loc[kept] if n_dropped else data
    return CompleteCases(frame, kept, n_dropped, counts)


@dataclass(frozen=True)
class TreatmentCoding:
    """A binary treatment as booleans, with the labels it was read from."""

    is_treated: NDArray[np.bool_]
    treated_label: Any
    control_label: Any

    @property
    def n_treated(self) -> int:
        return int(self.is_treated.sum())

    @property
    def n_control(self) -> int:
        return int((~self.is_treated).sum())


def treatment_indicator(
    data: pd.DataFrame, column: str, *, treated: Any = None, arg: str, caller: str
) -> TreatmentCoding:
    """Read a two-valued treatment column (0/1, bool, or two labels with ``treated=``)."""
    require_columns(data, [column], arg=arg, caller=caller)
    values = data[column]
    if values.isna().any():
        raise DataError(
            f"{caller}(): treatment column {column!r} has {int(values.isna().sum())} "
            "missing values",
            hint="drop those rows first: treatment must be known for everyone",
        )
    levels = list(pd.unique(values))
    if len(levels) != 2:
        raise DataError(
            f"{caller}(): treatment column {column!r} must have exactly two values, "
            f"found {len(levels)}: {_examples(values)}",
            hint="both groups need at least one row; recode to 0/1 or two labels",
        )
    if treated is None:
        if set(levels) != {0, 1}:  # also True/False and 0.0/1.0
            raise SpecificationError(
                f"{caller}(): treatment column {column!r} has labels {levels!r}; say which "
                "one is the treated group",
                hint=f"pass treated={levels[0]!r} (or recode to 0/1)",
            )
        treated_value: Any = next(v for v in levels if v == 1)
    else:
        matches = [v for v in levels if v == treated]
        if not matches:
            raise SpecificationError(
                f"{caller}(): treated={treated!r} is not a value of {column!r}",
                hint=f"values are {levels!r}",
            )
        treated_value = matches[0]
    control_value = next(v for v in levels if v is not treated_value and v != treated_value)
    is_treated = (values == treated_value).to_numpy(dtype=bool)
    return TreatmentCoding(is_treated, treated_value, control_value)


def constant_columns(X: NDArray[np.float64], terms: Sequence[str]) -> list[str]:
    """Names of design columns that take one value on every row."""
    if X.shape[0] == 0:
        return list(terms)
    same = np.ptp(X, axis=0) == 0
    return [t for t, flag in zip(terms, same, strict=True) if flag]
