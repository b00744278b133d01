"""YAML files as they were at a git revision: the baseline of breaking-change checks.

Shared by metric definitions and codebooks (``--baseline git:REF``). The revision is
checked against a pattern before git sees it, verified as a commit, and passed after
``--end-of-options``; git runs without a shell.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Sequence
from pathlib import Path

from rpeval._yaml import ErrorType, SourceDocument, documents_from_text
from rpeval.errors import SpecificationError

__all__ = ["check_ref", "git", "yaml_documents_at"]


def git(repo: Path, *args: str) -> str:
    """The output of ``git -C repo args...``; a failure is a :class:`SpecificationError`."""
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
            hint="definitions are UTF-8 YAML files",
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


def yaml_documents_at(
    ref: str, paths: Sequence[str | Path], *, error: ErrorType
) -> list[SourceDocument]:
    """The YAML documents of `paths` (files or folders) as they were at revision `ref`."""
    ref = check_ref(ref)
    documents: list[SourceDocument] = []
    for raw in paths:
        path = Path(raw).resolve()
        anchor = path if path.is_dir() else path.parent
        top = Path(git(anchor, "rev-parse", "--show-toplevel").strip())
        git(top, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}")
        relative = path.relative_to(top).as_posix()
        listed = git(
            top, "ls-tree", "-r", "--name-only", "--end-of-options", ref, "--", relative
        ).splitlines()
        for name in listed:
            if name.endswith((".yaml", ".yml")):
                text = git(top, "cat-file", "blob", "--end-of-options", f"{ref}:{name}")
                documents.extend(documents_from_text(text, f"{ref}:{name}", error=error))
    return documents
