"""Reading date columns: the one path every date of rpeval takes, checked.

Split from :mod:`rpeval._frames`, whose column helpers it uses, so that each module keeps one
job: this one turns a column into ``datetime64[ns]`` or says exactly which values are not
dates, naming the column and the first bad row. :func:`~rpeval.recidivism.build_followup`,
:func:`~rpeval.report.evaluate` and the CSV reader of the command line all read dates here.

What is accepted:

- ``datetime64`` columns, naive or time-zone aware, and pandas periods;
- ``datetime.date`` / ``datetime.datetime`` objects (aware ones too);
- ISO 8601 text with or without a time of day (``"2024-01-31"``, ``"2024-01-31 09:30"``,
  ``"2024-01-31T09:30:00+02:00"``); blank text and ``NaT`` count as missing;
- text in a format the caller names (``formats=("%d/%m/%Y",)``), tried after ISO 8601.

The time-zone rule: a time with a zone or UTC offset is read as its **local clock time**
and the zone dropped (``2024-01-31T23:30-05:00`` is 31 January, 23:30). Dates are about
the calendar day where something happened, so a value is never moved to another zone;
offsets that differ between rows (daylight saving time) are therefore no problem.
"""

from __future__ import annotations

import datetime as dt
import re
import warnings
from collections.abc import Sequence
from typing import NoReturn

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from rpeval._formula import is_dates_or_complex, show_values
from rpeval._frames import column_label, get_column, require_no_missing
from rpeval.errors import DataError, SpecificationError

__all__ = ["DateFormats", "check_formats", "date_series", "parse_dates", "text_is_dates"]

DateFormats = str | Sequence[str] | None
_types = pd.api.types
# an ISO 8601 date, optionally with a time of day and a zone (the shape, not the calendar)
_ISO_SHAPE = re.compile(
    r"^\d{4}-\d{2}-\d{2}"
    r"(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:Z|[+-]\d{2}(?::?\d{2})?)?)?$",
    re.IGNORECASE,
)
# the zone of an ISO time of day: dropped, so that the local clock time is kept
_ISO_ZONE = (
    r"(?i)^(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)\s*"
    r"(?:Z|[+-]\d{2}(?::?\d{2})?)$"
)


def check_formats(formats: DateFormats, *, arg: str, caller: str) -> tuple[str, ...]:
    """``formats`` (one strftime format or several) as a tuple, checked.

    Examples
    --------
    >>> check_formats("%d/%m/%Y", arg="date_format", caller="evaluate")
    ('%d/%m/%Y',)
    >>> check_formats(None, arg="date_format", caller="evaluate")
    ()
    """
    if formats is None:
        return ()
    listed = [formats] if isinstance(formats, str) else list(formats)
    for item in listed:
        if not isinstance(item, str) or "%" not in item:
            raise SpecificationError(
                f"{caller}(): `{arg}` must be strftime formats such as '%d/%m/%Y', got {item!r}",
                hint="%d day, %m month, %Y four-digit year, %H:%M hours and minutes",
            )
    return tuple(listed)


def _drop_zone(value: object) -> object:
    """A datetime object's local clock time without its zone; other values unchanged."""
    if isinstance(value, pd.Timestamp) and value.tzinfo is not None:
        return value.tz_localize(None)
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.replace(tzinfo=None)
    return value


