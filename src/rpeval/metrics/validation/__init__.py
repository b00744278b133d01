"""Checking metric definitions: the declared data schema and the validation stages.

``validate`` runs the stages (schema, semantic, examples, breaking changes) for CI;
:mod:`rpeval.metrics.validation.data_schema` declares the tables and typed columns that
definitions may read. Modules: ``stages`` (``validate`` and its report), ``_rules``
(the semantic rules), ``_examples`` (fixture examples run as tests), ``_baseline``
(breaking changes against earlier definitions), ``data_schema``.

Examples
--------
>>> validate([]).ok  # the built-in catalog
True
"""

from __future__ import annotations

from rpeval.metrics.validation._rules import Issue
from rpeval.metrics.validation.data_schema import (
    COLUMN_TYPES,
    DataSchema,
    builtin_data_schema,
    load_data_schema,
)
from rpeval.metrics.validation.stages import STAGES, ValidationReport, validate

__all__ = [
    "COLUMN_TYPES",
    "STAGES",
    "DataSchema",
    "Issue",
    "ValidationReport",
    "builtin_data_schema",
    "load_data_schema",
    "validate",
]
