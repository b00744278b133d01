"""evaluate() codes person ids as integers inside follow-up and design (issue 23): same
results as on the ids themselves, the user's ids in what it returns, errors naming them."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
import pytest

from rpeval.datasets import simulate_program
from rpeval.errors import DataError
from rpeval.report import _design_stage, evaluate
from rpeval.report._person_codes import code_people

COVARIATES = "age + prior_arrests + sex"


@pytest.fixture(scope="module")
def program() -> Any:
    return simulate_program(150, 900, random_state=5)


def _run(program: Any, **options: Any) -> Any:
    return evaluate(
        program.people,
        treatment="participant",
        covariates=COVARIATES,
        entry="entry_date",
        events=options.pop("events", program.arrests),
        custody=program.custody,
        competing=["death_date"],
        progress=False,
        **options,
    )


def _results(evaluation: Any) -> str:
    found = evaluation.to_dict()
    found.pop("timings")
    return json.dumps(found, sort_keys=True, default=str)


@pytest.mark.parametrize("design", ["matching", "weighting"])
def test_codes_change_no_result(program: Any, design: str, monkeypatch: pytest.MonkeyPatch) -> None:
    coded = _run(program, design=design)
    monkeypatch.setattr(_design_stage, "code_people", lambda *args: None)
    plain = _run(program, design=design)
    pd.testing.assert_frame_equal(coded.sample, plain.sample)
    pd.testing.assert_frame_equal(coded.design.data, plain.design.data)
    pd.testing.assert_frame_equal(coded.cohort, plain.cohort)
    assert _results(coded) == _results(plain)
    assert coded.sample["person_id"].dtype == program.people["person_id"].dtype


def test_ids_in_the_matching_result_are_the_users(program: Any) -> None:
    evaluation = _run(program)
    known = set(program.people["person_id"])
    assert set(evaluation.design.data["person_id"]) <= known
    assert evaluation.design.data["person_id"].tolist() == evaluation.sample["person_id"].tolist()


def test_repeated_ids_are_named(program: Any) -> None:
    people = program.people.copy()
    people.loc[people.index[1], "person_id"] = people["person_id"].iloc[0]
    with pytest.raises(DataError, match=repr(people["person_id"].iloc[0])):
        evaluate(
            people, treatment="participant", covariates=COVARIATES, entry="entry_date",
            events=program.arrests, progress=False,
        )  # fmt: skip


def test_event_ids_of_another_type_still_raise(program: Any) -> None:
    events = program.arrests.assign(person_id=range(len(program.arrests)))
    with pytest.raises(DataError, match="no id of `events` matches"):
        _run(program, events=events)


def test_code_people_keeps_unknown_ids_apart() -> None:
    people = pd.DataFrame({"id": [10, 20, 30]})
    events = pd.DataFrame({"id": [30, 99, 10, 30]})
    custody = pd.DataFrame({"id": [20.0]})  # another dtype: not coded
    coded = code_people(people, "id", {"events": events, "custody": None})
    assert coded is not None
    assert coded[1]["events"]["id"].tolist() == [2, -1, 0, 2]
    assert coded[2].restore(coded[0])["id"].tolist() == [10, 20, 30]
    assert code_people(people, "id", {"events": events, "custody": custody}) is None
