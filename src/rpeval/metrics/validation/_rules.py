"""Semantic rules for metric definitions, each a small class returning all its issues.

The rules run after the schema; each sees every definition that passed it, so cross-file
rules (unique names) are rules like any other. ``RULES`` is the registered tuple.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Literal

from rpeval._names import did_you_mean
from rpeval.errors import MetricDefinitionError
from rpeval.metrics._loading import LoadedDefinition, filter_texts
from rpeval.metrics.filters import parse_filter
from rpeval.metrics.validation.data_schema import NUMERIC, DataSchema

__all__ = ["RULES", "Issue", "Rule"]

Level = Literal["error", "warning"]


@dataclass(frozen=True)
class Issue:
    """One finding of validation."""

    level: Level
    stage: str
    file: str
    line: int
    metric: str | None
    message: str


def _issue(
    loaded: LoadedDefinition, location: tuple[str | int, ...], message: str, level: Level
) -> Issue:
    line = loaded.source.line_of(location)
    return Issue(level, "semantic", loaded.source.file, line, loaded.definition.name, message)


def _suggest(name: str, known: list[str]) -> str:
    return did_you_mean(name, known)


class Rule:
    """A semantic rule: ``check`` returns every issue it finds."""

    def check(
        self, definitions: Sequence[LoadedDefinition], schema: DataSchema | None
    ) -> list[Issue]:
        raise NotImplementedError  # pragma: no cover


class UniqueNames(Rule):
    """Each metric name is defined once across all files."""

    def check(
        self, definitions: Sequence[LoadedDefinition], schema: DataSchema | None
    ) -> list[Issue]:
        first: dict[str, LoadedDefinition] = {}
        issues = []
        for loaded in definitions:
            name = loaded.definition.name
            if name in first:
                issues.append(
                    _issue(
                        loaded,
                        ("name",),
                        f"metric {name!r} is already defined at {first[name].where}",
                        "error",
                    )
                )
            else:
                first[name] = loaded
        return issues


class FiltersParse(Rule):
    """Every ``where:`` is in the filter language."""

    def check(
        self, definitions: Sequence[LoadedDefinition], schema: DataSchema | None
    ) -> list[Issue]:
        issues = []
        for loaded in definitions:
            for location, text in filter_texts(loaded.definition):
                try:
                    parse_filter(text)
                except MetricDefinitionError as error:
                    issues.append(_issue(loaded, location, f"bad filter: {error}", "error"))
        return issues


def _columns_used(loaded: LoadedDefinition) -> list[tuple[tuple[str | int, ...], str, str]]:
    """(location, column, role) for every column a definition reads."""
    definition = loaded.definition
    used: list[tuple[tuple[str | int, ...], str, str]] = []
    for location, text in filter_texts(loaded.definition):
        try:
            names = parse_filter(text).columns()
        except MetricDefinitionError:
            continue
        used.extend((location, name, "filter") for name in sorted(names))
    for part in ("numerator", "denominator"):
        measure = getattr(definition, part)
        if measure is not None and measure.column is not None:
            role = "sum" if measure.sum is not None else "distinct"
            used.append(((part, measure.aggregate), measure.column, role))
    if definition.value is not None:
        if definition.value.column is not None:
            used.append((("value", "column"), definition.value.column, "sum"))
        if definition.value.days_between is not None:
            between = definition.value.days_between
            used.append((("value", "days_between", "start"), between.start, "date"))
            used.append((("value", "days_between", "end"), between.end, "date"))
    if definition.exposure is not None:
        used.append((("exposure", "sum"), definition.exposure.sum, "sum"))
    if definition.window is not None:
        window = definition.window
        for key in ("start", "event", "followup_end"):
            used.append((("window", key), getattr(window, key), "date"))
    if definition.design is not None:
        design = definition.design
        used.append((("design", "weights"), design.weights, "sum"))
        used.extend(
            (("design", key), getattr(design, key), "design")
            for key in ("strata", "psu")
            if getattr(design, key) is not None
        )
    used.extend((("dimensions", i), d, "dimension") for i, d in enumerate(definition.dimensions))
    return used


_WANTED: Final[dict[str, frozenset[str]]] = {"sum": NUMERIC, "date": frozenset({"date"})}


class ColumnsExist(Rule):
    """Columns (filters, measures, window, dimensions) exist in the table, with fit types."""

    def check(
        self, definitions: Sequence[LoadedDefinition], schema: DataSchema | None
    ) -> list[Issue]:
        if schema is None:
            return []
        issues = []
        for loaded in definitions:
            table = loaded.definition.table
            if table is None:
                issues.append(
                    _issue(
                        loaded,
                        ("kind",),
                        "no `table:`, so its columns are not checked against the data schema",
                        "warning",
                    )
                )
                continue
            if table not in schema.tables:
                known = ", ".join(sorted(schema.tables))
                issues.append(
                    _issue(
                        loaded,
                        ("table",),
                        f"table {table!r} is not in the data schema "
                        f"{schema.source} (tables: {known})",
                        "error",
                    )
                )
                continue
            for location, column, role in _columns_used(loaded):
                kind = schema.column_type(table, column)
                what = "dimension" if role == "dimension" else "column"
                if kind is None:
                    issues.append(
                        _issue(
                            loaded,
                            location,
                            f"{what} {column!r} is not a column of table {table!r}"
                            f"{_suggest(column, schema.columns(table))} in {schema.source}",
                            "error",
                        )
                    )
                elif role in _WANTED and kind not in _WANTED[role]:
                    wanted = " or ".join(sorted(_WANTED[role]))
                    issues.append(
                        _issue(
                            loaded,
                            location,
                            f"column {column!r} is {kind}; a {role} needs {wanted}",
                            "error",
                        )
                    )
        return issues


class ExamplesPresent(Rule):
    """Stable metrics carry at least one example; deprecated ones say so."""

    def check(
        self, definitions: Sequence[LoadedDefinition], schema: DataSchema | None
    ) -> list[Issue]:
        issues = []
        for loaded in definitions:
            definition = loaded.definition
            if not definition.examples:
                issues.append(
                    _issue(
                        loaded,
                        ("name",),
                        "no `examples:`: add fixture rows with the "
                        "expected result so the definition is tested",
                        "warning",
                    )
                )
            if not definition.references and definition.status == "stable":
                issues.append(
                    _issue(
                        loaded,
                        ("status",),
                        "a stable metric should cite its source in `references:`",
                        "warning",
                    )
                )
        return issues


RULES: Final[tuple[Rule, ...]] = (UniqueNames(), FiltersParse(), ColumnsExist(), ExamplesPresent())
