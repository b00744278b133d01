"""Reading the inputs of :func:`rpeval.recidivism.build_followup` into day numbers.

Frames and column names go through :mod:`rpeval._frames`; this module turns date columns
into integer day numbers (times of day are dropped), matches the ids of the event and
custody tables to rows of the person table, checks the scalar options, and tallies the
problems found (with a few example ids for each) in a :class:`Tally`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from rpeval._dates import date_series
from rpeval._frames import require_columns
from rpeval.errors import DataError, SpecificationError
from rpeval.recidivism.followup._kernels import (
    NO_DAY,
    custody_days,
    overlapping_spells,
)

__all__ = [
    "NOTES",
    "PROBLEMS",
    "Tally",
    "competing_columns",
    "custody_time",
    "day_numbers",
    "days_to_dates",
    "end_days",
    "match_ids",
    "of_kept",
    "read_dates",
    "unique_ids",
    "window_end",
]

IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]
N_EXAMPLES = 3
CALLER = "build_followup"

# key: (what was found, what was done); the order is the order of reports and messages
PROBLEMS: dict[str, tuple[str, str]] = {
    "missing_entry": ("people with no entry date (`start`)", "person dropped"),
    "missing_end": ("people with no end-of-data date (`end`)", "person dropped"),
    "end_before_entry": ("people whose end date is before their entry date", "person dropped"),
    "competing_before_entry": (
        "people with a competing-event date before their entry date",
        "person dropped",
    ),
    "events_unknown_person": ("rows of `events` whose id is not in `people`", "row ignored"),
    "events_missing_date": ("rows of `events` with no event date", "row ignored"),
    "events_on_or_before_entry": (
        "rows of `events` dated on or before the person's entry date",
        "row ignored",
    ),
    "custody_unknown_person": ("custody spells whose id is not in `people`", "spell ignored"),
    "custody_missing_start": ("custody spells with no start date", "spell ignored"),
    "custody_inverted": ("custody spells that end before they start", "spell ignored"),
    "custody_overlapping": (
        "custody spells sharing days with an earlier spell of the same person",
        "spells merged (days counted once)",
    ),
}
NOTES: dict[str, tuple[str, str]] = {
    "events_of_dropped_people": ("rows of `events` of people who were dropped", "row ignored"),
    "custody_of_dropped_people": ("custody spells of people who were dropped", "spell ignored"),
    "custody_open_ended": (
        "custody spells with no end date",
        "in custody until the end of follow-up",
    ),
    "zero_followup": ("people whose follow-up ends on their entry date", "kept, duration 0"),
    "censored_at_max_followup": (
        "people censored by `max_followup` before their end date",
        "censored at the window",
    ),
}


@dataclass
class Tally:
    """Counts and example ids of problems and notes, filled while reading the inputs."""

    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(PROBLEMS | NOTES, 0))
    examples: dict[str, tuple[Any, ...]] = field(default_factory=dict)

    def add(self, key: str, mask: BoolArray, ids: pd.Series) -> None:
        """Record the rows in ``mask`` under ``key``; ``ids`` names each row's person."""
        count = int(np.count_nonzero(mask))
        self.counts[key] += count
        if count:
            rows = np.flatnonzero(mask)[:N_EXAMPLES]
            self.examples[key] = tuple(ids.iloc[rows].tolist())

    def message(self, caller: str) -> str:
        """One line per problem found, for an error or a warning."""
        lines = [f"{caller}(): problems in the input data:"]
        for key, (what, action) in PROBLEMS.items():
            if self.counts[key]:
                shown = ", ".join(repr(v) for v in self.examples.get(key, ()))
                lines.append(f"  {self.counts[key]} {what} ({action}; e.g. ids {shown})")
        return "\n".join(lines)


def day_numbers(dates: pd.Series) -> IntArray:
    """Days since 1970-01-01 (times of day dropped); :data:`NO_DAY` for missing dates."""
    values = dates.to_numpy(dtype="datetime64[ns]")
    days = values.astype("datetime64[D]").astype(np.int64)
    return np.where(np.isnat(values), NO_DAY, days)


def days_to_dates(days: IntArray) -> NDArray[np.datetime64]:
    """Inverse of :func:`day_numbers` as ``datetime64[ns]`` (NaT for :data:`NO_DAY`)."""
    nat = np.iinfo(np.int64).min
    raw = np.where(days >= NO_DAY, nat, days).astype(np.int64)
    return raw.view("datetime64[D]").astype("datetime64[ns]")


