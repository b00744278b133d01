"""Reading the tables of :func:`~rpeval.report.evaluate` before any computation.

Each column is checked against the argument that named it (so a missing treatment column is
reported as ``treatment``, not as ``people``), and every date the evaluation touches —
entry, end, outcome and competing dates of ``people``, the event dates, the custody spells,
and the date columns of the metric tables — is read by :func:`rpeval._dates.date_series`,
the same path :func:`~rpeval.recidivism.build_followup` uses, with the configured formats.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from rpeval._dates import date_series
from rpeval._frames import as_pandas, require_columns
from rpeval.errors import SpecificationError

__all__ = [
    "MetricInputs",
    "PeopleColumns",
    "competing_names",
    "metric_inputs",
    "read_dates",
    "read_table",
]

CALLER = "evaluate"


@dataclass(frozen=True)
class PeopleColumns:
    """The columns of ``people`` that evaluate reads, each with the argument naming it."""

    id: str
    treatment: str
    entry: str
    end: str
    covariates: tuple[str, ...]
    outcome: str | None
    competing: tuple[str, ...]

    def check(self, people: pd.DataFrame) -> None:
        """Every named column is in ``people``; errors name the argument that gave it."""
        named: list[tuple[str, Sequence[str]]] = [
            ("id", [self.id]),
            ("treatment", [self.treatment]),
            ("entry", [self.entry]),
            ("end", [self.end]),
            ("covariates", list(self.covariates)),
            ("competing", list(self.competing)),
        ]
        if self.outcome is not None:
            named.append(("outcome", [self.outcome]))
        for arg, columns in named:
            for column in columns:
                if not isinstance(column, str):
                    raise SpecificationError(
                        f"{CALLER}(): `{arg}` must name a column of `people`, got {column!r}"
                    )
            require_columns(people, columns, arg=arg, caller=CALLER, frame_arg="people")

    def dates(self) -> list[tuple[str, str]]:
        """``(column, argument)`` of every date column of ``people``."""
        found = [(self.entry, "entry"), (self.end, "end")]
        if self.outcome is not None:
            found.append((self.outcome, "outcome"))
        found += [(name, "competing") for name in self.competing]
        return found


def competing_names(competing: str | Sequence[str] | None) -> tuple[str, ...]:
    """``competing`` as a tuple of names (checked later, as columns)."""
    if competing is None:
        return ()
    return (competing,) if isinstance(competing, str) else tuple(competing)


def read_dates(
    frame: pd.DataFrame, columns: Sequence[tuple[str, str]], formats: tuple[str, ...]
) -> pd.DataFrame:
    """A new frame with each ``(column, argument)`` read as dates (``datetime64[ns]``)."""
    parsed = {
        column: date_series(frame, column, arg=arg, caller=CALLER, formats=formats)
        for column, arg in columns
    }
    return frame.assign(**parsed) if parsed else frame


def read_table(
    data: Any,
    *,
    arg: str,
    id: str,
    id_arg: str,
    dates: Sequence[tuple[str, str]],
    formats: tuple[str, ...],
) -> pd.DataFrame:
    """A long table (events, custody) as pandas, its id and date columns checked and read."""
    frame = as_pandas(data, arg=arg, caller=CALLER)
    require_columns(frame, [id], arg=id_arg, caller=CALLER, frame_arg=arg)
    for column, column_arg in dates:
        require_columns(frame, [column], arg=column_arg, caller=CALLER, frame_arg=arg)
    return read_dates(frame, dates, formats)


@dataclass(frozen=True)
class MetricInputs:
    """The metric names to compute and the tables they read (dates already read)."""

    names: tuple[str, ...]
    tables: dict[str, pd.DataFrame]


def metric_inputs(
    people: pd.DataFrame,
    cases: Any,
    officers: Any,
    names: Sequence[str] | None,
    formats: tuple[str, ...],
) -> MetricInputs:
    """Choose the metrics (all built-in ones whose table is given, or `names`) and read their
    tables: the date columns the built-in data schema declares are read as dates."""
    from rpeval.metrics import Registry, builtin_data_schema
    from rpeval.metrics.registry import referenced_columns

    registry = Registry.builtin()
    given: dict[str, Any] = {"people": people, "cases": cases, "officers": officers}
    tables = {
        table: as_pandas(data, arg=table, caller=CALLER)
        for table, data in given.items()
        if data is not None
    }
    schema = builtin_data_schema()
    for table, frame in tables.items():
        declared = [
            (column, table)
            for column in schema.columns(table)
            if schema.column_type(table, column) == "date"
            and column in frame.columns
            and not pd.api.types.is_datetime64_any_dtype(frame[column].dtype)
        ]
        tables[table] = read_dates(frame, declared, formats)
    if names is None:
        if cases is None:
            return MetricInputs((), tables)
        chosen = tuple(
            d.name
            for d in registry
            if d.table in tables and referenced_columns(d).issubset(tables[d.table].columns)
        )
    else:
        chosen = tuple(names)
        for name in chosen:
            registry[name]  # an unknown name is an error now, not after the long stages
    return MetricInputs(chosen, tables)
