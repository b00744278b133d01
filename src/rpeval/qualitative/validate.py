"""`validate_codebooks`: check codebook files for CI, in stages, with ``file:line``.

Stages: **schema** (YAML and the strict schema), **semantic** (unique names, parents that
exist, no cycles; documented codes) and **breaking** (against a baseline). Errors make the
exit code 1, as ``rpeval codebook validate``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from rpeval._display import Display, Displayed
from rpeval._validation import IssueCounts, in_stage_order, issues_junit, schema_stage
from rpeval.errors import CodebookError
from rpeval.qualitative._baseline import breaking_changes, load_baseline
from rpeval.qualitative._loading import (
    LoadedCodebook,
    codebook_files,
    read_file,
    validate_document,
)
from rpeval.qualitative._rules import RULES, CodebookIssue

__all__ = ["CodebookIssue", "CodebookReport", "validate_codebooks"]

STAGES = ("schema", "semantic", "breaking")


@dataclass(frozen=True, repr=False)
class CodebookReport(IssueCounts[CodebookIssue], Displayed):
    """Every issue found, and what was checked (``errors``, ``warnings``, ``ok``,
    ``exit_code``, ``summary()`` with one row per issue (level, stage, file, line,
    codebook, code, message), ``to_dict()`` and ``to_json()`` from
    :class:`rpeval._validation.IssueCounts`)."""

    COLUMNS = ("level", "stage", "file", "line", "codebook", "code", "message")
    SUBJECTS = "codebooks"
    issues: tuple[CodebookIssue, ...]
    files: tuple[str, ...]
    codebooks: tuple[str, ...]

    def to_text(self) -> str:
        """``file:line: level [stage] codebook/code: message`` lines and a count."""
        lines = []
        for i in self.issues:
            where = "/".join(part for part in (i.codebook, i.code) if part) or "-"
            lines.append(f"{i.file}:{i.line}: {i.level} [{i.stage}] {where}: {i.message}")
        lines.append(
            f"{len(self.codebooks)} codebook(s) in {len(self.files)} file(s): "
            f"{len(self.errors)} error(s), {len(self.warnings)} warning(s)"
        )
        return "\n".join(lines)

    def __str__(self) -> str:
        """The ``file:line`` diagnostics of ``rpeval codebook validate`` (:meth:`to_text`)."""
        return self.to_text()

    def _display(self) -> Display:
        title = (
            f"Codebook validation: {len(self.codebooks)} codebook(s) in {len(self.files)} "
            f"file(s), {len(self.errors)} error(s), {len(self.warnings)} warning(s)"
        )
        return Display(title, (), self.summary())

    def to_junit(self) -> str:
        """JUnit XML: a test case per codebook (errors are failures)."""
        return issues_junit(
            "rpeval-codebooks",
            self.codebooks,
            self.issues,
            subject=lambda issue: issue.codebook,
            classname="codebooks",
        )


def _schema_stage(files: Sequence[Path]) -> tuple[list[LoadedCodebook], list[CodebookIssue]]:
    loaded, problems = schema_stage(files, read_file, validate_document, error=CodebookError)
    return loaded, [
        CodebookIssue("error", "schema", p.file, p.line, p.name, None, p.message) for p in problems
    ]


def validate_codebooks(
    paths: Sequence[str | Path], *, baseline: str | Path | None = None
) -> CodebookReport:
    """Validate codebook files.

    Parameters
    ----------
    paths
        YAML files or folders (searched recursively for ``*.yaml``/``*.yml``).
    baseline
        ``"git:REF"`` (the same paths at a git revision) or a folder of the previous
        codebooks; enables the breaking-change stage.

    Returns
    -------
    CodebookReport
        ``summary()`` columns: level, stage, file, line, codebook, code, message.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "book.yaml").write_text(
    ...     "name: victims\\nversion: 1.0.0\\ntitle: Victims\\ncodes:\\n"
    ...     "  - name: felt_heard\\n    definition: Listened to.\\n    parnet: x\\n")
    >>> report = validate_codebooks([folder])
    >>> report.exit_code, report.errors[0].line
    (1, 7)
    >>> report.errors[0].message
    "code 'felt_heard': unknown key 'parnet' (did you mean 'parent'?); allowed here: ..."
    """
    files = codebook_files(paths)
    loaded, issues = _schema_stage(files)
    for rule in RULES:
        issues.extend(rule.check(loaded))
    if baseline is not None:
        issues.extend(breaking_changes(loaded, load_baseline(baseline, list(paths))))
    names = tuple(dict.fromkeys(entry.definition.name for entry in loaded))
    ordered = tuple(in_stage_order(issues, STAGES))
    return CodebookReport(ordered, tuple(str(f) for f in files), names)
