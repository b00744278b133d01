"""The parts of YAML-file validation that codebooks and metric definitions share.

A validator finds the YAML files (:func:`yaml_files`), checks each document against a strict
pydantic model (:func:`validate_mapping`, whose messages come from
:mod:`rpeval._schema_errors`; :func:`schema_stage` over every file), runs its own semantic
rules, sorts the issues (:func:`in_stage_order`) and returns a report whose counts, exit
code and JSON come from :class:`IssueCounts` and its JUnit XML from :func:`issues_junit`.
The pillars keep what differs: their issue fields, rules, stages and text layout.

Examples
--------
>>> from pydantic import BaseModel, ConfigDict
>>> from rpeval._yaml import SourceDocument
>>> class Book(BaseModel):
...     model_config = ConfigDict(extra="forbid", frozen=True)
...     name: str
>>> document = SourceDocument("book.yaml", 1, {"nmae": "x"}, {})
>>> [p.message for p in validate_mapping(Book, document, what="a codebook")]
["missing required key 'name'", "unknown key 'nmae' (did you mean 'name'?); allowed here: name"]
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Generic, Protocol, TypeVar

import pandas as pd
from pydantic import BaseModel, ValidationError

from rpeval._json import records
from rpeval._junit import JUnitCase, junit_xml
from rpeval._schema_errors import Location, schema_message
from rpeval.errors import RpevalError

__all__ = [
    "FoundIssue",
    "IssueCounts",
    "SchemaProblem",
    "in_stage_order",
    "issues_junit",
    "line_in",
    "schema_stage",
    "validate_mapping",
    "yaml_files",
]

YAML_SUFFIXES = (".yaml", ".yml")
Model = TypeVar("Model", bound=BaseModel)


class _Document(Protocol):
    """What :func:`validate_mapping` reads of a YAML document
    (:class:`rpeval._yaml.SourceDocument`)."""

    @property
    def file(self) -> str: ...
    @property
    def line(self) -> int: ...
    @property
    def value(self) -> Any: ...
    def line_of(self, location: Location, /) -> int: ...


class FoundIssue(Protocol):
    """An issue of a validation report: its ``level`` (``"error"`` or ``"warning"``), the
    ``stage`` that found it, where (``file``, ``line``) and what (``message``)."""

    @property
    def level(self) -> str: ...
    @property
    def stage(self) -> str: ...
    @property
    def file(self) -> str: ...
    @property
    def line(self) -> int: ...
    @property
    def message(self) -> str: ...


Issue = TypeVar("Issue", bound=FoundIssue)


@dataclass(frozen=True)
class SchemaProblem:
    """A schema error at a line of a document; ``name`` is the document's ``name:`` if any."""

    file: str
    line: int
    message: str
    name: str | None


def yaml_files(paths: Iterable[str | Path], *, error: type[RpevalError], hint: str) -> list[Path]:
    """YAML files named by `paths` (folders searched recursively), sorted, each once; a path
    that does not exist raises `error` with `hint`.

    Examples
    --------
    >>> import tempfile
    >>> from rpeval.errors import CodebookError
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "b.yml").write_text("x: 1"); _ = (folder / "a.yaml").write_text("x: 1")
    >>> [p.name for p in yaml_files([folder, folder / "a.yaml"], error=CodebookError, hint="")]
    ['a.yaml', 'b.yml']
    """
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(p for p in sorted(path.rglob("*")) if p.suffix in YAML_SUFFIXES)
        elif path.is_file():
            found.append(path)
        else:
            raise error(f"no such file or directory: {path}", hint=hint)
    return list(dict.fromkeys(found))


def validate_mapping(
    model: type[Model],
    document: _Document,
    *,
    what: str,
    annotate: Callable[[Location, str, dict[str, Any]], str] | None = None,
) -> Model | list[SchemaProblem]:
    """One document against the strict `model`: the validated model, or every problem
    with its line. `what` names a document in messages ("a codebook"); `annotate` may
    reword a message given its location and the document (e.g. name the code it is in)."""
    value = document.value
    if not isinstance(value, dict):
        message = f"{what} must be a mapping, got {type(value).__name__}"
        return [SchemaProblem(document.file, document.line, message, None)]
    name = value.get("name")
    label = name if isinstance(name, str) else None
    try:
        return model.model_validate(value)
    except ValidationError as failure:
        problems = []
        for item in failure.errors():
            location, message = schema_message(model, dict(item))
            if annotate is not None:
                message = annotate(location, message, value)
            line = document.line_of(location)
            problems.append(SchemaProblem(document.file, line, message, label))
        return problems


def line_in(message: str, file: str) -> int:
    """The line number of a ``file:line: ...`` error message about `file` (1 if none).

    Examples
    --------
    >>> line_in("book.yaml:12: mapping values are not allowed", "book.yaml")
    12
    """
    found = re.match(r"(\d+):", message.removeprefix(f"{file}:"))
    return int(found.group(1)) if message.startswith(f"{file}:") and found else 1


Doc = TypeVar("Doc")
Loaded = TypeVar("Loaded")


