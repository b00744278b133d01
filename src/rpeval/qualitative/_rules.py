"""Semantic rules for codebooks, each a small class returning all its issues.

They run after the schema on every codebook that passed it. ``RULES`` is the registered
tuple; cross-file rules (a codebook name used twice) are rules like any other.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Literal

from rpeval._names import did_you_mean
from rpeval.qualitative._loading import LoadedCodebook

__all__ = ["RULES", "CodebookIssue", "Rule"]

Level = Literal["error", "warning"]


@dataclass(frozen=True)
class CodebookIssue:
    """One finding of codebook validation."""

    level: Level
    stage: str
    file: str
    line: int
    codebook: str | None
    code: str | None
    message: str


def _issue(
    loaded: LoadedCodebook, code: str | None, key: str | None, message: str, level: Level
) -> CodebookIssue:
    if code is None:
        line = loaded.source.line_of((key,)) if key else loaded.source.line
    else:
        line = loaded.line_of_code(code, *([key] if key else []))
    name = loaded.definition.name
    return CodebookIssue(level, "semantic", loaded.source.file, line, name, code, message)


class Rule:
    """A semantic rule: ``check`` returns every issue it finds."""

    def check(self, codebooks: Sequence[LoadedCodebook]) -> list[CodebookIssue]:
        raise NotImplementedError  # pragma: no cover


class UniqueNames(Rule):
    """A codebook name is used once across files; a code name once in its codebook."""

    def check(self, codebooks: Sequence[LoadedCodebook]) -> list[CodebookIssue]:
        issues = []
        first: dict[str, LoadedCodebook] = {}
        for loaded in codebooks:
            name = loaded.definition.name
            if name in first:
                message = f"codebook {name!r} is already defined at {first[name].where}"
                issues.append(_issue(loaded, None, "name", message, "error"))
            else:
                first[name] = loaded
            seen: set[str] = set()
            for code in loaded.definition.codes:
                if code.name in seen:
                    message = f"code {code.name!r} is defined twice in this codebook"
                    issues.append(_issue(loaded, None, "codes", message, "error"))
                seen.add(code.name)
        return issues


class ParentsExist(Rule):
    """Every ``parent:`` names a code of the same codebook, and no theme contains itself."""

    def check(self, codebooks: Sequence[LoadedCodebook]) -> list[CodebookIssue]:
        issues = []
        for loaded in codebooks:
            parents = {code.name: code.parent for code in loaded.definition.codes}
            for code in loaded.definition.codes:
                if code.parent is None:
                    continue
                if code.parent not in parents:
                    message = (
                        f"code {code.name!r}: parent {code.parent!r} is not a code of this "
                        f"codebook{did_you_mean(code.parent, list(parents))}"
                    )
                    issues.append(_issue(loaded, code.name, "parent", message, "error"))
                    continue
                seen = {code.name}
                current: str | None = code.parent
                while current is not None and current not in seen:
                    seen.add(current)
                    current = parents.get(current)
                if current == code.name:
                    message = f"code {code.name!r} is its own ancestor (parents form a cycle)"
                    issues.append(_issue(loaded, code.name, "parent", message, "error"))
        return issues


class CodesDocumented(Rule):
    """Stable codes say when to apply them and give an anchor example (warnings)."""

    def check(self, codebooks: Sequence[LoadedCodebook]) -> list[CodebookIssue]:
        issues = []
        for loaded in codebooks:
            themes = {code.parent for code in loaded.definition.codes}
            for code in loaded.definition.codes:
                if code.status != "stable" or code.name in themes:
                    continue
                if not code.include:
                    message = f"code {code.name!r} has no `include:` rules for coders"
                    issues.append(_issue(loaded, code.name, None, message, "warning"))
                if not code.examples:
                    message = f"code {code.name!r} has no anchor `examples:`"
                    issues.append(_issue(loaded, code.name, None, message, "warning"))
        return issues


RULES: Final[tuple[Rule, ...]] = (UniqueNames(), ParentsExist(), CodesDocumented())
