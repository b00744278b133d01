"""Reading date columns: datetime64, date/datetime objects and ISO 8601 text, checked.

Split from :mod:`rpeval._frames`, whose column helpers it uses, so that each module keeps one
job: this one turns a column into ``datetime64[ns]`` or says exactly which values are not dates.
"""

from __future__ import annotations

import datetime as dt
import warnings

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from rpeval._formula import is_dates_or_complex, show_values
from rpeval._frames import _column, _no_missing, _which
from rpeval.errors import DataError

__all__ = ["date_series"]

_types = pd.api.types
_DATE_KINDS = ("string", "date", "datetime", "datetime64", "empty")


def _not_dates(where: str, values: pd.Series, bad: NDArray[np.bool_]) -> DataError:
    return DataError(
        f"{where} must hold dates (or ISO 8601 text) in the years 1678-2261; {int(bad.sum())} "
        f"of {len(values)} values do not, e.g. {show_values(values[bad])}",
        hint="write dates as YYYY-MM-DD, or convert the column with pd.to_datetime",
    )


def _parse_dates(values: pd.Series, where: str) -> pd.Series:
    """Text, date and datetime objects as datetime64 (NaT where unreadable)."""
    text = values if _types.is_string_dtype(values.dtype) else values.astype(object)
    if text.dtype == object and _types.infer_dtype(text) not in _DATE_KINDS:
        odd = [not isinstance(v, str | dt.date | np.datetime64) for v in text]
        bad = np.asarray(odd, dtype=bool) & values.notna().to_numpy(dtype=bool)
        if bad.any():
            raise _not_dates(where, values, bad)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            return pd.to_datetime(text, errors="coerce", format="ISO8601")
    except (TypeError, ValueError, OverflowError, Warning) as error:
        if "time zone" in str(error) or "timezone" in str(error):
            raise DataError(f"{where} mixes time zones", hint="convert to one zone first") from None
        raise _not_dates(where, values, values.notna().to_numpy(dtype=bool)) from None


def date_series(
    data: pd.DataFrame, column: str, *, arg: str, caller: str, allow_missing: bool = True
) -> pd.Series:
    """A column as a new ``datetime64[ns]`` Series with the frame's index.

    Accepts datetime64 columns, ``datetime.date``/``datetime`` objects and ISO 8601 text
    (``"2024-01-31"``, ``"2024-01-31T10:00"``). Time zones are dropped, keeping the local
    clock time. Missing values become ``NaT``, or raise unless ``allow_missing``. Numbers
    are rejected: their unit and origin would be a guess.

    Examples
    --------
    >>> df = pd.DataFrame({"entry": ["2024-01-31", None]})
    >>> date_series(df, "entry", arg="start", caller="build_followup").tolist()
    [Timestamp('2024-01-31 00:00:00'), NaT]
    """
    values = _column(data, column, arg, caller)
    where = _which(caller, column, arg)
    present = values.notna().to_numpy(dtype=bool)
    dtype = values.dtype
    if _types.is_datetime64_any_dtype(dtype):
        converted = values
    elif isinstance(dtype, pd.PeriodDtype):
        converted = values.dt.to_timestamp()
    elif not present.any():
        converted = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    elif (
        _types.is_bool_dtype(dtype) or _types.is_numeric_dtype(dtype) or is_dates_or_complex(dtype)
    ):
        raise DataError(
            f"{where} must hold dates, found {dtype} values, e.g. {show_values(values[present])}",
            hint="convert it first, e.g. pd.to_datetime(df[col], unit='D', origin='1970-01-01')",
        )
    else:
        converted = _parse_dates(values, where)
    if getattr(converted.dt, "tz", None) is not None:
        converted = converted.dt.tz_localize(None)
    try:
        result: pd.Series = converted.astype("datetime64[ns]")
    except (ValueError, OverflowError):
        raise DataError(
            f"{where} has dates outside the years 1678-2261, from {converted.min()} to "
            f"{converted.max()}",
            hint="check the years for typing errors",
        ) from None
    bad = result.isna().to_numpy(dtype=bool) & present
    if bad.any():
        raise _not_dates(where, values, bad)
    if not allow_missing:
        _no_missing(result, column, arg, caller, "dates")
    result.name = values.name
    return result
