"""Custody spells, deaths and re-arrests of the simulation, on the street-time clock.

Time is counted in whole days after entry (day 0). A custody spell occupies the calendar
days ``start .. start + length - 1``; street days are the calendar days outside every
spell. Re-arrests are drawn on the street-time clock and mapped to calendar days, so no
arrest falls inside custody (the Florida DOC convention, run backwards). Everything is
vectorised over people; the loops run over spells or arrests per person, never over people.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "ArrestTimes",
    "CustodySpells",
    "draw_arrests",
    "draw_custody",
    "draw_death",
    "street_to_calendar",
]

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]

WEIBULL_SHAPE = 0.8
WEIBULL_SCALE = 2000.0  # days; with the linear predictor, about half re-arrested in 3 years
REPEAT_MEAN_GAP = 450.0  # street days between later arrests when exp(lp) = 1
CUSTODY_MEAN_DAYS = 21.0


@dataclass(frozen=True)
class CustodySpells:
    """Custody spells per person: calendar start day and length, shape ``(n, k)``.

    Unused slots have length 0. Spells of a person are in time order, start on day 1 or
    later, and leave at least one street day between them.
    """

    start: IntArray
    length: IntArray

    def street_start(self) -> IntArray:
        """Street-day index of the first street day after each spell's start."""
        before = np.cumsum(self.length, axis=1) - self.length
        return np.asarray(self.start - before, dtype=np.int64)


@dataclass(frozen=True)
class ArrestTimes:
    """All re-arrests in long form: ``person`` (row index) and calendar ``day`` after entry."""

    person: IntArray
    day: IntArray


def draw_death(rng: np.random.Generator, age: IntArray) -> IntArray:
    """Day of death after entry: exponential, 0.6% a year at age 30, rising 4% a year of age."""
    yearly = 0.006 * np.exp(0.04 * (age - 30.0))
    return np.asarray(np.ceil(rng.exponential(365.25 / yearly)), dtype=np.int64)


def draw_custody(rng: np.random.Generator, yearly_rate: FloatArray, horizon: int) -> CustodySpells:
    """Spells from a renewal process until every person passes ``horizon`` days.

    Gaps between spells are exponential with ``yearly_rate`` spells per person-year of
    street time; lengths are geometric (at least one day, mean three weeks).
    """
    n = yearly_rate.shape[0]
    mean_gap = 365.25 / np.maximum(yearly_rate, 1e-9)
    clock = np.zeros(n)
    starts: list[IntArray] = []
    lengths: list[IntArray] = []
    active = np.ones(n, dtype=bool)
    while True:
        begin = np.ceil(clock + rng.exponential(mean_gap))  # > clock: a street day between
        days = rng.geometric(1.0 / CUSTODY_MEAN_DAYS, size=n)
        active &= begin <= horizon
        if not active.any():
            break
        starts.append(np.where(active, begin, 0).astype(np.int64))
        lengths.append(np.where(active, days, 0).astype(np.int64))
        clock = np.where(active, begin + days, clock)  # the release day, a street day
    if not starts:
        empty = np.zeros((n, 0), dtype=np.int64)
        return CustodySpells(empty, empty.copy())
    return CustodySpells(np.column_stack(starts), np.column_stack(lengths))


def street_to_calendar(person: IntArray, street_day: IntArray, spells: CustodySpells) -> IntArray:
    """Calendar day of the ``street_day``-th street day of each ``person``."""
    calendar = street_day.copy()
    street_start = spells.street_start()
    for k in range(spells.length.shape[1]):
        length = spells.length[person, k]
        calendar += np.where((length > 0) & (street_day >= street_start[person, k]), length, 0)
    return calendar


def draw_arrests(
    rng: np.random.Generator, linear_predictor: FloatArray, last_day: IntArray
) -> ArrestTimes:
    """Every re-arrest on street days up to ``last_day`` (a calendar bound) of each person.

    The first re-arrest is Weibull with a proportional-hazards ``linear_predictor``; later
    ones follow with exponential gaps whose rate is ``exp(linear_predictor) /
    REPEAT_MEAN_GAP``. Street days are whole days and strictly increase per person.
    Arrests after ``last_day`` are not drawn: a street day is never later than its
    calendar day, so none of them could be observed.
    """
    risk = np.exp(linear_predictor)
    first = WEIBULL_SCALE * (rng.exponential(size=risk.shape[0]) / risk) ** (1 / WEIBULL_SHAPE)
    street = np.maximum(np.ceil(first), 1.0)
    person = np.arange(risk.shape[0])
    people: list[IntArray] = []
    days: list[FloatArray] = []
    while person.size:
        keep = street <= last_day[person]
        person, street = person[keep], street[keep]
        people.append(person)
        days.append(street)
        gap = np.ceil(rng.exponential(REPEAT_MEAN_GAP / risk[person]))
        street = street + np.maximum(gap, 1.0)
    return ArrestTimes(np.concatenate(people), np.concatenate(days).astype(np.int64))
