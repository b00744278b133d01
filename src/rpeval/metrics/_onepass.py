"""Aggregate the statistics of many metrics of one table in a single group-by.

Every metric's sources (:mod:`rpeval.metrics._compute`: counts and sums under a
condition, standard deviations, distinct counts) become masked columns of **one**
``select``, aggregated by **one** ``group_by(by).agg(...)`` (a plain aggregating ``select``
without ``by``) on the frame's own backend, built from narwhals expressions only, so the
same query runs on pandas, polars, pyarrow, DuckDB and PySpark. A source that several
metrics share (the same count under the same filter) is computed once. The reference
group's counts of a relative rate are sums over every cell of the same pass; only a
distinct count over the whole table (a relative rate whose measure counts distinct
values) needs a second, one-row query.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import narwhals as nw
import numpy as np
import pandas as pd

from rpeval.metrics._compute import CellAggregates, MetricNeeds, Source, finish_cells, floats
from rpeval.metrics._compute import frame_sources as _frame_sources
from rpeval.metrics._eager import eager_columns
from rpeval.metrics.filters._numpy import EagerUnsupportedError

__all__ = ["aggregate_table"]

_PREFIX = "__rpeval_s"


class _Columns:
    """Names of the first stage's columns: each distinct condition and value once."""

    def __init__(self, sources: dict[tuple[object, ...], Source]) -> None:
        self.keeps: dict[tuple[object, ...], tuple[str, nw.Expr]] = {}
        self.values: dict[str, tuple[str, nw.Expr]] = {}
        for source in sources.values():
            if source.keep_key is not None and source.keep_key not in self.keeps:
                assert source.keep is not None
                self.keeps[source.keep_key] = (f"{_PREFIX}k{len(self.keeps)}", source.keep)
            if source.value_key is not None and source.value_key not in self.values:
                assert source.value is not None
                self.values[source.value_key] = (f"{_PREFIX}v{len(self.values)}", source.value)

    def first_stage(self) -> list[nw.Expr]:
        return [expr.alias(name) for name, expr in (*self.keeps.values(), *self.values.values())]

    def masked(self, source: Source) -> nw.Expr | None:
        """The second stage's column of `source` (None: the group's row count)."""
        keep = None if source.keep_key is None else nw.col(self.keeps[source.keep_key][0])
        value = None if source.value_key is None else nw.col(self.values[source.value_key][0])
        if source.op != "sum":
            assert value is not None
            return value if keep is None else nw.when(keep).then(value)
        if value is None:
            return None if keep is None else keep.cast(nw.Float64())
        return value if keep is None else nw.when(keep).then(value).otherwise(0.0)


def _eager_stage(
    frame: nw.LazyFrame[Any],
    keys: list[str],
    sources: dict[tuple[object, ...], Source],
    names: dict[tuple[object, ...], str],
) -> dict[str, Any] | None:
    """The by columns and the masked columns of a pandas frame computed with numpy filters
    (the columns of the two ``select`` of the narwhals path); None on other backends, or
    where a column type is one the numpy filters leave to narwhals."""
    if not frame.implementation.is_pandas():
        return None
    native = frame.to_native()
    if not isinstance(native, pd.DataFrame):
        return None
    try:
        masked = eager_columns(native, sources)
    except (EagerUnsupportedError, TypeError, ValueError, OverflowError):
        return None
    data = {column: native[column] for column in keys}
    data.update({names[key]: column for key, column in masked.items() if column is not None})
    return data


def _eager_totals(
    data: dict[str, Any], rows: int, aggregated: dict[str, Source | None]
) -> dict[str, np.ndarray]:
    """The one-row aggregation without ``by`` from the eager columns: the pandas calls
    narwhals makes for ``len``, ``sum``, ``std(ddof=1)`` and ``n_unique`` (a count of
    kept rows, an array of 0/1, summed by numpy: whole numbers, exact in any order), each
    as a float array of one cell (NaN for a missing standard deviation)."""
    row: dict[str, Any] = {}
    for name, source in aggregated.items():
        if source is None:
            row[name] = rows
        elif isinstance(data[name], np.ndarray):
            row[name] = float(data[name].sum())
        elif source.op == "std":
            row[name] = data[name].std(ddof=1)
        elif source.op == "n_unique":
            row[name] = data[name].nunique(dropna=False)
        else:
            row[name] = data[name].sum()
    return {name: np.array([np.nan if pd.isna(v) else float(v)]) for name, v in row.items()}


def _aggregation(source: Source, name: str) -> nw.Expr:
    column = nw.col(name)
    if source.op == "std":
        return column.std(ddof=1).alias(name)
    if source.op == "n_unique":
        return column.n_unique().alias(name)
    return column.sum().alias(name)


