"""JUnit XML for CI dashboards: one test case per checked thing, failures with a message.

Shared by ``rpeval metrics validate --format junit``, ``rpeval codebook validate`` and
``rpeval codes agreement``; :func:`issues_junit` groups the findings of a validator.

Examples
--------
>>> case = JUnitCase("codes", "felt_heard", failures=(("alpha", "alpha 0.41 < 0.667"),))
>>> text = junit_xml("rpeval-agreement", [case])
>>> 'failures="1"' in text and 'name="felt_heard"' in text
True
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar
from xml.etree import ElementTree as ET

__all__ = ["FileIssue", "JUnitCase", "issues_junit", "junit_xml"]


@dataclass(frozen=True)
class JUnitCase:
    """A test case: failures as ``(type, message)`` (text: the message, or ``detail``)."""

    classname: str
    name: str
    failures: tuple[tuple[str, str], ...] = ()
    output: tuple[str, ...] = ()
    details: tuple[str, ...] = ()


def junit_xml(suite: str, cases: Sequence[JUnitCase]) -> str:
    """A ``<testsuite>`` document with a ``<testcase>`` per case, in the order given."""
    root = ET.Element("testsuite", name=suite)
    failures = 0  # failed test cases, as JUnit readers count them (not findings)
    for case in cases:
        element = ET.SubElement(root, "testcase", classname=case.classname, name=case.name)
        failures += bool(case.failures)
        for index, (kind, message) in enumerate(case.failures):
            failure = ET.SubElement(element, "failure", type=kind)
            failure.set("message", message)
            failure.text = case.details[index] if index < len(case.details) else message
        for text in case.output:
            out = ET.SubElement(element, "system-out")
            out.text = text
    root.set("tests", str(len(cases)))
    root.set("failures", str(failures))
    return ET.tostring(root, encoding="unicode", xml_declaration=True)


class FileIssue(Protocol):
    """A validation finding: its level (``"error"`` or ``"warning"``), stage and place."""

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


Found = TypeVar("Found", bound=FileIssue)


def issues_junit(
    suite: str,
    names: Iterable[str],
    issues: Iterable[Found],
    *,
    subject: Callable[[Found], str | None],
    classname: str,
    others: str | None = None,
) -> str:
    """JUnit XML of validation findings: a case per checked name (class `classname`), in
    order, then one per other subject with findings (class `others`, default `classname`).

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
    grouped: dict[tuple[str, str], list[Found]] = {(classname, name): [] for name in names}
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
