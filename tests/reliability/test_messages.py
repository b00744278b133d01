"""Messages that say which argument or column, what was wrong, and what to do.

Issue 22, item 7: each message the reliability run found wanting, rewritten; each test
checks the three parts (what, where, what to do) of one of them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from rpeval import matching, recidivism
from rpeval.cli import main
from rpeval.datasets import ProgramData
from rpeval.errors import DataError, MetricDefinitionError, SpecificationError
from rpeval.metrics import Registry

from .conftest import run_evaluate

SEPARATED = pd.DataFrame(
    {
        "t": [1] * 20 + [0] * 40,
        "age": np.r_[np.linspace(20, 60, 20), np.linspace(21, 61, 40)],
        "referred": [1] * 20 + [0] * 40,
        "y": [0, 1] * 30,
    }
)


def test_a_missing_treatment_column_names_the_argument(program: ProgramData) -> None:
    with pytest.raises(DataError) as caught:
        run_evaluate(program.people, program, treatment="participnt")
    message = str(caught.value)
    assert "column 'participnt' (argument `treatment`) is not in `people`" in message
    assert "Did you mean 'participant'?" in message
    assert "(argument `people`)" not in message


def test_a_missing_event_date_column_names_the_events_table(program: ProgramData) -> None:
    with pytest.raises(
        DataError,
        match=r"column 'arrest_day' \(argument `event_date`\) is not "
        r"in `events`",
    ):
        run_evaluate(program.people, program, event_date="arrest_day")


@pytest.mark.parametrize("call", ["propensity", "match", "weight", "aipw"])
def test_separation_names_the_separating_covariate(call: str) -> None:
    functions = {
        "propensity": lambda: matching.propensity(SEPARATED, "t", ["age", "referred"]),
        "match": lambda: matching.match(SEPARATED, "t", ["age", "referred"]),
        "weight": lambda: matching.weight(SEPARATED, "t", ["age", "referred"]),
        "aipw": lambda: matching.aipw(SEPARATED, "t", "y", ["age", "referred"]),
    }
    with pytest.raises(DataError) as caught:
        functions[call]()
    message = str(caught.value)
    assert "separate treated and control units completely" in message
    assert "'referred' alone" in message
    assert "argument `covariates`" in message
    assert "drop the covariate that defines participation" in message


def test_all_zero_weights_name_the_column() -> None:
    frame = pd.DataFrame({"time": [1, 2, 3], "event": [1, 0, 1], "w": [0.0, 0.0, 0.0]})
    for call in (
        lambda: recidivism.kaplan_meier(frame, "time", "event", weights="w"),
        lambda: recidivism.cox(frame.assign(x=[1, 2, 3]), "time", "event", ["x"], weights="w"),
    ):
        with pytest.raises(DataError) as caught:
            call()
        assert "column 'w' (argument `weights`) is 0 on every row" in str(caught.value)
        assert "None" not in str(caught.value)


def test_end_before_entry_names_the_end_column(program: ProgramData) -> None:
    people = program.people.copy()
    people.loc[people.index[:12], "data_through"] = people["entry_date"].iloc[:12] - pd.Timedelta(
        days=3
    )
    cohort = run_evaluate(people, program).cohort.set_index("step")
    reason = cohort.loc["valid follow-up dates", "reason"]
    assert "end of data (`data_through`) before the entry date (`entry_date`): 12" in reason
    assert "custody" not in reason
    assert "custody or end of data" not in cohort.loc["time at risk after entry", "reason"]


def test_a_semicolon_separated_csv_says_so(
    program: ProgramData, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    program.people.head(30).to_csv(tmp_path / "people.csv", index=False, sep=";")
    config = tmp_path / "config.yaml"
    config.write_text(
        "data: {people: people.csv}\ntreatment: participant\ncovariates: age\n"
        "outcome: rearrest_date\n"
    )
    assert main(["evaluate", str(config), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "separated by semicolons, but rpeval reads comma-separated files" in err
    assert "save it as comma-separated CSV (UTF-8) or as Parquet" in err


def test_an_impossible_date_names_column_and_row(program: ProgramData) -> None:
    people = program.people.assign(entry_date=program.people["entry_date"].astype(str))
    people.loc[17, "entry_date"] = "2022-02-30"
    with pytest.raises(DataError) as caught:
        run_evaluate(people, program)
    message = str(caught.value)
    assert "column 'entry_date' (argument `entry`)" in message
    assert "the first at row 17: '2022-02-30'" in message
    assert "write dates as YYYY-MM-DD" in message


def test_an_impossible_csv_date_names_file_column_and_line(
    program: ProgramData, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    people = program.people.head(40).copy()
    people["entry_date"] = people["entry_date"].dt.strftime("%Y-%m-%d")
    people.loc[people.index[4], "entry_date"] = "2022-02-30"
    people.to_csv(tmp_path / "people.csv", index=False)
    config = tmp_path / "config.yaml"
    config.write_text(
        "data: {people: people.csv}\ntreatment: participant\ncovariates: age\n"
        "outcome: rearrest_date\n"
    )
    assert main(["evaluate", str(config), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert f"{tmp_path / 'people.csv'}: column 'entry_date'" in err
    assert "'2022-02-30' on line 6" in err


def test_treated_on_in_yaml_hints_to_quote_it(
    program: ProgramData, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    people = program.people.head(200).copy()
    people["participant"] = people["participant"].map({True: "on", False: "off"})
    people.to_csv(tmp_path / "people.csv", index=False)
    config = tmp_path / "config.yaml"
    config.write_text(
        "data: {people: people.csv}\ntreatment: participant\ntreated: on\n"
        "covariates: age\noutcome: rearrest_date\n"
    )
    assert main(["evaluate", str(config), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "treated=True is not a value of column 'participant'" in err
    assert "unquoted yes/no/on/off/true/false are booleans, so quote the label" in err


def test_a_bad_filter_in_definitions_is_reported_at_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    definition = tmp_path / "m.yaml"
    definition.write_text(
        "name: held_rate\nversion: 1.0.0\ntitle: Held\ndescription: x\nkind: proportion\n"
        "table: cases\ndenominator:\n  where: offender_participated and\nnumerator:\n"
        "  where: conference_held\nstatus: stable\n"
    )
    data = tmp_path / "cases.csv"
    data.write_text("offender_participated,conference_held\ntrue,true\n")
    command = ["metrics", "compute", "held_rate", "--data", str(data)]
    assert main([*command, "--definitions", str(definition)]) == 2
    err = capsys.readouterr().err
    assert f"{definition}:8: denominator.where of metric 'held_rate': invalid filter" in err
    with pytest.raises(MetricDefinitionError, match=r"m\.yaml:8: denominator\.where"):
        Registry.from_paths(definition, include_builtin=False)


def test_time_zones_follow_the_stated_rule_in_metrics() -> None:
    referral = pd.to_datetime(["2023-01-01 23:00", "2023-01-02 00:00"])
    cases = pd.DataFrame(
        {
            "referral_date": referral.tz_localize("America/New_York"),
            "contact_date": pd.to_datetime(["2023-01-15 22:00", None]),
        }
    )
    table = Registry.builtin().compute("referral_contact_rate", cases, suppress_below=1)
    assert table.frame.loc[0, "numerator"] == 1  # local clock: 14 days minus an hour


def test_a_config_date_format_without_percent_is_reported_at_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(
        "data: {people: p.csv}\ntreatment: t\ncovariates: age\noutcome: d\n"
        "date_format: dd/mm/yyyy\n"
    )
    assert main(["evaluate", str(config)]) == 2
    err = capsys.readouterr().err
    assert f"{config}:5: date_format:" in err
    assert "is not a strftime format such as '%d/%m/%Y'" in err


def test_an_unknown_metric_is_reported_before_the_long_stages(program: ProgramData) -> None:
    with pytest.raises(SpecificationError, match="no metric named 'agreement_rat'") as caught:
        run_evaluate(program.people, program, cases=program.cases, metrics=["agreement_rat"])
    assert "Did you mean 'agreement_rate'?" in str(caught.value)
