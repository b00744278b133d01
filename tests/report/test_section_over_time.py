"""The "Program over time" section: charts, signals on the staffing shift, demo, config."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rpeval.datasets import simulate_program
from rpeval.errors import SpecificationError
from rpeval.report import evaluate
from rpeval.report.sections.over_time import Settings, build, demo_input, from_config


def _evaluate(shift: bool, settings: Settings) -> object:
    program = simulate_program(500, 1000, random_state=0, staffing_shift=shift)
    return evaluate(
        program.people,
        treatment="participant",
        covariates="age + prior_arrests",
        entry="entry_date",
        outcome="rearrest_date",
        cases=program.cases,
        progress=False,
        over_time=settings,
    )


@pytest.mark.slow
def test_the_staffing_shift_is_a_signal_and_its_absence_is_not() -> None:
    settings = Settings(baseline=4, suppress_below=1)
    shifted = _evaluate(True, settings)
    section = {s.key: s for s in shifted.sections}["over_time"]  # type: ignore[attr-defined]
    charts = section.data["charts"]
    assert set(charts) == {
        "referrals", "conferences_held", "agreement_rate", "agreement_completion_rate",
        "rearrest_within_12_months",
    }  # fmt: skip
    assert "2022Q2" in charts["conferences_held"]["fired"]["beyond_limits"]
    assert "2022Q2" in charts["agreement_rate"]["fired"]["beyond_limits"]
    assert section.guards[0].status == "warning"
    assert "<img" in section.html and "Conferences held per referral" in section.html
    stable = _evaluate(False, settings)
    quiet = {s.key: s for s in stable.sections}["over_time"]  # type: ignore[attr-defined]
    assert not quiet.data["charts"]["conferences_held"]["signalled"]
    assert not quiet.data["charts"]["agreement_rate"]["signalled"]


def test_suppression_hides_small_cells_from_the_charts() -> None:
    section = {s.key: s for s in _evaluate(True, Settings()).sections}["over_time"]  # type: ignore[attr-defined]
    # about 4 of 40 conferences a quarter fail to agree: the complement is a small cell,
    # so every quarter is suppressed and the chart is not drawn, with the reason given
    assert "agreement_rate" not in section.data["charts"]
    assert any("baseline has 0 plotted" in reason for reason in section.data["not_shown"])
    assert "Not shown:" in section.html
    assert section.data["suppress_below"] == 10
    assert "referrals" in section.data["charts"]


def test_settings_and_inputs() -> None:
    assert from_config(Settings(), None) == Settings()
    with pytest.raises(SpecificationError):
        build("yes", None)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="extra"):
        Settings(chart="p")  # type: ignore[call-arg]
    block = demo_input(simulate_program(50, 50, random_state=1))
    assert block == (Settings(baseline=4, suppress_below=1), None)


def test_the_demo_shows_the_section(small_demo: Path) -> None:
    results = json.loads((small_demo / "results.json").read_text())
    section = results["sections"]["over_time"]
    assert section["period"] == "quarter"
    assert "agreement_rate" in section["charts"]
    assert "Program over time" in (small_demo / "report.html").read_text()
