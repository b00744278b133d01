"""risk_set_match(): the risk-set rules (property-tested), time-varying covariates, and
bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given
from hypothesis import strategies as st

from rpeval.errors import DataError, SpecificationError
from rpeval.matching import risk_set_match
from tests.hypothesis_budget import budget

SETTINGS = budget(60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
DAY0 = pd.Timestamp("2024-01-01")


@st.composite
def cohorts(draw: st.DrawFn) -> tuple[pd.DataFrame, pd.DataFrame]:
    n = draw(st.integers(2, 25))
    eligible = draw(st.lists(st.integers(0, 60), min_size=n, max_size=n))
    delays = draw(st.lists(st.one_of(st.none(), st.integers(0, 60)), min_size=n, max_size=n))
    people = pd.DataFrame(
        {
            "pid": np.arange(100, 100 + n),
            "eligible": [DAY0 + pd.Timedelta(days=e) for e in eligible],
            "entry": [
                pd.NaT if d is None else DAY0 + pd.Timedelta(days=e + d)
                for e, d in zip(eligible, delays, strict=True)
            ],
            "age": draw(st.lists(st.integers(15, 60), min_size=n, max_size=n)),
            "site": draw(st.lists(st.sampled_from("ab"), min_size=n, max_size=n)),
        }
    )
    k = draw(st.integers(0, 40))
    arrests = pd.DataFrame(
        {
            "pid": draw(st.lists(st.sampled_from(people["pid"].tolist()), min_size=k, max_size=k)),
            "date": pd.to_datetime(
                [
                    DAY0 + pd.Timedelta(days=d)
                    for d in draw(st.lists(st.integers(-30, 120), min_size=k, max_size=k))
                ]
            ),
        }
    )
    return people, arrests


def prior_arrests(arrests: pd.DataFrame):  # type: ignore[no-untyped-def]
    def at(rows: pd.DataFrame, date: pd.Timestamp) -> pd.DataFrame:
        before = arrests[arrests["date"] < date]["pid"].value_counts()
        counts = rows["pid"].map(before).fillna(0)
        return pd.DataFrame({"age": rows["age"], "prior_arrests": counts}, index=rows.index)

    return at


@given(cohorts(), st.integers(1, 2), st.booleans())
@SETTINGS
def test_risk_set_rules(cohort: tuple[pd.DataFrame, pd.DataFrame], ratio: int, exact: bool) -> None:
    people, arrests = cohort
    try:
        m = risk_set_match(
            people,
            id="pid",
            entry_date="entry",
            eligible_from="eligible",
            covariates_at=prior_arrests(arrests),
            ratio=ratio,
            exact="site" if exact else None,
        )
    except DataError as error:  # nobody could be matched
        if "no participant" not in str(error):
            raise
        return
    data = m.data
    participants = data[data["treated"] == 1]
    controls = data[data["treated"] == 0]
    # participants are matched at their own entry date
    assert (participants["index_date"] == participants["entry"]).all()
    # no control is matched at a date after its own entry (or before it was eligible)
    assert (controls["entry"].isna() | (controls["entry"] > controls["index_date"])).all()
    assert (controls["eligible"] <= controls["index_date"]).all()
    # without replacement; at most `ratio` controls per set; sets share the index date
    assert controls["pid"].is_unique
    sizes = data.groupby("matched_set")["treated"].agg(["sum", "size"])
    assert (sizes["sum"] == 1).all() and (sizes["size"] - 1 <= ratio).all()
    assert (data.groupby("matched_set")["index_date"].nunique() == 1).all()
    if exact:
        assert (data.groupby("matched_set")["site"].nunique() == 1).all()
    # covariates are as measured strictly before the index date
    for _, row in data.iterrows():
        expected = int(
            ((arrests["pid"] == row["pid"]) & (arrests["date"] < row["index_date"])).sum()
        )
        assert row["prior_arrests"] == expected
    assert len(participants) + m.n_unmatched == m.n_participants


def test_matches_on_covariates_at_the_index_date() -> None:
    people = pd.DataFrame(
        {
            "pid": [1, 2, 3, 4],
            "eligible": pd.to_datetime(["2024-01-01"] * 4),
            "entry": pd.to_datetime(["2024-03-01", None, None, "2024-05-01"]),
            "age": [30, 30, 30, 30],
        }
    )
    # person 2 has 3 arrests before March, person 3 one, like the participant
    arrests = pd.DataFrame(
        {
            "pid": [1, 2, 2, 2, 3],
            "date": pd.to_datetime(["2024-02-01"] + ["2024-02-10"] * 3 + ["2024-02-11"]),
        }
    )
    m = risk_set_match(
        people,
        id="pid",
        entry_date="entry",
        eligible_from="eligible",
        covariates_at=prior_arrests(arrests),
    )
    first = m.data[m.data["matched_set"] == 1]
    assert first["pid"].tolist() == [1, 3]
    # person 4 enters in May and is matched to the one still available (person 2)
    assert m.data[m.data["matched_set"] == 2]["pid"].tolist() == [4, 2]
    assert m.summary()["participants"].tolist() == [1, 1]
    assert m.to_dict()["n_matched_controls"] == 2
    assert "prior_arrests" in m.balance().summary()["term"].tolist()


def test_later_participants_can_be_controls_before_they_enter() -> None:
    people = pd.DataFrame(
        {
            "pid": [1, 2],
            "eligible": pd.to_datetime(["2024-01-01", "2024-01-01"]),
            "entry": pd.to_datetime(["2024-02-01", "2024-06-01"]),
            "age": [20, 21],
        }
    )
    m = risk_set_match(
        people, id="pid", entry_date="entry", eligible_from="eligible", covariates_at="age"
    )
    assert m.data["pid"].tolist() == [1, 2] and m.n_unmatched == 1
    assert m.data.loc[1, "entry"] == pd.Timestamp("2024-06-01")  # kept for censoring


def test_bad_input() -> None:
    people = pd.DataFrame(
        {
            "pid": [1, 2],
            "eligible": pd.to_datetime(["2024-03-01", "2024-01-01"]),
            "entry": pd.to_datetime(["2024-02-01", None]),
            "age": [20, 21],
        }
    )
    kwargs = {
        "id": "pid",
        "entry_date": "entry",
        "eligible_from": "eligible",
        "covariates_at": "age",
    }
    with pytest.raises(DataError, match="before they were eligible"):
        risk_set_match(people, **kwargs)  # type: ignore[arg-type]
    with pytest.raises(DataError, match="unique"):
        risk_set_match(people.assign(pid=[1, 1]), **kwargs)  # type: ignore[arg-type]
    with pytest.raises(DataError, match="'entri'"):
        risk_set_match(people, **{**kwargs, "entry_date": "entri"})  # type: ignore[arg-type]
    with pytest.raises(SpecificationError):
        risk_set_match(people, **kwargs, ratio=0)  # type: ignore[arg-type]
    with pytest.raises(SpecificationError, match="DataFrame"):
        risk_set_match(
            people.assign(eligible=pd.to_datetime(["2024-01-01"] * 2)),
            **{**kwargs, "covariates_at": lambda rows, date: rows["age"]},  # type: ignore[dict-item]
        )


def test_cohort_feeds_build_followup_and_cox() -> None:
    from rpeval.datasets import simulate_program
    from rpeval.recidivism import build_followup, cox

    program = simulate_program(150, 900, random_state=8)
    people = program.people
    participant = people["participant"].astype(bool)
    people = people.assign(
        program_entry=people["entry_date"].where(participant),
        eligible=people["entry_date"] - pd.to_timedelta(np.where(participant, 60, 0), unit="D"),
    )
    arrests = program.arrests

    def at(rows: pd.DataFrame, date: pd.Timestamp) -> pd.DataFrame:
        before = arrests[arrests["arrest_date"] < date]["person_id"].value_counts()
        recent = rows["person_id"].map(before).fillna(0)
        return pd.DataFrame(
            {"age": rows["age"], "prior": rows["prior_arrests"] + recent}, index=rows.index
        )

    m = risk_set_match(
        people,
        id="person_id",
        entry_date="program_entry",
        eligible_from="eligible",
        covariates_at=at,
        exact="offense_type",
    )
    cohort = m.data.assign(
        end=m.data["crossover_date"]
        .fillna(m.data["data_through"])
        .clip(upper=m.data["data_through"])
    )
    events = arrests.merge(cohort[["person_id", "cohort_id"]], on="person_id")
    followup = build_followup(
        cohort,
        id="cohort_id",
        start="index_date",
        events=events,
        event_date="arrest_date",
        end="end",
    )
    assert len(followup) == len(cohort) and cohort["cohort_id"].is_unique
    # an arrest on or before the index date never ends follow-up
    assert (followup["event_date"].isna() | (followup["event_date"] > followup["entry"])).all()
    fit = cox(
        followup.join(cohort[["treated", "matched_set"]]),
        "duration",
        "event",
        ["treated"],
        cluster="matched_set",
    )
    assert "treated" in fit.summary()["term"].tolist()
