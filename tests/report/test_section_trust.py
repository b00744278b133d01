"""The report's "Community trust and satisfaction" section (rpeval.report.sections.trust)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import rpeval.surveys as sv
from rpeval.datasets import simulate_program, simulate_survey_waves
from rpeval.errors import DataError, SpecificationError
from rpeval.report.sections import SectionContext, trust

PROGRAM = simulate_program(150, 900, random_state=5)


def _context(suppress_below: int = 10) -> SectionContext:
    empty = pd.DataFrame()
    return SectionContext(
        labels={},
        conf_level=0.95,
        suppress_below=suppress_below,
        random_state=0,
        progress=False,
        treatment="participant",
        id="person_id",
        people=empty,
        sample=empty,
    )


@pytest.fixture(scope="module")
def demo() -> tuple[trust.Settings, pd.DataFrame]:
    given = trust.demo_input(PROGRAM)
    assert given is not None
    settings, table = given
    assert table is not None
    return settings, table


def test_section_numbers_match_the_survey_pillar(demo: tuple[trust.Settings, pd.DataFrame]) -> None:
    settings, table = demo
    section = trust.build(trust.from_config(settings, table), _context())
    data = section.data
    assert section.key == "trust" and section.title == "Community trust and satisfaction"
    scored = table.assign(
        score=sv.scale_scores(table, list(settings.items), scale=(1, 5), reverse=["police_unfair"])
    )
    for row in data["trust_by_wave"]:
        part = scored[scored["wave"] == row["wave"]]
        design = sv.SurveyDesign(part, weights="weight", strata="neighbourhood", psu="block")
        expected = sv.mean(design, "score", missing="drop").summary().iloc[0]
        assert row["estimate"] == pytest.approx(expected["estimate"], rel=1e-12)
        assert row["std_error"] == pytest.approx(expected["std_error"], rel=1e-12)
        kish = next(w for w in data["weights"] if w["wave"] == row["wave"])
        assert kish["kish_ess"] == pytest.approx(sv.weight_diagnostics(design).kish_ess)
    pre, post = data["trust_by_wave"]
    change = data["change"]
    assert change["difference"] == pytest.approx(post["estimate"] - pre["estimate"])
    assert change["std_error"] == pytest.approx(np.hypot(pre["std_error"], post["std_error"]))
    assert all(r["alpha"] > 0.8 and r["omega_total"] > 0.8 for r in data["reliability"])
    assert all(0 < r["estimate"] < 1 for r in data["top_box"])
    assert {r["domain"] for r in data["by_domain"]} == {"False", "True"}
    assert [g.status for g in section.guards] == ["pass"]
    assert "<figure" in section.html and "Reliability of the trust scale" in section.html
    assert section.notes and "reverse-scored" in section.notes[0]


def test_an_unreliable_scale_warns() -> None:
    rng = np.random.default_rng(1)
    n = 300
    table = pd.DataFrame({f"q{j}": rng.integers(1, 6, n).astype(float) for j in range(4)})
    table["weight"] = rng.uniform(1, 3, n)
    table["wave"] = np.where(np.arange(n) < n / 2, "pre", "post")
    value = trust.from_config(trust.Settings(items=("q0", "q1", "q2", "q3")), table)
    section = trust.build(value, _context())
    (guard,) = section.guards
    assert guard.status == "warning" and guard.value is not None and guard.value < 0.7
    assert "below 0.7" in guard.message and "Warning" in section.html


def test_small_waves_are_not_shown(demo: tuple[trust.Settings, pd.DataFrame]) -> None:
    settings, table = demo
    section = trust.build(trust.from_config(settings, table), _context(suppress_below=5_000))
    assert all(r["estimate"] is None for r in section.data["trust_by_wave"])
    assert all(r["respondents"] is None for r in section.data["trust_by_wave"])
    assert all(r["n"] is None for r in section.data["weights"])
    assert all(r["complete_responses"] is None for r in section.data["reliability"])
    assert section.data["change"] is None
    assert "no estimate is shown" in section.html


def test_one_wave_and_simulated_waves_as_input() -> None:
    waves = simulate_survey_waves(random_state=2)
    one = waves.responses[waves.responses["wave"] == "pre"].drop(columns="wave")
    settings = trust.Settings(
        items=waves.items, reverse=waves.reverse, wave=None, strata="neighbourhood", psu="block"
    )
    section = trust.build(trust.TrustInput(one, settings), _context())
    assert [r["wave"] for r in section.data["trust_by_wave"]] == ["all"]
    assert section.data["change"] is None
    direct = trust.build(waves, _context())
    assert direct.data["change"] is not None


def test_bad_input(demo: tuple[trust.Settings, pd.DataFrame]) -> None:
    settings, table = demo
    with pytest.raises(SpecificationError, match="no `items`"):
        trust.from_config(trust.Settings(), table)
    with pytest.raises(SpecificationError, match="needs the survey"):
        trust.from_config(settings, None)
    with pytest.raises(DataError, match="not in the survey data"):
        trust.from_config(settings.model_copy(update={"psu": "street"}), table)
    with pytest.raises(DataError, match="wave"):
        trust.from_config(settings.model_copy(update={"after": "2024"}), table)
    with pytest.raises(SpecificationError, match="not among the `items`"):
        trust.from_config(settings.model_copy(update={"reverse": ("weight",)}), table)
    with pytest.raises(SpecificationError, match="survey= must be"):
        trust.build([1, 2], _context())
    bad = table.assign(weight=table["weight"].where(table.index != 0, -1.0))
    with pytest.raises(DataError, match="weights"):
        trust.build(trust.from_config(settings, bad), _context())


def test_demo_report_shows_the_section(small_demo: Path) -> None:
    results = json.loads((small_demo / "results.json").read_text())
    section = results["sections"]["trust"]
    assert section["change"]["difference"] is not None
    assert len(section["reliability"]) == 2
    assert "trust:" in (small_demo / "config.yaml").read_text()
    html = next(small_demo.glob("*.html")).read_text()
    assert '<section id="trust"' in html


def test_a_small_domain_hides_every_domain_count(
    demo: tuple[trust.Settings, pd.DataFrame],
) -> None:
    settings, table = demo
    value = trust.from_config(settings, table)
    full = trust.build(value, _context(suppress_below=1)).data["by_domain"]
    counts = [row[f"{w}_respondents"] for row in full for w in ("pre", "post")]
    section = trust.build(value, _context(suppress_below=min(counts) + 1))
    rows = section.data["by_domain"]
    assert any(row["difference"] is None for row in rows)
    assert any(row["difference"] is not None for row in rows)
    assert all(row["pre_respondents"] is None for row in rows)
