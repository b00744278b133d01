"""Reporting periods for ``Registry.compute(period=...)``: keys, labels, empty periods.

A period key is an integer built from narwhals date parts only (so it is the same on every
backend): months since year 0 shifted by the fiscal year's start, then divided by 1, 3 or
12. Labels: ``2024-03`` (month), ``2024Q1`` / ``FY2025Q1`` (quarter), ``2024`` / ``FY2025``
(year). A fiscal year is named by the calendar year in which it ends (with
``fiscal_year_start=7``, July 2024 to June 2025 is FY2025). Months keep calendar labels.

Which date puts a row in a period: ``period_of`` (one column for every metric, or a
mapping from metric name or table name to a column); window metrics (fixed-window
proportions) always use the start of their window, so people are counted in the period in
which they started and a period whose follow-up is not complete is marked in ``note``.

>>> label(8091, "quarter", 1), label(2024 * 12 + 2, "month", 1), label(8100, "quarter", 7)
('2022Q4', '2024-03', 'FY2025Q1')
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

import narwhals as nw
import pandas as pd

from rpeval.errors import DataError, SpecificationError
from rpeval.metrics._compute import CellAggregates
from rpeval.metrics.schema import MetricDefinition

__all__ = [
    "PERIOD_COLUMN",
    "PERIOD_KEY",
    "PeriodPlan",
    "complete_periods",
    "finish_periods",
    "label",
    "period_labels",
    "period_plan",
]

PERIOD_COLUMN: Final = "period"
PERIOD_KEY: Final = "_rpeval_period_key"
MONTHS: Final[dict[str, int]] = {"month": 1, "quarter": 3, "year": 12}


@dataclass(frozen=True)
class PeriodPlan:
    """The period settings of one ``compute`` call, checked once."""

    unit: str
    period_of: str | Mapping[str, str] | None
    fiscal_year_start: int

    def column_for(self, definition: MetricDefinition) -> str:
        """The date column that puts `definition`'s rows in periods."""
        if definition.window is not None:
            return definition.window.start
        chosen = self.period_of
        if isinstance(chosen, Mapping):
            chosen = chosen.get(definition.name, chosen.get(definition.table or "", None))
        if chosen is None:
            raise SpecificationError(
                f"compute(): metric {definition.name!r} needs a date column for its period",
                hint="pass period_of='referral_date' (or a mapping {metric or table: column})",
            )
        return chosen

    def add_key(self, frame: nw.LazyFrame[Any], definition: MetricDefinition) -> nw.LazyFrame[Any]:
        """`frame` with the integer period key of each row (null where the date is)."""
        column = self.column_for(definition)
        schema = frame.collect_schema()
        if column not in schema:
            raise DataError(
                f"compute(): the period column {column!r} of metric {definition.name!r} is "
                "not in the data",
                hint="name a date column with period_of=",
            )
        if not isinstance(schema[column], nw.Date | nw.Datetime):
            raise DataError(
                f"compute(): the period column {column!r} must hold dates, found {schema[column]}",
                hint="parse it to a date or datetime column first",
            )
        stamp = nw.col(column)
        # floats: pandas cannot cast a missing year to int64 (whole numbers stay exact)
        months = stamp.dt.year().cast(nw.Float64()) * 12 + stamp.dt.month().cast(nw.Float64()) - 1
        shift = (13 - self.fiscal_year_start) % 12 if self.unit != "month" else 0
        key = (months + shift) // MONTHS[self.unit]
        return frame.with_columns(key.alias(PERIOD_KEY))


def period_plan(
    period: str | None, period_of: str | Mapping[str, str] | None, fiscal_year_start: int
) -> PeriodPlan | None:
    """Check the period options of ``compute``; None when no period was asked for."""
    if period is None:
        if period_of is not None:
            raise SpecificationError(
                "compute(): period_of= was given without period=",
                hint="add period='month', 'quarter' or 'year'",
            )
        return None
    if period not in MONTHS:
        raise SpecificationError(
            f"compute(): period must be 'month', 'quarter' or 'year', got {period!r}"
        )
    if (
        isinstance(fiscal_year_start, bool)
        or not isinstance(fiscal_year_start, int)
        or not 1 <= fiscal_year_start <= 12
    ):
        raise SpecificationError(
            f"compute(): fiscal_year_start must be a month number 1..12, got {fiscal_year_start!r}"
        )
    return PeriodPlan(period, period_of, fiscal_year_start)