def read_dates(
    frame: pd.DataFrame, column: str, *, arg: str, frame_arg: str, caller: str
) -> IntArray:
    """A date column of ``frame_arg`` as day numbers, with errors naming the frame."""
    if not isinstance(column, str):
        raise SpecificationError(f"{caller}(): `{arg}` must be a column name, got {column!r}")
    require_columns(frame, [column], arg=arg, caller=caller, frame_arg=frame_arg)
    return day_numbers(date_series(frame, column, arg=arg, caller=caller))


def unique_ids(people: pd.DataFrame, column: str, *, caller: str) -> pd.Series:
    """The person id column; missing or duplicated ids are always an error."""
    if not isinstance(column, str):
        raise SpecificationError(f"{caller}(): `id` must be a column name, got {column!r}")
    require_columns(people, [column], arg="id", caller=caller, frame_arg="people")
    ids = people[column]
    if ids.isna().any():
        raise DataError(
            f"{caller}(): id column {column!r} of `people` has {int(ids.isna().sum())} "
            "missing values",
            hint="every person needs an id; drop or fill those rows",
        )
    duplicated = ids.duplicated(keep=False)
    if duplicated.any():
        shown = ", ".join(repr(v) for v in pd.unique(ids[duplicated])[:N_EXAMPLES])
        raise DataError(
            f"{caller}(): `people` must have one row per person, but "
            f"{int(ids[duplicated].nunique())} ids of column {column!r} appear more than "
            f"once (e.g. {shown})",
            hint="aggregate to one row per person (e.g. the first program entry) first",
        )
    return ids


def _rows_of_codes(person_ids: pd.Series, other: pd.Series) -> IntArray | None:
    """``match_ids`` without hashing when the people's ids are ``0 .. n-1`` (int64) and
    ``other`` is a numpy integer column; None otherwise.

    Examples
    --------
    >>> _rows_of_codes(pd.Series([0, 1, 2]), pd.Series([2, -1, 5, 0])).tolist()
    [2, -1, -1, 0]
    """
    n = len(person_ids)
    people, values = person_ids.to_numpy(), other.to_numpy()
    if people.dtype != np.int64 or values.dtype.kind != "i" or not n:
        return None
    if people[0] != 0 or people[-1] != n - 1 or not np.array_equal(people, np.arange(n)):
        return None
    values = values.astype(np.int64, copy=False)
    return np.where((values >= 0) & (values < n), values, -1)


def match_ids(person_ids: pd.Series, other: pd.Series, *, frame_arg: str, caller: str) -> IntArray:
    """Row of ``person_ids`` holding each value of ``other``; -1 when none (or missing).

    ``person_ids`` must be unique: factorizing people first makes their codes ``0 .. n-1``.
    When the person ids are already those codes (``0 .. n-1`` as int64, as `evaluate`
    passes them) and ``other`` holds integers, the rows are the values themselves.
    """
    n = len(person_ids)
    found = _rows_of_codes(person_ids, other)
    if found is not None:
        return found
    both = pd.concat(
        [person_ids.reset_index(drop=True), other.reset_index(drop=True)], ignore_index=True
    )
    codes = np.asarray(pd.factorize(both)[0], dtype=np.int64)
    position = codes[n:].copy()
    position[position >= n] = -1
    numeric = pd.api.types.is_numeric_dtype
    if len(other) and n and (position < 0).all() and numeric(person_ids) != numeric(other):
        raise DataError(
            f"{caller}(): no id of `{frame_arg}` matches an id of `people`: the id columns "
            f"have types {other.dtype} and {person_ids.dtype}",
            hint="convert one of them, e.g. .astype(str), so that the same person has one id",
        )
    return position


def end_days(people: pd.DataFrame, end: Any, *, caller: str) -> IntArray:
    """``end`` as day numbers per person: a column name or one date for everyone."""
    if isinstance(end, str):
        if end not in people.columns:
            try:
                pd.Timestamp(end)
            except (TypeError, ValueError):
                pass
            else:
                raise SpecificationError(
                    f"{caller}(): end={end!r} is not a column of `people`; a text is read "
                    "as a column name",
                    hint=f"for one end date for everyone pass end=pd.Timestamp({end!r})",
                )
        return read_dates(people, end, arg="end", frame_arg="people", caller=caller)
    if isinstance(end, dt.date | np.datetime64):
        stamp = pd.Timestamp(end)
        if not pd.isna(stamp):
            day = int(stamp.to_datetime64().astype("datetime64[D]").astype(np.int64))
            return np.full(len(people), day, dtype=np.int64)
    raise SpecificationError(
        f"{caller}(): `end` must be a column name or a date, got {end!r}",
        hint="e.g. end='data_through' or end=pd.Timestamp('2024-12-31')",
    )


