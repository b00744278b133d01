"""Inputs of the whole pipeline: what evaluate() reads besides people's dates.

Issue 22, item 4: with the treatment labelled ("restorative"/"court", ``treated=``) and case
records given, the metrics stage read the un-recoded people table and failed at the last
stage, after all the work.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from rpeval.cli import main
from rpeval.datasets import ProgramData
from rpeval.errors import RpevalError
from rpeval.report import Evaluation

from .conftest import run_evaluate


def _labelled(program: ProgramData) -> pd.DataFrame:
    labels = {True: "restorative", False: "court"}
    return program.people.assign(participant=program.people["participant"].map(labels))


def test_labelled_treatment_with_case_records(program: ProgramData) -> None:
    options = {"cases": program.cases, "officers": program.officers}
    labelled = run_evaluate(_labelled(program), program, treated="restorative", **options)
    plain = run_evaluate(program.people, program, **options)
    assert labelled.hazard_ratio == plain.hazard_ratio
    pd.testing.assert_frame_equal(labelled.metrics.to_pandas(), plain.metrics.to_pandas())
    rri = labelled.metrics.to_pandas().query("metric == 'diversion_relative_rate_index'")
    assert len(rri) == 1


def test_labelled_treatment_without_treated_is_an_early_clean_error(
    program: ProgramData,
) -> None:
    with pytest.raises(RpevalError, match="say which is the treated group"):
        run_evaluate(_labelled(program), program, cases=program.cases)


def test_case_tables_with_text_dates(program: ProgramData, baseline: Evaluation) -> None:
    cases = program.cases.copy()
    for column in ("referral_date", "contact_date", "conference_date"):
        cases[column] = cases[column].dt.strftime("%Y-%m-%d 10:15:00")
    result = run_evaluate(program.people, program, cases=cases, officers=program.officers)
    expected = run_evaluate(program.people, program, cases=program.cases, officers=program.officers)
    got = result.metrics.to_pandas().set_index("metric")
    want = expected.metrics.to_pandas().set_index("metric")
    for metric in ("referral_contact_rate", "days_referral_to_conference"):
        assert got.loc[metric, "denominator"] == want.loc[metric, "denominator"]
    assert result.hazard_ratio == baseline.hazard_ratio


def test_a_bad_case_date_stops_the_run_before_the_long_stages(program: ProgramData) -> None:
    cases = program.cases.assign(referral_date=program.cases["referral_date"].astype(str))
    cases.loc[2, "referral_date"] = "2021-13-01"
    with pytest.raises(RpevalError, match=r"column 'referral_date' \(argument `cases`\)"):
        run_evaluate(program.people, program, cases=cases)


def test_labelled_csv_through_the_cli(
    program: ProgramData, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _labelled(program).to_csv(tmp_path / "people.csv", index=False)
    program.arrests.to_csv(tmp_path / "arrests.csv", index=False)
    program.cases.to_csv(tmp_path / "cases.csv", index=False)
    config = tmp_path / "config.yaml"
    config.write_text(
        "data: {people: people.csv, arrests: arrests.csv, cases: cases.csv}\n"
        "treatment: participant\ntreated: restorative\ncovariates: age + prior_arrests\n"
        "events: {table: arrests, date: arrest_date}\n"
    )
    assert main(["evaluate", str(config), "--out", str(tmp_path / "o"), "--no-progress"]) == 0
    assert "Report:" in capsys.readouterr().out
    assert (tmp_path / "o" / "results.json").exists()
