"""Check, before computing, that the columns a metric reads have usable types.

Without this a CSV flag read as text ("yes"/"no") would silently count as never true,
and a date read as text would compare as text on some backends. Only what a definition
pins down is checked: a column used bare as a condition must be boolean, window and
``days_between`` columns dates, and summed or averaged columns numbers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import narwhals as nw

from rpeval.errors import DataError
from rpeval.metrics.filters import And, Column, FilterExpr, Not, Or, parse_filter
from rpeval.metrics.schema import MetricDefinition

__all__ = ["check_column_types"]


def _bare_columns(node: FilterExpr) -> set[str]:
    """Columns used directly as conditions (``conference_held and not x``)."""
    if isinstance(node, Column):
        return {node.name}
    if isinstance(node, And | Or):
        return set().union(*(_bare_columns(operand) for operand in node.operands))
    if isinstance(node, Not):
        return _bare_columns(node.operand)
    return set()


def _expectations(definition: MetricDefinition) -> dict[str, str]:
    wanted: dict[str, str] = {}
    filters = [
        holder.where
        for holder in (
            definition.numerator,
            definition.denominator,
            definition.value,
            definition.exposure,
        )
        if holder is not None and holder.where is not None
    ]
    if definition.reference is not None:
        filters.append(definition.reference)
    for text in filters:
        for name in _bare_columns(parse_filter(text)):
            wanted[name] = "boolean"
    for measure in (definition.numerator, definition.denominator):
        if measure is not None and measure.sum is not None:
            wanted[measure.sum] = "numeric"
    if definition.exposure is not None:
        wanted[definition.exposure.sum] = "numeric"
    if definition.value is not None:
        if definition.value.column is not None:
            wanted[definition.value.column] = "numeric"
        if definition.value.days_between is not None:
            wanted[definition.value.days_between.start] = "date"
            wanted[definition.value.days_between.end] = "date"
    if definition.window is not None:
        for name in (
            definition.window.start,
            definition.window.event,
            definition.window.followup_end,
        ):
            wanted[name] = "date"
    return wanted


def _fits(dtype: Any, wanted: str) -> bool:
    if dtype == nw.Unknown or dtype == nw.Object:
        return True  # cannot tell (e.g. an all-null or mixed column): let the backend decide
    if wanted == "boolean":
        return bool(dtype == nw.Boolean)
    if wanted == "numeric":
        return bool(dtype.is_numeric() or dtype == nw.Boolean)
    return bool(dtype == nw.Date or dtype == nw.Datetime)


def check_column_types(
    definition: MetricDefinition,
    frame: nw.LazyFrame[Any],
    schema: Mapping[str, Any] | None = None,
) -> None:
    """Raise :class:`DataError` naming every column whose type cannot work (`schema`:
    the frame's, when the caller has it already)."""
    schema = frame.collect_schema() if schema is None else schema
    wrong = [
        f"{name!r} should be {wanted} but is {schema[name]}"
        for name, wanted in sorted(_expectations(definition).items())
        if name in schema and not _fits(schema[name], wanted)
    ]
    if wrong:
        raise DataError(
            f"metric {definition.name!r}: {'; '.join(wrong)}",
            hint="convert the columns first (e.g. pandas.to_datetime for dates, a boolean "
            "dtype for flags); `rpeval metrics compute` does this for ISO dates and true/false",
        )
