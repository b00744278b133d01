"""Stage times of evaluate(): on the progress bar and in the JSON (issue 23)."""

from __future__ import annotations

import json
from pathlib import Path

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
