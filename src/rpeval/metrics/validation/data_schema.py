"""The declared data schema: which tables and typed columns metric definitions may read.

A data schema is a YAML file::

    tables:
      cases:
        conference_held: boolean
        referral_date: date
        restitution_paid: number

Types: ``string``, ``integer``, ``number``, ``boolean``, ``date``. The built-in catalog's
schema (the tables ``simulate_program()`` returns) is :func:`builtin_data_schema`.

Examples
--------
>>> schema = builtin_data_schema()
>>> schema.column_type("cases", "conference_date")
'date'
>>> schema.column_type("cases", "no_such_column") is None
True
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Final, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from rpeval._yaml import documents_from_text, read_yaml_text
from rpeval.errors import MetricDefinitionError

__all__ = ["COLUMN_TYPES", "DataSchema", "builtin_data_schema", "load_data_schema"]

ColumnType = Literal["string", "integer", "number", "boolean", "date"]
COLUMN_TYPES: Final[tuple[str, ...]] = ("string", "integer", "number", "boolean", "date")
NUMERIC: Final = frozenset({"integer", "number"})


class _SchemaFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)
    tables: dict[str, dict[str, ColumnType]]


@dataclass(frozen=True)
class DataSchema:
    """Tables and the type of each of their columns."""

    tables: dict[str, dict[str, str]]
    source: str

    def column_type(self, table: str, column: str) -> str | None:
        """The declared type, or ``None`` when the table or column is not declared."""
        return self.tables.get(table, {}).get(column)

    def columns(self, table: str) -> list[str]:
        """The declared columns of a table (empty when the table is not declared)."""
        return list(self.tables.get(table, {}))


def _parse(text: str, source: str) -> DataSchema:
    documents = documents_from_text(text, source, error=MetricDefinitionError)
    if len(documents) != 1:
        raise MetricDefinitionError(
            f"{source}: a data schema is one YAML document, found {len(documents)}",
            hint="see `rpeval.metrics.validation.data_schema` for the format",
        )
    document = documents[0]
    try:
        parsed = _SchemaFile.model_validate(document.value)
    except ValidationError as error:
        first = error.errors()[0]
        location = tuple(first["loc"])
        line = document.line_of(location)
        where = ".".join(str(p) for p in location)
        raise MetricDefinitionError(
            f"{source}:{line}: invalid data schema at {where or 'top level'}: {first['msg']}",
            hint=f"column types are {', '.join(COLUMN_TYPES)}; the top key is `tables`",
        ) from error
    return DataSchema({t: dict(c) for t, c in parsed.tables.items()}, source)


def load_data_schema(path: str | Path) -> DataSchema:
    """Read a data schema YAML file (errors name the file and line)."""
    file = Path(path)
    return _parse(read_yaml_text(file, "the data schema", error=MetricDefinitionError), str(file))


def builtin_data_schema() -> DataSchema:
    """The schema of the built-in catalog: the tables of ``simulate_program()``."""
    entry = resources.files("rpeval.metrics") / "catalog" / "data_schema.yaml"
    return _parse(entry.read_text(encoding="utf-8"), "rpeval:catalog/data_schema.yaml")
