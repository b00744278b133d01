"""From YAML files to validated `MetricDefinition`s, with file:line for every problem."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from rpeval import _yaml
from rpeval._validation import YAML_SUFFIXES, SchemaProblem, validate_mapping, yaml_files
from rpeval._yaml import SourceDocument
from rpeval.errors import MetricDefinitionError
from rpeval.metrics.schema import MetricDefinition

__all__ = [
    "LoadedDefinition",
    "SchemaProblem",
    "builtin_catalog_files",
    "builtin_definitions",
    "definition_files",
    "filter_texts",
    "is_data_schema_file",
    "load_documents",
    "validate_document",
]


@dataclass(frozen=True)
class LoadedDefinition:
    """A definition that passed the schema, and the document it came from."""

    definition: MetricDefinition
    source: SourceDocument

    @property
    def where(self) -> str:
        """``file:line`` of the document."""
        return f"{self.source.file}:{self.source.line}"


@functools.cache
def builtin_definitions() -> tuple[LoadedDefinition, ...]:
    """The built-in catalog, read and validated once per process (the files ship with the
    package and the definitions are frozen)."""
    return tuple(load_definitions(builtin_catalog_files()))


def builtin_catalog_files() -> list[Path]:
    """The YAML files of the built-in catalog (package data), sorted."""
    root = resources.files("rpeval.metrics") / "catalog"
    return sorted(
        Path(str(entry))
        for entry in root.iterdir()
        if entry.is_file()
        and entry.name.endswith(YAML_SUFFIXES)
        and not entry.name.startswith("data_schema")
    )


def definition_files(paths: Iterable[str | Path]) -> list[Path]:
    """YAML files named by `paths` (directories are searched recursively), sorted, without
    data schemas: a file whose only top-level key is ``tables`` describes the data, not a
    metric, whatever its name, so it may sit beside the metrics it serves."""
    found = yaml_files(
        paths, error=MetricDefinitionError, hint="give YAML files or directories that contain them"
    )
    return [p for p in found if not is_data_schema_file(p)]


_TOP_KEY = re.compile(r"^([A-Za-z_][A-Za-z0-9_-]*)\s*:", flags=re.MULTILINE)


def is_data_schema_file(path: Path) -> bool:
    r"""Whether the YAML file at `path` is a data schema (its top-level keys are just
    ``tables``), told from its unindented keys without parsing it.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "schema.yaml").write_text("# ours\ntables:\n  cases:\n    id: string\n")
    >>> _ = (folder / "metric.yaml").write_text("name: x\nkind: count\ntables: 1\n")
    >>> is_data_schema_file(folder / "schema.yaml"), is_data_schema_file(folder / "metric.yaml")
    (True, False)
    """
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return set(_TOP_KEY.findall(text)) == {"tables"}


def load_documents(path: Path) -> list[SourceDocument]:
    """Every document of a metric YAML file; errors (:class:`MetricDefinitionError`) name
    the file and line."""
    return _yaml.load_documents(path, "metric definitions", error=MetricDefinitionError)


def validate_document(document: SourceDocument) -> LoadedDefinition | list[SchemaProblem]:
    """Validate one document against the schema: the definition, or its problems."""
    result = validate_mapping(MetricDefinition, document, what="a metric definition")
    return result if isinstance(result, list) else LoadedDefinition(result, document)


def filter_texts(definition: MetricDefinition) -> list[tuple[tuple[str, ...], str]]:
    """Every filter text of a definition with the key path it was written at."""
    found: list[tuple[tuple[str, ...], str]] = []
    for part in ("numerator", "denominator", "value", "exposure"):
        holder = getattr(definition, part)
        if holder is not None and holder.where is not None:
            found.append(((part, "where"), holder.where))
    if definition.reference is not None:
        found.append((("reference",), definition.reference))
    return found


def check_filters(loaded: LoadedDefinition) -> None:
    """Parse every filter now, so that a bad one is reported at its ``file:line``."""
    from rpeval.metrics.filters import parse_filter

    for location, text in filter_texts(loaded.definition):
        try:
            parse_filter(text)
        except MetricDefinitionError as error:
            line = loaded.source.line_of(location)
            raise MetricDefinitionError(
                f"{loaded.source.file}:{line}: {'.'.join(location)} of metric "
                f"{loaded.definition.name!r}: {error.message}",
                hint=error.hint or "see the filter language in the metrics docs",
            ) from None


def load_definitions(files: Iterable[Path]) -> list[LoadedDefinition]:
    """Load and schema-check every document, filters included; the first problem raises
    with file:line."""
    loaded: list[LoadedDefinition] = []
    for file in files:
        for document in load_documents(file):
            result = validate_document(document)
            if isinstance(result, list):
                first = result[0]
                more = f" (and {len(result) - 1} more)" if len(result) > 1 else ""
                raise MetricDefinitionError(
                    f"{first.file}:{first.line}: {first.message}{more}",
                    hint="run `rpeval metrics validate` on the file for every problem",
                )
            check_filters(result)
            loaded.append(result)
    return loaded
