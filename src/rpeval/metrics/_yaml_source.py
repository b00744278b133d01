"""Read metric YAML while remembering where every key and value came from.

PyYAML's composer gives nodes with start marks; we build plain Python values from the
nodes ourselves (safe: only mappings, sequences and scalars resolved by the safe loader's
tag resolution) and record ``path -> line`` for every mapping key and sequence item, so
that a schema error at ``("examples", 0, "expected", "value")`` can be reported as
``metrics.yaml:42``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import yaml

from rpeval.errors import MetricDefinitionError

__all__ = ["SourceDocument", "documents_from_text", "load_documents"]

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


class _Builder:
    def __init__(self) -> None:
        self.lines: dict[Location, int] = {}
        self._constructor = yaml.SafeLoader("")
        self._nodes = 0

    def build(self, node: yaml.Node, path: Location) -> object:
        self._nodes += 1
        if len(path) > MAX_DEPTH or self._nodes > MAX_NODES:
            raise MetricDefinitionError(
                f"line {node.start_mark.line + 1}: the document is nested too deeply or "
                "expands to too many values (recursive or repeated aliases?)",
                hint="metric definitions are small: write the values out",
            )
        if isinstance(node, yaml.MappingNode):
            result: dict[object, object] = {}
            for key_node, value_node in node.value:
                key = self.build(key_node, path)
                if not isinstance(key, str | int | bool | float) or key is None:
                    raise MetricDefinitionError(
                        f"line {key_node.start_mark.line + 1}: a mapping key must be a "
                        f"plain scalar, got {type(key).__name__}"
                    )
                if key in result:
                    raise MetricDefinitionError(
                        f"line {key_node.start_mark.line + 1}: duplicate key {key!r}",
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
            return self._constructor.construct_object(node, deep=True)
        raise MetricDefinitionError(f"unsupported YAML node {node!r}")  # pragma: no cover


def _documents(text: str, file: str) -> Iterator[SourceDocument]:
    loader = yaml.SafeLoader(text)
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is None:  # pragma: no cover - check_node guarantees a node
                break
            builder = _Builder()
            value = builder.build(node, ())
            yield SourceDocument(file, node.start_mark.line + 1, value, builder.lines)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else 0
        raise MetricDefinitionError(
            f"{file}:{line}: not valid YAML: {error.problem or error}",
            hint="check the indentation and quoting around that line",
        ) from error
    except yaml.YAMLError as error:
        raise MetricDefinitionError(f"{file}: not valid YAML: {error}") from error
    finally:
        loader.dispose()


def documents_from_text(text: str, file: str = "<string>") -> list[SourceDocument]:
    """Every non-empty document of a YAML text, with line numbers.

    Examples
    --------
    >>> docs = documents_from_text("name: a\\nnumerator:\\n  where: x > 1\\n---\\nname: b\\n")
    >>> [d.value for d in docs]
    [{'name': 'a', 'numerator': {'where': 'x > 1'}}, {'name': 'b'}]
    >>> docs[0].line_of(("numerator", "where")), docs[1].line
    (3, 5)
    """
    return [doc for doc in _documents(text, file) if doc.value is not None]


def load_documents(path: Path) -> list[SourceDocument]:
    """Every document of a YAML file; errors name the file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise MetricDefinitionError(
            f"cannot read metric definitions from {path}: {error.strerror}",
            hint="check the path",
        ) from error
    except UnicodeDecodeError as error:
        raise MetricDefinitionError(f"{path} is not UTF-8 text") from error
    return documents_from_text(text, str(path))
