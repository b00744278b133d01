"""The report-section hook: a section given to evaluate() (or named in the configuration)
reaches the HTML, the JSON and the guards; sections are built only when asked for."""

from __future__ import annotations

import json
import sys
import types
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from markupsafe import Markup
from pydantic import BaseModel, ConfigDict

from rpeval.cli import main
from rpeval.datasets import simulate_program
from rpeval.report import evaluate
from rpeval.report import sections as hook
from rpeval.report._guards import Guard
from rpeval.report.sections import Section, SectionContext

PROGRAM = simulate_program(150, 900, random_state=5)


class _Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _build(value: Any, context: SectionContext) -> Section:
    guard = Guard("survey response", "fail", 0.1, ">= 0.2", "only 10% of those sampled answered")
    return Section(
        "trust",
        "Community trust and satisfaction",
        Markup("<p>trust rose</p>"),
        {"rows": len(value), "people": len(context.people)},
        notes=("a note from the section",),
        guards=(guard,) if value["fail"].any() else (),
    )


@pytest.fixture
def fake_trust(monkeypatch: pytest.MonkeyPatch) -> None:
    module = types.ModuleType("fake_trust_section")
    module.Settings = _Settings  # type: ignore[attr-defined]
    module.from_config = lambda settings, table: table  # type: ignore[attr-defined]
    module.build = _build  # type: ignore[attr-defined]
    module.demo_input = lambda program: None  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "fake_trust_section", module)
    monkeypatch.setitem(hook.SECTION_MODULES, "trust", "fake_trust_section")


def _evaluate(**extra: Any) -> Any:
    return evaluate(
        PROGRAM.people,
        treatment="participant",
        covariates="age + prior_arrests",
        entry="entry_date",
        outcome="rearrest_date",
        progress=False,
        **extra,
    )


def test_a_section_reaches_html_json_and_guards(fake_trust: None, tmp_path: Path) -> None:
    plain = _evaluate()
    assert plain.sections == () and plain.to_dict()["sections"] == {}
    evaluation = _evaluate(survey=pd.DataFrame({"fail": [False, False]}))
    assert [s.key for s in evaluation.sections] == ["trust"]
    results = evaluation.to_dict()
    assert results["sections"]["trust"]["rows"] == 2
    assert results["sections"]["trust"]["people"] == len(PROGRAM.people)
    html = evaluation.to_html(tmp_path / "r.html").read_text()
    assert '<section id="trust"' in html and "<p>trust rose</p>" in html
    assert '<a href="#trust">' in html and "a note from the section" in html
    assert evaluation.ok
    failing = _evaluate(survey=pd.DataFrame({"fail": [True]}))
    assert not failing.ok
    assert "only 10% of those sampled answered" in failing.banner()[0]


def test_a_configured_section_reads_its_file(fake_trust: None, tmp_path: Path) -> None:
    PROGRAM.people.to_csv(tmp_path / "people.csv", index=False)
    pd.DataFrame({"fail": [False, False, False]}).to_csv(tmp_path / "survey.csv", index=False)
    config = tmp_path / "config.yaml"
    config.write_text(
        "data: {people: people.csv, survey: survey.csv}\n"
        "treatment: participant\ncovariates: age + prior_arrests\noutcome: rearrest_date\n"
    )
    out = tmp_path / "out"
    assert main(["evaluate", str(config), "--out", str(out), "--no-progress"]) == 0
    results = json.loads((out / "results.json").read_text())
    assert results["sections"]["trust"]["rows"] == 3


def test_a_block_without_its_data_file_is_a_clear_error(tmp_path: Path) -> None:
    PROGRAM.people.to_csv(tmp_path / "people.csv", index=False)
    config = tmp_path / "config.yaml"
    config.write_text(
        "data: {people: people.csv}\ntreatment: participant\ncovariates: age\n"
        "outcome: rearrest_date\nvoices: {}\n"
    )
    assert main(["evaluate", str(config), "--out", str(tmp_path / "o"), "--no-progress"]) == 2


def test_unknown_section_keys_are_refused() -> None:
    with pytest.raises(KeyError, match="unknown report sections"):
        hook.build_sections(None, {"weather": 1})  # type: ignore[arg-type]
