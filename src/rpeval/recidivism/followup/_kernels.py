"""Numerical kernels of :func:`rpeval.recidivism.build_followup` (numpy only, no pandas).

Dates arrive as integer day numbers (days since 1970-01-01) and people as row positions
``0 .. n_people - 1``. "No date" is :data:`NO_DAY`, larger than every real day, so that
``min`` over candidate dates ignores it. Follow-up covers the days ``(entry, exit]``;
a custody spell covers ``[start, stop)`` (the release day is a street day).

Everything is vectorised: per-person reductions use ``np.minimum.at`` and
``np.bincount``, and the running maximum that merges overlapping spells is a single
``np.maximum.accumulate`` over spells sorted by person, each person's values lifted
above the previous person's.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "NO_DAY",
    "CustodyDays",
    "Exits",
    "FirstEvents",
    "custody_days",
    "first_event_after",
    "lex_order",
    "overlapping_spells",
    "resolve_exits",
]

IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

NO_DAY = np.iinfo(np.int64).max // 4  # "no such date"; sums of a few stay in range


class FirstEvents(NamedTuple):
    """Per person the first event after entry; per event row whether it was too early."""

    first: IntArray  # per person, the earliest event day > entry; NO_DAY when none
    not_after: BoolArray  # per event row, on or before the person's entry day


def first_event_after(
    person: IntArray, day: IntArray, entry: IntArray, n_people: int
) -> FirstEvents:
    """Each person's first event day strictly after entry, and which rows are not after.

    Parameters
    ----------
    person, day
        One value per event row: the person's position and the event day.
    entry
        Entry day per person.
    n_people
        Number of people.

    Returns
    -------
    FirstEvents
        ``first`` per person (:data:`NO_DAY` when none) and ``not_after`` per event row.
    """
    not_after = day <= entry[person]
    first = np.full(n_people, NO_DAY, dtype=np.int64)
    after = ~not_after
    np.minimum.at(first, person[after], day[after])
    return FirstEvents(first, np.asarray(not_after, dtype=np.bool_))


class Exits(NamedTuple):
    """End of follow-up per person and why it ended."""

    exit: IntArray  # day follow-up ends (inclusive)
    event: IntArray  # 0 censored, 1 outcome, 2.. competing causes in the order given
    at_window: BoolArray  # censored by the fixed window (max_followup) rather than by end


def resolve_exits(
    outcome: IntArray, competing: IntArray, end: IntArray, window_end: IntArray
) -> Exits:
    """Exit day and event code: the earliest of outcome, competing causes, end and window.

    Parameters
    ----------
    outcome
        First outcome day per person (:data:`NO_DAY` when none).
    competing
        Shape ``(k, n)``: the k competing-event days per person (:data:`NO_DAY` when none).
    end
        Last day of data per person (always a real day).
    window_end
        Last day of the fixed window per person (:data:`NO_DAY` without one).

    Notes
    -----
    Follow-up ends on ``min(outcome, competing..., end, window_end)``. An outcome or a
    competing event on that day is an event (both bounds are inclusive). On a tie the
    outcome wins, then the competing causes in the order given.
    """
    causes = np.vstack([outcome[None, :], competing])
    first_cause = causes.min(axis=0)
    censor = np.minimum(end, window_end)
    exit_day = np.minimum(first_cause, censor)
    hit = causes == exit_day[None, :]
    event = np.where(hit.any(axis=0), hit.argmax(axis=0) + 1, 0).astype(np.int64)
    at_window = (event == 0) & (window_end < end)
    return Exits(exit_day, event, np.asarray(at_window, dtype=np.bool_))


def lex_order(person: IntArray, first: IntArray, second: IntArray) -> IntArray:
    """``np.lexsort((second, first, person))`` (``person >= 0``): the rows by person, then
    ``first``, then ``second``, ties in row order.

    The three keys are packed into one int64 when their ranges allow, and sorted once
    (stably): the same order as the three stable passes of ``lexsort``, about three times
    faster.

    >>> lex_order(np.array([1, 0, 1]), np.array([5, 9, 2]), np.array([0, 0, 7])).tolist()
    [1, 2, 0]
    """
    if person.size == 0:
        return np.zeros(0, dtype=np.intp)
    low_a, low_b = int(first.min()), int(second.min())
    span_a, span_b = int(first.max()) - low_a + 1, int(second.max()) - low_b + 1
    if int(person.max()) + 1 > (2**62) // (span_a * span_b):
        return np.lexsort((second, first, person))
    key = (person.astype(np.int64) * span_a + (first - low_a)) * span_b + (second - low_b)
    return np.argsort(key, kind="stable")


def _running_max_before(person: IntArray, value: IntArray) -> IntArray:
    """For rows sorted by person: max of ``value`` over the person's earlier rows.

    A person's first row gets ``-NO_DAY`` (smaller than any day).
    """
    if value.size == 0:
        return value.copy()
    low = int(value.min())
    span = int(value.max()) - low + 1
    # lift each person's values above every earlier person's, so one running maximum
    # serves all people; fits in int64 since days are bounded (open spells are clipped)
    lifted = (value - low) + person * span
    before = np.empty_like(lifted)
    before[1:] = np.maximum.accumulate(lifted)[:-1]
    result = before - person * span + low
    first = np.ones(person.shape, dtype=np.bool_)
    first[1:] = person[1:] != person[:-1]
    result[first] = -NO_DAY
    return np.asarray(result, dtype=np.int64)


def overlapping_spells(person: IntArray, start: IntArray, stop: IntArray) -> BoolArray:
    """Spells that share a day with an earlier-starting spell of the same person.

    Spells are ``[start, stop)``; empty spells (``stop == start``) never overlap. Of two
    identical spells, the second counts. The result is in the caller's row order.
    """
    if person.size == 0:
        return np.zeros(0, dtype=np.bool_)
    open_ = stop >= NO_DAY
    if open_.any():  # an open spell runs past every other date: bound it to keep sums small
        stop = np.where(open_, max(int(start.max()), int(stop[~open_].max(initial=0))) + 1, stop)
    order = lex_order(person, start, stop)
    p, s, e = person[order], start[order], stop[order]
    prior_stop = _running_max_before(p, e)
    sorted_flag = (s < prior_stop) & (e > s)
    flag = np.empty_like(sorted_flag)
    flag[order] = sorted_flag
    return np.asarray(flag, dtype=np.bool_)


class CustodyDays(NamedTuple):
    """Days in custody within follow-up, per person, after merging overlaps."""

    days: IntArray
    n_spells_used: int  # spells with at least one day in follow-up


def custody_days(
    person: IntArray,
    start: IntArray,
    stop: IntArray,
    entry: IntArray,
    exit_day: IntArray,
    n_people: int,
) -> CustodyDays:
    """Number of distinct days in ``(entry, exit]`` covered by a person's spells.

    Parameters
    ----------
    person, start, stop
        One spell per row, ``[start, stop)``; ``stop`` may be :data:`NO_DAY` (open).
    entry, exit_day
        Follow-up per person: the days ``entry + 1 .. exit_day``.
    n_people
        Number of people.

    Notes
    -----
    Each spell is clipped to ``[entry + 1, exit + 1)``; the clipped spells of a person,
    sorted by start, contribute ``max(0, stop - max(start, running max of earlier
    stops))`` days, so that overlapping days count once.
    """
    lo = np.maximum(start, entry[person] + 1)
    hi = np.minimum(stop, exit_day[person] + 1)
    used = hi > lo
    p, lo, hi = person[used], lo[used], hi[used]
    if p.size == 0:
        return CustodyDays(np.zeros(n_people, dtype=np.int64), 0)
    order = lex_order(p, lo, hi)
    p, lo, hi = p[order], lo[order], hi[order]
    covered = _running_max_before(p, hi)
    new_days = np.maximum(hi - np.maximum(lo, covered), 0)
    days = np.bincount(p, weights=new_days.astype(np.float64), minlength=n_people)
    return CustodyDays(np.rint(days).astype(np.int64), int(p.size))