def _strict(values: pd.Series, **options: object) -> pd.Series:
    """``pd.to_datetime(errors="coerce")`` with its warnings turned into NaT-free failure."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        parsed = pd.to_datetime(values, errors="coerce", **options)  # type: ignore[call-overload]
    if getattr(parsed.dt, "tz", None) is not None:
        parsed = parsed.dt.tz_localize(None)
    return pd.Series(parsed, index=values.index).astype("datetime64[ns]")


def _parse_text(text: pd.Series, formats: tuple[str, ...]) -> pd.Series:
    """ISO 8601 text (zones dropped), then each format in turn, as datetime64 (NaT if none)."""
    local = text.str.strip()
    local = local.str.replace(_ISO_ZONE, r"\1", regex=True)
    result = _strict(local, format="ISO8601")
    for form in formats:
        todo = result.isna() & local.notna()
        if not todo.any():
            break
        try:
            found = _strict(local[todo], format=form)
        except (TypeError, ValueError, OverflowError, Warning):  # e.g. %z with mixed offsets
            found = pd.Series(
                [_by_hand(v, form) for v in local[todo]], index=local[todo].index
            ).astype("datetime64[ns]")
        result = result.mask(todo, found)
    return result


def _by_hand(text: str, form: str) -> object:
    try:
        return _drop_zone(dt.datetime.strptime(text, form))
    except (TypeError, ValueError, OverflowError):
        return pd.NaT


def parse_dates(values: pd.Series, formats: tuple[str, ...] = ()) -> pd.Series:
    """Text, date and datetime objects as ``datetime64[ns]`` (NaT where unreadable).

    Values that are neither text nor dates raise ``TypeError``; dates outside pandas'
    range raise ``OverflowError``. Use :func:`date_series` for checked reading.

    Examples
    --------
    >>> s = pd.Series(["2024-01-31 09:30", "31/01/2024", dt.date(2024, 2, 1), " ", None])
    >>> parse_dates(s, ("%d/%m/%Y",)).dt.strftime("%Y-%m-%d %H:%M").tolist()
    ['2024-01-31 09:30', '2024-01-31 00:00', '2024-02-01 00:00', nan, nan]
    """
    objects = values.astype(object)
    present = objects.notna().to_numpy(dtype=bool)
    is_text = np.fromiter((isinstance(v, str) for v in objects), dtype=bool, count=len(objects))
    is_date = np.fromiter(
        (isinstance(v, dt.date | np.datetime64) for v in objects), dtype=bool, count=len(objects)
    )
    odd = present & ~is_text & ~is_date
    if odd.any():
        raise TypeError(show_values(objects[odd]))
    result = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    if is_text.any():
        result[is_text] = _parse_text(objects[is_text].astype(str), formats)
    if is_date.any():
        stamps = objects[is_date]
        try:
            result[is_date] = _strict(stamps)
        except (TypeError, ValueError, Warning):  # mixed zones, or aware with naive
            result[is_date] = _strict(stamps.map(_drop_zone))
    return result


def text_is_dates(values: pd.Series, formats: tuple[str, ...] = ()) -> bool:
    """Whether every non-missing value is text shaped like a date (ISO 8601 or a format).

    The calendar is not checked here (``2022-02-30`` is date-shaped), so that a typing
    error in a date column is reported as a bad date, with its row, by :func:`date_series`
    rather than turning the column into text.

    Examples
    --------
    >>> text_is_dates(pd.Series(["2022-06-30 09:30:00", "2022-02-30", None]))
    True
    >>> day_first = pd.Series(["30/06/2022"])
    >>> text_is_dates(day_first), text_is_dates(day_first, ("%d/%m/%Y",))
    (False, True)
    """
    present = values.dropna()
    if present.empty or not all(isinstance(v, str) for v in present):
        return False
    text = present.astype(str).str.strip()
    text = text[~text.isin(list(_MISSING_TEXT))]
    if text.empty:
        return False
    shaped = text.map(lambda v: _ISO_SHAPE.match(v) is not None).to_numpy(dtype=bool)
    if shaped.all():
        return True
    rest = text[~shaped]
    for form in formats:
        rest = rest[pd.to_datetime(rest, errors="coerce", format=form).isna()]
        if rest.empty:
            return True
    return False


def _not_dates(
    where: str, values: pd.Series, bad: NDArray[np.bool_], formats: tuple[str, ...] | None
) -> DataError:
    first = int(np.flatnonzero(bad)[0])
    named = ""
    if formats:
        named = f" or in the format{'s' if len(formats) > 1 else ''} {', '.join(formats)}"
    hint = "write dates as YYYY-MM-DD (a time of day may follow: YYYY-MM-DD HH:MM:SS)"
    if formats is None:
        hint += ", or convert the column with pd.to_datetime(..., format=...)"
    else:
        hint += ", or name their format with date_format (e.g. '%d/%m/%Y')"
    others = values[bad].iloc[1:]
    return DataError(
        f"{where} must hold dates (ISO 8601 text{named}, or date values) in the years "
        f"1678-2261; {int(bad.sum())} of {len(values)} values do not, the first at row "
        f"{show_values([values.index[first]])}: {show_values([values.iloc[first]])}"
        + (f" (others: {show_values(others)})" if len(others) else ""),
        hint=hint,
    )


def date_series(
    data: pd.DataFrame,
    column: str,
    *,
    arg: str,
    caller: str,
    allow_missing: bool = True,
    formats: tuple[str, ...] | None = None,
) -> pd.Series:
    """A column as a new ``datetime64[ns]`` Series with the frame's index.

    Accepts what the module docstring lists; time zones follow its rule (local clock
    time kept, zone dropped). Missing values and blank text become ``NaT``, or raise
    unless ``allow_missing``. Numbers are rejected: their unit and origin would be a
    guess. ``formats`` are strftime formats tried after ISO 8601 (``None``: the caller
    offers no format option, and the hint says how to convert the column instead).

    Examples
    --------
    >>> df = pd.DataFrame({"entry": ["2024-01-31", "2024-02-01 09:30:00", None]})
    >>> date_series(df, "entry", arg="start", caller="build_followup").tolist()
    [Timestamp('2024-01-31 00:00:00'), Timestamp('2024-02-01 09:30:00'), NaT]
    >>> bad = pd.DataFrame({"entry": ["2022-01-31", "2022-02-30"]})
    >>> date_series(bad, "entry", arg="start", caller="build_followup")
    Traceback (most recent call last):
    rpeval.errors.DataError: build_followup(): column 'entry' (argument `start`) must hold dates ... the first at row 1: '2022-02-30'
    ...
    """  # noqa: E501 - a doctest's error line
    values = get_column(data, column, arg=arg, caller=caller)
    where = column_label(caller, column, arg)
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
        try:
            converted = parse_dates(values, formats or ())
        except TypeError:
            odd = [not isinstance(v, str | dt.date | np.datetime64) for v in values.astype(object)]
            raise _not_dates(where, values, np.asarray(odd) & present, formats) from None
        except (ValueError, OverflowError):
            converted = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
            _out_of_range(where, values)
    if getattr(converted.dt, "tz", None) is not None:
        converted = converted.dt.tz_localize(None)
    try:
        result: pd.Series = converted.astype("datetime64[ns]")
    except (ValueError, OverflowError):
        _out_of_range(where, converted)
    blank = _blank(values)
    bad = result.isna().to_numpy(dtype=bool) & present & ~blank
    if bad.any():
        raise _not_dates(where, values, bad, formats)
    if not allow_missing:
        require_no_missing(result, column, arg=arg, caller=caller, what="dates")
    result.name = values.name
    return result


_MISSING_TEXT = frozenset({"", "NaT"})  # blank, or pandas' own text for a missing time


def _blank(values: pd.Series) -> NDArray[np.bool_]:
    """Text that is empty, only spaces, or ``NaT`` (what pandas 2 writes for a missing
    timestamp turned into text): read as a missing date."""
    if _types.is_datetime64_any_dtype(values.dtype) or _types.is_numeric_dtype(values.dtype):
        return np.zeros(len(values), dtype=np.bool_)
    return np.fromiter(
        (isinstance(v, str) and v.strip() in _MISSING_TEXT for v in values.astype(object)),
        dtype=np.bool_,
        count=len(values),
    )


def _out_of_range(where: str, values: pd.Series) -> NoReturn:
    present = values.dropna()
    if _types.is_datetime64_any_dtype(values.dtype):
        shown = f"from {present.min()} to {present.max()}"
    else:
        shown = f"e.g. {show_values(present)}"
    raise DataError(
        f"{where} has dates outside the years 1678-2261 ({shown})",
        hint="check the years for typing errors",
    ) from None
