"""`rpeval demo` and `rpeval evaluate`, in-process."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rpeval.cli import main


@pytest.mark.slow
def test_demo_writes_the_report_and_recovers_the_truth(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "demo"
    assert (
        main(
            [
                "demo",
                "--out",
                str(out),
                "--no-progress",
                "--participants",
                "300",
                "--comparison",
                "2000",
                "--random-state",
                "2",
            ]
        )
        == 0
    )
    printed = capsys.readouterr().out
    assert f"Report: {(out / 'report.html').resolve()}" in printed
    # the headline is compared with the truth of what it estimates (the marginal HR among
    # participants, from potential outcomes), not with the conditional effect_hr
    assert "the hazard ratio of re-arrest among matched participants, relative to" in printed
    truth_line = next(s for s in printed.splitlines() if s.startswith("Simulated truth of that"))
    assert "the CI covers the truth." in truth_line
    assert "hazard ratio given the covariates is 0.75" in printed
    assert "percentage points" in printed
    for name in ("report.html", "results.json", "people.csv", "config.yaml"):
        assert (out / name).exists()
    results = json.loads((out / "results.json").read_text())

    second = tmp_path / "again"
    assert main(["evaluate", str(out / "config.yaml"), "--out", str(second), "--no-progress"]) == 0
    again = json.loads((second / "results.json").read_text())
    assert again["summary"] == results["summary"]  # the CSV round trip changes nothing
    assert again["cohort"] == results["cohort"]


def test_evaluate_config_errors_name_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(
        "data:\n  people: people.csv\ntreatment: participant\ncovariates: age\n"
        "outcome: rearrest_date\ndesing: {method: matching}\nwindows: [365, x]\n"
    )
    assert main(["evaluate", str(config)]) == 2
    err = capsys.readouterr().err
    assert f"{config}:6: desing: unknown key" in err
    assert f"{config}:7: windows.1:" in err
    assert main(["evaluate", str(tmp_path / "missing.yaml")]) == 2
    assert "cannot read the configuration" in capsys.readouterr().err
