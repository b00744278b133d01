"""From agency tables to one row of follow-up per person: :func:`build_followup`.

``build`` holds :func:`build_followup` and :func:`build_followup_with_report`; ``report``
the :class:`FollowUpReport` of what it found and did and the :class:`FollowUp` pairing it
with the frame. ``_inputs`` checks and reads the people, events and custody tables;
``_kernels`` holds the vectorised steps on per-person integer day arrays (first event
after entry, exits, overlapping custody spells, custody days before the exit).
"""

from __future__ import annotations

from rpeval.recidivism.followup.build import build_followup, build_followup_with_report
from rpeval.recidivism.followup.report import FollowUp, FollowUpReport, followup_report

__all__ = [
    "FollowUp",
    "FollowUpReport",
    "build_followup",
    "build_followup_with_report",
    "followup_report",
]
