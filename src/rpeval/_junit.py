"""JUnit XML for CI dashboards: one test case per checked thing, failures with a message.

Shared by ``rpeval metrics validate --format junit``, ``rpeval codebook validate`` and
``rpeval codes agreement``.

Examples
--------
>>> case = JUnitCase("codes", "felt_heard", failures=(("alpha", "alpha 0.41 < 0.667"),))
>>> text = junit_xml("rpeval-agreement", [case])
>>> 'failures="1"' in text and 'name="felt_heard"' in text
True
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from xml.etree import ElementTree as ET

__all__ = ["JUnitCase", "junit_xml"]


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
