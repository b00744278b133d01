"""What one metric needs from the aggregation, and its cells from the aggregated sums.

A metric's statistics (numerator, denominator, the sums behind its interval...) are
*sources*: an aggregation (``sum``, ``std`` or ``n_unique``) of a masked expression,
``when(condition).then(x)`` with ``otherwise(0)`` for sums. A row whose condition is null
counts as filtered out, as in ``filter``. :mod:`rpeval.metrics._onepass` computes the
sources of every metric of a table in one group-by; :func:`finish_cells` turns one
metric's aggregated columns into its :class:`CellAggregates`. The cells are every
combination of ``by`` values present in the table, so a group with a zero denominator is
reported (without a value) rather than lost.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache, partial
from typing import Final

import narwhals as nw
import numpy as np
import pandas as pd

from rpeval.metrics._eager import (
    EagerFrame,
    EagerValue,
    column_value,
    days_value,
    filled_value,
    float_value,
)
from rpeval.metrics.filters import parse_filter, to_narwhals
from rpeval.metrics.schema import Measure, MetricDefinition, Window

__all__ = [
    "ROWS",
    "CellAggregates",
    "MetricNeeds",
    "Source",
    "condition",
    "count",
    "finish_cells",
    "floats",
    "frame_sources",
    "metric_needs",
    "value_expr",
]


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


@dataclass(frozen=True)
class Source:
    """One aggregated column: ``op`` (``sum``, ``std``, ``n_unique``) of ``value`` (None:
    a row count) on the rows where ``keep`` holds (None: every row).

    ``keep_key`` and ``value_key`` say what the condition and the value are, so metrics
    that need the same condition, value or column share them. For the eager pandas path
    (:mod:`rpeval.metrics._eager`): ``guard``, the value (key, expression) whose null rows
    ``keep`` drops, and ``eager_value``, the value for a value expression holding filters."""

    op: str
    keep_key: tuple[object, ...] | None
    keep: nw.Expr | None = field(compare=False)
    value_key: str | None
    value: nw.Expr | None = field(compare=False)
    guard: tuple[str, nw.Expr] | None = field(default=None, compare=False)
    eager_value: EagerValue | None = field(default=None, compare=False)

    @property
    def key(self) -> tuple[object, ...]:
        return (self.op, self.keep_key, self.value_key)


ROWS: Final = Source("sum", None, None, None, None)


@dataclass
class MetricNeeds:
    """The sources of one metric: per cell (``columns``), summed over every cell
    (``totals``: the reference group's counts) and distinct counts to correct."""

    definition: MetricDefinition
    columns: dict[str, Source] = field(default_factory=dict)
    totals: dict[str, Source] = field(default_factory=dict)
    distinct: dict[str, str] = field(default_factory=dict)


def _quote(column: str) -> str:
    return "`" + column.replace("`", "``") + "`"


@lru_cache(maxsize=512)
def _compiled(text: str) -> nw.Expr:
    return to_narwhals(parse_filter(text))


def _texts(*texts: str | None) -> tuple[str, ...]:
    return tuple(text for text in texts if text is not None)


def condition(*texts: str | None) -> nw.Expr | None:
    """The conjunction of filter texts as a never-null boolean (None: no condition)."""
    parts = _texts(*texts)
    if not parts:
        return None
    return _compiled(" and ".join(f"({text})" for text in parts))


def _window_texts(window: Window) -> tuple[str, str]:
    """Filter texts for "full follow-up" and "event within the window"."""
    start, event, end = (_quote(c) for c in (window.start, window.event, window.followup_end))
    shift = f"{window.unit}({window.amount})"
    full = f"{end} >= {start} + {shift}"
    within = f"{event} > {start} and {event} <= {start} + {shift}"
    return full, within


def _source(
    op: str,
    texts: tuple[str, ...],
    value: nw.Expr | None,
    value_key: str | None,
    guard: tuple[str, nw.Expr] | None = None,
    eager_value: EagerValue | None = None,
) -> Source:
    """``op`` of ``value`` (None: a row count) on the rows where every text holds (and
    where the optional ``guard`` value, given by its key and expression, is not null)."""
    keep = condition(*texts)
    if guard is not None:
        known = ~guard[1].is_null()
        keep = known if keep is None else keep & known
    keep_key = (texts, f"not-null:{guard[0]}" if guard else None) if keep is not None else None
    key = value_key if value is not None else None
    return Source(op, keep_key, keep, key, value, guard, eager_value)


def count(*texts: str | None) -> Source:
    """The number of rows where every filter text holds."""
    return _source("sum", _texts(*texts), None, None)


class _Builder:
    def __init__(self, definition: MetricDefinition) -> None:
        self.needs = MetricNeeds(definition)

    def add(self, name: str, source: Source) -> None:
        self.needs.columns[name] = source

    def measure(self, measure: Measure, name: str, *extra: str | None, total: bool = False) -> None:
        """A numerator or denominator: a row count, a sum or a distinct count."""
        target = self.needs.totals if total else self.needs.columns
        column = measure.column
        texts = _texts(*extra, measure.where)
        if measure.aggregate == "sum":
            assert column is not None
            value, key = nw.col(column).cast(nw.Float64()), f"col:{column}"
            eager = float_value(column, key, value)
            target[name] = _source("sum", texts, value, key, None, eager)
        elif measure.aggregate == "count_distinct":
            assert column is not None
            texts = (*texts, f"{_quote(column)} is not null")
            eager = column_value(column)
            target[name] = _source("n_unique", texts, nw.col(column), f"col:{column}", None, eager)
            target[f"{name}__kept"] = count(*texts)
            if not total:  # whole-table distinct counts are corrected by the aggregation
                self.needs.distinct[name] = f"{name}__kept"
        else:
            target[name] = count(*texts)


def metric_needs(definition: MetricDefinition, *, durations: bool = False) -> MetricNeeds:
    """The sources of a (non-survey) metric's statistics (``durations``: see
    :func:`value_expr`)."""
    build = _Builder(definition)
    kind = definition.kind
    numerator, denominator = definition.numerator, definition.denominator
    if kind in ("proportion", "relative_rate"):
        assert numerator is not None
        assert denominator is not None
        build.measure(denominator, "denominator")
        build.measure(numerator, "numerator", denominator.where)
        if kind == "relative_rate":
            reference = definition.reference
            build.measure(denominator, "reference_denominator", reference, total=True)
            build.measure(
                numerator, "reference_numerator", reference, denominator.where, total=True
            )
    elif kind == "window_proportion":
        assert definition.window is not None
        full, within = _window_texts(definition.window)
        base = denominator.where if denominator is not None else None
        extra = numerator.where if numerator is not None else None
        build.add("population", count(base))
        build.add("denominator", count(base, full))
        build.add("numerator", count(base, full, within, extra))
    elif kind == "ratio":
        assert numerator is not None
        assert denominator is not None
        build.measure(numerator, "numerator")
        build.measure(denominator, "denominator")
        build.add("cell_count", count(denominator.where))
        if definition.interval_method == "delta":
            _ratio_statistics(build, numerator, denominator)
    elif kind == "mean":
        _mean(build, definition, durations)
    elif kind == "count":
        assert numerator is not None
        build.measure(numerator, "numerator")
    else:  # rate
        assert numerator is not None
        assert definition.exposure is not None
        exposure = definition.exposure
        build.measure(numerator, "numerator")
        build.measure(Measure(sum=exposure.sum, where=exposure.where), "denominator")
        if definition.interval_method == "poisson-robust":
            person_time = Measure(sum=exposure.sum, where=exposure.where)
            _ratio_statistics(build, numerator, person_time)
    build.add("_rows", ROWS)
    return build.needs


def _mean(build: _Builder, definition: MetricDefinition, durations: bool) -> None:
    assert definition.value is not None
    value = value_expr(definition, durations=durations)
    value_key = f"value:{definition.value!r}"
    guard = (value_key, value)
    texts = _texts(definition.value.where)
    between, column = definition.value.days_between, definition.value.column
    eager: EagerValue | None = None
    if between is not None and durations:
        eager = days_value(between.end, between.start, value_key, value)
    elif column is not None:
        eager = float_value(column, value_key, value)
    build.add("numerator", _source("sum", texts, value, value_key, guard, eager))
    build.add("denominator", _source("sum", texts, None, None, guard))
    build.add("std", _source("std", texts, value, value_key, guard, eager))


def value_expr(definition: MetricDefinition, *, durations: bool = False) -> nw.Expr:
    """The averaged value as a float expression (days for ``days_between``).

    ``durations``: count the days as a difference of dates (cheap in SQL; PySpark lacks
    it), else from each date's day number (works everywhere). Both give the same whole
    numbers of calendar days."""
    assert definition.value is not None
    between = definition.value.days_between
    if between is None:
        assert definition.value.column is not None
        return nw.col(definition.value.column).cast(nw.Float64())
    if durations:
        end, start = (_day(column) for column in (between.end, between.start))
        return (end - start).dt.total_seconds().cast(nw.Float64()) / 86400.0
    return _day_number(between.end) - _day_number(between.start)


def _day(column: str) -> nw.Expr:
    return nw.col(column).cast(nw.Datetime("us")).dt.truncate("1d")


def _day_number(column: str) -> nw.Expr:
    """Days since 0001-01-01 (proleptic Gregorian) of a date column, as a float.

    Built from ``year`` and ``ordinal_day`` because narwhals offers no duration-to-days
    operation on every backend (DuckDB lacks ``timestamp``, PySpark ``total_minutes``)."""
    stamp = nw.col(column).cast(nw.Datetime("us"))
    years = stamp.dt.year().cast(nw.Float64()) - 1
    leap_days = years // 4 - years // 100 + years // 400
    return years * 365 + leap_days + stamp.dt.ordinal_day().cast(nw.Float64())


def _ratio_statistics(build: _Builder, numerator: Measure, denominator: Measure) -> None:
    """Sums of x², y², xy per cell for the linearisation interval (row-level x, y)."""
    if "count_distinct" in (numerator.aggregate, denominator.aggregate):
        return
    columns: dict[str, nw.Expr] = {}
    for name, measure in (("x", numerator), ("y", denominator)):
        value = nw.lit(1.0) if measure.column is None else nw.col(measure.column)
        value = value.cast(nw.Float64()).fill_null(0.0)
        keep = condition(measure.where)
        columns[name] = value if keep is None else nw.when(keep).then(value).otherwise(0.0)
    wheres = (numerator.where, denominator.where)
    if None in wheres:
        rows_keep: tuple[str, ...] = ()
    elif wheres[0] == wheres[1]:  # "a or a" is "a", a condition other statistics share
        rows_keep = _texts(wheres[0])
    else:
        rows_keep = _texts(f"({wheres[0]}) or ({wheres[1]})")
    x, y = columns["x"], columns["y"]
    pair = f"{numerator!r}/{denominator!r}"
    eager_x, eager_y = _eager_factor(numerator), _eager_factor(denominator)
    for name, value, first, second in (
        ("xx", x * x, eager_x, eager_x),
        ("yy", y * y, eager_y, eager_y),
        ("xy", x * y, eager_x, eager_y),
    ):
        eager = EagerValue((), partial(_eager_product, first, second))
        build.add(name, _source("sum", rows_keep, value, f"{name}:{pair}", None, eager))
    build.add("rows", count(*rows_keep))


def _eager_factor(measure: Measure) -> Callable[[EagerFrame], pd.Series]:
    """x or y of :func:`_ratio_statistics` on the eager pandas path (same operations)."""

    column = measure.column
    filled = None
    if column is not None:
        filled = filled_value(column, nw.col(column).cast(nw.Float64()).fill_null(0.0))

    def factor(frame: EagerFrame) -> pd.Series:
        key = f"factor:{measure!r}"
        if key not in frame.evaluated:
            if filled is None:
                value = pd.Series(np.ones(frame.rows), index=frame.native.index)
            else:
                value = filled.compute(frame)
            if measure.where is not None:
                value = value.where(frame.mask((measure.where,)), 0.0)
            frame.evaluated[key] = value
        return frame.evaluated[key]

    return factor


def _eager_product(
    first: Callable[[EagerFrame], pd.Series],
    second: Callable[[EagerFrame], pd.Series],
    frame: EagerFrame,
) -> pd.Series:
    return first(frame) * second(frame)


def finish_cells(
    needs: MetricNeeds, keys: pd.DataFrame, stats: dict[str, np.ndarray], by: Sequence[str]
) -> CellAggregates:
    """One metric's cells: the ``by`` columns of `keys` and its aggregated statistics
    (float arrays named by statistic, NaN where a backend gave null)."""
    definition = needs.definition
    stats = dict(stats)
    for name, kept in needs.distinct.items():  # n_unique counted the masked-out null once
        dropped = (np.nan_to_num(stats["_rows"]) - stats[kept]) > 0
        stats[name] = stats[name] - dropped
    stats = {k: v for k, v in stats.items() if not k.endswith("__kept")}
    stats["rows_in_cell"] = stats.pop("_rows")
    stats = {k: v if k == "std" else np.where(np.isnan(v), 0.0, v) for k, v in stats.items()}
    kind = definition.kind
    if kind == "rate":
        assert definition.exposure is not None
        per = definition.exposure.per
        stats["denominator"] = stats["denominator"] / per
        if "yy" in stats:  # the person-level sums in the same unit as the denominator
            stats["yy"] = stats["yy"] / per**2
            stats["xy"] = stats["xy"] / per
    if "cell_count" not in stats:
        stats["cell_count"] = stats["denominator"] if kind == "mean" else stats["numerator"]
    if "population" in stats:
        stats["excluded"] = stats.pop("population") - stats["denominator"]
    if "denominator" not in stats:
        stats["denominator"] = np.full(len(keys), np.nan)
    cells = pd.concat([keys, pd.DataFrame(stats, index=keys.index)], axis=1) if by else None
    return CellAggregates(pd.DataFrame(stats) if cells is None else cells, tuple(by))


def floats(column: pd.Series) -> np.ndarray:
    """A column of sums as float64 (NaN where null; nullable dtypes too)."""
    if column.dtype == np.float64:
        return column.to_numpy()
    return pd.to_numeric(column).astype("Float64").to_numpy("float64", na_value=np.nan)


def frame_sources(needs: Sequence[MetricNeeds]) -> dict[tuple[object, ...], Source]:
    """Every distinct source of `needs`, in first-use order."""
    unique: dict[tuple[object, ...], Source] = {}
    for need in needs:
        for source in (*need.columns.values(), *need.totals.values()):
            unique.setdefault(source.key, source)
    return unique
