"""Hand-worked cases for build_followup: one test per rule, problems and error messages."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import numpy as np
import pandas as pd
import pytest

from rpeval.errors import DataError, DataWarning, RpevalError, SpecificationError
from rpeval.recidivism.followup import (
    FollowUp,
    FollowUpReport,
    build_followup,
    build_followup_with_report,
    followup_report,
)

BASE = pd.Timestamp("2020-01-01")  # day 0 of every hand-worked case


def day(k: int | None) -> pd.Timestamp:
    return pd.Timestamp("NaT") if k is None else BASE + pd.Timedelta(days=k)


def people(*rows: tuple[object, int | None, int | None, int | None]) -> pd.DataFrame:
    """(pid, entry, end, death) with dates as day numbers."""
    return pd.DataFrame(
        {
            "pid": [r[0] for r in rows],
            "entry": [day(r[1]) for r in rows],
            "end": [day(r[2]) for r in rows],
            "death": pd.to_datetime([day(r[3]) for r in rows]),
        }
    )


def arrests(*rows: tuple[object, int | None]) -> pd.DataFrame:
    return pd.DataFrame(
        {"pid": [r[0] for r in rows], "date": pd.to_datetime([day(r[1]) for r in rows])}
    )


def spells(*rows: tuple[object, int | None, int | None]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "pid": [r[0] for r in rows],
            "custody_start": pd.to_datetime([day(r[1]) for r in rows]),
            "custody_end": pd.to_datetime([day(r[2]) for r in rows]),
        }
    )


NO_ARRESTS = arrests()
DEFAULTS: dict[str, Any] = {
    "id": "pid", "start": "entry", "event_date": "date", "end": "end", "competing": ["death"],
}  # fmt: skip


def build_with(p: pd.DataFrame, a: pd.DataFrame = NO_ARRESTS, **kwargs: object) -> FollowUp:
    return build_followup_with_report(p, events=a, **(DEFAULTS | kwargs))


def build(p: pd.DataFrame, a: pd.DataFrame = NO_ARRESTS, **kwargs: object) -> pd.DataFrame:
    return build_followup(p, events=a, **(DEFAULTS | kwargs))


def col(result: pd.DataFrame, name: str) -> list[object]:
    return list(result[name])


def test_first_event_strictly_after_entry_ends_follow_up() -> None:
    p = people(("a", 0, 100, None), ("b", 10, 100, None))
    a = arrests(("a", 40), ("a", 0), ("a", 25), ("a", -5), ("b", 150))
    fu_full = build_with(p, a)
    fu = fu_full.data
    assert list(fu.columns) == [
        "pid", "entry", "exit", "duration", "event", "time_at_risk", "custody_time", "event_date"
    ]  # fmt: skip
    assert col(fu, "duration") == [25, 90]
    assert col(fu, "event") == [1, 0]
    assert col(fu, "exit") == [day(25), day(100)]
    assert fu["event_date"].iloc[0] == day(25) and pd.isna(fu["event_date"].iloc[1])
    assert fu["duration"].dtype == np.int64 and fu["event"].dtype == np.int64
    report = followup_report(fu_full)
    assert report.problems["events_on_or_before_entry"] == 2  # the index arrest and a prior
    assert report.examples["events_on_or_before_entry"] == ("a", "a")
    assert report.event_counts == {0: 1, 1: 1, 2: 0}


def test_end_and_window_bounds_are_inclusive() -> None:
    p = people(("a", 0, 50, None), ("b", 0, 2000, None), ("c", 0, 2000, None))
    a = arrests(("a", 50), ("b", 1095), ("c", 1096))
    fu_full = build_with(p, a, max_followup=1095)
    fu = fu_full.data
    assert col(fu, "event") == [1, 1, 0]
    assert col(fu, "duration") == [50, 1095, 1095]
    assert followup_report(fu_full).notes["censored_at_max_followup"] == 1


def test_competing_events_order_and_same_day_ties() -> None:
    p = people(("a", 0, 100, 30), ("b", 0, 100, 30), ("c", 0, 100, 30), ("d", 0, 100, 30))
    p["moved"] = [day(None), day(None), day(30), day(20)]
    a = arrests(("a", 40), ("b", 30), ("c", 60))
    fu = build(p, a, competing=["death", "moved"])
    # death first; arrest and death the same day (outcome wins); two causes tied; moved first
    assert col(fu, "event") == [2, 1, 2, 3]
    assert col(fu, "duration") == [30, 30, 30, 20]
    swapped_full = build_with(p, a, competing=["moved", "death"])
    swapped = swapped_full.data
    assert col(swapped, "event") == [3, 1, 2, 2]
    assert followup_report(swapped_full).event_codes == {
        0: "censored",
        1: "date",
        2: "moved",
        3: "death",
    }


def test_competing_on_entry_day_gives_zero_follow_up_and_end_equal_entry_is_kept() -> None:
    p = people(("a", 5, 100, 5), ("b", 5, 5, None))
    fu_full = build_with(p, arrests(("b", 5)))
    fu = fu_full.data
    assert col(fu, "duration") == [0, 0] and col(fu, "event") == [2, 0]
    assert followup_report(fu_full).notes["zero_followup"] == 2


def test_custody_is_subtracted_and_clipped_to_follow_up() -> None:
    p = people(("a", 10, 200, None), ("b", 10, 200, None), ("c", 10, 200, None))
    a = arrests(("b", 50), ("c", 100))
    s = spells(
        ("a", 20, 30),  # 10 days, inside
        ("a", 5, 15),  # starts before entry: days 11..14 count (4)
        ("a", 195, 250),  # ends after end of data: days 195..200 count (6)
        ("b", 10, 12),  # starts on the entry day: day 11 counts (1)
        ("b", 45, 50),  # released on the arrest day: 5 days
        ("b", 60, 70),  # after the arrest: none
        ("c", 90, None),  # open-ended: in custody until exit (days 90..100)
    )
    fu_full = build_with(p, a, custody=s)
    fu = fu_full.data
    assert col(fu, "custody_time") == [20, 6, 11]
    assert col(fu, "time_at_risk") == [170, 34, 79]
    assert followup_report(fu_full).notes["custody_open_ended"] == 1
    assert followup_report(fu_full).problems["custody_overlapping"] == 0


def test_overlapping_spells_are_merged_and_counted() -> None:
    p = people(("a", 0, 100, None), ("b", 0, 100, None), ("c", 0, 100, None))
    s = spells(
        ("a", 10, 20), ("a", 15, 25),  # overlap: 15 days
        ("b", 10, 30), ("b", 12, 14), ("b", 16, 18), ("b", 10, 30),  # nested and repeated: 20
        ("c", 10, 20), ("c", 20, 30), ("c", 40, 40),  # adjacent and empty: 20, no overlap
    )  # fmt: skip
    fu_full = build_with(p, custody=s)
    fu = fu_full.data
    assert col(fu, "custody_time") == [15, 20, 20]
    report = followup_report(fu_full)
    assert report.problems["custody_overlapping"] == 4
    assert report.examples["custody_overlapping"] == ("a", "b", "b")


def test_inverted_missing_and_unknown_spells_are_ignored() -> None:
    p = people(("a", 0, 100, None))
    s = spells(("a", 30, 20), ("a", None, 20), ("zz", 10, 20), ("a", 50, 51))
    fu_full = build_with(p, custody=s)
    fu = fu_full.data
    assert col(fu, "custody_time") == [1]
    problems = followup_report(fu_full).problems
    assert (problems["custody_inverted"], problems["custody_missing_start"]) == (1, 1)
    assert problems["custody_unknown_person"] == 1


@pytest.mark.parametrize(
    ("unit", "divisor"), [("days", 1), ("weeks", 7), ("months", 30.4375), ("years", 365.25)]
)
def test_units(unit: str, divisor: float) -> None:
    p = people(("a", 0, 730, None))
    fu_full = build_with(p, arrests(("a", 400)), custody=spells(("a", 100, 135)), unit=unit)
    fu = fu_full.data
    assert fu["duration"].iloc[0] == pytest.approx(400 / divisor, rel=1e-15)
    assert fu["custody_time"].iloc[0] == pytest.approx(35 / divisor, rel=1e-15)
    assert fu["time_at_risk"].iloc[0] == pytest.approx(365 / divisor, rel=1e-15)
    assert followup_report(fu_full).unit == unit


@pytest.mark.parametrize(
    ("window", "days"),
    [
        (365, 365),
        (365.0, 365),
        (pd.Timedelta(days=365), 365),
        (dt.timedelta(days=365), 365),
        (np.timedelta64(365, "D"), 365),
        (pd.DateOffset(years=1), 366),  # 2020 is a leap year: a calendar year
    ],
)
def test_max_followup_forms(window: object, days: int) -> None:
    fu = build(people(("a", 0, 1000, None)), max_followup=window)
    assert col(fu, "duration") == [days]


@pytest.mark.parametrize(
    "window", [0, -3, 1.5, True, "3y", pd.Timedelta(hours=36), pd.DateOffset(years=500)]
)
def test_bad_max_followup(window: object) -> None:
    with pytest.raises(SpecificationError, match="max_followup"):
        build(people(("a", 0, 1000, None)), max_followup=window)


@pytest.mark.parametrize(
    "end", [pd.Timestamp("2020-04-10"), dt.date(2020, 4, 10), np.datetime64("2020-04-10")]
)
def test_one_end_date_for_everyone(end: object) -> None:
    fu = build(people(("a", 0, None, None), ("b", 9, None, None)), end=end)
    assert col(fu, "duration") == [100, 91]


def test_text_end_that_is_a_date_is_rejected_with_hint() -> None:
    with pytest.raises(SpecificationError, match=r"pd\.Timestamp\('2020-04-10'\)"):
        build(people(("a", 0, 10, None)), end="2020-04-10")


def test_people_who_cannot_be_followed_are_dropped_and_counted() -> None:
    p = people(
        ("ok", 0, 100, None),
        ("no_entry", None, 100, None),
        ("no_end", 0, None, None),
        ("ends_early", 50, 40, None),
        ("dead_before", 50, 100, 40),
    )
    p.index = [10, 11, 12, 13, 14]
    a = arrests(("no_entry", 20), ("ok", None), ("stranger", 3), ("ok", 70))
    fu_full = build_with(p, a)
    fu = fu_full.data
    assert col(fu, "pid") == ["ok"] and list(fu.index) == [10]
    report = followup_report(fu_full)
    assert (report.n_people, report.n_rows, report.n_problems) == (5, 1, 6)
    expected = {
        "missing_entry": 1,
        "missing_end": 1,
        "end_before_entry": 1,
        "competing_before_entry": 1,
        "events_unknown_person": 1,
        "events_missing_date": 1,
    }
    assert {k: v for k, v in report.problems.items() if v} == expected
    assert report.notes["events_of_dropped_people"] == 1
    assert report.examples["events_unknown_person"] == ("stranger",)


def test_on_problem_raise_lists_every_problem_with_ids() -> None:
    p = people(("a", 0, 100, None), ("b", 10, 5, None))
    a = arrests(("a", 0))
    s = spells(("a", 30, 20))
    with pytest.raises(DataError) as info:
        build(p, a, custody=s, on_problem="raise")
    text = str(info.value)
    assert text.startswith("build_followup(): problems in the input data:")
    assert (
        "1 people whose end date is before their entry date (person dropped; e.g. ids 'b')" in text
    )
    assert "1 rows of `events` dated on or before the person's entry date" in text
    assert "1 custody spells that end before they start (spell ignored; e.g. ids 'a')" in text
    assert 'on_problem="report"' in text


def test_on_problem_warn_and_clean_data_under_raise() -> None:
    p = people(("a", 0, 100, None))
    with pytest.warns(DataWarning, match="on or before"):
        build(p, arrests(("a", 0)), on_problem="warn")
    assert len(build(p, arrests(("a", 3)), on_problem="raise")) == 1


@pytest.mark.parametrize(
    ("kwargs", "error", "pattern"),
    [
        ({"on_problem": "ignore"}, SpecificationError, "on_problem='ignore'"),
        ({"unit": "fortnights"}, SpecificationError, "unit='fortnights'"),
        ({"end": "ennd"}, DataError, r"column 'ennd' \(argument `end`\).*Did you mean 'end'"),
        ({"end": 3}, SpecificationError, "`end` must be a column name or a date"),
        ({"competing": ["died"]}, DataError, "column 'died'"),
        ({"competing": ["death", "death"]}, SpecificationError, "twice"),
        ({"event_date": "arrest_date"}, DataError, "not in `events`"),
        ({"start": "pid"}, DataError, "must hold dates"),
        ({"custody": spells().drop(columns="custody_end")}, DataError, "not in `custody`"),
        ({"custody": spells(), "custody_id": "id"}, DataError, "argument `custody_id`"),
        ({"events_id": "person"}, DataError, "argument `events_id`"),
        ({"events": [1, 2]}, DataError, "`events` must be a data frame"),
        ({"id": 3}, SpecificationError, "`id` must be a column name"),
        ({"event_date": None}, SpecificationError, "`event_date` must be a column name"),
        ({"end": pd.NaT}, SpecificationError, "`end` must be a column name or a date"),
        ({"competing": [3]}, SpecificationError, "list of date column names"),
        ({"id": "entry"}, SpecificationError, "may not be called 'entry'"),
    ],
)
def test_bad_arguments_raise_rpeval_errors(
    kwargs: dict[str, object], error: type[RpevalError], pattern: str
) -> None:
    p = people(("a", 0, 100, None))
    p["pid"] = [7]
    options: dict[str, Any] = dict(kwargs)
    a = options.pop("events", arrests((7, 3)))
    with pytest.raises(error, match=pattern):
        build(p, a, **options)


def test_non_date_event_column_and_unparseable_text() -> None:
    p = people(("a", 0, 100, None))
    with pytest.raises(DataError, match="must hold dates"):
        build(p, pd.DataFrame({"pid": ["a"], "date": [3.5]}))
    with pytest.raises(DataError, match="must hold dates"):
        build(p, pd.DataFrame({"pid": ["a"], "date": ["soon"]}))


def test_duplicated_or_missing_person_ids_always_raise() -> None:
    p = people(("a", 0, 100, None), ("a", 5, 100, None), ("b", 0, 100, None))
    with pytest.raises(DataError, match=r"one row per person.*'a'"):
        build(p)
    with pytest.raises(DataError, match="missing values"):
        build(people(("a", 0, 100, None), (None, 0, 100, None)))


def test_id_columns_of_different_types_that_never_match() -> None:
    p = people(("1", 0, 100, None))
    with pytest.raises(DataError, match="no id of `events` matches"):
        build(p, pd.DataFrame({"pid": [1], "date": [day(5)]}))


def test_other_id_names_and_text_dates() -> None:
    p = people(("a", 0, 100, None)).rename(columns={"pid": "person"})
    a = pd.DataFrame({"who": ["a"], "date": ["2020-01-21"]})
    s = spells(("a", 3, 5)).rename(columns={"pid": "held", "custody_start": "in"})
    fu = build_followup(
        p, id="person", start="entry", events=a, event_date="date", end="end",
        custody=s, events_id="who", custody_id="held", custody_start="in",
    )  # fmt: skip
    assert col(fu, "duration") == [20] and col(fu, "custody_time") == [2]


def test_inputs_are_not_mutated() -> None:
    p = people(("a", 0, 100, None), ("b", None, 5, None))
    a = arrests(("a", 0), ("a", 30))
    s = spells(("a", 10, 40), ("a", 20, 50), ("a", 70, None))
    copies = [p.copy(deep=True), a.copy(deep=True), s.copy(deep=True)]
    build(p, a, custody=s, max_followup=60, unit="years")
    for before, after in zip(copies, [p, a, s], strict=True):
        pd.testing.assert_frame_equal(before, after)


def test_empty_inputs() -> None:
    fu_full = build_with(people(("a", 0, 100, None)).iloc[:0], custody=spells())
    fu = fu_full.data
    assert len(fu) == 0 and "time_at_risk" in fu.columns
    assert followup_report(fu_full).n_rows == 0


def test_report_summary_dict_and_accessor() -> None:
    fu_full = build_with(people(("a", 0, 100, None)), arrests(("a", 0), ("a", 9)), max_followup=50)
    fu = fu_full.data
    report = followup_report(fu_full)
    table = report.summary()
    assert list(table.columns) == ["item", "kind", "count", "action", "description", "examples"]
    assert set(table["kind"]) == {"problem", "note", "event"}
    row = table.set_index("item").loc["events_on_or_before_entry"]
    assert (row["count"], row["examples"]) == (1, "a")
    assert json.loads(json.dumps(report.to_dict()))["max_followup"] == "50"
    assert "events_on_or_before_entry" in report._repr_html_()
    assert not fu.attrs  # no state hidden in DataFrame.attrs
    plain = build(people(("a", 0, 100, None)), arrests(("a", 0), ("a", 9)), max_followup=50)
    pd.testing.assert_frame_equal(fu, plain)
    assert str(fu_full).startswith("Follow-up of 1 of 1 people")
    assert fu_full.summary().equals(table) and fu_full.to_dict() == report.to_dict()
    with pytest.raises(DataError, match="carries no report"):
        followup_report(fu)  # type: ignore[arg-type]
    assert isinstance(report, FollowUpReport)


def test_polars_input() -> None:
    pl = pytest.importorskip("polars")
    p = people(("a", 0, 100, None))
    fu = build(pl.from_pandas(p), pl.from_pandas(arrests(("a", 12))))
    assert col(fu, "duration") == [12]


def test_agrees_with_the_simulation_truth() -> None:
    from rpeval.datasets import simulate_program

    program = simulate_program(n_participants=300, n_comparison=1500, random_state=7)
    fu = build_followup(
        program.people, id="person_id", start="entry_date", events=program.arrests,
        event_date="arrest_date", end="data_through", custody=program.custody,
        competing=["death_date"], on_problem="raise",
    )  # fmt: skip
    data = program.people.merge(fu, on="person_id")
    assert (data["event"].eq(1) == data["rearrested"]).all()
    rearrested = data["event"] == 1
    assert (data.loc[rearrested, "event_date"] == data.loc[rearrested, "rearrest_date"]).all()
    dead = data["event"] == 2
    assert (data.loc[dead, "exit"] == data.loc[dead, "death_date"]).all()
    # the simulation counts custody to the end of follow-up, so it agrees off re-arrest
    assert (data.loc[~rearrested, "custody_time"] == data.loc[~rearrested, "custody_days"]).all()
