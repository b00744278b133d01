"""Versioned program metrics: definitions, the safe filter language, registry and computation."""

from __future__ import annotations

# The former module rpeval.metrics.validate is loaded before the function of that name is
# bound here, so importing the module later cannot replace the function on the package.
from rpeval.metrics import validate as _former_validate_module  # noqa: F401
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
