"""Period columns as whole-number positions: integer periods or calendar periods.

A panel's period column holds either whole numbers (1, 2, ... or years such as 2004) or
dates (months by default). Both become integer *ordinals* whose differences count
periods, so that gaps and adoption dates can be checked with integer arithmetic.

Examples
--------
>>> import pandas as pd
>>> coded = period_ordinals(pd.Series([2004, 2005]), freq="M", what="column 'year'")
>>> coded.ordinals.tolist(), coded.calendar
([2004, 2005], False)
>>> months = pd.Series(pd.to_datetime(["2020-01-15", "2020-02-01"]))
>>> period_label(period_ordinals(months, freq="M", what="x").ordinals[1], "M")
Period('2020-02', 'M')
"""

from __future__ import annotations

import warnings
from typing import NamedTuple

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from rpeval._formula import show_values
from rpeval.errors import DataError, SpecificationError

__all__ = ["PeriodCodes", "period_label", "period_ordinals"]

_types = pd.api.types


class PeriodCodes(NamedTuple):
    """Integer ordinals of a period column and whether they are calendar periods."""

    ordinals: NDArray[np.int64]
    calendar: bool


def _whole(values: pd.Series, what: str) -> NDArray[np.int64]:
    numbers = values.to_numpy(dtype=np.float64, na_value=np.nan)
    bad = ~np.isfinite(numbers) | (numbers != np.round(numbers))
    if bad.any():
        raise DataError(
            f"{what} must hold whole numbers or dates; found {show_values(values[bad])}",
            hint="number the periods 1, 2, 3, ... or give dates (months by default)",
        )
    return numbers.astype(np.int64)


def _calendar(values: pd.Series, freq: str, what: str) -> NDArray[np.int64]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if isinstance(values.dtype, pd.PeriodDtype):
                index = pd.PeriodIndex(values).asfreq(freq)
            elif _types.is_datetime64_any_dtype(values.dtype):
                stamps = pd.DatetimeIndex(values)
                index = (stamps.tz_localize(None) if stamps.tz else stamps).to_period(freq)
            else:
                index = pd.PeriodIndex(values.astype(str), freq=freq)
    except (TypeError, ValueError) as error:
        raise DataError(
            f"{what} holds values that are neither whole numbers nor dates, "
            f"e.g. {show_values(values)} ({error})",
            hint="number the periods 1, 2, 3, ... or give dates such as 2024-01",
        ) from None
    return np.asarray(index.asi8, dtype=np.int64)


def period_ordinals(values: pd.Series, *, freq: str, what: str) -> PeriodCodes:
    """Whole-number periods as themselves; dates and periods as ordinals at ``freq``.

    Missing values must have been removed by the caller.
    """
    if not isinstance(freq, str) or not freq:
        raise SpecificationError(
            f"freq={freq!r} must be a pandas period frequency", hint="e.g. freq='M' for months"
        )
    if _types.is_bool_dtype(values.dtype):
        raise DataError(f"{what} is true/false, not periods", hint="give period numbers or dates")
    if _types.is_numeric_dtype(values.dtype):
        return PeriodCodes(_whole(values, what), calendar=False)
    if (
        values.dtype == object
        and len(values)
        and all(
            isinstance(v, int | float | np.integer | np.floating) and not isinstance(v, bool)
            for v in values
        )
    ):
        return PeriodCodes(_whole(values.astype(np.float64), what), calendar=False)
    return PeriodCodes(_calendar(values, freq, what), calendar=True)


def period_label(ordinal: int | np.integer, freq: str | None) -> object:
    """The label of an ordinal: a ``pandas.Period`` for calendar periods, else the int."""
    if freq is None:
        return int(ordinal)
    return pd.Period(ordinal=int(ordinal), freq=freq)