def _collect(query: nw.LazyFrame[Any]) -> pd.DataFrame:
    native = query.collect(backend="pandas").to_native()
    assert isinstance(native, pd.DataFrame)
    return native


def _distinct_totals(
    query: nw.LazyFrame[Any], needs: Sequence[MetricNeeds], names: dict[tuple[object, ...], str]
) -> dict[tuple[object, ...], float]:
    """Whole-table distinct counts (a null left by the mask is not a value)."""
    wanted = [
        (source, need.totals[f"{stat}__kept"])
        for need in needs
        for stat, source in need.totals.items()
        if source.op == "n_unique"
    ]
    if not wanted:
        return {}
    exprs: list[nw.Expr] = [nw.len().alias("_n")]
    for index, (source, kept) in enumerate(wanted):
        exprs.append(nw.col(names[source.key]).n_unique().alias(f"_u{index}"))
        exprs.append(nw.col(names[kept.key]).sum().alias(f"_k{index}"))
    row = _collect(query.select(*exprs)).iloc[0]
    rows = float(row["_n"])
    return {
        source.key: float(row[f"_u{i}"]) - float(rows - float(row[f"_k{i}"]) > 0)
        for i, (source, _) in enumerate(wanted)
    }


def _narwhals_stage(
    frame: nw.LazyFrame[Any],
    keys: list[str],
    sources: dict[tuple[object, ...], Source],
    names: dict[tuple[object, ...], str],
) -> nw.LazyFrame[Any]:
    """The by columns and the masked columns, as narwhals expressions on any backend."""
    columns = _Columns(sources)
    first = [*(nw.col(c) for c in keys), *columns.first_stage()]
    second = [nw.col(c) for c in keys]
    for key, source in sources.items():
        masked = columns.masked(source)
        if masked is not None:
            second.append(masked.alias(names[key]))
    if second:
        return frame.select(*first).select(*second)
    # only row counts: keep a column (a literal alone would be one row)
    return frame.select(nw.col(frame.collect_schema().names()[0]))


def _row_count(source: Source) -> bool:
    """Whether `source` is the row count of a cell (no condition, no value)."""
    return source.op == "sum" and source.keep_key is None and source.value_key is None


def aggregate_table(
    needs: Sequence[MetricNeeds], frame: nw.LazyFrame[Any], by: Sequence[str]
) -> list[CellAggregates]:
    """The cells of each metric of `needs` (same order), from one pass over `frame`."""
    keys = list(by)
    sources = _frame_sources(needs)
    names = {key: f"{_PREFIX}{index}" for index, key in enumerate(sources)}
    in_cells = {source.key for need in needs for source in need.columns.values()}
    aggregated = {
        names[key]: None if _row_count(source) else source
        for key, source in sources.items()
        if source.op != "n_unique" or key in in_cells
    }
    masked_any = not all(_row_count(source) for source in sources.values())
    eager = _eager_stage(frame, keys, sources, names) if masked_any else None
    if eager is not None and not keys:
        found = _eager_totals(eager, len(frame.to_native()), aggregated)
        native = pd.DataFrame(index=range(1))
    else:
        query = _query(eager, frame, keys, sources, names)
        aggregations = [
            nw.len().alias(name) if source is None else _aggregation(source, name)
            for name, source in aggregated.items()
        ]
        grouped = query.group_by(*keys).agg(*aggregations) if keys else query.select(*aggregations)
        native = _collect(grouped)
        found = {name: floats(native[name]) for name in aggregated if name in native}
    arrays = {key: found[names[key]] for key in sources if names[key] in found}
    totals = {
        key: float(np.nansum(arrays[key])) for key, source in sources.items() if source.op == "sum"
    }
    if any(source.op == "n_unique" for need in needs for source in need.totals.values()):
        totals.update(_distinct_totals(_query(eager, frame, keys, sources, names), needs, names))
    cell_keys = native[keys].reset_index(drop=True)
    result = []
    for need in needs:
        stats = {stat: arrays[source.key] for stat, source in need.columns.items()}
        for stat, source in need.totals.items():
            stats[stat] = np.full(len(native), totals[source.key])
        result.append(finish_cells(need, cell_keys, stats, keys))
    return result


def _query(
    eager: dict[str, Any] | None,
    frame: nw.LazyFrame[Any],
    keys: list[str],
    sources: dict[tuple[object, ...], Source],
    names: dict[tuple[object, ...], str],
) -> nw.LazyFrame[Any]:
    """The frame of by columns and masked columns: from the eager columns, else narwhals."""
    if eager is not None:
        columns = {
            name: pd.Series(column) if isinstance(column, np.ndarray) else column.array
            for name, column in eager.items()
        }
        return nw.from_native(pd.DataFrame(columns, copy=False)).lazy()
    return _narwhals_stage(frame, keys, sources, names)
