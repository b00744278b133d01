"""A dated process with a known shift: a staffing change that thins out conferences.

From :data:`SHIFT_START` to :data:`SHIFT_END` (two quarters, 2022Q2 and 2022Q3, after half
the trained facilitators left) a referred case that would have had its conference loses it
with probability ``1 - HELD_FACTOR`` and a conference that would have reached an agreement
fails to with probability ``1 - AGREEMENT_FACTOR``. Cases losing their conference lose
everything after it (agreement, completion, restitution, service, satisfaction answers);
cases losing their agreement lose its due date, completion, restitution and service.

The draws come from their own stream (``default_rng([random_state, 19])``), so switching
the shift off (``simulate_program(..., staffing_shift=False)``) changes nothing else.

>>> import pandas as pd
>>> SHIFT_START, SHIFT_END
(Timestamp('2022-04-01 00:00:00'), Timestamp('2022-09-30 00:00:00'))
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd

__all__ = ["AGREEMENT_FACTOR", "HELD_FACTOR", "SHIFT_END", "SHIFT_START", "apply_staffing_shift"]

SHIFT_START: Final = pd.Timestamp("2022-04-01")
SHIFT_END: Final = pd.Timestamp("2022-09-30")
HELD_FACTOR: Final = 0.55  # share of would-be conferences still held during the shift
AGREEMENT_FACTOR: Final = 0.7  # share of would-be agreements still reached

_AFTER_CONFERENCE: Final = (
    "conference_date",
    "victim_participation",
    "victim_satisfaction",
    "offender_satisfaction",
    "procedural_fairness",
)
_AFTER_AGREEMENT: Final = ("agreement_due_date", "agreement_completed", "completion_date")
_AMOUNTS: Final = (
    "restitution_agreed",
    "restitution_paid",
    "service_hours_agreed",
    "service_hours_completed",
)


def apply_staffing_shift(cases: pd.DataFrame, random_state: int) -> pd.DataFrame:
    """`cases` with the staffing shift applied (a new frame; the input is not changed)."""
    rng = np.random.default_rng([int(random_state), 19])
    n = len(cases)
    lost_conference_draw = rng.uniform(size=n)
    lost_agreement_draw = rng.uniform(size=n)
    referral = cases["referral_date"]
    during = ((referral >= SHIFT_START) & (referral <= SHIFT_END)).to_numpy(bool)
    held = cases["conference_held"].to_numpy(bool)
    agreed = cases["agreement_reached"].fillna(False).to_numpy(bool)
    lose_conference = during & held & (lost_conference_draw >= HELD_FACTOR)
    lose_agreement = (
        during & held & agreed & ~lose_conference & (lost_agreement_draw >= AGREEMENT_FACTOR)
    )
    out = cases.copy()
    out.loc[lose_conference, "conference_held"] = False
    out.loc[lose_conference, "agreement_reached"] = pd.NA
    out.loc[lose_agreement, "agreement_reached"] = False
    gone = lose_conference | lose_agreement
    for column in _AFTER_AGREEMENT:
        out.loc[gone, column] = pd.NA if out[column].dtype == "boolean" else pd.NaT
    for column in _AFTER_CONFERENCE:
        out.loc[lose_conference, column] = pd.NaT if column.endswith("_date") else pd.NA
    out.loc[gone, list(_AMOUNTS)] = 0.0
    return out
