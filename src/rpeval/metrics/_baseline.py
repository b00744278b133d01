"""Breaking changes against a baseline: a directory of definitions or a git revision.

What a metric *means* is its kind, table, measures (with filters in canonical form),
value, exposure and window. Changing any of them without a major version bump is an
error; other changes without any version bump are warnings; a version that goes down is
an error; a metric that disappears is an error unless the baseline had deprecated it.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Sequence
from pathlib import Path

from rpeval.errors import MetricDefinitionError, SpecificationError
from rpeval.metrics._loading import LoadedDefinition, definition_files, validate_document
from rpeval.metrics._rules import Issue
from rpeval.metrics._yaml_source import SourceDocument, documents_from_text, load_documents
from rpeval.metrics.filters import parse_filter
from rpeval.metrics.schema import MetricDefinition

__all__ = ["breaking_changes", "load_baseline"]

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


def _git(repo: Path, *args: str) -> str:
    try:
        done = subprocess.run(  # noqa: S603 - fixed git argv, no shell
            ["git", "-C", str(repo), *args],  # noqa: S607 - git from PATH, as every git tool
            capture_output=True,
            text=True,
            encoding="utf-8",
            check=False,
        )
    except OSError as error:
        raise SpecificationError(f"cannot run git: {error}", hint="install git") from error
    except UnicodeDecodeError:
        raise SpecificationError(
            f"git {' '.join(args)} in {repo}: the output is not UTF-8 text",
            hint="metric definitions are UTF-8 YAML files",
        ) from None
    if done.returncode != 0:
        detail = done.stderr.strip() or f"exit code {done.returncode}"
        raise SpecificationError(
            f"git {' '.join(args)} failed in {repo}: {detail}",
            hint="--baseline git:REF needs a revision that exists (e.g. git:origin/main)",
        )
    return done.stdout


# a revision as people write them (main, origin/main, v1.2.0, HEAD~1, HEAD^, @{u}, a hash):
# no leading "-" (an option), no ":" (a path), no spaces or control characters
_SAFE_REF = re.compile(r"^(?!-)(?!.*\.\.)[A-Za-z0-9._/@{}~^+-]{1,200}$")


def check_ref(ref: str) -> str:
    """A git revision from ``--baseline git:REF``, checked before git sees it.

    Examples
    --------
    >>> check_ref("origin/main")
    'origin/main'
    >>> check_ref("--output=/tmp/x")
    Traceback (most recent call last):
    rpeval.errors.SpecificationError: --baseline git:'--output=/tmp/x' is not a git revision ...
    """
    if not _SAFE_REF.match(ref):
        raise SpecificationError(
            f"--baseline git:{ref!r} is not a git revision name (letters, digits and "
            "._/@{}~^+- only, not starting with '-', no '..')",
            hint="e.g. --baseline git:origin/main, git:v1.2.0 or git:HEAD~1",
        )
    return ref


def _git_documents(ref: str, paths: Sequence[str | Path]) -> list[SourceDocument]:
    ref = check_ref(ref)
    documents: list[SourceDocument] = []
    for raw in paths:
        path = Path(raw).resolve()
        anchor = path if path.is_dir() else path.parent
        top = Path(_git(anchor, "rev-parse", "--show-toplevel").strip())
        _git(top, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}")
        relative = path.relative_to(top).as_posix()
        listed = _git(
            top, "ls-tree", "-r", "--name-only", "--end-of-options", ref, "--", relative
        ).splitlines()
        for name in listed:
            if name.endswith((".yaml", ".yml")):
                text = _git(top, "cat-file", "blob", "--end-of-options", f"{ref}:{name}")
                documents.extend(documents_from_text(text, f"{ref}:{name}"))
    return documents


def load_baseline(baseline: str | Path, paths: Sequence[str | Path]) -> list[LoadedDefinition]:
    """Baseline definitions from ``git:REF`` (the same paths at REF) or a directory."""
    text = str(baseline)
    if text.startswith("git:"):
        documents = _git_documents(text.removeprefix("git:"), paths)
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
