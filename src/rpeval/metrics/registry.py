"""`Registry`: the metric definitions in force, and computing them on any dataframe.

Examples
--------
>>> import pandas as pd
>>> registry = Registry.builtin()
>>> "agreement_rate" in registry
True
>>> cases = pd.DataFrame({
...     "conference_held": [True] * 50 + [False] * 5,
...     "agreement_reached": [True] * 45 + [False] * 5 + [None] * 5,
... })
>>> table = registry.compute("agreement_rate", cases, suppress_below=1)
>>> row = table.to_pandas().iloc[0]
>>> print(row["numerator"], row["denominator"], row["value"])
45.0 50.0 0.9
>>> print(round(row["ci_lower"], 4), round(row["ci_upper"], 4))
0.7864 0.9565

By default counts of 1 to 9 are suppressed, and so is their complement (here the 5
conferences without an agreement):

>>> hidden = registry.compute("agreement_rate", cases).to_pandas().iloc[0]
>>> print(hidden["value"], bool(hidden["suppressed"]))
<NA> True
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, cast

import narwhals as nw
import numpy as np
import pandas as pd

from rpeval.errors import DataError, MetricDefinitionError, SpecificationError
from rpeval.metrics._batch import Job, compute_published
from rpeval.metrics._column_types import check_column_types
from rpeval.metrics._loading import (
    LoadedDefinition,
    builtin_definitions,
    definition_files,
    load_definitions,
)
from rpeval.metrics._periods import PERIOD_COLUMN, period_plan
from rpeval.metrics.filters import parse_filter
from rpeval.metrics.schema import MetricDefinition
from rpeval.metrics.table import RESULT_COLUMNS, MetricTable

__all__ = ["DEFAULT_SUPPRESS_BELOW", "Registry", "referenced_columns"]

DEFAULT_SUPPRESS_BELOW = 10


def referenced_columns(definition: MetricDefinition) -> set[str]:
    """Every column a definition reads (measures, filters, value, exposure, window)."""
    names: set[str] = set()
    for measure in (definition.numerator, definition.denominator):
        if measure is not None:
            names.update(c for c in (measure.column,) if c is not None)
            if measure.where is not None:
                names.update(parse_filter(measure.where).columns())
    if definition.value is not None:
        names.update(definition.value.columns)
        if definition.value.where is not None:
            names.update(parse_filter(definition.value.where).columns())
    if definition.exposure is not None:
        names.add(definition.exposure.sum)
        if definition.exposure.where is not None:
            names.update(parse_filter(definition.exposure.where).columns())
    if definition.reference is not None:
        names.update(parse_filter(definition.reference).columns())
    if definition.window is not None:
        window = definition.window
        names.update((window.start, window.event, window.followup_end))
    if definition.design is not None:
        names.update(definition.design.columns)
    return names


class Registry:
    """An immutable set of metric definitions, looked up by name."""

    def __init__(self, definitions: Iterable[LoadedDefinition]) -> None:
        entries: dict[str, LoadedDefinition] = {}
        for loaded in definitions:
            name = loaded.definition.name
            if name in entries:
                raise MetricDefinitionError(
                    f"metric {name!r} is defined twice: {entries[name].where} and {loaded.where}",
                    hint="names are unique; rename one, or load without the built-in "
                    "catalog (include_builtin=False) to replace a built-in metric",
                )
            entries[name] = loaded
        self._entries = entries

    @classmethod
    def builtin(cls) -> Registry:
        """The built-in catalog of restorative-practice metrics."""
        return cls(builtin_definitions())

    @classmethod
    def from_paths(cls, *paths: str | Path, include_builtin: bool = True) -> Registry:
        """Definitions from YAML files or directories (plus the built-in catalog)."""
        files = definition_files(paths)
        loaded = builtin_definitions() if include_builtin else ()
        return cls([*loaded, *load_definitions(files)])

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def __iter__(self) -> Iterator[MetricDefinition]:
        return (entry.definition for entry in self._entries.values())

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return f"Registry({len(self)} metrics)"

    def names(self) -> list[str]:
        """The metric names, sorted."""
        return sorted(self._entries)

    def source(self, name: str) -> str:
        """``file:line`` of a definition."""
        return self._entry(name).where

    def __getitem__(self, name: str) -> MetricDefinition:
        return self._entry(name).definition

    def _entry(self, name: str) -> LoadedDefinition:
        if not isinstance(name, str) or name not in self._entries:
            close = difflib.get_close_matches(str(name), list(self._entries), n=1)
            tip = f" Did you mean {close[0]!r}?" if close else ""
            raise SpecificationError(
                f"no metric named {name!r} in the registry.{tip}",
                hint="`rpeval metrics list` shows the names",
            )
        return self._entries[name]

    def listing(self) -> pd.DataFrame:
        """One row per metric: name, version, kind, status, table and title."""
        rows = [
            {
                "name": d.name,
                "version": d.version,
                "kind": d.kind,
                "status": d.status,
                "table": d.table,
                "title": d.title,
            }
            for d in sorted(self, key=lambda d: d.name)
        ]
        return pd.DataFrame(rows, columns=["name", "version", "kind", "status", "table", "title"])

    def compute(
        self,
        names: str | Sequence[str],
        data: object,
        *,
        by: str | Sequence[str] | None = None,
        conf_level: float = 0.95,
        suppress_below: int | None = None,
        columns: Mapping[str, str] | None = None,
        period: str | None = None,
        period_of: str | Mapping[str, str] | None = None,
        fiscal_year_start: int = 1,
    ) -> MetricTable:
        """Compute metrics on a dataframe (or a mapping of table name to dataframe).

        Parameters
        ----------
        names
            A metric name or a list of them.
        data
            A pandas, polars or pyarrow frame, a DuckDB relation, a PySpark DataFrame —
            anything narwhals accepts — or a mapping ``{table: frame}``; each metric reads
            the table named by its ``table:`` field.
        by
            Columns to disaggregate by (e.g. ``"race"``): one row per combination present.
        conf_level
            Coverage of the intervals.
        suppress_below
            Hide numerator, value and CI of cells whose count is in ``1..k−1``, with
            complementary suppression. ``None``: the metric's own ``suppress_below``, else
            10. ``1`` turns suppression off.
        columns
            Map canonical column names to yours, e.g. ``{"conference_held": "conf_yn"}``.
        period, period_of, fiscal_year_start
            ``"month"``, ``"quarter"`` or ``"year"``: one row per period (column ``period``,
            labels ``2024-03``, ``2024Q1``, ``FY2025Q1``) and cell, empty periods included;
            ``period_of`` names the date column (or ``{metric or table: column}``); window
            metrics use their window start. See :mod:`rpeval.metrics._periods`.

        Returns
        -------
        MetricTable
        """
        chosen = [names] if isinstance(names, str) else list(names)
        if not chosen:
            raise SpecificationError("compute(): `names` is empty", hint="name a metric")
        group = [by] if isinstance(by, str) else list(by or [])
        if suppress_below is not None and (
            isinstance(suppress_below, bool)
            or not isinstance(suppress_below, int)
            or suppress_below < 1
        ):
            raise SpecificationError(
                f"compute(): suppress_below must be a positive integer, got {suppress_below!r}",
                hint="1 turns suppression off",
            )
        plan = period_plan(period, period_of, fiscal_year_start)
        frames: dict[str | None, nw.LazyFrame[Any]] = {}
        schemas: dict[str | None, nw.Schema] = {}
        jobs: list[Job] = []
        for name in dict.fromkeys(chosen):
            definition = self[name]
            key = definition.table if isinstance(data, Mapping) else None
            if key not in frames:
                frames[key] = _frame_for(definition, data, columns)
                schemas[key] = frames[key].collect_schema()
            needed = sorted(referenced_columns(definition) | set(group))
            _require(schemas[key].names(), needed, name)
            check_column_types(definition, frames[key], schemas[key])
            k = suppress_below or definition.suppress_below or DEFAULT_SUPPRESS_BELOW
            jobs.append(Job(definition, key, k))
        published = compute_published(jobs, frames, group, plan, conf_level)
        parts = [(name, self[name].version, published[name]) for name in chosen]
        intervals = {name: self[name].interval_method for name in chosen}
        group = group if plan is None else [*group, PERIOD_COLUMN]
        return MetricTable(_tidy(parts, group), tuple(group), conf_level, suppress_below, intervals)


def _tidy(parts: list[tuple[str, str, pd.DataFrame]], group: list[str]) -> pd.DataFrame:
    """One table from each metric's (name, version, published rows)."""
    ordered = ["metric", "version", *group, *RESULT_COLUMNS]
    # Lists, not pd.concat: concatenating all-NA columns is deprecated in pandas 2.2.
    columns: dict[str, list[object]] = {c: [] for c in ordered}
    for metric, version, part in parts:
        columns["metric"].extend([metric] * len(part))
        columns["version"].extend([version] * len(part))
        for name, values in part.items():
            if name in columns:
                columns[str(name)].extend(values.tolist())
    typed: dict[str, object] = dict(columns)
    for column in ("numerator", "denominator", "value", "ci_lower", "ci_upper"):
        typed[column] = pd.array(cast(Any, columns[column]), dtype="Float64")  # None and NaN: <NA>
    typed["suppressed"] = np.asarray(columns["suppressed"], dtype=bool)
    typed["note"] = pd.array(cast(Any, columns["note"]), dtype="string")
    return pd.DataFrame(typed, columns=ordered)


