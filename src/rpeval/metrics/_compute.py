"""Aggregate one metric definition over any narwhals frame, by groups.

Each measure becomes one lazy query ``frame.filter(where).group_by(by).agg(...)`` built
from narwhals expressions only, so the same code runs on pandas, polars, pyarrow, DuckDB
and PySpark. The per-group aggregates (a handful of rows) are collected into pandas and
joined on the group keys; the cells are every combination of ``by`` values present in the
table, so a group with a zero denominator is reported (without a value) rather than lost.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

import narwhals as nw
import pandas as pd

from rpeval.metrics.filters import parse_filter, to_narwhals
from rpeval.metrics.schema import Measure, MetricDefinition, Window

__all__ = ["CellAggregates", "aggregate_metric"]


@dataclass(frozen=True)
class CellAggregates:
    """Per-cell sums of one metric: group keys plus the statistic columns.

    ``frame`` has the ``by`` columns and ``numerator``, ``denominator``, ``cell_count``
    (the count that small-cell suppression looks at), ``excluded`` (rows left out of a
    window denominator for incomplete follow-up) and, for intervals, ``std`` (mean)
    or ``xx``/``yy``/``xy``/``rows`` (ratio).
    """

    frame: pd.DataFrame
    by: tuple[str, ...]


def _quote(column: str) -> str:
    return "`" + column.replace("`", "``") + "`"


def _condition(*texts: str | None) -> nw.Expr | None:
    parts = [f"({text})" for text in texts if text is not None]
    if not parts:
        return None
    return to_narwhals(parse_filter(" and ".join(parts)))


def _window_texts(window: Window) -> tuple[str, str]:
    """Filter texts for "full follow-up" and "event within the window"."""
    start, event, end = (_quote(c) for c in (window.start, window.event, window.followup_end))
    shift = f"{window.unit}({window.amount})"
    full = f"{end} >= {start} + {shift}"
    within = f"{event} > {start} and {event} <= {start} + {shift}"
    return full, within


@dataclass(frozen=True)
class Agg:
    """An aggregation: ``op`` ("len", "sum", "n_unique", "std") of a ``source`` expression."""

    op: str
    source: nw.Expr | None = None


LEN: Final = Agg("len")


def _run(
    frame: nw.LazyFrame[Any],
    condition: nw.Expr | None,
    by: Sequence[str],
    aggregations: dict[str, Agg],
) -> pd.DataFrame:
    """Filter, then simple aggregations of precomputed columns (fast on every backend)."""
    query = frame if condition is None else frame.filter(condition)
    sources = [
        agg.source.alias(f"_src_{name}")
        for name, agg in aggregations.items()
        if agg.source is not None
    ]
    if sources:
        query = query.with_columns(*sources)
    exprs = []
    for name, agg in aggregations.items():
        column = nw.col(f"_src_{name}")
        if agg.op == "len":
            expr = nw.len()
        elif agg.op == "std":
            expr = column.std(ddof=1)
        else:
            expr = getattr(column, agg.op)()
        exprs.append(expr.alias(name))
    result = query.group_by(*by).agg(*exprs) if by else query.select(*exprs)
    native = result.collect(backend="pandas").to_native()
    assert isinstance(native, pd.DataFrame)
    return native


def _measure_aggregate(measure: Measure, prefix: str) -> tuple[dict[str, Agg], str | None]:
    """The aggregation of a measure and an extra not-null condition on its column."""
    column = measure.column
    if measure.aggregate == "sum":
        assert column is not None
        return {prefix: Agg("sum", nw.col(column).cast(nw.Float64()))}, None
    if measure.aggregate == "count_distinct":
        assert column is not None
        return {prefix: Agg("n_unique", nw.col(column))}, f"{_quote(column)} is not null"
    return {prefix: LEN}, None


class _Aggregator:
    """Collects a metric's aggregations. Counts and sums under a condition become
    ``when(condition).then(x).otherwise(0)`` columns summed in **one** group-by pass
    (a row whose condition is null counts as filtered out, as in ``filter``; the cell's
    row count comes along as ``rows_in_cell``); other
    aggregations (distinct counts, standard deviations) run as their own filtered query."""

    def __init__(self, frame: nw.LazyFrame[Any], by: Sequence[str]) -> None:
        self.frame = frame
        self.by = list(by)
        self._fused: dict[str, nw.Expr] = {"_rows": nw.lit(1.0)}
        self._parts: list[pd.DataFrame] = []
        self._constants: dict[str, float] = {}

    def add(self, condition: nw.Expr | None, aggregations: dict[str, Agg]) -> None:
        if all(agg.op in ("len", "sum") for agg in aggregations.values()):
            for name, agg in aggregations.items():
                value = nw.lit(1.0) if agg.op == "len" else agg.source
                assert value is not None
                self._fused[name] = (
                    value if condition is None else nw.when(condition).then(value).otherwise(0.0)
                )
            return
        self._parts.append(_run(self.frame, condition, self.by, aggregations))

    def constant(self, name: str, value: float) -> None:
        """A value shared by every cell (the reference group's counts)."""
        self._constants[name] = value

    def measure(self, measure: Measure, prefix: str, *extra: str | None) -> None:
        aggregations, not_null = _measure_aggregate(measure, prefix)
        self.add(_condition(*extra, measure.where, not_null), aggregations)

    def _cells(self) -> pd.DataFrame:
        query = self.frame.with_columns(
            *(expr.alias(f"_src_{name}") for name, expr in self._fused.items())
        )
        sums = [nw.col(f"_src_{name}").sum().alias(name) for name in self._fused]
        result = query.group_by(*self.by).agg(*sums) if self.by else query.select(*sums)
        cells = result.collect(backend="pandas").to_native()
        assert isinstance(cells, pd.DataFrame)
        for part in self._parts:
            if self.by:
                cells = cells.merge(part, on=self.by, how="left")
            else:
                for name in part.columns:
                    cells[name] = part[name].iloc[0] if len(part) else 0
        for name, value in self._constants.items():
            cells[name] = value
        return cells

    def result(self) -> pd.DataFrame:
        frame = self._cells().rename(columns={"_rows": "rows_in_cell"})
        value_columns = [c for c in frame.columns if c not in self.by and c != "std"]
        frame[value_columns] = frame[value_columns].astype("float64").fillna(0.0)
        if "std" in frame:
            frame["std"] = frame["std"].astype("float64")
        return frame


def aggregate_metric(
    definition: MetricDefinition, frame: nw.LazyFrame[Any], by: Sequence[str]
) -> CellAggregates:
    """Numerator, denominator and interval statistics of `definition` per ``by`` cell."""
    if definition.design is not None:  # survey_mean, survey_proportion: row-level design
        from rpeval.metrics._survey_kinds import survey_cells

        return survey_cells(definition, frame, list(by))
    agg = _Aggregator(frame, by)
    kind = definition.kind
    numerator, denominator = definition.numerator, definition.denominator
    if kind == "relative_rate":
        assert numerator is not None
        assert denominator is not None
        assert definition.reference is not None
        agg.measure(denominator, "denominator")
        agg.measure(numerator, "numerator", denominator.where)
        reference = definition.reference
        _reference_counts(agg, numerator, denominator, reference)
    elif kind == "proportion":
        assert numerator is not None
        assert denominator is not None
        agg.measure(denominator, "denominator")
        agg.measure(numerator, "numerator", denominator.where)
    elif kind == "window_proportion":
        assert definition.window is not None
        full, within = _window_texts(definition.window)
        base = denominator.where if denominator is not None else None
        agg.add(_condition(base), {"population": LEN})
        agg.add(_condition(base, full), {"denominator": LEN})
        extra = numerator.where if numerator is not None else None
        agg.add(_condition(base, full, within, extra), {"numerator": LEN})
    elif kind == "ratio":
        assert numerator is not None
        assert denominator is not None
        agg.measure(numerator, "numerator")
        agg.measure(denominator, "denominator")
        agg.add(_condition(denominator.where), {"cell_count": LEN})
        if definition.interval_method == "delta":
            _ratio_statistics(agg, numerator, denominator)
    elif kind == "mean":
        assert definition.value is not None
        value = _value_expr(definition)
        agg.frame = frame.with_columns(value.alias("_value"))
        statistics = {
            "numerator": Agg("sum", nw.col("_value")),
            "denominator": LEN,
            "std": Agg("std", nw.col("_value")),
        }
        agg.add(_condition(definition.value.where, "_value is not null"), statistics)
    elif kind == "count":
        assert numerator is not None
        agg.measure(numerator, "numerator")
    else:  # rate
        assert numerator is not None
        assert definition.exposure is not None
        exposure = definition.exposure
        agg.measure(numerator, "numerator")
        agg.add(
            _condition(exposure.where),
            {"denominator": Agg("sum", nw.col(exposure.sum).cast(nw.Float64()))},
        )
        if definition.interval_method == "poisson-robust":
            person_time = Measure(sum=exposure.sum, where=exposure.where)
            _ratio_statistics(agg, numerator, person_time)
    cells = agg.result()
    if kind == "rate":
        assert definition.exposure is not None
        per = definition.exposure.per
        cells["denominator"] = cells["denominator"] / per
        if "yy" in cells:  # the person-level sums in the same unit as the denominator
            cells["yy"] = cells["yy"] / per**2
            cells["xy"] = cells["xy"] / per
    if "cell_count" not in cells:
        cells["cell_count"] = cells["denominator"] if kind == "mean" else cells["numerator"]
    if "population" in cells:
        cells["excluded"] = cells.pop("population") - cells["denominator"]
    if "denominator" not in cells:
        cells["denominator"] = float("nan")
    return CellAggregates(cells, tuple(by))


def _reference_counts(
    agg: _Aggregator, numerator: Measure, denominator: Measure, reference: str
) -> None:
    """The reference group's numerator and denominator (over the whole table) on every cell."""
    for prefix, measure, extra in (
        ("reference_denominator", denominator, None),
        ("reference_numerator", numerator, denominator.where),
    ):
        aggregations, not_null = _measure_aggregate(measure, prefix)
        part = _run(
            agg.frame, _condition(reference, extra, measure.where, not_null), [], aggregations
        )
        agg.constant(prefix, float(part[prefix].iloc[0]) if len(part) else 0.0)


def _value_expr(definition: MetricDefinition) -> nw.Expr:
    """The averaged value as a float expression (days for ``days_between``)."""
    assert definition.value is not None
    between = definition.value.days_between
    if between is None:
        assert definition.value.column is not None
        return nw.col(definition.value.column).cast(nw.Float64())
    return _day_number(between.end) - _day_number(between.start)


def _day_number(column: str) -> nw.Expr:
    """Days since 0001-01-01 (proleptic Gregorian) of a date column, as a float.

    Built from ``year`` and ``ordinal_day`` because narwhals offers no duration-to-days
    operation on every backend (DuckDB lacks ``timestamp``, PySpark ``total_minutes``)."""
    stamp = nw.col(column).cast(nw.Datetime("us"))
    years = stamp.dt.year().cast(nw.Float64()) - 1
    leap_days = years // 4 - years // 100 + years // 400
    return years * 365 + leap_days + stamp.dt.ordinal_day().cast(nw.Float64())


def _ratio_statistics(agg: _Aggregator, numerator: Measure, denominator: Measure) -> None:
    """Sums of x², y², xy per cell for the linearisation interval (row-level x, y)."""
    if "count_distinct" in (numerator.aggregate, denominator.aggregate):
        return
    columns: dict[str, nw.Expr] = {}
    for name, measure in (("_x", numerator), ("_y", denominator)):
        value = nw.lit(1.0) if measure.column is None else nw.col(measure.column)
        value = value.cast(nw.Float64()).fill_null(0.0)
        keep = _condition(measure.where)
        columns[name] = value if keep is None else nw.when(keep).then(value).otherwise(0.0)
    rows_keep = (
        _condition(f"({numerator.where}) or ({denominator.where})")
        if numerator.where is not None and denominator.where is not None
        else None
    )
    x, y = columns["_x"], columns["_y"]
    agg.add(
        rows_keep,
        {
            "xx": Agg("sum", x * x),
            "yy": Agg("sum", y * y),
            "xy": Agg("sum", x * y),
            "rows": LEN,
        },
    )
