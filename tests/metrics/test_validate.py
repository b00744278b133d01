"""validate(): stages, file:line, levels, breaking changes, output formats, CLI exit codes."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from rpeval.cli import main
from rpeval.metrics import validate

FIXTURES = Path(__file__).parent / "fixtures"
GOOD = FIXTURES / "good"
BROKEN = FIXTURES / "broken"


def test_builtin_catalog_is_clean() -> None:
    report = validate([])
    assert report.issues == ()
    assert len(report.metrics) >= 18


def test_good_set_passes() -> None:
    report = validate([GOOD])
    assert report.ok
    assert report.metrics == ("conference_rate", "restitution_per_case")
    assert report.issues == ()


def test_broken_set_reports_each_problem_with_its_line() -> None:
    report = validate([BROKEN])
    assert not report.ok
    assert report.exit_code == 1
    assert str(report).startswith(
        f"Metric validation: 3 metrics in 1 file, {len(report.errors)} errors"
    )
    found = {(i.stage, i.line, i.metric): i.message for i in report.errors}
    file = str(BROKEN / "program.yaml")
    assert all(i.file == file for i in report.errors)
    assert found[("schema", 10, "conference_rate")].startswith(
        "unknown key 'nmerator' (did you mean 'numerator'?)"
    )
    assert (
        "'referal_date' is not a column of table 'cases' (did you mean 'referral_date'?)"
        in found[("semantic", 21, "contact_rate")]
    )
    assert "bad filter" in found[("semantic", 31, "held_rate")]
    assert "dimension 'unit' is not a column" in found[("semantic", 32, "held_rate")]
    assert found[("examples", 45, "agreement_share")] == (
        "example 1: expected value 0.75, computed 0.5"
    )


def test_text_json_and_junit_formats() -> None:
    report = validate([BROKEN])
    text = report.to_text()
    assert f"{BROKEN / 'program.yaml'}:10: error [schema] conference_rate: unknown key" in text
    assert text.splitlines()[-1] == "3 metrics in 1 file: 5 errors, 2 warnings"
    payload = json.loads(report.to_json())
    assert payload["ok"] is False
    assert payload["errors"] == len(report.errors)
    suite = ET.fromstring(report.to_junit())
    cases = list(suite.iter("testcase"))
    # one <testcase> per metric, one <failure> per finding; `failures` counts failed cases
    assert sum(len(case.findall("failure")) for case in cases) == len(report.errors)
    failed = [case for case in cases if case.find("failure") is not None]
    assert suite.get("failures") == str(len(failed)) and int(suite.get("tests", 0)) >= len(failed)
    assert {case.get("name") for case in cases} >= {"agreement_share"}


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


BASE = (GOOD / "program.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda t: t.replace("where: conference_held", "where: ( conference_held )"), "ok"),
        (lambda t: t.replace("where: conference_held", "where: agreement_reached"), "error"),
        (
            lambda t: t.replace("where: conference_held", "where: agreement_reached").replace(
                "version: 1.2.0", "version: 2.0.0"
            ),
            "ok",
        ),
        (lambda t: t.replace("version: 1.2.0", "version: 1.1.9"), "error"),
        (lambda t: t.replace("title: Conference rate", "title: Conferences"), "warning"),
        (
            lambda t: t.replace("title: Conference rate", "title: Conferences").replace(
                "version: 1.2.0", "version: 1.2.1"
            ),
            "ok",
        ),
        (lambda t: t.replace("kind: mean", "kind: mean\nowner: me"), "warning"),
    ],
)
def test_breaking_changes_against_a_directory(
    tmp_path: Path, change: object, expected: str
) -> None:
    baseline = tmp_path / "baseline"
    baseline.mkdir()
    _write(baseline / "program.yaml", BASE)
    current = tmp_path / "current"
    current.mkdir()
    _write(current / "program.yaml", change(BASE))  # type: ignore[operator]
    report = validate([current], baseline=baseline)
    breaking = [i for i in report.issues if i.stage == "breaking"]
    if expected == "ok":
        assert breaking == []
    else:
        assert [i.level for i in breaking] == [expected], breaking


def test_filters_compare_canonically(tmp_path: Path) -> None:
    baseline = tmp_path / "b"
    baseline.mkdir()
    _write(baseline / "m.yaml", BASE)
    current = tmp_path / "c"
    current.mkdir()
    _write(
        current / "m.yaml",
        BASE.replace("where: offender_participated", "where: (offender_participated)"),
    )
    assert [i for i in validate([current], baseline=baseline).issues if i.stage == "breaking"] == []


def test_removed_metric_needs_deprecation(tmp_path: Path) -> None:
    baseline = tmp_path / "b"
    baseline.mkdir()
    _write(baseline / "m.yaml", BASE)
    current = tmp_path / "c"
    current.mkdir()
    only_first = BASE.split("---")[0]
    _write(current / "m.yaml", only_first)
    issues = [i for i in validate([current], baseline=baseline).issues if i.stage == "breaking"]
    assert [i.metric for i in issues] == ["restitution_per_case"]
    assert "removed without being deprecated" in issues[0].message
    _write(baseline / "m.yaml", BASE.replace("status: experimental", "status: deprecated"))
    issues = [i for i in validate([current], baseline=baseline).issues if i.stage == "breaking"]
    assert issues == []


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_git_baseline(tmp_path: Path) -> None:
    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(tmp_path), *args], check=True, capture_output=True)

    git("init", "-q")
    git("config", "user.email", "ci@example.org")
    git("config", "user.name", "CI")
    metrics = tmp_path / "metrics"
    metrics.mkdir()
    _write(metrics / "program.yaml", BASE)
    git("add", ".")
    git("commit", "-q", "-m", "baseline")
    _write(
        metrics / "program.yaml", BASE.replace("where: conference_held", "where: agreement_reached")
    )
    report = validate([metrics], baseline="git:HEAD")
    assert [i.level for i in report.issues if i.stage == "breaking"] == ["error"]
    assert main(["metrics", "validate", str(metrics), "--baseline", "git:HEAD"]) == 1
    assert main(["metrics", "validate", str(metrics), "--baseline", "git:no-such-ref"]) == 2


def test_cli_validate_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["metrics", "validate", str(GOOD)]) == 0
    assert main(["metrics", "validate", str(BROKEN)]) == 1
    out = capsys.readouterr().out
    assert "unknown key 'nmerator'" in out
    assert main(["metrics", "validate", str(FIXTURES / "missing.yaml")]) == 2
    assert "no such file" in capsys.readouterr().err
    assert main(["metrics", "validate", "--format", "xml"]) == 2
    assert main(["metrics", "validate", str(BROKEN), "--format", "junit"]) == 1
    assert capsys.readouterr().out.startswith("<?xml")


def test_custom_data_schema(tmp_path: Path) -> None:
    schema = _write(
        tmp_path / "schema.yaml",
        "tables:\n  cases:\n    offender_participated: boolean\n    conference_held: boolean\n"
        "    restitution_agreed: string\n    officer_id: string\n",
    )
    report = validate([GOOD], schema=schema)
    messages = [i.message for i in report.errors]
    assert messages == ["column 'restitution_agreed' is string; a sum needs integer or number"]
    bad = _write(tmp_path / "bad.yaml", "tables:\n  cases:\n    x: decimal\n")
    assert main(["metrics", "validate", str(GOOD), "--schema", str(bad)]) == 2
