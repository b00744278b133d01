"""Report sections beyond re-arrest: one module per section, each optional.

A section is shown when its input is given to :func:`~rpeval.report.evaluate` (or its
data file and YAML block to ``rpeval evaluate``):

========== ================================== ================ ===================
key        title                              evaluate()       config data file
========== ================================== ================ ===================
over_time  Program over time                  ``over_time=``   (the cases table)
trust      Community trust and satisfaction   ``survey=``      ``data.survey``
voices     Participant voices                 ``interviews=``  ``data.interviews``
community  Community outcomes                 ``panel=``       ``data.panel``
========== ================================== ================ ===================

Each module ``rpeval.report.sections.<key>`` provides ``Settings`` (its YAML block,
strict), ``from_config(settings, table)`` (the evaluate() input from the block and the data
file), ``build(value, context) -> Section`` and ``demo_input(program)`` (the block and table
``rpeval demo`` uses, or ``None``). Modules are imported only when their section is asked for.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from markupsafe import Markup

from rpeval.report._guards import Guard

__all__ = [
    "DATA_TABLES",
    "EVALUATE_ARGUMENTS",
    "SECTION_MODULES",
    "Section",
    "SectionContext",
    "build_sections",
    "section_module",
]

SECTION_MODULES: dict[str, str] = {
    "over_time": "rpeval.report.sections.over_time",
    "trust": "rpeval.report.sections.trust",
    "voices": "rpeval.report.sections.voices",
    "community": "rpeval.report.sections.community",
}
"""Section key -> module, in report order."""

EVALUATE_ARGUMENTS: dict[str, str] = {
    "over_time": "over_time",
    "trust": "survey",
    "voices": "interviews",
    "community": "panel",
}
"""Section key -> the argument of :func:`~rpeval.report.evaluate` that turns it on."""

DATA_TABLES: dict[str, str] = {"trust": "survey", "voices": "interviews", "community": "panel"}
"""Section key -> its data file under the configuration's ``data:`` (when it reads one)."""


@dataclass(frozen=True)
class SectionContext:
    """What every section may use from the evaluation around it."""

    labels: dict[str, str]
    conf_level: float
    suppress_below: int
    random_state: int
    progress: bool
    treatment: str
    id: str
    people: pd.DataFrame = field(repr=False)
    sample: pd.DataFrame = field(repr=False)
    cases: pd.DataFrame | None = field(default=None, repr=False)
    date_formats: tuple[str, ...] = ()


@dataclass(frozen=True)
class Section:
    """One rendered section: its ``key`` (HTML id, JSON key), ``title``, ``html`` body
    (escaped markup), JSON-ready ``data``, ``notes`` for the methods appendix and the
    ``guards`` it adds to the evaluation's (a failed one leads the report).

    Examples
    --------
    >>> section = Section("trust", "Community trust", Markup("<p>ok</p>"), {"n": 3})
    >>> section.key, section.data
    ('trust', {'n': 3})
    """

    key: str
    title: str
    html: Markup = field(repr=False)
    data: dict[str, Any] = field(default_factory=dict, repr=False)
    notes: tuple[str, ...] = ()
    guards: tuple[Guard, ...] = ()


def section_module(key: str) -> Any:
    """The module of section `key` (imported on first use)."""
    return importlib.import_module(SECTION_MODULES[key])


def build_sections(context: SectionContext, inputs: Mapping[str, Any]) -> tuple[Section, ...]:
    """Build, in report order, every section whose input (keyed as
    :data:`SECTION_MODULES`) is not ``None``."""
    unknown = set(inputs) - set(SECTION_MODULES)
    if unknown:
        raise KeyError(f"unknown report sections: {sorted(unknown)}")
    return tuple(
        section_module(key).build(inputs[key], context)
        for key in SECTION_MODULES
        if inputs.get(key) is not None
    )
