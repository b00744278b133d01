"""Breaking changes of codebooks against a baseline (a folder or ``git:REF``).

What a code *means* is its definition, inclusion and exclusion rules, parent, scale and
levels: changing any of them, or removing a code that was not deprecated first, needs a
major version bump (error otherwise). Adding a code needs at least a minor bump, and any
other change at least a patch bump (warnings). A version that goes down is an error, and so
is a codebook that disappears without having been deprecated.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from rpeval._git import yaml_documents_at
from rpeval.errors import CodebookError
from rpeval.qualitative._loading import (
    LoadedCodebook,
    codebook_files,
    read_file,
    validate_document,
)
from rpeval.qualitative._rules import CodebookIssue
from rpeval.qualitative.schema import Code, CodebookDefinition

__all__ = ["MEANING", "breaking_changes", "load_baseline"]

MEANING = ("definition", "include", "exclude", "parent", "scale", "levels")


def load_baseline(baseline: str | Path, paths: Sequence[str | Path]) -> list[LoadedCodebook]:
    """Baseline codebooks from ``git:REF`` (the same paths at REF) or a folder."""
    text = str(baseline)
    if text.startswith("git:"):
        documents = yaml_documents_at(text.removeprefix("git:"), paths, error=CodebookError)
    else:
        documents = [d for f in codebook_files([baseline]) for d in read_file(f)]
    loaded = []
    for document in documents:
        result = validate_document(document)
        if isinstance(result, LoadedCodebook):
            loaded.append(result)
    return loaded


def _meaning(code: Code) -> dict[str, object]:
    return {key: getattr(code, key) for key in MEANING}


def breaking_changes(
    current: Sequence[LoadedCodebook], baseline: Sequence[LoadedCodebook]
) -> list[CodebookIssue]:
    """Every change against the baseline that the version does not announce."""
    now = {loaded.definition.name: loaded for loaded in current}
    issues: list[CodebookIssue] = []
    for old in baseline:
        name = old.definition.name
        new = now.get(name)
        if new is None:
            if old.definition.status != "deprecated":
                issues.append(
                    CodebookIssue(
                        "error",
                        "breaking",
                        old.source.file,
                        old.source.line,
                        name,
                        None,
                        f"codebook {name!r} was removed without being deprecated first "
                        "(set `status: deprecated` in a release, then remove it)",
                    )
                )
            continue
        issues.extend(_compare(old.definition, new))
    return issues


def _compare(old: CodebookDefinition, loaded: LoadedCodebook) -> list[CodebookIssue]:
    new = loaded.definition
    line = loaded.source.line_of(("version",))

    def issue(message: str, level: str = "error", code: str | None = None) -> CodebookIssue:
        return CodebookIssue(
            "error" if level == "error" else "warning",
            "breaking",
            loaded.source.file,
            line,
            new.name,
            code,
            message,
        )

    if new.version_tuple < old.version_tuple:
        return [issue(f"version went down from {old.version} to {new.version}")]
    major = new.version_tuple[0] > old.version_tuple[0]
    minor = new.version_tuple[:2] > old.version_tuple[:2]
    before = {code.name: code for code in old.codes}
    after = {code.name: code for code in new.codes}
    issues: list[CodebookIssue] = []
    for name, code in before.items():
        if name not in after:
            if code.status != "deprecated" and not major:
                issues.append(
                    issue(
                        f"code {name!r} was removed without being deprecated first and "
                        f"without a major version bump ({old.version} -> {new.version})",
                        code=name,
                    )
                )
            continue
        changed = [k for k in MEANING if _meaning(code)[k] != _meaning(after[name])[k]]
        if changed and not major:
            issues.append(
                issue(
                    f"code {name!r}: {', '.join(changed)} changed, which changes what the "
                    f"code means, but the major version did not ({old.version} -> "
                    f"{new.version}); bump to {old.version_tuple[0] + 1}.0.0",
                    code=name,
                )
            )
    added = [name for name in after if name not in before]
    if added and not minor:
        issues.append(
            issue(
                f"code(s) {', '.join(map(repr, added))} added without a minor version bump "
                f"({old.version} -> {new.version})",
                "warning",
            )
        )
    if not issues and new.version == old.version and old != new:
        issues.append(issue(f"changed but still version {new.version}: bump the version", "w"))
    return issues