def label(key: int, unit: str, fiscal_year_start: int) -> str:
    """The printed name of a period key."""
    fiscal = fiscal_year_start != 1
    prefix = "FY" if fiscal else ""
    if unit == "month":
        return f"{key // 12:04d}-{key % 12 + 1:02d}"
    if unit == "quarter":
        return f"{prefix}{key // 4:04d}Q{key % 4 + 1}"
    return f"{prefix}{key:04d}"


def complete_periods(cells: CellAggregates) -> CellAggregates:
    """Every period between the first and the last one present, for every cell of the
    other ``by`` columns present: periods without rows get zero sums (shown, not dropped).
    Rows without a date (a missing key) are dropped here; their count is column
    ``_undated`` (from the same pass), else :func:`undated` queries it."""
    by = [c for c in cells.by if c != PERIOD_KEY]
    frame = cells.frame
    missing = frame[PERIOD_KEY].isna()
    counted = "rows_in_cell" in frame  # undated rows counted in the same pass
    dated = frame[~missing].copy()
    if counted:
        dated["_undated"] = float(frame.loc[missing, "rows_in_cell"].sum())
    dated[PERIOD_KEY] = dated[PERIOD_KEY].astype("int64")
    if dated.empty:
        return CellAggregates(dated, cells.by)
    keys = pd.DataFrame(
        {PERIOD_KEY: range(int(dated[PERIOD_KEY].min()), int(dated[PERIOD_KEY].max()) + 1)}
    )
    if by:
        grid = dated[by].drop_duplicates().merge(keys, how="cross")
        full = grid.merge(dated, on=[*by, PERIOD_KEY], how="left")
    else:
        full = keys.merge(dated, on=PERIOD_KEY, how="left")
    values = [c for c in full.columns if c not in (*by, PERIOD_KEY, "std", "_undated")]
    full[values] = full[values].astype("float64").fillna(0.0)
    if "_undated" in full:
        full["_undated"] = float(dated["_undated"].iloc[0])
    return CellAggregates(full.sort_values([*by, PERIOD_KEY], ignore_index=True), cells.by)


def undated(frame: nw.LazyFrame[Any]) -> int:
    """How many rows have no period (a missing date)."""
    counted = frame.filter(nw.col(PERIOD_KEY).is_null()).select(nw.len().alias("n"))
    native = counted.collect(backend="pandas").to_native()
    return int(native["n"].iloc[0]) if len(native) else 0


def finish_periods(
    plan: PeriodPlan,
    definition: MetricDefinition,
    frame: nw.LazyFrame[Any],
    cells: CellAggregates,
    published: pd.DataFrame,
) -> pd.DataFrame:
    """Labels instead of keys; notes for incomplete follow-up and for undated rows."""
    out = published.copy()
    notes = out["note"].astype(object).where(out["note"].notna(), None).tolist()
    extra: list[list[str]] = [[] for _ in notes]
    if definition.window is not None and "excluded" in cells.frame:
        # publish_cells keeps the row order of the cells
        for i, excluded in enumerate(cells.frame["excluded"].to_numpy(float)):
            if excluded > 0:
                extra[i].append("follow-up incomplete for this period")
    if "_undated" in cells.frame:
        missing = int(cells.frame["_undated"].iloc[0]) if len(cells.frame) else 0
    else:
        missing = undated(frame)
    if missing:
        column = plan.column_for(definition)
        for item in extra:
            item.append(f"{missing} row(s) with no {column} are in no period")
    out["note"] = [
        "; ".join([*more, *([note] if note else [])]) or None
        for note, more in zip(notes, extra, strict=True)
    ]
    keys = out.pop(PERIOD_KEY).astype("int64")
    out.insert(
        list(out.columns).index("numerator"),
        PERIOD_COLUMN,
        [label(int(k), plan.unit, plan.fiscal_year_start) for k in keys],
    )
    return out


def period_labels(dates: pd.Series, unit: str, fiscal_year_start: int = 1) -> pd.Series:
    """The period label of each date of a pandas series (missing where the date is), with
    the same keys and labels as ``Registry.compute(period=...)``.

    >>> period_labels(pd.Series(pd.to_datetime(["2024-07-01", None])), "quarter", 7).tolist()
    ['FY2025Q1', None]
    """
    stamps = pd.to_datetime(dates)
    months = stamps.dt.year * 12 + stamps.dt.month - 1
    shift = (13 - fiscal_year_start) % 12 if unit != "month" else 0
    keys = (months + shift) // MONTHS[unit]
    return pd.Series(
        [None if pd.isna(k) else label(int(k), unit, fiscal_year_start) for k in keys],
        index=dates.index,
        dtype=object,
    )
