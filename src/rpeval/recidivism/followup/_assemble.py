"""The steps of :func:`~rpeval.recidivism.build_followup`: check the options, read the
people's days, find each person's first outcome, resolve exits and custody, count the
problems, and assemble the frame and its :class:`FollowUpReport`."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from rpeval._frames import as_pandas, require_columns
from rpeval.errors import DataError, DataWarning, SpecificationError
from rpeval.recidivism.followup._inputs import (
    NOTES,
    PROBLEMS,
    Tally,
    competing_columns,
    custody_time,
    days_to_dates,
    end_days,
    match_ids,
    of_kept,
    read_dates,
    unique_ids,
    window_end,
)
from rpeval.recidivism.followup._kernels import NO_DAY, Exits, first_event_after, resolve_exits
from rpeval.recidivism.followup.report import FollowUp, FollowUpReport

__all__ = ["OUTPUT_COLUMNS", "UNIT_DAYS", "OnProblem", "Unit", "assemble"]

Unit = Literal["days", "weeks", "months", "years"]
OnProblem = Literal["report", "warn", "raise"]
UNIT_DAYS: dict[str, float] = {"days": 1.0, "weeks": 7.0, "months": 30.4375, "years": 365.25}
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]
OUTPUT_COLUMNS = (
    "entry",
    "exit",
    "duration",
    "event",
    "time_at_risk",
    "custody_time",
    "event_date",
)
_CALLER = "build_followup"


def _check_options(on_problem: str, unit: str, id: str) -> None:
    if on_problem not in ("report", "warn", "raise"):
        raise SpecificationError(
            f"{_CALLER}(): on_problem={on_problem!r} is not an option",
            hint='use "report", "warn" or "raise"',
        )
    if unit not in UNIT_DAYS:
        raise SpecificationError(
            f"{_CALLER}(): unit={unit!r} is not a unit", hint=f"use one of {list(UNIT_DAYS)}"
        )
    if id in OUTPUT_COLUMNS:
        raise SpecificationError(
            f"{_CALLER}(): the id column may not be called {id!r}, a name of the output",
            hint="rename it, e.g. people.rename(columns={...})",
        )


@dataclass(frozen=True)
class _People:
    """The people whose follow-up can be defined, as day numbers."""

    ids: pd.Series
    kept: BoolArray
    new_row: IntArray
    entry: IntArray
    end: IntArray
    competing: IntArray


def _people_days(
    people_df: pd.DataFrame, id: str, start: str, end: Any, names: list[str], tally: Tally
) -> _People:
    """Entry, end and competing dates; people whose follow-up cannot be defined are
    dropped, each counted once."""
    ids = unique_ids(people_df, id, caller=_CALLER)
    entry = read_dates(people_df, start, arg="start", frame_arg="people", caller=_CALLER)
    end_day = end_days(people_df, end, caller=_CALLER)
    comp = np.empty((len(names), len(people_df)), dtype=np.int64)
    for k, name in enumerate(names):
        comp[k] = read_dates(people_df, name, arg="competing", frame_arg="people", caller=_CALLER)
    dropped = entry == NO_DAY
    tally.add("missing_entry", dropped, ids)
    for key, mask in (("missing_end", end_day == NO_DAY), ("end_before_entry", end_day < entry)):
        tally.add(key, mask & ~dropped, ids)
        dropped = dropped | mask
    early = (comp < entry).any(axis=0) & ~dropped
    tally.add("competing_before_entry", early, ids)
    kept = ~(dropped | early)
    return _People(ids, kept, np.cumsum(kept) - 1, entry[kept], end_day[kept], comp[:, kept])


def _first_outcomes(
    events_df: pd.DataFrame, events_ids: str, event_date: str, who: _People, tally: Tally
) -> IntArray:
    """Day of each kept person's first outcome event after entry (``NO_DAY`` if none)."""
    require_columns(events_df, [events_ids], arg="events_id", caller=_CALLER, frame_arg="events")
    ev_day = read_dates(events_df, event_date, arg="event_date", frame_arg="events", caller=_CALLER)
    ev_ids = events_df[events_ids]
    ev_row = match_ids(who.ids, ev_ids, frame_arg="events", caller=_CALLER)
    known = ev_row >= 0
    tally.add("events_unknown_person", ~known, ev_ids)
    dated = known & (ev_day != NO_DAY)
    tally.add("events_missing_date", known & ~dated, ev_ids)
    usable = dated & of_kept(ev_row, who.kept)
    tally.add("events_of_dropped_people", dated & ~usable, ev_ids)
    found = first_event_after(
        who.new_row[ev_row[usable]], ev_day[usable], who.entry, int(who.kept.sum())
    )
    tally.add("events_on_or_before_entry", found.not_after, ev_ids.iloc[np.flatnonzero(usable)])
    return found.first


