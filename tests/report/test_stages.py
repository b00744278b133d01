"""Stage times of evaluate(): on the progress bar and in the JSON (issue 23)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from rpeval.datasets import simulate_program
from rpeval.report import evaluate
from rpeval.report._stages import StageClock

STAGES = {"cohort", "design", "outcomes", "sensitivity", "sections", "metrics"}


def test_clock_adds_the_time_of_a_stage_met_twice() -> None:
    clock = StageClock(["a", "b"], progress=False)
    clock.set_postfix_str("a")
    clock.set_postfix_str("b")
    clock.set_postfix_str("a")
    seconds = clock.close()
    assert list(seconds) == ["a", "b"]
    assert all(value >= 0 for value in seconds.values())
    assert clock.close() == seconds  # closing again adds nothing


def test_evaluate_reports_its_stage_times(tmp_path: Path) -> None:
    program = simulate_program(200, 1500, random_state=3)
    evaluation = evaluate(
        program.people,
        treatment="participant",
        covariates="age + prior_arrests + sex",
        entry="entry_date",
        events=program.arrests,
        progress=False,
    )
    assert set(evaluation.timings) == STAGES
    assert all(seconds >= 0 for seconds in evaluation.timings.values())
    written = json.loads(evaluation.to_json(tmp_path / "results.json").read_text())
    assert written["timings"] == evaluation.timings


def test_clock_counts_work_before_the_bar_and_shows_finished_stages(
    capsys: pytest.CaptureFixture[str],
) -> None:
    before = time.perf_counter() - 5.0  # e.g. reading the inputs, before the bar existed
    clock = StageClock(["read", "fit"], progress=True)
    clock.set_postfix_str("read", started=before)
    clock.set_postfix_str("fit")
    assert clock.seconds["read"] >= 5.0
    assert "read 5." in capsys.readouterr().err  # the bar shows the finished stage's time
    clock.close()
