"""simulate_program(): shapes, invariants, determinism, calibration and a recoverable effect."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf
from hypothesis import HealthCheck, given
from hypothesis import strategies as st

from rpeval.datasets import COLUMNS, ProgramData, simulate_program
from rpeval.errors import SpecificationError
from tests.hypothesis_budget import budget

DOCS_PAGE = Path(__file__).resolve().parents[2] / "docs" / "simulated-data.md"
SETTINGS = budget(25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
programs = st.builds(
    simulate_program,
    n_participants=st.integers(1, 120),
    n_comparison=st.integers(1, 400),
    effect_hr=st.floats(0.2, 3.0),
    followup_days=st.integers(30, 2000),
    random_state=st.integers(0, 2**32 - 1),
)
DTYPES = {
    "people": {
        "participant": "bool",
        "age": "int64",
        "hispanic": "bool",
        "prior_arrests": "int64",
        "risk_score": "float64",
        "entry_date": "datetime64[ns]",
        "data_through": "datetime64[ns]",
        "rearrest_date": "datetime64[ns]",
        "death_date": "datetime64[ns]",
        "custody_days": "int64",
        "rearrested": "bool",
        "rearrest_count": "int64",
        "street_days": "int64",
    },
    "cases": {
        "offender_participated": "bool",
        "victim_offered": "boolean",
        "victim_accepted": "boolean",
        "conference_held": "bool",
        "agreement_reached": "boolean",
        "agreement_completed": "boolean",
        "restitution_agreed": "float64",
        "victim_satisfaction": "Int64",
        "procedural_fairness": "Int64",
        "completion_date": "datetime64[ns]",
    },
    "officers": {"trained": "bool", "training_date": "datetime64[ns]"},
}


def _end_of_followup(people: pd.DataFrame) -> pd.Series:
    return people[["data_through", "death_date"]].min(axis=1)


@SETTINGS
@given(program=programs)
def test_tables_columns_and_dtypes(program: ProgramData) -> None:
    for table, described in COLUMNS.items():
        frame = getattr(program, table)
        assert list(frame.columns) == list(described), table
        for column, dtype in DTYPES.get(table, {}).items():
            assert str(frame[column].dtype) == dtype, (table, column)
    people = program.people
    assert people["person_id"].is_unique
    assert people["risk_score"].between(0, 1).all()
    assert people["data_through"].nunique() == 1
    assert set(people["officer_id"]) <= set(program.officers["officer_id"])
    assert set(people["race"]) <= {
        "White", "Black", "American Indian/Alaska Native", "Asian",
        "Native Hawaiian/Pacific Islander", "Two or more races",
    }  # fmt: skip
    assert len(program.cases) == int(people["participant"].sum())
    assert set(program.cases["person_id"]) == set(people.loc[people["participant"], "person_id"])


@SETTINGS
@given(program=programs)
def test_follow_up_invariants(program: ProgramData) -> None:
    people = program.people.set_index("person_id")
    end = _end_of_followup(people)
    rearrested = people["rearrest_date"].notna()
    assert (rearrested == people["rearrested"]).all()
    assert (people.loc[rearrested, "rearrest_date"] > people.loc[rearrested, "entry_date"]).all()
    assert (people.loc[rearrested, "rearrest_date"] <= end[rearrested]).all()
    died = people["death_date"].notna()
    assert (people.loc[died, "death_date"] > people.loc[died, "entry_date"]).all()
    assert (people.loc[died, "death_date"] <= people.loc[died, "data_through"]).all()
    assert (people["entry_date"] < people["data_through"]).all()

    arrests = program.arrests
    first = arrests.groupby("person_id")["arrest_date"].min()
    expected = people.loc[rearrested, "rearrest_date"].rename("arrest_date")
    pd.testing.assert_series_equal(first, expected, check_names=False)
    assert not arrests.duplicated().any()
    assert arrests.equals(arrests.sort_values(["person_id", "arrest_date"], ignore_index=True))
    counts = arrests.groupby("person_id").size().reindex(people.index, fill_value=0)
    assert (people["rearrest_count"] == counts).all()
    days = (end - people["entry_date"]).dt.days - people["custody_days"]
    assert (people["street_days"] == days).all()
    assert (people["street_days"] >= 0).all()  # 0: in custody for the whole follow-up
    death = arrests["person_id"].map(people["death_date"])
    assert (arrests["arrest_date"] <= arrests["person_id"].map(end)).all()
    assert (death.isna() | (arrests["arrest_date"] < death)).all()


@SETTINGS
@given(program=programs)
def test_custody_spells(program: ProgramData) -> None:
    people = program.people.set_index("person_id")
    custody = program.custody
    assert (custody["custody_end"] > custody["custody_start"]).all()
    assert (custody["custody_start"] > custody["person_id"].map(people["entry_date"])).all()
    end = custody["person_id"].map(_end_of_followup(people))
    assert (custody["custody_end"] <= end + pd.Timedelta(days=1)).all()
    previous_end = custody.groupby("person_id")["custody_end"].shift()
    assert (previous_end.isna() | (custody["custody_start"] > previous_end)).all()
    days = (custody["custody_end"] - custody["custody_start"]).dt.days
    totals = days.groupby(custody["person_id"]).sum().reindex(people.index, fill_value=0)
    assert (totals.to_numpy() == people["custody_days"].to_numpy()).all()
    merged = program.arrests.merge(custody, on="person_id")
    inside = (merged["arrest_date"] >= merged["custody_start"]) & (
        merged["arrest_date"] < merged["custody_end"]
    )
    assert not inside.any()


@SETTINGS
@given(program=programs)
def test_case_invariants(program: ProgramData) -> None:
    cases = program.cases
    people = program.people.set_index("person_id")
    assert cases["case_id"].is_unique
    assert (cases["referral_date"] == cases["person_id"].map(people["entry_date"])).all()
    assert (cases["officer_id"] == cases["person_id"].map(people["officer_id"])).all()
    assert (cases["restitution_paid"] <= cases["restitution_agreed"]).all()
    assert (cases["restitution_paid"] >= 0).all()
    assert (cases["service_hours_completed"] <= cases["service_hours_agreed"]).all()
    for item in ("victim_satisfaction", "offender_satisfaction", "procedural_fairness"):
        assert cases[item].dropna().between(1, 5).all()
    no_agreement = ~cases["agreement_reached"].fillna(False).astype(bool)
    assert cases.loc[no_agreement, "agreement_completed"].isna().all()
    assert cases.loc[no_agreement, "agreement_due_date"].isna().all()
    assert (cases.loc[no_agreement, "restitution_agreed"] == 0).all()
    held = cases["conference_held"]
    assert cases.loc[~held, ["agreement_reached", "victim_participation"]].isna().all().all()
    assert cases.loc[~held, "conference_date"].isna().all()
    assert set(cases.loc[held, "victim_participation"]) <= {"in_person", "indirect", "none"}
    assert (cases.loc[~cases["offender_participated"], "conference_held"] == False).all()  # noqa: E712
    assert cases.loc[~cases["victim_identified"], "victim_offered"].isna().all()
    not_offered = ~cases["victim_offered"].fillna(False).astype(bool)
    assert cases.loc[not_offered, "victim_accepted"].isna().all()
    past_due = cases["agreement_due_date"] > cases["data_through"]
    assert cases.loc[past_due, "agreement_completed"].isna().all()
    completed = cases["agreement_completed"].fillna(False).astype(bool)
    assert (cases["completion_date"].notna() == completed).all()
    death = cases["person_id"].map(people["death_date"])
    for column in ("contact_date", "conference_date", "completion_date"):
        dates = cases[column]
        assert (dates.isna() | (dates <= cases["data_through"])).all(), column
        assert (dates.isna() | death.isna() | (dates < death)).all(), column
    order = ["referral_date", "contact_date", "conference_date", "completion_date"]
    for before, after in itertools.pairwise(order):
        both = cases[before].notna() & cases[after].notna()
        assert (cases.loc[both, before] < cases.loc[both, after]).all(), (before, after)


@budget(10, deadline=None)
@given(seed=st.integers(0, 2**32 - 2))
def test_same_seed_gives_identical_frames(seed: int) -> None:
    a = simulate_program(40, 160, random_state=seed)
    b = simulate_program(40, 160, random_state=seed)
    for table in COLUMNS:
        pd.testing.assert_frame_equal(getattr(a, table), getattr(b, table))
    c = simulate_program(40, 160, random_state=seed + 1)
    assert not a.people.equals(c.people)


def test_effect_changes_only_the_re_arrests() -> None:
    """One seed, two effects: common random numbers for everything but the arrests."""
    a = simulate_program(100, 400, effect_hr=1.0, random_state=5)
    b = simulate_program(100, 400, effect_hr=0.5, random_state=5)
    outcome = ["rearrest_date", "rearrested", "rearrest_count"]
    pd.testing.assert_frame_equal(a.people.drop(columns=outcome), b.people.drop(columns=outcome))
    for table in ("custody", "cases", "officers"):
        pd.testing.assert_frame_equal(getattr(a, table), getattr(b, table))
    assert b.people["rearrested"].sum() < a.people["rearrested"].sum()


def test_result_object() -> None:
    program = simulate_program(10, 20, effect_hr=2, random_state=3)
    assert program.true_effect_hr == 2.0 and isinstance(program.true_effect_hr, float)
    assert program.random_state == 3
    assert repr(program).startswith("ProgramData(people=30 rows, arrests=")
    program.columns["people"]["age"] = "changed"  # each result owns its dictionary
    assert COLUMNS["people"]["age"] == "age in years at entry"
    with pytest.raises(AttributeError):
        program.people = pd.DataFrame()  # type: ignore[misc]


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({"n_participants": 0}, "n_participants"),
        ({"n_comparison": -5}, "n_comparison"),
        ({"n_participants": 2.5}, "n_participants"),
        ({"n_comparison": True}, "n_comparison"),
        ({"effect_hr": 0.0}, "effect_hr"),
        ({"effect_hr": float("nan")}, "effect_hr"),
        ({"effect_hr": "0.5"}, "effect_hr"),
        ({"followup_days": 10}, "followup_days"),
        ({"followup_days": 365.0}, "followup_days"),
        ({"random_state": None}, "random_state"),
        ({"random_state": -1}, "random_state"),
    ],
)
def test_bad_arguments(kwargs: dict[str, object], argument: str) -> None:
    with pytest.raises(SpecificationError, match=f"simulate_program\\(\\): {argument}="):
        simulate_program(**kwargs)  # type: ignore[arg-type]


def test_default_call_is_calibrated() -> None:
    program = simulate_program()
    cases, people = program.cases, program.people
    assert 0.85 < cases["agreement_reached"].mean() < 0.96
    assert 0.72 < cases["agreement_completed"].mean() < 0.9
    held = cases.loc[cases["conference_held"], "victim_participation"]
    assert 0.4 < (held == "in_person").mean() < 0.6
    assert 0.05 < (held == "indirect").mean() < 0.15
    for item in ("victim_satisfaction", "offender_satisfaction"):
        assert 0.78 < (cases[item].dropna() >= 4).mean() < 0.92
    assert 0.005 < people["death_date"].notna().mean() < 0.05
    potential = (people["data_through"] - people["entry_date"]).dt.days
    for window in (365, 730, 1095):  # every fixed window has incomplete follow-up
        assert (potential < window).mean() > 0.05
    by_group = people.groupby("participant")[["age", "prior_arrests", "risk_score"]].mean()
    assert (by_group.loc[True] < by_group.loc[False]).all()  # selection on observables


CUTS = np.array([0, 30, 90, 180, 365, 545, 730, 1095, np.inf])
TRUE_COVARIATES = "age + prior_arrests + sex + C(offense_type)"


def _street_time(program: ProgramData) -> pd.DataFrame:
    """Street days to the first re-arrest or censoring, from the raw tables."""
    people = program.people
    exit_date = people[["data_through", "death_date", "rearrest_date"]].min(axis=1)
    spells = program.custody.merge(people[["person_id"]].assign(exit=exit_date), on="person_id")
    release = np.minimum(spells["custody_end"], spells["exit"] + pd.Timedelta(days=1))
    held = (release - spells["custody_start"]).dt.days.clip(lower=0)
    custody = people["person_id"].map(held.groupby(spells["person_id"]).sum()).fillna(0)
    return people.assign(
        time=(exit_date - people["entry_date"]).dt.days - custody,
        event=people["rearrested"].astype(int),
    )


def _piecewise_poisson_hr(data: pd.DataFrame, covariates: str) -> tuple[float, float]:
    """log HR of participation and its SE from a piecewise-exponential Poisson GLM."""
    time = data["time"].to_numpy()[:, None]
    low, high = CUTS[:-1], CUTS[1:]
    exposure = np.clip(time, low, high) - low
    event = (data["event"].to_numpy()[:, None] == 1) & (time > low) & (time <= high)
    keys = ["participant", "age", "prior_arrests", "sex", "offense_type"]
    pieces = [
        data[keys].assign(interval=j, exposure=exposure[:, j], event=event[:, j])
        for j in range(len(low))
    ]
    long = pd.concat(pieces)
    grouped = long[long["exposure"] > 0].groupby([*keys, "interval"], as_index=False)
    cells = grouped.agg(exposure=("exposure", "sum"), event=("event", "sum"))
    fit = smf.glm(
        f"event ~ C(interval) + participant + {covariates}",
        cells,
        family=sm.families.Poisson(),
        offset=np.log(cells["exposure"]),
    ).fit()
    return float(fit.params["participant[T.True]"]), float(fit.bse["participant[T.True]"])


@pytest.mark.parametrize("effect_hr", [1.0, 0.5])
def test_adjusting_for_the_true_covariates_recovers_the_effect(effect_hr: float) -> None:
    program = simulate_program(10_000, 40_000, effect_hr=effect_hr, random_state=11)
    data = _street_time(program)
    assert (data["time"] > 0).all()
    log_hr, se = _piecewise_poisson_hr(data, TRUE_COVARIATES)
    assert abs(log_hr - np.log(effect_hr)) < 0.06
    assert abs(log_hr - np.log(effect_hr)) < 3 * se
    naive, _ = _piecewise_poisson_hr(data, "1")
    assert naive < log_hr - 4 * se  # selection on risk flatters the program


def _dictionary_markdown() -> str:
    blocks = []
    for table, described in COLUMNS.items():
        rows = "\n".join(f"| `{column}` | {text} |" for column, text in described.items())
        blocks.append(f"### `{table}`\n\n| column | meaning |\n|---|---|\n{rows}\n")
    return "\n".join(blocks)


def test_docs_page_renders_the_data_dictionary() -> None:
    assert _dictionary_markdown() in DOCS_PAGE.read_text(encoding="utf-8")