def schema_stage(
    files: Iterable[Path],
    read: Callable[[Path], Iterable[Doc]],
    check: Callable[[Doc], Loaded | list[SchemaProblem]],
    *,
    error: type[RpevalError],
) -> tuple[list[Loaded], list[SchemaProblem]]:
    """Every document of every file through `check` (e.g. :func:`validate_mapping`): what
    passed, and every problem in file order. A file that `read` cannot read (it raises
    `error`) is one problem at the line its message names, named by no document."""
    loaded: list[Loaded] = []
    problems: list[SchemaProblem] = []
    for file in files:
        try:
            documents = read(file)
        except error as failure:
            line = line_in(failure.message, str(file))
            problems.append(SchemaProblem(str(file), line, failure.message, None))
            continue
        for document in documents:
            result = check(document)
            if isinstance(result, list):
                problems.extend(result)
            else:
                loaded.append(result)
    return loaded, problems


def in_stage_order(issues: Iterable[Issue], stages: Sequence[str]) -> list[Issue]:
    """`issues` sorted by stage (in the order of `stages`), then file and line; issues
    at the same place keep their order.

    Examples
    --------
    >>> from types import SimpleNamespace as Found
    >>> found = [Found(stage="semantic", file="a", line=1), Found(stage="schema", file="b", line=9)]
    >>> [i.file for i in in_stage_order(found, ("schema", "semantic"))]
    ['b', 'a']
    """
    order = {stage: n for n, stage in enumerate(stages)}
    return sorted(issues, key=lambda i: (order[i.stage], i.file, i.line))


def issues_junit(
    suite: str,
    names: Iterable[str],
    issues: Iterable[Issue],
    *,
    subject: Callable[[Issue], str | None],
    classname: str,
    others: str | None = None,
) -> str:
    """JUnit XML of a report's issues: a case per checked name (class `classname`), in
    order, then one per other subject with issues (class `others`, default `classname`).

    An issue belongs to ``subject(issue)``, or to its file when that is ``None``; errors are
    failures (type: the stage) and warnings ``system-out`` lines, each with ``file:line``.

    Examples
    --------
    >>> from types import SimpleNamespace as Found
    >>> bad = Found(level="error", stage="schema", file="a.yaml", line=3, message="no", name="x")
    >>> text = issues_junit("s", ["x", "y"], [bad], subject=lambda i: i.name, classname="c")
    >>> 'tests="2" failures="1"' in text
    True
    """
    grouped: dict[tuple[str, str], list[Issue]] = {(classname, name): [] for name in names}
    for issue in issues:
        key = subject(issue) or issue.file
        group = (classname, key) if (classname, key) in grouped else (others or classname, key)
        grouped.setdefault(group, []).append(issue)
    cases = []
    for (kind, name), found in grouped.items():
        errors = [i for i in found if i.level == "error"]
        cases.append(
            JUnitCase(
                kind,
                name,
                failures=tuple((i.stage, i.message) for i in errors),
                output=tuple(
                    f"warning {i.file}:{i.line}: {i.message}" for i in found if i.level != "error"
                ),
                details=tuple(f"{i.file}:{i.line}: {i.message}" for i in errors),
            )
        )
    return junit_xml(suite, cases)


class IssueCounts(Generic[Issue]):
    """Mixin for a frozen validation report with ``issues``, the ``files`` checked and the
    things checked in them (the field :attr:`SUBJECTS` names): ``errors``, ``warnings``,
    ``ok``, ``exit_code`` (0 clean, 1 with errors), ``summary()`` (one row per issue in
    :attr:`COLUMNS`), ``to_dict()`` and ``to_json()``.
    """

    COLUMNS: ClassVar[tuple[str, ...]]  # the issue's fields, as summary() columns
    SUBJECTS: ClassVar[str]  # the field that holds the names checked ("metrics", ...)
    issues: tuple[Issue, ...]
    files: tuple[str, ...]

    @property
    def errors(self) -> tuple[Issue, ...]:
        """Issues at level error."""
        return tuple(i for i in self.issues if i.level == "error")

    @property
    def warnings(self) -> tuple[Issue, ...]:
        """Issues at level warning."""
        return tuple(i for i in self.issues if i.level == "warning")

    @property
    def ok(self) -> bool:
        """No errors (warnings allowed)."""
        return not self.errors

    @property
    def exit_code(self) -> int:
        """0 without errors, 1 with errors (as the ``validate`` commands)."""
        return 0 if self.ok else 1

    def summary(self) -> pd.DataFrame:
        """One row per issue, with the columns :attr:`COLUMNS` names."""
        rows = [[getattr(i, c) for c in self.COLUMNS] for i in self.issues]
        return pd.DataFrame(rows, columns=list(self.COLUMNS))

    def to_dict(self) -> dict[str, object]:
        """JSON-ready report: the counts, the files and names checked, every issue."""
        return {
            "ok": self.ok,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "files": list(self.files),
            self.SUBJECTS: list(getattr(self, self.SUBJECTS)),
            "issues": records(self.summary()),
        }

    def to_json(self) -> str:
        """The report as JSON text."""
        return json.dumps(self.to_dict(), indent=2)
