"""Compute many metrics at once: one aggregation per table, then publish each metric.

The metrics of one ``compute`` call are batched by the frame they read (their table) and,
with ``period=``, by the date column that puts their rows in periods. Each batch is one
pass over its frame (:func:`rpeval.metrics._onepass.aggregate_table`); survey metrics,
which need every row of their design, are aggregated on their own. The cells are then
completed with empty periods, published (values, intervals, suppression) and labelled one
metric at a time, as before: the same tables as a metric computed alone.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

import narwhals as nw
import pandas as pd

from rpeval.errors import DataError, RpevalError
from rpeval.metrics._cells import publish_cells
from rpeval.metrics._compute import CellAggregates, metric_needs
from rpeval.metrics._onepass import aggregate_table
from rpeval.metrics._periods import PERIOD_KEY, PeriodPlan, complete_periods, finish_periods
from rpeval.metrics.schema import MetricDefinition

__all__ = ["Job", "compute_published"]

_T = TypeVar("_T")


@dataclass(frozen=True)
class Job:
    """One metric to compute: its definition, the key of its frame and its threshold."""

    definition: MetricDefinition
    frame_key: str | None
    suppress_below: int


def _guarded(names: Sequence[str], work: Callable[[], _T]) -> _T:
    """`work()`, with a backend's type errors raised as a DataError naming the metric."""
    try:
        return work()
    except (TypeError, ValueError, NotImplementedError) as error:
        if isinstance(error, RpevalError):
            raise
        which = ", ".join(map(repr, names))
        raise DataError(
            f"metric {which} could not be computed on this data: {error}",
            hint="check the column types: dates must be date or datetime columns, "
            "flags booleans, measures numbers (CSV text needs parsing first)",
        ) from error


def _aggregate(
    definitions: Sequence[MetricDefinition], frame: nw.LazyFrame[Any], by: list[str]
) -> dict[str, CellAggregates]:
    """The cells of every metric of a batch: one pass for all but the survey metrics."""
    from rpeval.metrics._survey_kinds import survey_cells

    cells: dict[str, CellAggregates] = {}
    for definition in definitions:
        if definition.design is not None:
            cells[definition.name] = _guarded(
                [definition.name], partial(survey_cells, definition, frame, by)
            )
    plain = [d for d in definitions if d.design is None]
    if not plain:
        return cells

    def one_pass(chosen: Sequence[MetricDefinition]) -> list[CellAggregates]:
        durations = not frame.implementation.is_spark_like()
        needs = [metric_needs(d, durations=durations) for d in chosen]
        return aggregate_table(needs, frame, by)

    try:
        computed = _guarded([d.name for d in plain], lambda: one_pass(plain))
    except DataError:
        if len(plain) == 1:
            raise
        for definition in plain:  # find the metric the backend could not compute
            _guarded([definition.name], partial(one_pass, [definition]))
        raise
    cells.update(zip((d.name for d in plain), computed, strict=True))
    return cells


def compute_published(
    jobs: Sequence[Job],
    frames: Mapping[str | None, nw.LazyFrame[Any]],
    group: list[str],
    plan: PeriodPlan | None,
    conf_level: float,
) -> dict[str, pd.DataFrame]:
    """The published rows of each job's metric (by columns and results; the caller adds
    the metric's name and version), by metric name."""
    batches: dict[tuple[str | None, str | None], list[Job]] = {}
    for job in jobs:
        column = None if plan is None else plan.column_for(job.definition)
        batches.setdefault((job.frame_key, column), []).append(job)
    published: dict[str, pd.DataFrame] = {}
    for (frame_key, _), batch in batches.items():
        frame = frames[frame_key]
        if plan is not None:
            frame = plan.add_key(frame, batch[0].definition)
        keyed = group if plan is None else [*group, PERIOD_KEY]
        cells = _aggregate([job.definition for job in batch], frame, keyed)
        for job in batch:
            definition = job.definition
            metric_cells = cells[definition.name]
            if plan is not None:
                metric_cells = _guarded([definition.name], partial(complete_periods, metric_cells))
            rows = publish_cells(
                definition, metric_cells, conf_level=conf_level, suppress_below=job.suppress_below
            )
            if plan is not None:
                rows = finish_periods(plan, definition, frame, metric_cells, rows)
            published[definition.name] = rows
    return published
