"""Property tests of build_followup against a slow, day-by-day pure-Python reference."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given
from hypothesis import strategies as st

from rpeval.recidivism.followup import (
    FollowUp,
    build_followup,
    build_followup_with_report,
    followup_report,
)
from tests.hypothesis_budget import budget

BASE = pd.Timestamp("2020-01-01")
SETTINGS = budget(150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
QUICK = budget(80, suppress_health_check=list(SETTINGS.suppress_health_check))
Frame = pd.DataFrame
COLUMNS = ["pid", "entry", "exit", "duration", "event", "time_at_risk", "custody_time"]

Day = int | None


@dataclass
class Case:
    people: list[tuple[str, Day, Day, Day, Day]]  # pid, entry, end, death, moved
    events: list[tuple[str, Day]]
    spells: list[tuple[str, Day, Day]]
    max_followup: int | None


def _dates(days: list[Day]) -> pd.Series:
    return pd.Series([pd.NaT if d is None else BASE + pd.Timedelta(days=d) for d in days]).astype(
        "datetime64[ns]"
    )


def frames(case: Case) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    people = pd.DataFrame({"pid": [r[0] for r in case.people]})
    people["entry"] = _dates([r[1] for r in case.people])
    people["end"] = _dates([r[2] for r in case.people])
    people["death"] = _dates([r[3] for r in case.people])
    people["moved"] = _dates([r[4] for r in case.people])
    events = pd.DataFrame({"pid": [e[0] for e in case.events]})
    events["date"] = _dates([e[1] for e in case.events])
    spells = pd.DataFrame({"pid": [s[0] for s in case.spells]})
    spells["custody_start"] = _dates([s[1] for s in case.spells])
    spells["custody_end"] = _dates([s[2] for s in case.spells])
    return people, events, spells


def run_with(
    case: Case, people: pd.DataFrame, events: pd.DataFrame, spells: pd.DataFrame
) -> FollowUp:
    return build_followup_with_report(
        people, id="pid", start="entry", events=events, event_date="date", end="end",
        custody=spells, competing=["death", "moved"], max_followup=case.max_followup,
    )  # fmt: skip


def run(
    case: Case, people: pd.DataFrame, events: pd.DataFrame, spells: pd.DataFrame
) -> pd.DataFrame:
    return build_followup(
        people, id="pid", start="entry", events=events, event_date="date", end="end",
        custody=spells, competing=["death", "moved"], max_followup=case.max_followup,
    )  # fmt: skip


def _components(day_sets: list[set[int]]) -> int:
    """Connected components of spells that share days (union-find, no sorting)."""
    parent = list(range(len(day_sets)))

    def root(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    for i in range(len(day_sets)):
        for j in range(i):
            if day_sets[i] & day_sets[j]:
                parent[root(i)] = root(j)
    return len({root(i) for i in range(len(day_sets))})


def reference(case: Case) -> tuple[list[tuple[object, ...]], Counter[str]]:
    """Rows (pid, entry, exit, duration, event, street, custody) and problem counts."""
    counts: Counter[str] = Counter()
    known = {p[0]: p for p in case.people}
    dropped = set()
    for pid, entry, end, *competing in case.people:
        if entry is None:
            counts["missing_entry"] += 1
        elif end is None:
            counts["missing_end"] += 1
        elif end < entry:
            counts["end_before_entry"] += 1
        elif any(c is not None and c < entry for c in competing):
            counts["competing_before_entry"] += 1
        else:
            continue
        dropped.add(pid)
    arrests: dict[str, list[int]] = {}
    for pid, date in case.events:
        if pid not in known:
            counts["events_unknown_person"] += 1
        elif date is None:
            counts["events_missing_date"] += 1
        elif pid in dropped:
            pass
        elif date <= known[pid][1]:  # type: ignore[operator]
            counts["events_on_or_before_entry"] += 1
        else:
            arrests.setdefault(pid, []).append(date)
    horizon = 1000  # after every date a case can hold: open spells stop here
    held: dict[str, list[set[int]]] = {}
    for pid, begin, stop in case.spells:
        if pid not in known:
            counts["custody_unknown_person"] += 1
        elif begin is None:
            counts["custody_missing_start"] += 1
        elif stop is not None and stop < begin:
            counts["custody_inverted"] += 1
        elif pid not in dropped:
            held.setdefault(pid, []).append(set(range(begin, horizon if stop is None else stop)))
    for sets in held.values():
        nonempty = [s for s in sets if s]
        counts["custody_overlapping"] += len(nonempty) - _components(nonempty)
    rows: list[tuple[object, ...]] = []
    for pid, entry, end, death, moved in case.people:
        if pid in dropped:
            continue
        assert entry is not None and end is not None
        outcome = min(arrests.get(pid, []), default=None)
        window = None if case.max_followup is None else entry + case.max_followup
        causes = [(outcome, 1), (death, 2), (moved, 3), (end, 0), (window, 0)]
        exit_day = min(d for d, _ in causes if d is not None)
        event = next(code for d, code in causes if d == exit_day)
        in_custody = {d for s in held.get(pid, []) for d in s}
        custody = sum(1 for d in range(entry + 1, exit_day + 1) if d in in_custody)
        duration = exit_day - entry
        rows.append((pid, entry, exit_day, duration, event, duration - custody, custody))
    return rows, counts


def offset(low: int, high: int, none_one_in: int) -> st.SearchStrategy[int | None]:
    """An integer in [low, high], or None about once in ``none_one_in`` draws."""
    pick = st.tuples(st.integers(1, none_one_in), st.integers(low, high))
    return pick.map(lambda t: None if t[0] == 1 else t[1])


pids = [f"p{i}" for i in range(6)]


@st.composite
def cases(draw: st.DrawFn) -> Case:
    """Mostly clean data; each kind of problem turns up in a fair share of examples."""
    n = draw(st.integers(0, 6))
    people, base = [], {"stranger": 10}
    for pid in pids[:n]:
        entry = draw(offset(0, 30, 20))
        at = base[pid] = entry or 0

        def after(low: int, high: int, none_one_in: int, at: int = at) -> int | None:
            delta = draw(offset(low, high, none_one_in))
            return None if delta is None else at + delta

        end = after(-3, 60, 20)
        death = after(-2, 60, 3)  # a competing date before entry is a problem
        moved = after(0, 60, 5) if draw(st.booleans()) else None
        people.append((pid, entry, end, death, moved))
    who = st.sampled_from([*pids[:n], *pids[:n], "stranger"])
    events = []
    for pid in draw(st.lists(who, max_size=12)):
        delta = draw(offset(-5, 60, 20))
        events.append((pid, None if delta is None else base[pid] + delta))
    spells = []
    for pid in draw(st.lists(who, max_size=8)):
        begin = draw(offset(-5, 60, 20))
        begin = None if begin is None else base[pid] + begin
        length = draw(offset(-2, 25, 10))
        spells.append((pid, begin, None if length is None else (begin or 0) + length))
    return Case(people, events, spells, draw(st.none() | st.integers(1, 40)))


def _result_rows(result: pd.DataFrame) -> list[tuple[object, ...]]:
    entry = (result["entry"] - BASE).dt.days
    exit_ = (result["exit"] - BASE).dt.days
    table = result.assign(entry=entry, exit=exit_)[COLUMNS]
    return [tuple(int(v) if not isinstance(v, str) else v for v in row) for row in table.values]


@SETTINGS
@given(case=cases())
def test_agrees_with_day_by_day_reference(case: Case) -> None:
    full = run_with(case, *frames(case))
    result = full.data
    rows, counts = reference(case)
    assert _result_rows(result) == rows
    problems = followup_report(full).problems
    assert {k: v for k, v in problems.items() if v} == {k: v for k, v in counts.items() if v}


@QUICK
@given(case=cases())
def test_invariants(case: Case) -> None:
    result = run(case, *frames(case))
    assert (result["duration"] >= result["time_at_risk"]).all()
    assert (result["time_at_risk"] >= 0).all() and (result["custody_time"] >= 0).all()
    assert set(result["event"]) <= {0, 1, 2, 3}
    if case.max_followup is not None:
        assert (result["duration"] <= case.max_followup).all()
    ended = result["event"] > 0
    assert (result.loc[ended, "event_date"] >= result.loc[ended, "entry"]).all()
    outcome = result["event"] == 1
    assert (result.loc[outcome, "event_date"] > result.loc[outcome, "entry"]).all()
    assert (result.loc[ended, "event_date"] == result.loc[ended, "exit"]).all()
    assert result.loc[~ended, "event_date"].isna().all()


@QUICK
@given(case=cases(), seed=st.integers(0, 2**32 - 1))
def test_row_order_does_not_matter(case: Case, seed: int) -> None:
    people, events, spells = frames(case)
    rng = np.random.default_rng(seed)
    shuffled = [f.iloc[rng.permutation(len(f))] for f in (people, events, spells)]
    a_full, b_full = run_with(case, people, events, spells), run_with(case, *shuffled)
    a, b = a_full.data, b_full.data
    pd.testing.assert_frame_equal(
        a.sort_values("pid").reset_index(drop=True), b.sort_values("pid").reset_index(drop=True)
    )
    assert followup_report(a_full).problems == followup_report(b_full).problems
    assert followup_report(a_full).notes == followup_report(b_full).notes


@budget(100)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 50),
            st.integers(-(2**40), 2**40) | st.integers(-3, 3),
            st.integers(-(2**40), 2**40) | st.integers(-3, 3),
        ),
        max_size=40,
    )
)
def test_lex_order_is_lexsort(rows: list[tuple[int, int, int]]) -> None:
    # the one-key sort of the custody kernels gives lexsort's order (ties in row order),
    # and falls back to lexsort when the keys do not fit one int64
    from rpeval.recidivism.followup._kernels import lex_order

    table = np.array(rows, dtype=np.int64).reshape(-1, 3)
    person, first, second = table[:, 0], table[:, 1], table[:, 2]
    expected = np.lexsort((second, first, person))
    np.testing.assert_array_equal(lex_order(person, first, second), expected)
