"""A Markdown page describing every metric of a registry (``rpeval metrics docs``).

Every text that comes from a definition file — titles, descriptions, labels, references,
filters, column names — is escaped for Markdown (:mod:`rpeval._text`): prose is shown as
plain text, names and filters as code spans, so a definition cannot put HTML, links or
table breaks into the published catalog.

Examples
--------
>>> from rpeval.metrics.validation.data_schema import builtin_data_schema
>>> from rpeval.metrics.registry import Registry
>>> page = catalog_markdown(Registry.builtin(), builtin_data_schema())
>>> page.splitlines()[0]
'# Metric catalog'
>>> "### `agreement_rate` 1.0.0" in page, "### Table `cases`" in page
(True, True)
"""

from __future__ import annotations

import re

from rpeval._text import markdown_code as code
from rpeval._text import markdown_text as text
from rpeval.metrics.registry import Registry
from rpeval.metrics.schema import Measure, MetricDefinition
from rpeval.metrics.validation.data_schema import DataSchema

__all__ = ["catalog_markdown", "definition_markdown", "schema_markdown"]


def _measure(measure: Measure | None, role: str) -> list[str]:
    if measure is None:
        return []
    what = {
        "count": "count of rows",
        "sum": f"sum of {code(measure.sum)}",
        "count_distinct": f"distinct values of {code(measure.count_distinct)}",
    }[measure.aggregate]
    label = f" ({text(measure.label)})" if measure.label else ""
    where = f" where {code(measure.where)}" if measure.where else ""
    return [f"- **{role}**: {what}{where}{label}"]


def definition_markdown(definition: MetricDefinition) -> str:
    """The Markdown section of one metric."""
    lines = [
        f"### {code(definition.name)} {definition.version}",
        "",
        f"**{text(definition.title)}** — {definition.kind.replace('_', ' ')}, "
        f"table {code(definition.table or '(any)')}, {definition.status}.",
        "",
        text(definition.description),
        "",
    ]
    if definition.kind in {"proportion", "relative_rate"}:
        lines += _measure(definition.denominator, "Denominator")
        lines += _measure(definition.numerator, "Numerator (within the denominator)")
    else:
        lines += _measure(definition.numerator, "Numerator")
        lines += _measure(definition.denominator, "Denominator")
    if definition.reference is not None:
        lines.append(
            f"- **Reference group**: rows where {code(definition.reference)}; the value is the "
            "cell's rate divided by the reference group's rate"
        )
    if definition.window is not None:
        window = definition.window
        lines.append(
            f"- **Window**: {code(window.event)} in ({code(window.start)}, "
            f"{code(window.start)} + {text(window.within)}]; denominator: rows with "
            f"{code(window.followup_end)} ≥ {code(window.start)} + {text(window.within)}"
        )
    if definition.value is not None:
        value = definition.value
        between = value.days_between
        source = (
            code(value.column)
            if between is None
            else (f"days from {code(between.start)} to {code(between.end)}")
        )
        where = f" where {code(value.where)}" if value.where else ""
        lines.append(f"- **Value**: mean of {source}{where}")
    if definition.exposure is not None:
        exposure = definition.exposure
        lines.append(
            f"- **Exposure**: sum of {code(exposure.sum)} / {exposure.per:g} "
            f"({text(exposure.unit)})"
        )
    lines.append(f"- **Interval**: {definition.interval_method}")
    if definition.dimensions:
        lines.append("- **Dimensions**: " + ", ".join(code(d) for d in definition.dimensions))
    if definition.suppress_below is not None:
        lines.append(f"- **Suppress below**: {definition.suppress_below}")
    if definition.references:
        lines += ["", "References:", ""]
        lines += [f"- {text(reference)}" for reference in definition.references]
    return "\n".join(lines) + "\n"


def schema_markdown(schema: DataSchema) -> str:
    """The canonical columns of a data schema, one table per table."""
    lines = [
        "## Canonical columns",
        "",
        "The built-in metrics read these tables and columns (the tables "
        "`simulate_program()` returns; the simulated-data page has their meanings). Map "
        "your own names with `Registry.compute(..., columns={'canonical': 'yours'})`.",
        "",
    ]
    for table, columns in schema.tables.items():
        lines += [f"### Table {code(table)}", "", "| column | type |", "|---|---|"]
        lines += [f"| {code(name)} | {text(kind)} |" for name, kind in columns.items()]
        lines.append("")
    return "\n".join(lines)


def catalog_markdown(registry: Registry, schema: DataSchema | None = None) -> str:
    """A Markdown page: a summary table, a section per metric, then the data schema."""
    definitions = sorted(registry, key=lambda d: d.name)
    lines = [
        "# Metric catalog",
        "",
        "Generated by `rpeval metrics docs`. Each metric is a versioned YAML definition; "
        "its examples run in `rpeval metrics validate` and in the test suite.",
        "",
        "| metric | version | kind | table | title |",
        "|---|---|---|---|---|",
    ]
    lines += [
        f"| [{code(d.name)}](#{_anchor(d)}) | "
        f"{d.version} | {d.kind} | {text(d.table or '')} | {text(d.title)} |"
        for d in definitions
    ]
    lines.append("")
    lines += [definition_markdown(d) for d in definitions]
    if schema is not None:
        lines.append(schema_markdown(schema))
    return "\n".join(lines)


def _anchor(definition: MetricDefinition) -> str:
    """The heading id mkdocs gives ``### `name` version`` (letters, digits, - and _ kept)."""
    slug = f"{definition.name}-{definition.version.replace('.', '')}".lower()
    return re.sub(r"[^a-z0-9_-]", "", slug)
