"""The registry of coverage scenarios: one module per group, each exposing ``SCENARIOS``
(a tuple of :class:`_study.Scenario`). To add a group (survival curves, Cox models,
metric intervals, ...), write ``scenarios/<group>.py`` and add it to :data:`GROUPS`;
``run.py --groups <group>`` then runs it and writes ``results/<group>.csv`` and ``.md``,
and ``--update-docs`` puts its table between the ``coverage:<group>`` markers of
``docs/validity.md``."""

from __future__ import annotations

import importlib

from _study import Scenario

GROUPS = {
    "matching": "scenarios.matching",  # matched, weighted and doubly robust ATT/ATE
    "survival": "scenarios.survival",  # Cox, KM, window rates, RMST, CIF, Fine–Gray
    "metrics": "scenarios.metrics",  # the metric catalog's intervals
    "evaluate": "scenarios.evaluate",  # evaluate() end to end on simulate_program data
    "community": "scenarios.community",  # ITS level change on simulate_community data
}


def load(group: str) -> tuple[Scenario, ...]:
    """The scenarios of ``group``."""
    if group not in GROUPS:
        raise SystemExit(f"unknown group {group!r}; known: {', '.join(GROUPS)}")
    module = importlib.import_module(GROUPS[group])
    return tuple(module.SCENARIOS)
