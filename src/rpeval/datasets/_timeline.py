"""Custody spells and the street-time clock of the simulation (vectorised over people).

Time is counted in whole days after entry. A custody spell occupies calendar days
``start .. start + length - 1``; street days are the calendar days outside every spell.
Re-arrests are drawn on the street-time clock and mapped to calendar days, so that
no arrest falls inside custody (the Florida DOC convention, run backwards).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = ["CustodySpells", "draw_custody", "street_to_calendar"]

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]

MAX_SPELLS = 4


@dataclass(frozen=True)
class CustodySpells:
    """Up to ``MAX_SPELLS`` spells per person: calendar start day and length (0 = none)."""

    start: IntArray  # (n, MAX_SPELLS)
    length: IntArray  # (n, MAX_SPELLS)

    def street_start(self) -> IntArray:
        """Street-day index at which each spell begins."""
        before = np.cumsum(self.length, axis=1) - self.length
        return np.asarray(self.start - before, dtype=np.int64)


def draw_custody(rng: np.random.Generator, spell_rate: FloatArray, horizon: int) -> CustodySpells:
    """Spells from a renewal process: gaps ~ exponential, lengths ~ 1 + geometric.

    ``spell_rate`` is the expected number of spells per person-year of calendar time.
    """
    n = spell_rate.shape[0]
    start = np.zeros((n, MAX_SPELLS), dtype=np.int64)
    length = np.zeros((n, MAX_SPELLS), dtype=np.int64)
    clock = np.zeros(n)
    mean_gap = 365.25 / np.maximum(spell_rate, 1e-9)
    for k in range(MAX_SPELLS):
        gap = rng.exponential(mean_gap)
        days = 1 + rng.geometric(1.0 / 21.0, size=n)  # mean about three weeks
        begin = np.maximum(np.ceil(clock + gap), 1.0)
        inside = begin < horizon
        start[:, k] = np.where(inside, begin, 0).astype(np.int64)
        length[:, k] = np.where(inside, days, 0)
        clock = np.where(inside, begin + days, np.inf)
    return CustodySpells(start, length)


def street_to_calendar(street_day: FloatArray, spells: CustodySpells) -> FloatArray:
    """Calendar day of each person's ``street_day``-th day at risk (``inf`` stays ``inf``).

    ``street_day`` is one column per person, or a 2-D array of several days per person.
    """
    days = np.asarray(street_day, dtype=np.float64)
    two_d = days.ndim == 2
    if not two_d:
        days = days[:, None]
    shift = np.zeros_like(days)
    street_start = spells.street_start()
    for k in range(MAX_SPELLS):
        active = (spells.length[:, k] > 0)[:, None] & (days >= street_start[:, k][:, None])
        shift += np.where(active, spells.length[:, k][:, None], 0)
    calendar = days + shift
    return calendar if two_d else calendar[:, 0]
