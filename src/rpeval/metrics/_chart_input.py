"""Checks and extraction of a per-period table for control charts and trend tests.

One plan object, :class:`PeriodSeries`, is built once after every check: the periods
(sorted, unique), and numerators, denominators and values as float arrays (NaN where a
cell is suppressed, missing or has a zero denominator), with a note per period.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from rpeval.errors import DataError, SpecificationError
from rpeval.metrics.table import MetricTable

__all__ = ["PeriodSeries", "period_series"]


@dataclass(frozen=True)
class PeriodSeries:
    """One metric's per-period numbers, in period order."""

    metric: str | None
    periods: pd.Index
    numerator: NDArray[np.float64]
    denominator: NDArray[np.float64]
    value: NDArray[np.float64]
    notes: tuple[str, ...]
    std_error: NDArray[np.float64] | None = None
    ci_width: NDArray[np.float64] | None = None

    @property
    def labels(self) -> list[str]:
        return [str(p) for p in self.periods]


def _select(
    frame: pd.DataFrame, metric: str | None, cell: Mapping[str, object] | None, caller: str
) -> pd.DataFrame:
    if "metric" in frame.columns:
        names = list(dict.fromkeys(frame["metric"].astype(str)))
        if metric is None and len(names) > 1:
            raise SpecificationError(
                f"{caller}(): the table holds {len(names)} metrics; name one with `metric`",
                hint=f"metrics in the table: {', '.join(names)}",
            )
        if metric is not None:
            if metric not in names:
                raise SpecificationError(
                    f"{caller}(): metric {metric!r} is not in the table",
                    hint=f"metrics in the table: {', '.join(names) or 'none'}",
                )
            frame = frame[frame["metric"].astype(str) == metric]
    for column, wanted in (cell or {}).items():
        if column not in frame.columns:
            raise DataError(
                f"{caller}(): `cell` names column {column!r}, which is not in the table",
                hint=f"columns: {', '.join(map(str, frame.columns))}",
            )
        frame = frame[frame[column] == wanted]
    return frame


def _check_periods(periods: pd.Series, period: str, caller: str) -> pd.Index:
    if periods.isna().any():
        raise DataError(f"{caller}(): column {period!r} has missing periods", hint="drop them")
    index: pd.Index = pd.Index(periods.to_list())
    try:
        increasing = bool(index.is_monotonic_increasing)
    except TypeError as error:
        raise DataError(
            f"{caller}(): column {period!r} mixes types that cannot be ordered"
        ) from error
    if not index.is_unique:
        twice = sorted({str(p) for p in index[index.duplicated()]})
        raise DataError(
            f"{caller}(): periods appear more than once in {period!r}: {', '.join(twice[:5])}",
            hint="a chart needs one row per period; select one cell of the `by` columns "
            "with cell={'column': value}",
        )
    if not increasing:
        raise DataError(
            f"{caller}(): the periods in {period!r} are not in increasing order",
            hint=f"sort the table by {period!r} first (rules read consecutive periods)",
        )
    return index


def _floats(frame: pd.DataFrame, column: str, caller: str) -> NDArray[np.float64]:
    if column not in frame.columns:
        return np.full(len(frame), np.nan)
    try:
        return np.asarray(
            pd.to_numeric(frame[column])
            .astype("Float64")
            .to_numpy(dtype="float64", na_value=np.nan)
        )
    except (TypeError, ValueError) as error:
        raise DataError(f"{caller}(): column {column!r} must be numeric") from error


def period_series(
    table: MetricTable | pd.DataFrame,
    metric: str | None,
    *,
    period: str,
    cell: Mapping[str, object] | None,
    caller: str,
) -> PeriodSeries:
    """Check `table` and return the chosen metric's per-period series."""
    if isinstance(table, MetricTable):
        frame = table.frame
    elif isinstance(table, pd.DataFrame):
        frame = table
    else:
        raise DataError(
            f"{caller}(): `table` must be a MetricTable or a pandas DataFrame with one row "
            f"per period, got {type(table).__name__}"
        )
    if period not in frame.columns:
        raise DataError(
            f"{caller}(): no period column {period!r} in the table",
            hint="compute the metric with period='month'|'quarter'|'year', or name the "
            "column with period=",
        )
    frame = _select(frame, metric, cell, caller)
    if frame.empty:
        raise DataError(f"{caller}(): no rows left for metric {metric!r} and cell {cell!r}")
    periods = _check_periods(frame[period], period, caller)
    numerator = _floats(frame, "numerator", caller)
    denominator = _floats(frame, "denominator", caller)
    value = _floats(frame, "value", caller)
    if "value" not in frame.columns:
        with np.errstate(invalid="ignore", divide="ignore"):
            value = np.where(denominator > 0, numerator / denominator, np.nan)
    notes = []
    raw_notes = frame["note"].astype("string").fillna("") if "note" in frame else None
    suppressed = frame["suppressed"].to_numpy(bool) if "suppressed" in frame else None
    for i in range(len(frame)):
        note = ""
        if suppressed is not None and suppressed[i]:
            note = "suppressed (small cell): not plotted"
        elif denominator[i] == 0:
            note = "zero denominator: not plotted"
        elif raw_notes is not None:
            note = str(raw_notes.iloc[i])
        notes.append(note)
    name = metric if metric is not None else _only_metric(frame)
    std_error = _floats(frame, "std_error", caller) if "std_error" in frame else None
    width = None
    if {"ci_lower", "ci_upper"} <= set(frame.columns):
        width = _floats(frame, "ci_upper", caller) - _floats(frame, "ci_lower", caller)
    return PeriodSeries(
        name, periods, numerator, denominator, value, tuple(notes), std_error, width
    )


def _only_metric(frame: pd.DataFrame) -> str | None:
    if "metric" in frame.columns and len(frame):
        return str(frame["metric"].iloc[0])
    return None