def _frame_for(
    definition: MetricDefinition, data: object, columns: Mapping[str, str] | None
) -> nw.LazyFrame[Any]:
    native = data
    if isinstance(data, Mapping):
        table = definition.table
        if table is None or table not in data:
            available = ", ".join(map(repr, data)) or "none"
            raise DataError(
                f"metric {definition.name!r} reads table {table!r}, which is not in `data` "
                f"(tables given: {available})",
                hint="pass a mapping with that table, or the frame itself",
            )
        native = data[table]
    native = _local_clock(native)
    try:
        frame = nw.from_native(cast(Any, native))
    except TypeError as error:
        raise DataError(
            f"`data` must be a dataframe (pandas, polars, pyarrow, DuckDB, PySpark) or a "
            f"mapping of table names to dataframes, got {type(native).__name__}"
        ) from error
    if not isinstance(frame, nw.DataFrame | nw.LazyFrame):
        raise DataError(f"`data` must be a dataframe, got a {type(native).__name__} series")
    if isinstance(frame, nw.DataFrame) and frame.implementation.is_pyarrow():
        # narwhals' pyarrow backend cannot shift dates by calendar months; an in-memory
        # Arrow table converts to pandas losslessly for the types metrics read.
        frame = nw.from_native(_local_clock(frame.to_pandas()))
    lazy: nw.LazyFrame[Any] = frame.lazy()
    aware = [
        name
        for name, dtype in lazy.collect_schema().items()
        if isinstance(dtype, nw.Datetime) and dtype.time_zone is not None
    ]
    if aware:  # rpeval._dates' rule: an aware time is read as its local clock time
        lazy = lazy.with_columns(nw.col(name).dt.replace_time_zone(None) for name in aware)
    if columns:
        present = set(lazy.collect_schema().names())
        renames = {theirs: ours for ours, theirs in columns.items() if theirs in present}
        lazy = lazy.rename(renames)
    return lazy


def _local_clock(native: object) -> object:
    """A pandas frame's time-zone aware columns as their local clock time (the rule of
    :mod:`rpeval._dates`; narwhals reads pandas' aware columns as an unknown type)."""
    if not isinstance(native, pd.DataFrame):
        return native
    aware = [c for c, dtype in native.dtypes.items() if isinstance(dtype, pd.DatetimeTZDtype)]
    if not aware:
        return native
    local = native.copy(deep=False)
    for column in aware:
        local[column] = native[column].dt.tz_localize(None)
    return local


def _require(available: list[str], needed: list[str], metric: str) -> None:
    absent = [name for name in needed if name not in available]
    if not absent:
        return
    hints = []
    for name in absent:
        close = difflib.get_close_matches(name, available, n=1, cutoff=0.6)
        hints.append(f"{name!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
    raise DataError(
        f"metric {metric!r} needs column(s) {', '.join(hints)}, not in the data. "
        f"Available: {', '.join(map(repr, available[:30]))}",
        hint="map your names to the canonical ones with columns={'canonical': 'yours'}",
    )
