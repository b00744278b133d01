"""Follow-up construction: one row per person with duration, event and street time.

:func:`build_followup` turns a person table (entry date, end of data, competing-event
dates), a long table of outcome events (re-arrests) and optional custody spells into the
survival data every other function of :mod:`rpeval.recidivism` takes. What was wrong with
the inputs, and what was done about it, is a :class:`FollowUpReport` attached to the
result; :func:`followup_report` returns it.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
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
from rpeval.recidivism.followup._kernels import NO_DAY, first_event_after, resolve_exits
from rpeval.recidivism.followup.report import REPORT_KEY, FollowUpReport

__all__ = ["build_followup"]

Unit = Literal["days", "weeks", "months", "years"]
OnProblem = Literal["report", "warn", "raise"]
UNIT_DAYS: dict[str, float] = {"days": 1.0, "weeks": 7.0, "months": 30.4375, "years": 365.25}
IntArray = NDArray[np.int64]
_CALLER = "build_followup"


def build_followup(
    people: Any,
    *,
    id: str,
    start: str,
    events: Any,
    event_date: str,
    end: Any,
    custody: Any = None,
    competing: str | Sequence[str] | None = None,
    max_followup: Any = None,
    unit: Unit = "days",
    on_problem: OnProblem = "report",
    events_id: str | None = None,
    custody_id: str | None = None,
    custody_start: str = "custody_start",
    custody_end: str = "custody_end",
) -> pd.DataFrame:
    """One row per person: follow-up from entry to the first outcome, competing event or end.

    Parameters
    ----------
    people
        Person table, one row per person (pandas, polars or pyarrow).
    id
        Person-id column of ``people`` (and, unless overridden, of ``events`` and
        ``custody``). Missing or duplicated ids raise :class:`~rpeval.errors.DataError`.
    start
        Entry-date column of ``people`` (program exit, referral, random assignment...).
    events
        Long table of outcome events, one row per event (e.g. every re-arrest).
    event_date
        Date column of ``events``.
    end
        End of data: a date column of ``people`` or one date for everyone
        (``pd.Timestamp("2024-12-31")``); a text is always read as a column name.
    custody
        Optional custody spells: person id, ``custody_start`` (first day in custody) and
        ``custody_end`` (release day, not in custody; missing = still in custody).
    competing
        Date columns of ``people`` for competing events (``["death_date"]``); the k-th
        column gives ``event = k + 1``. Missing dates mean "did not happen".
    max_followup
        Fixed window (BJS style) on the calendar clock: a whole number of days (``1095``),
        a timedelta, or a calendar :class:`pandas.DateOffset` (``pd.DateOffset(years=3)``).
        Always in days whatever ``unit`` is.
    unit
        Unit of ``duration``, ``time_at_risk`` and ``custody_time``: "days" (integers),
        "weeks" (/7), "months" (/30.4375) or "years" (/365.25).
    on_problem
        "report" (default) counts problems in the report, "warn" also issues one
        :class:`~rpeval.errors.DataWarning`, "raise" raises a
        :class:`~rpeval.errors.DataError` listing them all.
    events_id, custody_id
        Person-id columns of ``events`` and ``custody`` when they differ from ``id``.
    custody_start, custody_end
        Date columns of ``custody``.

    Returns
    -------
    pandas.DataFrame
        Rows in the order of ``people``, indexed as ``people`` (dropped people absent):

        - the ``id`` column;
        - ``entry``: entry date; ``exit``: the last day of follow-up;
        - ``duration``: ``exit - entry``;
        - ``event``: 0 censored, 1 outcome, 2.. competing causes in the order of
          ``competing``;
        - ``time_at_risk``: street time, ``duration - custody_time``;
        - ``custody_time``: days in custody within ``(entry, exit]``;
        - ``event_date``: the date of the event that ended follow-up (NaT if censored).

        ``.attrs["followup_report"]`` holds a :class:`FollowUpReport`; read it with
        :func:`followup_report`.

    Raises
    ------
    DataError
        Missing columns, columns that are not dates, missing or duplicated person ids,
        id columns that never match; any problem when ``on_problem="raise"``.
    SpecificationError
        Unknown ``unit`` or ``on_problem``, a bad ``max_followup`` or ``end``.

    Notes
    -----
    Dates are whole days (times of day are dropped). Follow-up covers the days
    ``(entry, exit]`` with ``exit = min(first outcome, competing dates, end,
    entry + max_followup)``; an outcome on the end day or the last day of the window
    counts. Only events strictly after entry count: events on or before entry (often the
    index arrest) are problems, as are end dates and competing dates before entry. An
    outcome and a competing event on the same day: the outcome wins; two competing
    causes on the same day: the first in ``competing`` wins.

    Street time follows the Florida DOC convention: custody days are subtracted from
    follow-up and from time to reoffense alike, ``time_at_risk = duration - |days of
    (entry, exit] in custody|``. A spell ``[custody_start, custody_end)`` is clipped to
    follow-up; overlapping spells of a person are merged, so each day counts once. Use
    ``time_at_risk`` as the survival time for a street-time analysis, ``duration`` for
    calendar time. ``max_followup`` is a calendar window.

    Why a DataFrame and not a result object: the output is data for the next step
    (``kaplan_meier``, ``cox``, merges with covariates), so it is a plain frame as
    DESIGN.md specifies, and the counts that DESIGN.md requires for dropped rows travel in
    ``DataFrame.attrs`` rather than in extra columns or a second return value.

    Examples
    --------
    >>> import pandas as pd
    >>> people = pd.DataFrame({
    ...     "pid": [1, 2, 3],
    ...     "entry": pd.to_datetime(["2022-01-01", "2022-01-01", "2022-03-01"]),
    ...     "death": pd.to_datetime([None, "2022-06-30", None]),
    ... })
    >>> arrests = pd.DataFrame({
    ...     "pid": [1, 1, 3],
    ...     "date": pd.to_datetime(["2022-02-01", "2022-05-01", "2022-03-01"]),
    ... })
    >>> jail = pd.DataFrame({
    ...     "pid": [1], "custody_start": pd.to_datetime(["2022-01-11"]),
    ...     "custody_end": pd.to_datetime(["2022-01-21"]),
    ... })
    >>> fu = build_followup(people, id="pid", start="entry", events=arrests,
    ...                     event_date="date", end=pd.Timestamp("2022-12-31"),
    ...                     custody=jail, competing=["death"])
    >>> fu[["pid", "duration", "event", "time_at_risk", "custody_time"]]
       pid  duration  event  time_at_risk  custody_time
    0    1        31      1            21            10
    1    2       180      2           180             0
    2    3       305      0           305             0
    >>> followup_report(fu).problems["events_on_or_before_entry"]
    1
    """
    if on_problem not in ("report", "warn", "raise"):
        raise SpecificationError(
            f"{_CALLER}(): on_problem={on_problem!r} is not an option",
            hint='use "report", "warn" or "raise"',
        )
    if unit not in UNIT_DAYS:
        raise SpecificationError(
            f"{_CALLER}(): unit={unit!r} is not a unit", hint=f"use one of {list(UNIT_DAYS)}"
        )
    people_df = as_pandas(people, arg="people", caller=_CALLER)
    events_df = as_pandas(events, arg="events", caller=_CALLER)
    names = competing_columns(competing, caller=_CALLER)
    tally = Tally()

    ids = unique_ids(people_df, id, caller=_CALLER)
    taken = {"entry", "exit", "duration", "event", "time_at_risk", "custody_time", "event_date"}
    if id in taken:
        raise SpecificationError(
            f"{_CALLER}(): the id column may not be called {id!r}, a name of the output",
            hint="rename it, e.g. people.rename(columns={...})",
        )
    entry = read_dates(people_df, start, arg="start", frame_arg="people", caller=_CALLER)
    end = end_days(people_df, end, caller=_CALLER)
    comp = np.empty((len(names), len(people_df)), dtype=np.int64)
    for k, name in enumerate(names):
        comp[k] = read_dates(people_df, name, arg="competing", frame_arg="people", caller=_CALLER)

    # people whose follow-up cannot be defined are dropped, each counted once
    dropped = entry == NO_DAY
    tally.add("missing_entry", dropped, ids)
    for key, mask in (("missing_end", end == NO_DAY), ("end_before_entry", end < entry)):
        tally.add(key, mask & ~dropped, ids)
        dropped = dropped | mask
    early = (comp < entry).any(axis=0) & ~dropped
    tally.add("competing_before_entry", early, ids)
    kept = ~(dropped | early)
    new_row = np.cumsum(kept) - 1
    entry_k, end_k, comp_k = entry[kept], end[kept], comp[:, kept]
    n_kept = int(kept.sum())

    # outcome events
    events_ids = events_id or id
    require_columns(events_df, [events_ids], arg="events_id", caller=_CALLER, frame_arg="events")
    ev_day = read_dates(events_df, event_date, arg="event_date", frame_arg="events", caller=_CALLER)
    ev_ids = events_df[events_ids]
    ev_row = match_ids(ids, ev_ids, frame_arg="events", caller=_CALLER)
    known = ev_row >= 0
    tally.add("events_unknown_person", ~known, ev_ids)
    dated = known & (ev_day != NO_DAY)
    tally.add("events_missing_date", known & ~dated, ev_ids)
    usable = dated & of_kept(ev_row, kept)
    tally.add("events_of_dropped_people", dated & ~usable, ev_ids)
    found = first_event_after(new_row[ev_row[usable]], ev_day[usable], entry_k, n_kept)
    tally.add("events_on_or_before_entry", found.not_after, ev_ids.iloc[np.flatnonzero(usable)])

    window = window_end(entry_k, max_followup, caller=_CALLER)
    exits = resolve_exits(found.first, comp_k, end_k, window)
    tally.add("zero_followup", exits.exit == entry_k, ids[kept])
    tally.add("censored_at_max_followup", exits.at_window, ids[kept])

    held = np.zeros(n_kept, dtype=np.int64)
    if custody is not None:
        spells = as_pandas(custody, arg="custody", caller=_CALLER)
        columns = (custody_id or id, custody_start, custody_end)
        held = custody_time(spells, columns, ids, kept, entry_k, exits.exit, tally)

    report_problems = {k: tally.counts[k] for k in PROBLEMS}
    if any(report_problems.values()):
        if on_problem == "raise":
            raise DataError(
                tally.message(_CALLER),
                hint='fix the data, or pass on_problem="report" to drop or ignore these rows '
                "(they are counted in followup_report(result))",
            )
        if on_problem == "warn":
            warnings.warn(tally.message(_CALLER), DataWarning, stacklevel=2)

    duration = exits.exit - entry_k
    scale = UNIT_DAYS[unit]

    def in_unit(days: IntArray) -> NDArray[np.int64] | NDArray[np.float64]:
        return days if unit == "days" else days / scale

    result = pd.DataFrame(
        {
            id: ids.array[kept],
            "entry": days_to_dates(entry_k),
            "exit": days_to_dates(exits.exit),
            "duration": in_unit(duration),
            "event": exits.event,
            "time_at_risk": in_unit(duration - held),
            "custody_time": in_unit(held),
            "event_date": days_to_dates(np.where(exits.event > 0, exits.exit, NO_DAY)),
        },
        index=people_df.index[kept],
    )
    codes = {0: "censored", 1: event_date, **{k + 2: n for k, n in enumerate(names)}}
    result.attrs[REPORT_KEY] = FollowUpReport(
        n_people=len(people_df),
        n_rows=n_kept,
        problems=report_problems,
        notes={k: tally.counts[k] for k in NOTES},
        examples=dict(tally.examples),
        event_codes=codes,
        event_counts={c: int(np.count_nonzero(exits.event == c)) for c in codes},
        unit=unit,
        max_followup=None if max_followup is None else repr(max_followup),
    )
    return result
