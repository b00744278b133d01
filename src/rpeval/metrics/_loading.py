"""From YAML files to validated `MetricDefinition`s, with file:line for every problem."""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from pydantic import ValidationError

from rpeval.errors import MetricDefinitionError
from rpeval.metrics._yaml_source import SourceDocument, load_documents
from rpeval.metrics.schema import MetricDefinition

__all__ = [
    "LoadedDefinition",
    "SchemaProblem",
    "builtin_catalog_files",
    "builtin_definitions",
    "definition_files",
    "is_data_schema_file",
    "validate_document",
]

_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class LoadedDefinition:
    """A definition that passed the schema, and the document it came from."""

    definition: MetricDefinition
    source: SourceDocument

    @property
    def where(self) -> str:
        """``file:line`` of the document."""
        return f"{self.source.file}:{self.source.line}"


@dataclass(frozen=True)
class SchemaProblem:
    """A schema error at a line of a document."""

    file: str
    line: int
    message: str
    name: str | None


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
        and entry.name.endswith(_SUFFIXES)
        and not entry.name.startswith("data_schema")
    )


def definition_files(paths: Iterable[str | Path]) -> list[Path]:
    """YAML files named by `paths` (directories are searched recursively), sorted, without
    data schemas: a file whose only top-level key is ``tables`` describes the data, not a
    metric, whatever its name, so it may sit beside the metrics it serves."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(p for p in sorted(path.rglob("*")) if p.suffix in _SUFFIXES)
        elif path.is_file():
            found.append(path)
        else:
            raise MetricDefinitionError(
                f"no such file or directory: {path}",
                hint="give YAML files or directories that contain them",
            )
    return [p for p in dict.fromkeys(found) if not is_data_schema_file(p)]


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


def _known_keys(location: Sequence[str | int]) -> list[str]:
    """Field names that are valid at `location` of a definition (for suggestions)."""
    model: type[object] = MetricDefinition
    for part in location:
        if isinstance(part, int):
            continue
        fields = getattr(model, "model_fields", {})
        info = fields.get(part)
        if info is None:
            return []
        annotation = info.annotation
        inner = [a for a in getattr(annotation, "__args__", (annotation,)) if a is not None]
        nested = [a for a in inner if hasattr(a, "model_fields")]
        if not nested:
            list_args = [getattr(a, "__args__", ()) for a in inner]
            nested = [a for args in list_args for a in args if hasattr(a, "model_fields")]
        if not nested:
            return []
        model = nested[0]
    return list(getattr(model, "model_fields", {}))


def _message(error: dict[str, object]) -> tuple[tuple[str | int, ...], str]:
    raw = error["loc"]
    location: tuple[str | int, ...] = tuple(raw) if isinstance(raw, tuple | list) else ()
    kind = error["type"]
    if kind == "extra_forbidden" and location:
        key = str(location[-1])
        known = _known_keys(location[:-1])
        close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
        tip = f" (did you mean {close[0]!r}?)" if close else ""
        allowed = f"; allowed here: {', '.join(known)}" if known else ""
        return location, f"unknown key {key!r}{tip}{allowed}"
    text = str(error["msg"]).removeprefix("Value error, ")
    dotted = ".".join(str(p) for p in location)
    if kind == "missing":
        return location, f"missing required key {dotted!r}"
    return location, f"{dotted}: {text}" if dotted else text


def validate_document(document: SourceDocument) -> LoadedDefinition | list[SchemaProblem]:
    """Validate one document against the schema: the definition, or its problems."""
    value = document.value
    name = value.get("name") if isinstance(value, dict) else None
    label = name if isinstance(name, str) else None
    if not isinstance(value, dict):
        return [
            SchemaProblem(
                document.file,
                document.line,
                f"a metric definition must be a mapping, got {type(value).__name__}",
                None,
            )
        ]
    try:
        definition = MetricDefinition.model_validate(value)
    except ValidationError as error:
        problems = []
        for item in error.errors():
            location: tuple[str | int, ...]
            location, message = _message(dict(item))
            line = document.line_of(location)
            problems.append(SchemaProblem(document.file, line, message, label))
        return problems
    return LoadedDefinition(definition, document)


def _filters(definition: MetricDefinition) -> list[tuple[tuple[str, ...], str]]:
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

    for location, text in _filters(loaded.definition):
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
