"""`validate`: check metric definition files for CI, in stages, with file:line for each issue.

Stages, in order: **schema** (YAML syntax and the strict schema), **semantic** (filters
parse, names unique, columns and dimensions exist in the declared data schema with the
right types, examples and references present), **examples** (each fixture computes its
expected result) and **breaking** (against a baseline). Each issue has a level (error or
warning); errors make the exit code 1.

Examples
--------
>>> report = validate([])  # the built-in catalog only
>>> report.ok, report.exit_code
(True, 0)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from rpeval._display import Display, Displayed
from rpeval._validation import IssueCounts, in_stage_order, issues_junit, schema_stage
from rpeval.errors import MetricDefinitionError
from rpeval.metrics._loading import (
    LoadedDefinition,
    builtin_catalog_files,
    definition_files,
    load_documents,
    validate_document,
)
from rpeval.metrics.validation._baseline import breaking_changes, load_baseline
from rpeval.metrics.validation._examples import run_example
from rpeval.metrics.validation._rules import RULES, Issue
from rpeval.metrics.validation.data_schema import DataSchema, builtin_data_schema, load_data_schema

__all__ = ["Issue", "ValidationReport", "validate"]

STAGES = ("schema", "semantic", "examples", "breaking")


@dataclass(frozen=True, repr=False)
class ValidationReport(IssueCounts[Issue], Displayed):
    """All issues found, and what was checked (``errors``, ``warnings``, ``ok``,
    ``exit_code``, ``summary()`` with one row per issue (level, stage, file, line, metric,
    message), ``to_dict()`` and ``to_json()`` from :class:`rpeval._validation.IssueCounts`)."""

    COLUMNS = ("level", "stage", "file", "line", "metric", "message")
    SUBJECTS = "metrics"
    issues: tuple[Issue, ...]
    files: tuple[str, ...]
    metrics: tuple[str, ...]

    def _display(self) -> Display:
        title = (
            f"Metric validation: {_plural(len(self.metrics), 'metric')} in "
            f"{_plural(len(self.files), 'file')}, {_plural(len(self.errors), 'error')}, "
            f"{_plural(len(self.warnings), 'warning')}"
        )
        return Display(title, (), self.summary())

    def to_text(self) -> str:
        """``file:line: level [stage] metric: message`` lines and a count."""
        lines = [
            f"{i.file}:{i.line}: {i.level} [{i.stage}] {i.metric or '-'}: {i.message}"
            for i in self.issues
        ]
        counts = [
            _plural(len(self.metrics), "metric"),
            f"in {_plural(len(self.files), 'file')}:",
            _plural(len(self.errors), "error") + ",",
            _plural(len(self.warnings), "warning"),
        ]
        lines.append(" ".join(counts))
        return "\n".join(lines)

    def to_junit(self) -> str:
        """JUnit XML: a test case per metric (errors are failures), then one per file with
        problems outside any metric, for CI dashboards."""
        return issues_junit(
            "rpeval-metrics",
            self.metrics,
            self.issues,
            subject=lambda issue: issue.metric,
            classname="metrics",
            others="files",
        )


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _schema_stage(files: Sequence[Path]) -> tuple[list[LoadedDefinition], list[Issue]]:
    loaded, problems = schema_stage(
        files, load_documents, validate_document, error=MetricDefinitionError
    )
    return loaded, [Issue("error", "schema", p.file, p.line, p.name, p.message) for p in problems]


def _example_stage(loaded: Sequence[LoadedDefinition], failed: set[str]) -> list[Issue]:
    issues = []
    for entry in loaded:
        definition = entry.definition
        if definition.name in failed:
            continue
        for index, example in enumerate(definition.examples):
            for problem in run_example(definition, example):
                line = entry.source.line_of(("examples", index))
                label = f"example {index + 1}"
                if example.description:
                    label += f" ({example.description})"
                issues.append(
                    Issue(
                        "error",
                        "examples",
                        entry.source.file,
                        line,
                        definition.name,
                        f"{label}: {problem}",
                    )
                )
    return issues


def validate(
    paths: Sequence[str | Path],
    *,
    schema: str | Path | DataSchema | None = None,
    baseline: str | Path | None = None,
) -> ValidationReport:
    """Validate metric definition files (the built-in catalog when `paths` is empty).

    Parameters
    ----------
    paths
        YAML files or directories (searched recursively for ``*.yaml``/``*.yml``).
    schema
        The declared data schema (a path or a :class:`DataSchema`); ``None`` uses the
        built-in catalog's schema (the tables of ``simulate_program()``).
    baseline
        ``"git:REF"`` (the same paths at a git revision) or a directory of the previous
        definitions; enables the breaking-change stage.

    Returns
    -------
    ValidationReport
    """
    files = definition_files(paths) if paths else builtin_catalog_files()
    if isinstance(schema, DataSchema):
        data_schema = schema
    else:
        data_schema = builtin_data_schema() if schema is None else load_data_schema(schema)
    loaded, issues = _schema_stage(files)
    for rule in RULES:
        issues.extend(rule.check(loaded, data_schema))
    failed = {i.metric for i in issues if i.level == "error" and i.metric is not None}
    issues.extend(_example_stage(loaded, failed))
    if baseline is not None:
        issues.extend(breaking_changes(loaded, load_baseline(baseline, list(paths))))
    names = tuple(dict.fromkeys(entry.definition.name for entry in loaded))
    ordered = tuple(in_stage_order(issues, STAGES))
    return ValidationReport(ordered, tuple(str(f) for f in files), names)
