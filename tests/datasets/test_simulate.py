"""simulate_program(): shapes, invariants, determinism and a recoverable effect."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rpeval.datasets import COLUMNS, simulate_program
from rpeval.errors import SpecificationError
from rpeval.recidivism import cox

SETTINGS = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
programs = st.builds(
    simulate_program,
    n_participants=st.integers(1, 120),
    n_comparison=st.integers(1, 400),
    effect_hr=st.floats(0.2, 3.0),
    followup_days=st.integers(30, 2000),
    random_state=st.integers(0, 2**32 - 1),
)


@SETTINGS
@given(program=programs)
def test_tables_have_the_documented_columns(program) -> None:  # type: ignore[no-untyped-def]
    for table, described in COLUMNS.items():
        assert list(getattr(program, table).columns) == list(described), table
    people = program.people
    assert people["person_id"].is_unique
    assert len(program.cases) == int(people["participant"].sum())
    assert set(program.cases["person_id"]) == set(people.loc[people["participant"], "person_id"])


@SETTINGS
@given(program=programs)
def test_follow_up_invariants(program) -> None:  # type: ignore[no-untyped-def]
    people = program.people.set_index("person_id")
    end = people[["data_through", "death_date"]].min(axis=1)
    rearrested = people["rearrest_date"].notna()
    assert (rearrested == people["rearrested"]).all()
    assert (people.loc[rearrested, "rearrest_date"] > people.loc[rearrested, "entry_date"]).all()
    assert (people.loc[rearrested, "rearrest_date"] <= end[rearrested]).all()
    died = people["death_date"].notna()
    assert (people.loc[died, "death_date"] > people.loc[died, "entry_date"]).all()
    assert (people["death_date"][died] <= people["data_through"][died]).all()
    assert (people["entry_date"] <= people["data_through"]).all()

    arrests = program.arrests
    first = arrests.groupby("person_id")["arrest_date"].min()
    pd.testing.assert_series_equal(
        first, people.loc[rearrested, "rearrest_date"].rename("arrest_date"), check_names=False
    )
    assert (arrests["arrest_date"] <= arrests["person_id"].map(end)).all()


@SETTINGS
@given(program=programs)
def test_custody_spells(program) -> None:  # type: ignore[no-untyped-def]
    people = program.people.set_index("person_id")
    custody = program.custody
    assert (custody["custody_end"] > custody["custody_start"]).all()
    entry = custody["person_id"].map(people["entry_date"])
    end = custody["person_id"].map(people[["data_through", "death_date"]].min(axis=1))
    assert (custody["custody_start"] > entry).all()
    assert (custody["custody_end"] <= end + pd.Timedelta(days=1)).all()
    ordered = custody.sort_values(["person_id", "custody_start"])
    previous_end = ordered.groupby("person_id")["custody_end"].shift()
    assert (previous_end.isna() | (ordered["custody_start"] >= previous_end)).all()
    days = (custody["custody_end"] - custody["custody_start"]).dt.days
    totals = days.groupby(custody["person_id"]).sum().reindex(people.index, fill_value=0)
    assert (totals.to_numpy() == people["custody_days"].to_numpy()).all()
    # no arrest while in custody
    merged = program.arrests.merge(custody, on="person_id")
    inside = (merged["arrest_date"] >= merged["custody_start"]) & (
        merged["arrest_date"] < merged["custody_end"]
    )
    assert not inside.any()


@SETTINGS
@given(program=programs)
def test_case_invariants(program) -> None:  # type: ignore[no-untyped-def]
    cases = program.cases
    assert (cases["restitution_paid"] <= cases["restitution_agreed"] + 1e-9).all()
    assert (cases["service_hours_completed"] <= cases["service_hours_agreed"]).all()
    for item in ("victim_satisfaction", "offender_satisfaction", "procedural_fairness"):
        answered = cases[item].dropna()
        assert answered.between(1, 5).all()
    no_agreement = cases["agreement_reached"].fillna(False) == False  # noqa: E712
    assert cases.loc[no_agreement, "agreement_completed"].isna().all()
    no_conference = ~cases["conference_held"]
    assert cases.loc[no_conference, "agreement_reached"].isna().all()
    assert cases.loc[no_conference, "victim_participation"].isna().all()
    not_offered = cases["victim_offered"].fillna(False) == False  # noqa: E712
    assert cases.loc[not_offered, "victim_accepted"].isna().all()
    held = cases["conference_held"]
    assert (cases.loc[held, "conference_date"] <= cases.loc[held, "data_through"]).all()


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_same_seed_gives_identical_frames(seed: int) -> None:
    a, b = (
        simulate_program(40, 160, random_state=seed),
        simulate_program(40, 160, random_state=seed),
    )
    for table in COLUMNS:
        pd.testing.assert_frame_equal(getattr(a, table), getattr(b, table))
    c = simulate_program(40, 160, random_state=seed + 1)
    assert not a.people.equals(c.people)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"n_participants": 0},
        {"n_comparison": -5},
        {"n_participants": 2.5},
        {"effect_hr": 0.0},
        {"effect_hr": float("nan")},
        {"followup_days": 10},
    ],
)
def test_bad_arguments(kwargs: dict[str, object]) -> None:
    with pytest.raises(SpecificationError):
        simulate_program(**kwargs)  # type: ignore[arg-type]


def _street_time_data(program) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    """Duration in street days to the first re-arrest or censoring (independent of rpeval)."""
    people = program.people
    end = people[["data_through", "death_date", "rearrest_date"]].min(axis=1)
    spells = program.custody.merge(people[["person_id"]].assign(end=end), on="person_id")
    clipped = np.minimum(spells["custody_end"], spells["end"] + pd.Timedelta(days=1))
    spells["days"] = (clipped - spells["custody_start"]).dt.days.clip(lower=0)
    custody = people["person_id"].map(spells.groupby("person_id")["days"].sum()).fillna(0)
    return people.assign(
        street_days=(end - people["entry_date"]).dt.days - custody,
        rearrest=people["rearrested"].astype(int),
    )


def test_adjusted_cox_recovers_the_true_effect_and_naive_is_biased() -> None:
    program = simulate_program(6000, 12000, effect_hr=0.6, random_state=11)
    data = _street_time_data(program)
    assert (data["street_days"] > 0).all()
    adjusted = cox(
        data, "street_days", "rearrest", "participant + age + prior_arrests + sex + C(offense_type)"
    )
    row = adjusted.summary().set_index("term").loc["participant"]
    assert row["hazard_ratio_lower"] < 0.6 < row["hazard_ratio_upper"]
    naive = cox(data, "street_days", "rearrest", ["participant"]).hazard_ratio[0]
    assert naive < row["hazard_ratio_lower"]  # selection flatters the program


def test_default_call_is_calibrated() -> None:
    program = simulate_program()
    cases = program.cases
    assert 0.85 < cases["agreement_reached"].mean() < 0.96
    assert 0.7 < cases["agreement_completed"].mean() < 0.92
    held = cases.loc[cases["conference_held"], "victim_participation"]
    assert 0.4 < (held == "in_person").mean() < 0.6
    assert 0.04 < (held == "indirect").mean() < 0.16
