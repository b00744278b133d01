"""The evaluation's program metrics: computed for each group wherever a metric concerns
both, never pooled (see :func:`program_metrics`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from rpeval.report._inputs import MetricInputs
from rpeval.report._metric_rows import stack_rows

__all__ = ["program_metrics"]


def program_metrics(
    chosen: MetricInputs,
    suppress_below: int,
    conf_level: float,
    treatment: str,
    dimensions: Sequence[str] = (),
) -> Any:
    """The metrics by group: participants and comparison side by side for every metric
    that declares the treatment among its dimensions (re-arrest, reoffending rates: a pooled
    number would mix the two groups); the program's own metrics (cases, conferences,
    training) labelled ``program``. ``dimensions`` (e.g. ``["race"]``) split each metric
    further where its definition declares them."""
    from rpeval.metrics import MetricTable, Registry

    if not chosen.names:
        return None
    registry = Registry.builtin()
    tables = dict(chosen.tables)
    batches: dict[tuple[str, ...], list[str]] = {}
    for name in chosen.names:
        definition = registry[name]
        columns = tables.get(definition.table or "", pd.DataFrame()).columns
        declared = set(definition.dimensions or ())
        grouped = bool(declared & {treatment, "participant"}) and treatment in columns
        extra = [d for d in dimensions if d in declared and d in columns and d != treatment]
        batches.setdefault(((treatment,) if grouped else ()) + tuple(extra), []).append(name)
    parts, intervals = [], {}
    labels = {True: "participants", False: "comparison"}
    for by, names in batches.items():
        table = registry.compute(
            names, tables, by=list(by), suppress_below=suppress_below, conf_level=conf_level
        )
        frame = table.to_pandas()
        group = frame.pop(treatment).map(labels) if treatment in by else "program"
        frame.insert(2, "group", group)
        parts.append(frame)
        intervals.update(table.intervals)
    combined = stack_rows(parts)
    extra_columns = tuple(d for d in dimensions if d in combined.columns)
    leading = ["metric", "version", "group", *extra_columns]
    combined = combined[leading + [c for c in combined.columns if c not in leading]]
    return MetricTable(combined, ("group", *extra_columns), conf_level, suppress_below, intervals)
