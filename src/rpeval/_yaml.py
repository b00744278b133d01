"""Read YAML (metric definitions, codebooks, configurations), remembering each line.

PyYAML's composer gives nodes with start marks; we build plain Python values from the
nodes ourselves (safe: only mappings, sequences and scalars resolved by the safe loader's
tag resolution) and record ``path -> line`` for every mapping key and sequence item, so
that a schema error at ``("examples", 0, "expected", "value")`` can be reported as
``metrics.yaml:42``.

Hostile files are refused before PyYAML's composer, which recurses, sees them: a text
longer than :data:`MAX_CHARS` is refused unread, and the token stream (PyYAML's scanner
does not recurse) is checked for nesting deeper than :data:`MAX_DEPTH` and for tags. Only
the standard tags of plain data (``!!str``, ``!!int``, ``!!float``, ``!!bool``, ``!!null``,
``!!seq``, ``!!map``) are allowed; any other (``!!python/object``, ``!custom``) is an error
at its line, never silently dropped. Every error names ``file:line``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import yaml

from rpeval.errors import RpevalError

__all__ = [
    "ALLOWED_TAGS",
    "MAX_CHARS",
    "MAX_DEPTH",
    "MAX_NODES",
    "ErrorType",
    "Location",
    "SourceDocument",
    "documents_from_text",
    "load_documents",
    "read_yaml_text",
]

Location = tuple[str | int, ...]


@dataclass(frozen=True)
class SourceDocument:
    """One YAML document: its value and the line of every key path (1-based lines)."""

    file: str
    line: int
    value: object
    lines: dict[Location, int] = field(default_factory=dict)

    def line_of(self, location: Location) -> int:
        """The line of the deepest known prefix of `location` (the document's line if none)."""
        for cut in range(len(location), 0, -1):
            found = self.lines.get(tuple(location[:cut]))
            if found is not None:
                return found
        return self.line


MAX_DEPTH: Final = 40
MAX_NODES: Final = 200_000
MAX_CHARS: Final = 2_000_000
_STANDARD: Final = "tag:yaml.org,2002:"
ALLOWED_TAGS: Final = frozenset(
    _STANDARD + name for name in ("str", "int", "float", "bool", "null", "seq", "map")
)
_OPEN = (
    yaml.FlowSequenceStartToken,
    yaml.FlowMappingStartToken,
    yaml.BlockSequenceStartToken,
    yaml.BlockMappingStartToken,
)
_CLOSE = (yaml.FlowSequenceEndToken, yaml.FlowMappingEndToken, yaml.BlockEndToken)
ErrorType = type[RpevalError]


def _tag_name(value: tuple[str | None, str]) -> str:
    handle, suffix = value
    if handle is None:
        return suffix  # verbatim: !<tag:yaml.org,2002:str>
    if handle == "!!":
        return _STANDARD + suffix
    return handle + suffix


def _check_tokens(text: str, file: str, error: ErrorType) -> None:
    """Size, nesting and tags, from the token stream (no recursion), before composing."""
    if len(text) > MAX_CHARS:
        raise error(
            f"{file}: {len(text):,} characters is more than the {MAX_CHARS:,} a YAML file "
            "may have here",
            hint="definitions and configurations are small: split the file",
        )
    try:
        scanner = yaml.SafeLoader(text)
    except yaml.YAMLError:
        return  # e.g. a control character: the parser reports it with its line
    depth = 0
    try:
        while scanner.check_token():
            token = scanner.get_token()  # type: ignore[no-untyped-call]
            line = token.start_mark.line + 1
            if isinstance(token, _OPEN):
                depth += 1
                if depth > MAX_DEPTH:
                    raise error(
                        f"{file}:{line}: the YAML is nested more than {MAX_DEPTH} levels deep",
                        hint="definitions and configurations are shallow: write the values out",
                    )
            elif isinstance(token, _CLOSE):
                depth -= 1
            elif isinstance(token, yaml.TagToken):
                tag = _tag_name(token.value)
                if tag not in ALLOWED_TAGS:
                    raise error(
                        f"{file}:{line}: the YAML tag {tag!r} is not allowed: only plain data "
                        "(mappings, lists, text, numbers, true/false, null) is read",
                        hint="remove the tag; quote the value if it is text",
                    )
    except yaml.YAMLError:
        return  # a syntax error: the parser reports it with its line
    finally:
        scanner.dispose()


class _Builder:
    def __init__(self, file: str, error: ErrorType) -> None:
        self.lines: dict[Location, int] = {}
        self._constructor = yaml.SafeLoader("")
        self._nodes = 0
        self._file = file
        self._error = error

    def _at(self, node: yaml.Node) -> str:
        return f"{self._file}:{node.start_mark.line + 1}"

    def build(self, node: yaml.Node, path: Location) -> object:
        self._nodes += 1
        if len(path) > MAX_DEPTH or self._nodes > MAX_NODES:
            raise self._error(
                f"{self._at(node)}: the document is nested too deeply or expands to too many "
                "values (recursive or repeated aliases?)",
                hint="definitions and configurations are small: write the values out",
            )
        if node.tag not in ALLOWED_TAGS and node.tag != _STANDARD + "timestamp":
            raise self._error(
                f"{self._at(node)}: the YAML tag {node.tag!r} is not allowed: only plain data "
                "(mappings, lists, text, numbers, true/false, null) is read",
                hint="remove the tag; quote the value if it is text",
            )
        if isinstance(node, yaml.MappingNode):
            result: dict[object, object] = {}
            for key_node, value_node in node.value:
                key = self.build(key_node, path)
                if not isinstance(key, str | int | bool | float) or key is None:
                    raise self._error(
                        f"{self._at(key_node)}: a mapping key must be a plain scalar, got "
                        f"{type(key).__name__}",
                        hint="write keys as plain words, e.g. `name:`",
                    )
                if key in result:
                    raise self._error(
                        f"{self._at(key_node)}: duplicate key {key!r}",
                        hint="each key may appear once in a mapping",
                    )
                child = (*path, str(key))
                self.lines[child] = key_node.start_mark.line + 1
                result[key] = self.build(value_node, child)
            return result
        if isinstance(node, yaml.SequenceNode):
            items: list[object] = []
            for index, item in enumerate(node.value):
                child = (*path, index)
                self.lines[child] = item.start_mark.line + 1
                items.append(self.build(item, child))
            return items
        if isinstance(node, yaml.ScalarNode):
            try:
                return self._constructor.construct_object(node, deep=True)
            except (yaml.YAMLError, ValueError, TypeError, OverflowError) as error:
                raise self._error(
                    f"{self._at(node)}: {node.value!r} cannot be read as "
                    f"{node.tag.removeprefix(_STANDARD)} ({error})",
                    hint="quote the value if it is text, e.g. '2022-02-30'",
                ) from None
        raise self._error(f"{self._at(node)}: unsupported YAML node")  # pragma: no cover


def _line_of_position(text: str, position: int) -> int:
    return text.count("\n", 0, max(position, 0)) + 1


def _documents(text: str, file: str, error_type: ErrorType) -> Iterator[SourceDocument]:
    loader: yaml.SafeLoader | None = None
    try:
        _check_tokens(text, file, error_type)
        loader = yaml.SafeLoader(text)
        while loader.check_node():
            node = loader.get_node()
            if node is None:  # pragma: no cover - check_node guarantees a node
                break
            builder = _Builder(file, error_type)
            value = builder.build(node, ())
            yield SourceDocument(file, node.start_mark.line + 1, value, builder.lines)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else 1
        raise error_type(
            f"{file}:{line}: not valid YAML: {error.problem or error.context or error}",
            hint="check the indentation and quoting around that line",
        ) from None
    except yaml.reader.ReaderError as error:
        raise error_type(
            f"{file}:{_line_of_position(text, error.position)}: not valid YAML: the character "
            f"{chr(error.character)!r} (a control character) is not allowed",
            hint="remove it; YAML text may not hold control characters",
        ) from None
    except yaml.YAMLError as error:
        raise error_type(f"{file}:1: not valid YAML: {error}") from None
    except RecursionError:  # pragma: no cover - the token check keeps nesting shallow
        raise error_type(f"{file}:1: the YAML is nested too deeply") from None
    finally:
        if loader is not None:
            loader.dispose()


def documents_from_text(
    text: str, file: str = "<string>", *, error: ErrorType = RpevalError
) -> list[SourceDocument]:
    """Every non-empty document of a YAML text, with line numbers.

    Problems raise `error` (a :class:`~rpeval.errors.RpevalError` class) with ``file:line``.

    Examples
    --------
    >>> docs = documents_from_text("name: a\\nnumerator:\\n  where: x > 1\\n---\\nname: b\\n")
    >>> [d.value for d in docs]
    [{'name': 'a', 'numerator': {'where': 'x > 1'}}, {'name': 'b'}]
    >>> docs[0].line_of(("numerator", "where")), docs[1].line
    (3, 5)
    """
    return [doc for doc in _documents(text, file, error) if doc.value is not None]


def read_yaml_text(path: Path, what: str, *, error: ErrorType = RpevalError) -> str:
    """The text of a YAML file: at most :data:`MAX_CHARS` characters of UTF-8, else `error`.

    `what` says what the file is for messages ("metric definitions", "the configuration").
    """
    try:
        with path.open("rb") as handle:
            raw = handle.read(4 * MAX_CHARS + 1)
    except OSError as problem:
        raise error(
            f"cannot read {what} from {path}: {problem.strerror or problem}",
            hint="check the path",
        ) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as problem:
        line = raw.count(b"\n", 0, problem.start) + 1
        raise error(
            f"{path}:{line}: {what} must be UTF-8 text; byte {raw[problem.start]:#04x} is not",
            hint="save the file as UTF-8",
        ) from None
    if len(text) > MAX_CHARS:
        raise error(
            f"{path}: {what} of more than {MAX_CHARS:,} characters are refused",
            hint="definitions and configurations are small: split the file",
        )
    return text


def load_documents(
    path: Path, what: str = "YAML", *, error: ErrorType = RpevalError
) -> list[SourceDocument]:
    """Every document of a YAML file; errors (`error`) name the file and line."""
    return documents_from_text(read_yaml_text(path, what, error=error), str(path), error=error)
