"""Dates: every date evaluate() touches is read by one path, whatever form it comes in.

Issue 22, item 1: text dates crashed evaluate after all the work was done, date objects
raised AttributeError, and a CSV date with a time of day stayed text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pandas as pd
import pytest

from rpeval.datasets import ProgramData
from rpeval.errors import DataError, SpecificationError
from rpeval.report import Evaluation

from .conftest import run_evaluate

Convert = Callable[[pd.Series], pd.Series]
FORMS: dict[str, Convert] = {
    "iso text": lambda s: s.dt.strftime("%Y-%m-%d"),
    "iso text with a time of day": lambda s: s.dt.strftime("%Y-%m-%d 09:30:00"),
    "iso text with T and seconds": lambda s: s.dt.strftime("%Y-%m-%dT23:59:59"),
    "date objects": lambda s: s.dt.date.astype(object),
    "datetime objects": lambda s: pd.Series(
        [v.to_pydatetime() for v in s], index=s.index, dtype=object
    ),
    "aware datetime64": lambda s: s.dt.tz_localize("America/Chicago"),
    "aware, other zone": lambda s: s.dt.tz_localize("Asia/Tokyo"),
    "microsecond unit": lambda s: s.astype("datetime64[us]"),
    "categorical text": lambda s: s.dt.strftime("%Y-%m-%d").astype("category"),
}


def _same_result(result: Evaluation, baseline: Evaluation) -> None:
    assert result.hazard_ratio == baseline.hazard_ratio
    pd.testing.assert_frame_equal(result.cohort, baseline.cohort)
    pd.testing.assert_frame_equal(result.rates, baseline.rates)


@pytest.mark.parametrize("form", list(FORMS))
@pytest.mark.parametrize("column", ["entry_date", "data_through"])
def test_every_date_form_gives_the_same_evaluation(
    program: ProgramData, baseline: Evaluation, form: str, column: str
) -> None:
    people = program.people.assign(**{column: FORMS[form](program.people[column])})
    _same_result(run_evaluate(people, program), baseline)


def test_event_and_competing_dates_as_text(program: ProgramData, baseline: Evaluation) -> None:
    arrests = program.arrests.assign(arrest_date=program.arrests["arrest_date"].astype(str))
    result = run_evaluate(program.people, program, events=arrests)
    _same_result(result, baseline)
    people = program.people.assign(death_date=program.people["death_date"].dt.date)
    with_deaths = run_evaluate(people, program, competing=["death_date"])
    expected = run_evaluate(program.people, program, competing=["death_date"])
    assert with_deaths.hazard_ratio == expected.hazard_ratio


def test_outcome_column_as_text(program: ProgramData) -> None:
    text = program.people.assign(rearrest_date=program.people["rearrest_date"].astype(str))
    kwargs = {"events": None, "outcome": "rearrest_date"}
    assert (
        run_evaluate(text, program, **kwargs).hazard_ratio
        == run_evaluate(program.people, program, **kwargs).hazard_ratio
    )


def test_configured_formats(program: ProgramData, baseline: Evaluation) -> None:
    people = program.people.assign(entry_date=program.people["entry_date"].dt.strftime("%d/%m/%Y"))
    _same_result(run_evaluate(people, program, date_format="%d/%m/%Y"), baseline)
    mixed = people.assign(entry_date=people["entry_date"].where(people.index % 2 == 0, "x"))
    mixed.loc[mixed.index % 2 == 1, "entry_date"] = program.people["entry_date"].dt.strftime(
        "%d.%m.%Y"
    )
    result = run_evaluate(mixed, program, date_format=["%d/%m/%Y", "%d.%m.%Y"])
    _same_result(result, baseline)
    with pytest.raises(DataError, match="name their format with date_format"):
        run_evaluate(people, program)
    with pytest.raises(SpecificationError, match="`date_format` must be strftime formats"):
        run_evaluate(program.people, program, date_format="dd/mm/yyyy")


def test_times_of_day_do_not_change_whole_days(program: ProgramData, baseline: Evaluation) -> None:
    people = program.people.assign(
        entry_date=program.people["entry_date"] + pd.Timedelta(hours=23),
        data_through=program.people["data_through"] + pd.Timedelta(hours=1),
    )
    _same_result(run_evaluate(people, program), baseline)


def test_mixed_utc_offsets_keep_the_local_day(program: ProgramData, baseline: Evaluation) -> None:
    entry = program.people["entry_date"]
    text = entry.dt.strftime("%Y-%m-%dT22:00:00") + pd.Series(
        ["+01:00", "-05:00", "Z"] * len(entry), index=range(3 * len(entry))
    ).iloc[: len(entry)].set_axis(entry.index)
    _same_result(run_evaluate(program.people.assign(entry_date=text), program), baseline)


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("2022-02-30", "row 5: '2022-02-30'"),
        ("30/02/2022", "row 5: '30/02/2022'"),
        ("yesterday", "row 5: 'yesterday'"),
        ("2022-13-01", "row 5: '2022-13-01'"),
        ("1066-10-14", "years 1678-2261"),
    ],
)
def test_a_bad_date_names_its_column_and_first_row(
    program: ProgramData, bad: str, message: str
) -> None:
    people = program.people.assign(entry_date=program.people["entry_date"].astype(str))
    people.loc[5, "entry_date"] = bad
    with pytest.raises(DataError, match="column 'entry_date' \\(argument `entry`\\)") as caught:
        run_evaluate(people, program)
    assert message in str(caught.value)


def test_a_bad_event_date_names_the_events_table(program: ProgramData) -> None:
    arrests = program.arrests.assign(arrest_date=program.arrests["arrest_date"].astype(str))
    arrests.loc[3, "arrest_date"] = "2021-06-31"
    with pytest.raises(DataError, match="column 'arrest_date' \\(argument `event_date`\\)"):
        run_evaluate(program.people, program, events=arrests)


def test_numbers_are_not_read_as_dates(program: ProgramData) -> None:
    people = program.people.assign(entry_date=program.people["entry_date"].dt.year)
    with pytest.raises(DataError, match="must hold dates, found int"):
        run_evaluate(people, program)


def test_blank_text_is_a_missing_date(program: ProgramData) -> None:
    people = program.people.assign(entry_date=program.people["entry_date"].astype(str))
    people.loc[people.index[:4], "entry_date"] = ["", " ", "", "  "]
    result = run_evaluate(people, program)
    step = result.cohort.set_index("step").loc["known entry date"]
    assert step["dropped"] == 4


def test_end_before_entry_has_its_own_step(program: ProgramData) -> None:
    people = program.people.copy()
    people.loc[people.index[:3], "data_through"] = people["entry_date"].iloc[:3] - pd.Timedelta(
        days=1
    )
    cohort = run_evaluate(people, program).cohort.set_index("step")
    assert cohort.loc["valid follow-up dates", "dropped"] == 3
    assert (
        "end of data (`data_through`) before the entry date (`entry_date`): 3"
        in (cohort.loc["valid follow-up dates", "reason"])
    )
    assert "custody" not in cohort.loc["valid follow-up dates", "reason"]


def test_input_frames_are_not_changed(program: ProgramData) -> None:
    people = program.people.assign(entry_date=program.people["entry_date"].dt.date)
    arrests = program.arrests.assign(arrest_date=program.arrests["arrest_date"].astype(str))
    before = (people.copy(), arrests.copy())
    run_evaluate(people, program, events=arrests)
    pd.testing.assert_frame_equal(people, before[0])
    pd.testing.assert_frame_equal(arrests, before[1])


def test_date_objects_with_a_datetime_mixed_in(program: ProgramData, baseline: Evaluation) -> None:
    entry = program.people["entry_date"]
    values = [d.date() if i % 2 else d.to_pydatetime() for i, d in enumerate(entry)]
    people = program.people.assign(entry_date=pd.Series(values, index=entry.index, dtype=object))
    assert isinstance(people["entry_date"].iloc[1], dt.date)
    _same_result(run_evaluate(people, program), baseline)
