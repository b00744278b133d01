"""From YAML files to validated codebooks, with ``file:line`` for every problem."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from rpeval._schema_errors import schema_message
from rpeval._yaml import SourceDocument, load_documents
from rpeval.errors import CodebookError
from rpeval.qualitative.schema import CodebookDefinition

__all__ = ["LoadedCodebook", "SchemaProblem", "codebook_files", "read_file", "validate_document"]

_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class LoadedCodebook:
    """A codebook that passed the schema, and the document it came from."""

    definition: CodebookDefinition
    source: SourceDocument

    @property
    def where(self) -> str:
        """``file:line`` of the document."""
        return f"{self.source.file}:{self.source.line}"

    def line_of_code(self, name: str, *keys: str) -> int:
        """The line of code `name` (or of one of its keys)."""
        for index, code in enumerate(self.definition.codes):
            if code.name == name:
                return self.source.line_of(("codes", index, *keys))
        return self.source.line


@dataclass(frozen=True)
class SchemaProblem:
    """A schema error at a line of a document."""

    file: str
    line: int
    message: str
    name: str | None


def codebook_files(paths: Iterable[str | Path]) -> list[Path]:
    """YAML files named by `paths` (folders searched recursively), sorted, each once."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(p for p in sorted(path.rglob("*")) if p.suffix in _SUFFIXES)
        elif path.is_file():
            found.append(path)
        else:
            raise CodebookError(
                f"no such file or directory: {path}",
                hint="give codebook YAML files or folders that hold them",
            )
    return list(dict.fromkeys(found))


def read_file(path: Path) -> list[SourceDocument]:
    """Every document of a codebook file (errors name file and line)."""
    return load_documents(path, "codebooks", error=CodebookError)


def validate_document(document: SourceDocument) -> LoadedCodebook | list[SchemaProblem]:
    """One document against the schema: the codebook, or every problem with its line."""
    value = document.value
    if not isinstance(value, dict):
        message = f"a codebook must be a mapping, got {type(value).__name__}"
        return [SchemaProblem(document.file, document.line, message, None)]
    name = value.get("name")
    label = name if isinstance(name, str) else None
    try:
        definition = CodebookDefinition.model_validate(value)
    except ValidationError as error:
        problems = []
        for item in error.errors():
            location, message = schema_message(CodebookDefinition, dict(item))
            if location[:1] == ("codes",) and len(location) > 1:
                codes = value.get("codes")
                index = location[1]
                if isinstance(codes, list) and isinstance(index, int) and index < len(codes):
                    entry = codes[index]
                    code = entry.get("name") if isinstance(entry, dict) else None
                    if isinstance(code, str):
                        message = f"code {code!r}: {message}"
            problems.append(
                SchemaProblem(document.file, document.line_of(location), message, label)
            )
        return problems
    return LoadedCodebook(definition, document)


def load_codebooks(paths: Iterable[str | Path]) -> list[LoadedCodebook]:
    """Every codebook in `paths`; the first problem raises :class:`CodebookError`."""
    loaded: list[LoadedCodebook] = []
    for file in codebook_files(paths):
        for document in read_file(file):
            result = validate_document(document)
            if isinstance(result, list):
                first = result[0]
                more = f" (and {len(result) - 1} more)" if len(result) > 1 else ""
                raise CodebookError(
                    f"{first.file}:{first.line}: {first.message}{more}",
                    hint="run `rpeval codebook validate` on the file for every problem",
                )
            loaded.append(result)
    return loaded
