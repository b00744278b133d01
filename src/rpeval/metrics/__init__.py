"""Versioned program metrics: definitions, the safe filter language, registry and computation.

The public names load at first use (PEP 562), so ``import rpeval.metrics`` reads neither
pydantic's schema models, narwhals nor the catalog until a name is used (issue 23):

>>> import rpeval.metrics as metrics
>>> metrics.proportion_interval(45, 50)
Interval(low=0.7864, high=0.9565)
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

# The former module rpeval.metrics.validate (a thin re-export, light to load) is imported
# first and its attribute removed, so the name ``validate`` resolves to the function below
# and importing the module later cannot replace the function on the package.
from rpeval.metrics import validate as _former_validate_module  # noqa: F401

globals().pop("validate")  # the module the import system bound; __getattr__ gives the function

if TYPE_CHECKING:
    from rpeval.metrics.catalog_docs import catalog_markdown
    from rpeval.metrics.control_charts import ControlChart, control_chart
    from rpeval.metrics.filters import FilterSyntaxError, parse_filter, to_narwhals
    from rpeval.metrics.intervals import (
        Interval,
        mean_interval,
        poisson_rate_interval,
        proportion_interval,
        ratio_interval,
    )
    from rpeval.metrics.registry import Registry
    from rpeval.metrics.schema import MetricDefinition, json_schema
    from rpeval.metrics.suppression import SuppressionResult, suppress_cells
    from rpeval.metrics.table import MetricTable
    from rpeval.metrics.trend import TrendResult, trend
    from rpeval.metrics.validation import (
        DataSchema,
        Issue,
        ValidationReport,
        builtin_data_schema,
        load_data_schema,
        validate,
    )

_HOMES = {
    "catalog_markdown": "catalog_docs",
    "ControlChart": "control_charts",
    "control_chart": "control_charts",
    "FilterSyntaxError": "filters",
    "parse_filter": "filters",
    "to_narwhals": "filters",
    "Interval": "intervals",
    "mean_interval": "intervals",
    "poisson_rate_interval": "intervals",
    "proportion_interval": "intervals",
    "ratio_interval": "intervals",
    "Registry": "registry",
    "MetricDefinition": "schema",
    "json_schema": "schema",
    "SuppressionResult": "suppression",
    "suppress_cells": "suppression",
    "MetricTable": "table",
    "TrendResult": "trend",
    "trend": "trend",
    "DataSchema": "validation",
    "Issue": "validation",
    "ValidationReport": "validation",
    "builtin_data_schema": "validation",
    "load_data_schema": "validation",
    "validate": "validation",
}


def __getattr__(name: str) -> object:
    """Import a public name from its module at first use, then keep it here."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'rpeval.metrics' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"rpeval.metrics.{home}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


__all__ = [
    "ControlChart",
    "DataSchema",
    "FilterSyntaxError",
    "Interval",
    "Issue",
    "MetricDefinition",
    "MetricTable",
    "Registry",
    "SuppressionResult",
    "TrendResult",
    "ValidationReport",
    "builtin_data_schema",
    "catalog_markdown",
    "control_chart",
    "json_schema",
    "load_data_schema",
    "mean_interval",
    "parse_filter",
    "poisson_rate_interval",
    "proportion_interval",
    "ratio_interval",
    "suppress_cells",
    "to_narwhals",
    "trend",
    "validate",
]
