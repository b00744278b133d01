"""Follow-up construction: one row per person with duration, event and street time.

:func:`build_followup` turns a person table (entry date, end of data, competing-event
dates), a long table of outcome events (re-arrests) and optional custody spells into the
survival data every other function of :mod:`rpeval.recidivism` takes. What was wrong with
the inputs, and what was done about it, is a :class:`FollowUpReport`:
:func:`build_followup_with_report` returns it beside the frame.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from rpeval.recidivism.followup._assemble import OnProblem, Unit, assemble
from rpeval.recidivism.followup.report import FollowUp

__all__ = ["build_followup", "build_followup_with_report"]


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

        The frame carries no hidden state: for what was found in the inputs and done
        about it (the :class:`FollowUpReport`), call :func:`build_followup_with_report`.

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
    DESIGN.md specifies. The counts that DESIGN.md requires for dropped rows are in the
    :class:`FollowUpReport` of :func:`build_followup_with_report` (same arguments, the
    same frame as ``.data``), not in ``DataFrame.attrs``, which merges and concatenations
    drop silently.

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
    >>> build_followup_with_report(people, id="pid", start="entry", events=arrests,
    ...     event_date="date", end=pd.Timestamp("2022-12-31"), custody=jail,
    ...     competing=["death"]).report.problems["events_on_or_before_entry"]
    1
    """
    return assemble(
        people, id=id, start=start, events=events, event_date=event_date, end=end,
        custody=custody, competing=competing, max_followup=max_followup, unit=unit,
        on_problem=on_problem, events_id=events_id, custody_id=custody_id,
        custody_start=custody_start, custody_end=custody_end,
    ).data  # fmt: skip


def build_followup_with_report(
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
) -> FollowUp:
    """:func:`build_followup` and its :class:`FollowUpReport` in one call.

    The arguments are those of :func:`build_followup`. Returns a :class:`FollowUp`:
    ``.data`` is the frame :func:`build_followup` returns, ``.report`` what it found in
    the inputs and did about it (``followup_report(result)`` returns it too).

    Examples
    --------
    >>> import pandas as pd
    >>> people = pd.DataFrame({"pid": ["a", "b"], "entry": pd.to_datetime(["2023-01-01", None])})
    >>> arrests = pd.DataFrame({"pid": ["a", "x"], "date": pd.to_datetime(["2023-02-01"] * 2)})
    >>> result = build_followup_with_report(people, id="pid", start="entry", events=arrests,
    ...                                     event_date="date", end=pd.Timestamp("2023-12-31"))
    >>> len(result.data), result.report.n_problems
    (1, 2)
    """
    return assemble(
        people, id=id, start=start, events=events, event_date=event_date, end=end,
        custody=custody, competing=competing, max_followup=max_followup, unit=unit,
        on_problem=on_problem, events_id=events_id, custody_id=custody_id,
        custody_start=custody_start, custody_end=custody_end,
    )  # fmt: skip