def _handle_problems(tally: Tally, on_problem: str) -> dict[str, int]:
    problems = {k: tally.counts[k] for k in PROBLEMS}
    if any(problems.values()):
        if on_problem == "raise":
            raise DataError(
                tally.message(_CALLER),
                hint='fix the data, or pass on_problem="report" to drop or ignore these rows '
                "(they are counted in the report of build_followup_with_report)",
            )
        if on_problem == "warn":
            warnings.warn(tally.message(_CALLER), DataWarning, stacklevel=4)
    return problems


def _frame(
    id: str, who: _People, exits: Exits, held: IntArray, unit: str, index: pd.Index
) -> pd.DataFrame:
    duration = exits.exit - who.entry
    scale = UNIT_DAYS[unit]

    def in_unit(days: IntArray) -> NDArray[np.int64] | NDArray[np.float64]:
        return days if unit == "days" else days / scale

    return pd.DataFrame(
        {
            id: who.ids.array[who.kept],
            "entry": days_to_dates(who.entry),
            "exit": days_to_dates(exits.exit),
            "duration": in_unit(duration),
            "event": exits.event,
            "time_at_risk": in_unit(duration - held),
            "custody_time": in_unit(held),
            "event_date": days_to_dates(np.where(exits.event > 0, exits.exit, NO_DAY)),
        },
        index=index[who.kept],
        copy=False,  # the arrays are new: no second copy into consolidated blocks
    )


def assemble(
    people: Any,
    *,
    id: str,
    start: str,
    events: Any,
    event_date: str,
    end: Any,
    custody: Any,
    competing: str | Sequence[str] | None,
    max_followup: Any,
    unit: str,
    on_problem: str,
    events_id: str | None,
    custody_id: str | None,
    custody_start: str,
    custody_end: str,
) -> FollowUp:
    _check_options(on_problem, unit, id)
    people_df = as_pandas(people, arg="people", caller=_CALLER)
    events_df = as_pandas(events, arg="events", caller=_CALLER)
    names = competing_columns(competing, caller=_CALLER)
    tally = Tally()
    who = _people_days(people_df, id, start, end, names, tally)
    first = _first_outcomes(events_df, events_id or id, event_date, who, tally)
    window = window_end(who.entry, max_followup, caller=_CALLER)
    exits = resolve_exits(first, who.competing, who.end, window)
    tally.add("zero_followup", exits.exit == who.entry, who.ids[who.kept])
    tally.add("censored_at_max_followup", exits.at_window, who.ids[who.kept])
    held = np.zeros(int(who.kept.sum()), dtype=np.int64)
    if custody is not None:
        spells = as_pandas(custody, arg="custody", caller=_CALLER)
        columns = (custody_id or id, custody_start, custody_end)
        held = custody_time(spells, columns, who.ids, who.kept, who.entry, exits.exit, tally)
    problems = _handle_problems(tally, on_problem)
    codes = {0: "censored", 1: event_date, **{k + 2: n for k, n in enumerate(names)}}
    report = FollowUpReport(
        n_people=len(people_df),
        n_rows=int(who.kept.sum()),
        problems=problems,
        notes={k: tally.counts[k] for k in NOTES},
        examples=dict(tally.examples),
        event_codes=codes,
        event_counts={c: int(np.count_nonzero(exits.event == c)) for c in codes},
        unit=unit,
        max_followup=None if max_followup is None else repr(max_followup),
    )
    return FollowUp(_frame(id, who, exits, held, unit, people_df.index), report)
