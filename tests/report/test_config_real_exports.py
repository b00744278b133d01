"""The configuration of real exports: per-table columns, flag text, label clean-up, a
comparison file, the extract date, did-you-mean and a JSON Schema."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from rpeval.cli import main
from rpeval.errors import SpecificationError
from rpeval.report._config_tables import normalized_labels
from rpeval.report.config import EvaluationConfig, load_config


def test_flat_columns_still_mean_the_people_table() -> None:
    config = EvaluationConfig.model_validate(
        {
            "data": {"people": "p.csv"},
            "treatment": "t",
            "covariates": "age",
            "outcome": "y",
            "columns": {"person_id": "id"},
        }
    )
    assert config.columns.people == {"person_id": "id"} and config.columns.arrests == {}


def test_unknown_keys_get_a_suggestion_and_windows_must_be_numbers(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(
        "data: {people: people.csv}\ntreatment: t\ncovariates: age\noutcome: y\n"
        "normalise: {sex: {}}\nwindows: [365, '730']\ncomparison: {fil: pool.csv}\n"
    )
    with pytest.raises(SpecificationError) as caught:
        load_config(path)
    message = caught.value.message
    assert f"{path}:5: normalise: unknown key (did you mean 'normalize'?)" in message
    assert f"{path}:6: windows.1:" in message
    assert "comparison.fil: unknown key (did you mean 'file'?)" in message


def test_flag_text_cannot_mean_both() -> None:
    with pytest.raises(ValueError, match="both true and false"):
        EvaluationConfig.model_validate(
            {
                "data": {"people": "p.csv"},
                "treatment": "t",
                "covariates": "age",
                "outcome": "y",
                "booleans": {"true": ["Y"], "false": ["y "]},
            }
        )


def test_labels_are_cleaned_then_mapped() -> None:
    labels = pd.Series([" Male", "MALE", "m", "F ", "female", None])
    cleaned = normalized_labels(labels, {"M": "male", "f": "female"})
    assert cleaned[:5].tolist() == ["male", "male", "male", "female", "female"]
    assert pd.isna(cleaned.iloc[5])


def test_schema_command_prints_json_schema(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "config"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["title"] == "EvaluationConfig"
    assert {"comparison", "normalize", "end_of_data", "booleans"} <= set(schema["properties"])


def test_every_file_problem_is_reported_at_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    example = Path(__file__).resolve().parents[2] / "examples" / "messy_export"
    for name in ("program_people.csv", "court_pool.csv", "arrests.csv", "custody.csv"):
        (tmp_path / name).write_bytes((example / name).read_bytes())
    (tmp_path / "custody.csv").write_text("client_id,start,end\nP1,2021-01-01,2021-02-01\n")
    arrests = pd.read_csv(tmp_path / "arrests.csv").rename(columns={"date_of_arrest": "when"})
    arrests.to_csv(tmp_path / "arrests.csv", index=False)
    config = (example / "config.yaml").read_text().replace("  cases: cases.csv\n", "")
    config = config.replace("  cases: {person_id: client_id}\n", "")
    (tmp_path / "config.yaml").write_text(config)
    out = tmp_path / "out"
    code = main(["evaluate", str(tmp_path / "config.yaml"), "--out", str(out), "--no-progress"])
    assert code == 2 and not out.exists()
    err = capsys.readouterr().err
    assert "the data do not match the configuration (3 problems)" in err
    assert "arrests.csv: no column 'arrest_date' (for events.date)" in err
    assert "custody.csv: no column 'custody_start'" in err and "'custody_end'" in err
