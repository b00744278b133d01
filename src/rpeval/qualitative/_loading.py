"""From YAML files to validated codebooks, with ``file:line`` for every problem."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rpeval._schema_errors import Location
from rpeval._validation import SchemaProblem, validate_mapping, yaml_files
from rpeval._yaml import SourceDocument, load_documents
from rpeval.errors import CodebookError
from rpeval.qualitative.schema import CodebookDefinition

__all__ = ["LoadedCodebook", "SchemaProblem", "codebook_files", "read_file", "validate_document"]


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


def codebook_files(paths: Iterable[str | Path]) -> list[Path]:
    """YAML files named by `paths` (folders searched recursively), sorted, each once."""
    return yaml_files(
        paths, error=CodebookError, hint="give codebook YAML files or folders that hold them"
    )


def read_file(path: Path) -> list[SourceDocument]:
    """Every document of a codebook file (errors name file and line)."""
    return load_documents(path, "codebooks", error=CodebookError)


def _name_the_code(location: Location, message: str, value: dict[str, Any]) -> str:
    """Prefix a problem inside ``codes[i]`` with that code's name."""
    if location[:1] == ("codes",) and len(location) > 1:
        codes, index = value.get("codes"), location[1]
        if isinstance(codes, list) and isinstance(index, int) and index < len(codes):
            entry = codes[index]
            code = entry.get("name") if isinstance(entry, dict) else None
            if isinstance(code, str):
                return f"code {code!r}: {message}"
    return message


def validate_document(document: SourceDocument) -> LoadedCodebook | list[SchemaProblem]:
    """One document against the schema: the codebook, or every problem with its line."""
    result = validate_mapping(
        CodebookDefinition, document, what="a codebook", annotate=_name_the_code
    )
    return result if isinstance(result, list) else LoadedCodebook(result, document)


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
