"""`Codebook`: a validated, versioned codebook, and `load_codebook` to read one.

A codebook is a YAML document (see :mod:`rpeval.qualitative.schema`); loading it runs the
schema and the semantic rules, and the first error raises :class:`~rpeval.errors.CodebookError`
with ``file:line`` (``rpeval codebook validate`` lists every problem).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from rpeval._display import Display, Displayed
from rpeval._names import did_you_mean
from rpeval._yaml import documents_from_text
from rpeval.errors import CodebookError
from rpeval.qualitative._loading import LoadedCodebook, load_codebooks, validate_document
from rpeval.qualitative._rules import RULES
from rpeval.qualitative.schema import Code, CodebookDefinition

__all__ = ["Codebook", "codebook_from_text", "load_codebook"]


@dataclass(frozen=True, repr=False)
class Codebook(Displayed):
    """A codebook that passed the schema and the semantic rules."""

    definition: CodebookDefinition
    source: str

    @property
    def name(self) -> str:
        """The codebook's name."""
        return self.definition.name

    @property
    def version(self) -> str:
        """Its semantic version."""
        return self.definition.version

    @property
    def codes(self) -> tuple[Code, ...]:
        """Its codes, in file order."""
        return tuple(self.definition.codes)

    @property
    def code_names(self) -> tuple[str, ...]:
        """The names of its codes."""
        return tuple(code.name for code in self.codes)

    def code(self, name: str) -> Code:
        """The code called `name`; an unknown name raises with did-you-mean."""
        found = self.definition.code(name)
        if found is None:
            raise CodebookError(
                f"code {name!r} is not in codebook {self.name!r} {self.version}"
                f"{did_you_mean(name, self.code_names)}",
                hint=f"codes: {', '.join(self.code_names)}",
            )
        return found

    def theme_of(self, name: str) -> str:
        """The top-level theme of code `name` (itself when it has no parent)."""
        code = self.code(name)
        seen = {code.name}
        while code.parent is not None and code.parent not in seen:
            seen.add(code.parent)
            code = self.code(code.parent)
        return code.name

    def theme_path(self, name: str) -> tuple[str, ...]:
        """`name` and its ancestors, nearest first (``("felt_heard", "procedural_justice")``)."""
        code = self.code(name)
        path = [code.name]
        while code.parent is not None and code.parent not in path:
            path.append(code.parent)
            code = self.code(code.parent)
        return tuple(path)

    def check_codes(self, names: Iterable[object], *, arg: str, caller: str) -> None:
        """Raise :class:`CodebookError` naming the first value that is not a code."""
        known = set(self.code_names)
        unknown = sorted({str(n) for n in names if str(n) not in known})
        if unknown:
            first = unknown[0]
            more = f" (and {len(unknown) - 1} more: {', '.join(unknown[1:6])})" * (len(unknown) > 1)
            raise CodebookError(
                f"{caller}(): code {first!r} in column `{arg}` is not in codebook "
                f"{self.name!r} {self.version}{did_you_mean(first, self.code_names)}{more}",
                hint=f"fix the data or add the code to the codebook; codes: "
                f"{', '.join(self.code_names)}",
            )

    def summary(self) -> pd.DataFrame:
        """One row per code: code, label, parent, theme, scale, levels, status."""
        rows = [
            {
                "code": code.name,
                "label": code.label or code.name,
                "parent": code.parent,
                "theme": self.theme_of(code.name),
                "scale": code.scale,
                "levels": None if code.levels is None else ", ".join(map(str, code.levels)),
                "status": code.status,
            }
            for code in self.codes
        ]
        columns = ["code", "label", "parent", "theme", "scale", "levels", "status"]
        return pd.DataFrame(rows, columns=columns)

    def to_dict(self) -> dict[str, object]:
        """The definition as JSON-ready data."""
        return self.definition.model_dump(mode="json")

    def _display(self) -> Display:
        header = (
            ("title", self.definition.title),
            ("codes", str(len(self.codes))),
            ("source", self.source),
        )
        return Display(f"Codebook {self.name} {self.version}", header, self.summary())


def _checked(loaded: LoadedCodebook) -> Codebook:
    for rule in RULES:
        for issue in rule.check([loaded]):
            if issue.level == "error":
                raise CodebookError(
                    f"{issue.file}:{issue.line}: {issue.message}",
                    hint="run `rpeval codebook validate` on the file for every problem",
                )
    return Codebook(loaded.definition, loaded.where)


def load_codebook(path: str | Path) -> Codebook:
    """Read and check the one codebook in `path` (a YAML file, or a folder holding one).

    Raises
    ------
    CodebookError
        With ``file:line`` for the first problem; for a file or folder holding no or
        several codebooks.
    """
    loaded = load_codebooks([path])
    if len(loaded) != 1:
        names = ", ".join(entry.definition.name for entry in loaded) or "none"
        raise CodebookError(
            f"{path}: expected one codebook, found {len(loaded)} ({names})",
            hint="name the codebook's file",
        )
    return _checked(loaded[0])


def codebook_from_text(text: str, file: str = "<string>") -> Codebook:
    """A codebook from YAML text (for notebooks and tests).

    Examples
    --------
    >>> book = codebook_from_text('''
    ... name: victims
    ... version: 1.0.0
    ... title: Victim interviews
    ... codes:
    ...   - {name: felt_heard, definition: The victim says they were listened to.}
    ...   - {name: apology, definition: An apology was offered.}
    ... ''')
    >>> try:
    ...     book.code("felt_herd")
    ... except CodebookError as error:
    ...     print(error.message)
    code 'felt_herd' is not in codebook 'victims' 1.0.0 (did you mean 'felt_heard'?)
    """
    documents = documents_from_text(text, file, error=CodebookError)
    if len(documents) != 1:
        raise CodebookError(f"{file}: expected one codebook, found {len(documents)}")
    result = validate_document(documents[0])
    if isinstance(result, list):
        first = result[0]
        raise CodebookError(f"{first.file}:{first.line}: {first.message}")
    return _checked(result)
