"""The command line's output directory: checked first, written all at once, never clobbered.

``rpeval demo`` and ``rpeval evaluate`` write a few named files to ``--out``. Before any
computation, :func:`staged_output` checks that the directory can be written and that no
file it will replace is one rpeval did not write (or one changed since), and opens a
temporary directory next to the target. The command writes into that directory; only when
it finishes are the files moved into place (a new target is one directory rename). On any
error nothing is left behind but what was there before.

rpeval remembers what it wrote in ``.rpeval-manifest.json`` (each file's SHA-256): a file
listed there with the same content may be replaced; any other file of the same name is left
alone unless ``force``.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from rpeval import __version__
from rpeval.errors import SpecificationError

__all__ = ["MANIFEST", "staged_output"]

MANIFEST = ".rpeval-manifest.json"


def _digest(path: Path) -> str:
    hasher = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            hasher.update(block)
    return hasher.hexdigest()


def _manifest(directory: Path) -> dict[str, str]:
    """What rpeval wrote to `directory` before ({name: sha256}); empty if unknown."""
    try:
        found = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    files = found.get("files") if isinstance(found, dict) else None
    if not isinstance(files, dict):
        return {}
    return {str(k): str(v) for k, v in files.items()}


def _existing_ancestor(path: Path) -> Path:
    for candidate in (path, *path.parents):
        if candidate.exists() or candidate.is_symlink():
            return candidate
    return Path(".")  # pragma: no cover - a relative path always has "." as an ancestor


def _check(target: Path, names: Sequence[str], option: str, force: bool) -> Path:
    """The checks; returns the existing directory in which to stage the output."""
    anchor = _existing_ancestor(target)
    if anchor == target:
        if not target.is_dir():
            raise SpecificationError(
                f"{option} {target} exists and is not a directory",
                hint=f"give a directory for {option} (it is created when missing)",
            )
    elif not anchor.is_dir():
        raise SpecificationError(
            f"{option} {target}: {anchor} is a file, so no directory can be made below it",
            hint=f"choose another {option}",
        )
    if anchor != target:
        return anchor
    ours = _manifest(target)
    foreign, blocked = [], []
    for name in names:
        path = target / name
        if not (path.exists() or path.is_symlink()):
            continue
        if path.is_symlink() or not path.is_file():
            blocked.append(name)
        elif ours.get(name) != _digest(path):
            foreign.append(name)
    if blocked:
        raise SpecificationError(
            f"{option} {target} holds {', '.join(blocked)}, which "
            f"{'is not a plain file' if len(blocked) == 1 else 'are not plain files'} "
            "(a directory or a link): rpeval writes files of those names there",
            hint=f"move them away, or choose another {option}",
        )
    if foreign and not force:
        raise SpecificationError(
            f"{option} {target} already holds {', '.join(foreign)}, which rpeval did not "
            "write (or which changed since): they would be replaced",
            hint=f"pass --force to replace them, or choose another {option}",
        )
    return target


@contextmanager
def staged_output(
    target: str | Path, names: Sequence[str], *, force: bool = False, option: str = "--out"
) -> Iterator[Path]:
    """Check `target`, yield a temporary directory to write `names` into, then move them.

    Raises :class:`~rpeval.errors.SpecificationError` before anything is computed when the
    target cannot be used, and ``OSError`` (which the command line reports in one line)
    when the file system refuses. Files of `names` missing from the temporary directory
    when the block ends are not written.

    Examples
    --------
    >>> import tempfile
    >>> root = Path(tempfile.mkdtemp())
    >>> with staged_output(root / "out", ["a.txt"]) as stage:
    ...     _ = (stage / "a.txt").write_text("hello")
    >>> sorted(p.name for p in (root / "out").iterdir())
    ['.rpeval-manifest.json', 'a.txt']
    >>> (root / "out" / "b.txt").write_text("mine")
    4
    >>> with staged_output(root / "out", ["b.txt"]) as stage:
    ...     pass
    Traceback (most recent call last):
    rpeval.errors.SpecificationError: --out ... already holds b.txt, which rpeval did not write ...
    """
    final = Path(target)
    anchor = _check(final, names, option, force)
    try:
        stage = Path(tempfile.mkdtemp(prefix=f".{final.name or 'out'}.partial-", dir=anchor))
    except OSError as error:
        raise _unwritable(option, final, anchor, error) from None
    try:
        if anchor == final:  # the files are moved into an existing directory: test it first
            try:
                with tempfile.TemporaryFile(dir=final):
                    pass
            except OSError as error:
                raise _unwritable(option, final, final, error) from None
        yield stage
        _commit(stage, final, names)
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def _unwritable(option: str, final: Path, where: Path, error: OSError) -> SpecificationError:
    return SpecificationError(
        f"{option} {final}: cannot write in {where} ({error.strerror or error})",
        hint=f"choose a directory you can write to for {option}",
    )


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _commit(stage: Path, final: Path, names: Sequence[str]) -> None:
    written = [name for name in names if (stage / name).is_file()]
    record = _manifest(final) if final.is_dir() else {}
    record.update({name: _digest(stage / name) for name in written})
    manifest = {"written_by": f"rpeval {__version__}", "files": dict(sorted(record.items()))}
    (stage / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    if not final.exists():
        final.parent.mkdir(parents=True, exist_ok=True)
        stage.chmod(0o777 & ~_umask())  # mkdtemp made it private; a new --out is not
        os.replace(stage, final)
        return
    for name in [*written, MANIFEST]:
        os.replace(stage / name, final / name)