def competing_columns(competing: str | Sequence[str] | None, *, caller: str) -> list[str]:
    """``competing`` as a list of distinct column names."""
    if competing is None:
        return []
    names = [competing] if isinstance(competing, str) else list(competing)
    if not all(isinstance(name, str) for name in names):
        raise SpecificationError(
            f"{caller}(): `competing` must be a list of date column names, got {competing!r}"
        )
    if len(set(names)) != len(names):
        raise SpecificationError(f"{caller}(): `competing` names a column twice: {names!r}")
    return names


def window_end(entry: IntArray, max_followup: Any, *, caller: str) -> IntArray:
    """Last day of the fixed window per person (:data:`NO_DAY` without a window).

    ``max_followup`` is a whole number of days, a timedelta of whole days, or a
    :class:`pandas.DateOffset` for calendar windows (``pd.DateOffset(years=3)``).
    """
    if max_followup is None:
        return np.full(entry.shape, NO_DAY, dtype=np.int64)
    if isinstance(max_followup, pd.DateOffset):
        try:
            shifted = pd.Series(days_to_dates(entry)) + max_followup
        except (OverflowError, ValueError, pd.errors.OutOfBoundsDatetime):
            raise SpecificationError(
                f"{caller}(): max_followup={max_followup!r} ends windows after 2262",
                hint="use a window of years or months, e.g. pd.DateOffset(years=3)",
            ) from None
        return day_numbers(shifted)
    days: float | None = None
    if isinstance(max_followup, dt.timedelta | np.timedelta64):
        days = pd.Timedelta(max_followup) / pd.Timedelta(days=1)
    elif isinstance(max_followup, int | float | np.integer | np.floating) and not isinstance(
        max_followup, bool | np.bool_
    ):
        days = float(max_followup)
    if days is None or not np.isfinite(days) or days <= 0 or days != int(days):
        raise SpecificationError(
            f"{caller}(): max_followup={max_followup!r} must be a positive whole number of "
            "days, a timedelta of whole days or a pd.DateOffset",
            hint="e.g. max_followup=1095 (days) or max_followup=pd.DateOffset(years=3)",
        )
    return entry + min(int(days), NO_DAY // 2)  # a huge window is no window


def of_kept(row: IntArray, kept: BoolArray) -> BoolArray:
    """Rows of another table that belong to a kept person (``row`` is -1 when unknown)."""
    out = np.zeros(row.shape, dtype=np.bool_)
    known = row >= 0
    out[known] = kept[row[known]]
    return out


def custody_time(
    spells: pd.DataFrame,
    columns: tuple[str, str, str],
    ids: pd.Series,
    kept: BoolArray,
    entry: IntArray,
    exit_day: IntArray,
    tally: Tally,
) -> IntArray:
    """Days in custody within follow-up per kept person; spell problems go to ``tally``."""
    id_col, start_col, end_col = columns
    require_columns(spells, [id_col], arg="custody_id", caller=CALLER, frame_arg="custody")
    start = read_dates(spells, start_col, arg="custody_start", frame_arg="custody", caller=CALLER)
    stop = read_dates(spells, end_col, arg="custody_end", frame_arg="custody", caller=CALLER)
    spell_ids = spells[id_col]
    row = match_ids(ids, spell_ids, frame_arg="custody", caller=CALLER)
    known = row >= 0
    tally.add("custody_unknown_person", ~known, spell_ids)
    dated = known & (start != NO_DAY)
    tally.add("custody_missing_start", known & ~dated, spell_ids)
    inverted = dated & (stop < start)
    tally.add("custody_inverted", inverted, spell_ids)
    valid = dated & ~inverted
    usable = valid & of_kept(row, kept)
    tally.add("custody_of_dropped_people", valid & ~usable, spell_ids)
    tally.add("custody_open_ended", usable & (stop == NO_DAY), spell_ids)
    use = np.flatnonzero(usable)
    person = (np.cumsum(kept) - 1)[row[use]]
    overlap = overlapping_spells(person, start[use], stop[use])
    tally.add("custody_overlapping", overlap, spell_ids.iloc[use])
    return custody_days(person, start[use], stop[use], entry, exit_day, len(entry)).days
