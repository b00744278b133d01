"""Breaking changes against a baseline: a directory of definitions or a git revision.

What a metric *means* is its kind, table, measures (with filters in canonical form),
value, exposure and window. Changing any of them without a major version bump is an
error; other changes without any version bump are warnings; a version that goes down is
an error; a metric that disappears is an error unless the baseline had deprecated it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from rpeval._git import check_ref, yaml_documents_at
from rpeval.errors import MetricDefinitionError
from rpeval.metrics._loading import (
    LoadedDefinition,
    definition_files,
    load_documents,
    validate_document,
)
from rpeval.metrics.filters import parse_filter
from rpeval.metrics.schema import MetricDefinition
from rpeval.metrics.validation._rules import Issue

__all__ = ["breaking_changes", "check_ref", "load_baseline"]

_MEANING = (
    "kind",
    "table",
    "numerator",
    "denominator",
    "value",
    "exposure",
    "window",
    "reference",
)


def _canonical_text(text: str) -> str:
    try:
        return str(parse_filter(text))
    except MetricDefinitionError:
        return text


def _canonical(value: object) -> object:
    """A definition part with every filter text replaced by its canonical form."""
    if isinstance(value, dict):
        result: dict[object, object] = {}
        for key, item in value.items():
            if key == "where" and isinstance(item, str):
                try:
                    result[key] = str(parse_filter(item))
                except MetricDefinitionError:
                    result[key] = item
            elif key not in {"label"}:
                result[key] = _canonical(item)
        return result
    return value


def _meaning(definition: MetricDefinition) -> dict[str, object]:
    dumped = definition.model_dump(mode="json")
    meaning = {key: _canonical(dumped[key]) for key in _MEANING}
    if isinstance(meaning["reference"], str):
        meaning["reference"] = _canonical_text(meaning["reference"])
    return meaning


def load_baseline(baseline: str | Path, paths: Sequence[str | Path]) -> list[LoadedDefinition]:
    """Baseline definitions from ``git:REF`` (the same paths at REF) or a directory."""
    text = str(baseline)
    if text.startswith("git:"):
        documents = yaml_documents_at(text.removeprefix("git:"), paths, error=MetricDefinitionError)
    else:
        documents = [d for f in definition_files([baseline]) for d in load_documents(f)]
    loaded = []
    for document in documents:
        result = validate_document(document)
        if isinstance(result, LoadedDefinition):
            loaded.append(result)
    return loaded


def _issue(loaded: LoadedDefinition, message: str, level: str = "error") -> Issue:
    line = loaded.source.line_of(("version",))
    return Issue(level, "breaking", loaded.source.file, line, loaded.definition.name, message)  # type: ignore[arg-type]


def breaking_changes(
    current: Sequence[LoadedDefinition], baseline: Sequence[LoadedDefinition]
) -> list[Issue]:
    """Issues for every change against the baseline that its version does not announce."""
    now = {loaded.definition.name: loaded for loaded in current}
    issues: list[Issue] = []
    for old in baseline:
        definition = old.definition
        new = now.get(definition.name)
        if new is None:
            if definition.status != "deprecated":
                issues.append(
                    Issue(
                        "error",
                        "breaking",
                        old.source.file,
                        old.source.line,
                        definition.name,
                        f"metric {definition.name!r} was removed without being deprecated "
                        "first (set `status: deprecated` in a release, then remove it)",
                    )
                )
            continue
        issues.extend(_compare(old.definition, new))
    return issues


def _compare(old: MetricDefinition, loaded: LoadedDefinition) -> list[Issue]:
    new = loaded.definition
    if new.version_tuple < old.version_tuple:
        return [_issue(loaded, f"version went down from {old.version} to {new.version}")]
    changed = [k for k in _MEANING if _meaning(old)[k] != _meaning(new)[k]]
    if changed and new.version_tuple[0] <= old.version_tuple[0]:
        fields = ", ".join(changed)
        return [
            _issue(
                loaded,
                f"{fields} changed, which changes what the metric means, but the major "
                f"version did not ({old.version} -> {new.version}); bump to "
                f"{old.version_tuple[0] + 1}.0.0",
            )
        ]
    rest = old.model_dump(exclude=set(_MEANING) | {"version"}) != new.model_dump(
        exclude=set(_MEANING) | {"version"}
    )
    if rest and new.version == old.version:
        return [
            _issue(
                loaded,
                f"changed but still version {new.version}: bump the minor or patch version",
                "warning",
            )
        ]
    return []
