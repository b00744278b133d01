"""The former home of the data schema, kept so ``rpeval.metrics.data_schema`` still imports.

The code and the format live in :mod:`rpeval.metrics.validation.data_schema`.

>>> from rpeval.metrics.data_schema import builtin_data_schema
>>> builtin_data_schema().column_type("cases", "conference_date")
'date'
"""

from __future__ import annotations

from rpeval.metrics.validation.data_schema import (
    COLUMN_TYPES,
    NUMERIC,
    DataSchema,
    builtin_data_schema,
    load_data_schema,
)

__all__ = ["COLUMN_TYPES", "NUMERIC", "DataSchema", "builtin_data_schema", "load_data_schema"]
