"""rpeval metrics monitor: exit 1 on the simulated staffing shift, 0 without, 2 on bad input."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from rpeval.cli import main
from rpeval.datasets import simulate_program
from rpeval.errors import SpecificationError
from rpeval.metrics._monitor_spec import parse_monitor

MONITOR = """\
period: quarter
period_of: {cases: referral_date}
monitors:
  - metric: agreement_rate
    chart: p
    baseline: {first: 2021Q1, last: 2022Q1}
  - metric: offender_participation_rate
    chart: laney_p
    baseline: 5
    rules: nelson
  - metric: rearrest_within_12_months
    by: [sex]
    baseline: 5
"""


def _data(tmp_path: Path, shift: bool) -> Path:
    program = simulate_program(500, 1000, random_state=0, staffing_shift=shift)
    folder = tmp_path / ("shift" if shift else "stable")
    folder.mkdir()
    program.cases.to_csv(folder / "cases.csv", index=False)
    program.people[program.people["participant"]].to_csv(folder / "people.csv", index=False)
    return folder


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    root = tmp_path_factory.mktemp("monitor")
    spec = root / "monitor.yaml"
    spec.write_text(MONITOR, encoding="utf-8")
    return spec, _data(root, True), _data(root, False)


def test_exit_1_with_the_shift_and_0_without(
    folders: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    spec, shifted, stable = folders
    assert main(["metrics", "monitor", str(spec), "--data", str(shifted)]) == 1
    text = capsys.readouterr().out
    assert "agreement_rate: centre" in text or "of agreement_rate" in text
    assert "beyond_limits: 2022Q2" in text
    assert main(["metrics", "monitor", str(spec), "--data", str(stable)]) == 0
    assert "in control: exit 0" in capsys.readouterr().out


def test_json_and_junit(
    folders: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    spec, shifted, _ = folders
    main(["metrics", "monitor", str(spec), "--data", str(shifted), "--format", "json"])
    payload = json.loads(capsys.readouterr().out)
    assert payload["exit_code"] == 1
    first = payload["charts"][0]
    assert first["metric"] == "agreement_rate" and "2022Q2" in first["fired"]["beyond_limits"]
    assert {c["name"] for c in payload["charts"]} >= {
        "rearrest_within_12_months [sex=male]",
        "rearrest_within_12_months [sex=female]",
    }
    main(["metrics", "monitor", str(spec), "--data", str(shifted), "--format", "junit"])
    suite = ET.fromstring(capsys.readouterr().out)
    assert int(suite.get("failures", "0")) >= 1
    assert suite.find("testcase[@name='agreement_rate']/failure") is not None


def test_bad_input_exits_2(
    folders: tuple[Path, Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec, shifted, _ = folders
    bad = tmp_path / "bad.yaml"
    bad.write_text("monitors:\n  - metric: agreement_rate\n    chrat: p\n", encoding="utf-8")
    assert main(["metrics", "monitor", str(bad), "--data", str(shifted)]) == 2
    assert "bad.yaml:3" in capsys.readouterr().err
    assert main(["metrics", "monitor", str(spec), "--data", str(tmp_path / "none")]) == 2
    short = tmp_path / "short.yaml"
    short.write_text(MONITOR.replace("baseline: 5", "baseline: 1"), encoding="utf-8")
    assert main(["metrics", "monitor", str(short), "--data", str(shifted)]) == 2
    assert "needs at least" in capsys.readouterr().err


def test_spec_errors_name_the_line() -> None:
    with pytest.raises(SpecificationError, match="missing required key 'monitors'"):
        parse_monitor("period: quarter\n", "m.yaml")
    with pytest.raises(SpecificationError, match=r"m\.yaml:1"):
        parse_monitor("period: week\nmonitors: [{metric: a}]\n", "m.yaml")
