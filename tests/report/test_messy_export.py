"""examples/messy_export: a real-looking export runs from its config alone to a report; without
the label clean-up it stops with exit 1 and a banner, never a confident headline."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from rpeval.cli import main

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "messy_export"


@pytest.fixture
def export(tmp_path: Path) -> Path:
    folder = tmp_path / "export"
    shutil.copytree(EXAMPLE, folder)
    return folder


def test_the_config_alone_gives_a_correct_report(
    export: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "report"
    assert main(["evaluate", str(export / "config.yaml"), "--out", str(out), "--no-progress"]) == 0
    results = json.loads((out / "results.json").read_text())
    assert results["guards"]["ok"] is True
    assert results["settings"]["treatment"] == "in_program"
    assert results["metrics"], "the Yes/No case flags were read as flags"
    assert "149 diverted people were compared with 149 people whose cases went to court" in (
        capsys.readouterr().out
    )
    assert "<h1>County diversion program" in (out / "report.html").read_text()


def test_without_normalising_the_labels_it_stops_with_a_banner(
    export: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = export / "config.yaml"
    text = config.read_text()
    start, end = text.index("normalize:"), text.index("end_of_data:")
    config.write_text(text[:start] + text[end:])
    out = tmp_path / "report"
    assert main(["evaluate", str(config), "--out", str(out), "--no-progress"]) == 1
    printed = capsys.readouterr()
    assert "- The design failed a check (category coding)" in printed.out
    html = (out / "report.html").read_text()
    assert "guard-banner" in html and "&#39;M &#39;" in html
