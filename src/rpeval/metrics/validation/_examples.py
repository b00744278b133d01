"""Run a definition's fixture examples and say how each differs from its expectation."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd

from rpeval._yaml import SourceDocument
from rpeval.errors import RpevalError
from rpeval.metrics._loading import LoadedDefinition
from rpeval.metrics.registry import Registry
from rpeval.metrics.schema import Example, MetricDefinition

__all__ = ["example_frame", "run_example"]


def _column(values: list[object]) -> pd.Series:
    present = [v for v in values if v is not None]
    if present and all(isinstance(v, dt.date) for v in present):
        return pd.Series(pd.to_datetime(pd.Series(values, dtype=object)), dtype="datetime64[ns]")
    if present and all(isinstance(v, bool) for v in present):
        return pd.Series(values, dtype="boolean")
    if present and all(isinstance(v, int) and not isinstance(v, bool) for v in present):
        return pd.Series(values, dtype="Int64")
    if present and all(isinstance(v, int | float) and not isinstance(v, bool) for v in present):
        return pd.Series([math.nan if v is None else v for v in values], dtype="float64")
    if all(isinstance(v, str) for v in present):
        return pd.Series(values, dtype=object)
    raise RpevalError(
        f"an example column mixes types: {sorted({type(v).__name__ for v in present})}",
        hint="give every row of a column the same type (or null)",
    )


def example_frame(example: Example) -> pd.DataFrame:
    """The fixture rows as a typed pandas frame (dates, nullable booleans and integers)."""
    names = list(dict.fromkeys(key for row in example.rows for key in row))
    return pd.DataFrame({name: _column([row.get(name) for row in example.rows]) for name in names})


def _differs(found: float | None, wanted: float | None, tolerance: float) -> bool:
    if wanted is None or found is None:
        return (wanted is None) != (found is None)
    return not math.isclose(found, wanted, rel_tol=0.0, abs_tol=tolerance)


def run_example(definition: MetricDefinition, example: Example) -> list[str]:
    """Problems with one example (empty when it computes what it expects)."""
    registry = Registry([LoadedDefinition(definition, SourceDocument("<example>", 0, None))])
    try:
        table = registry.compute(definition.name, example_frame(example), suppress_below=1)
    except RpevalError as error:
        return [f"the example cannot be computed: {error}"]
    row = table.frame.iloc[0]
    problems = []
    for field in ("numerator", "denominator", "value"):
        wanted = getattr(example.expected, field)
        raw = row[field]
        found = None if pd.isna(raw) else float(raw)
        if field != "value" and wanted is None:
            continue
        tolerance = example.tolerance if field == "value" else 1e-9
        if _differs(found, wanted, tolerance):
            problems.append(f"expected {field} {wanted}, computed {found}")
    return problems
