"""Metric YAML with file and line: :mod:`rpeval._yaml` with metric-definition errors.

The reader itself (file:line for every key, hostile-file checks) is shared by every pillar
and lives in :mod:`rpeval._yaml`; this module keeps the metrics' names and defaults
(:class:`~rpeval.errors.MetricDefinitionError`) so that existing imports keep working.

Examples
--------
>>> docs = documents_from_text("name: a\\nnumerator:\\n  where: x > 1\\n")
>>> docs[0].line_of(("numerator", "where"))
3
"""

from __future__ import annotations

from pathlib import Path

from rpeval import _yaml
from rpeval._yaml import MAX_CHARS, MAX_DEPTH, ErrorType, SourceDocument
from rpeval.errors import MetricDefinitionError

__all__ = [
    "MAX_CHARS",
    "MAX_DEPTH",
    "SourceDocument",
    "documents_from_text",
    "load_documents",
    "read_yaml_text",
]


def documents_from_text(
    text: str, file: str = "<string>", *, error: ErrorType = MetricDefinitionError
) -> list[SourceDocument]:
    """Every non-empty document of a YAML text (see :func:`rpeval._yaml.documents_from_text`)."""
    return _yaml.documents_from_text(text, file, error=error)


def read_yaml_text(path: Path, what: str, *, error: ErrorType = MetricDefinitionError) -> str:
    """The text of a YAML file (see :func:`rpeval._yaml.read_yaml_text`)."""
    return _yaml.read_yaml_text(path, what, error=error)


def load_documents(path: Path) -> list[SourceDocument]:
    """Every document of a metric YAML file; errors name the file and line."""
    return _yaml.load_documents(path, "metric definitions", error=MetricDefinitionError)
