"""The "Participant voices" section: on the demo (and its config.yaml), a code below the
reliability threshold is flagged, quotes come only from shareable segments and carry no
identifier, small groups are suppressed, bad settings are clear errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml

from rpeval.cli import main
from rpeval.datasets.interviews import simulate_interviews
from rpeval.errors import CodebookError, DataError, SpecificationError
from rpeval.qualitative import agreement, codebook_from_text, coded_segments, theme_prevalence
from rpeval.report.sections import SectionContext
from rpeval.report.sections import voices as section

OFFENDERS = [f"P{i:06d}" for i in range(1, 61)]


def _context(suppress_below: int = 5) -> SectionContext:
    """An evaluation's context: 60 participants (the interviewed offenders) in the sample,
    re-arrested on every third, ten of them with less than a year of follow-up."""
    n = len(OFFENDERS)
    rearrest = (np.arange(n) % 3 == 0).astype(int)
    time_at_risk = np.where(rearrest == 1, 200, 500)
    followup = np.where(np.arange(n) >= 50, 300, 800)
    sample = pd.DataFrame(
        {
            "person_id": [*OFFENDERS, "C1", "C2"],
            "participant": [True] * n + [False, False],
            "rearrest": [*rearrest, 0, 1],
            "time_at_risk": [*np.minimum(time_at_risk, followup), 900, 30],
            "_potential_followup": [*followup, 900, 900],
        }
    )
    return SectionContext(
        labels={"participants": "participants", "comparison": "comparison"},
        conf_level=0.95,
        suppress_below=suppress_below,
        random_state=3,
        progress=False,
        treatment="participant",
        id="person_id",
        people=sample[["person_id", "participant"]],
        sample=sample,
    )


def _interviews(reliability: Any = 0.9, n: int = 200) -> Any:
    outcome = pd.Series(np.arange(len(OFFENDERS)) % 3 == 0, index=OFFENDERS)
    return simulate_interviews(n, offenders=outcome, reliability=reliability, random_state=8)


def _input(data: Any, **settings: Any) -> section.VoicesInput:
    book = yaml.safe_load(data.codebook_yaml)
    options = {"n_bootstrap": 200} | settings
    return section.from_config(section.Settings(codebook=book, **options), data.segments)


@pytest.fixture(scope="module")
def demo(small_demo: Path) -> Path:
    return small_demo


def test_the_demo_shows_the_section(demo: Path) -> None:
    results = json.loads((demo / "results.json").read_text())
    voices = results["sections"]["voices"]
    codes = [row["code"] for row in voices["reliability"]]
    assert codes[:-1] == list(codebook_from_text(section_codebook_yaml()).code_names)
    assert codes[-1] == "(overall)"
    # the demo codes safety_concern with alpha 0.60, the others 0.85
    assert voices["failing"] == ["safety_concern"]
    alpha = {row["code"]: row["alpha"] for row in voices["reliability"]}
    assert abs(alpha["felt_heard"] - 0.85) < 0.05 and abs(alpha["safety_concern"] - 0.6) < 0.06
    assert {row["coefficient"] for row in voices["reliability"]} == {"gwet_ac1"}
    guard = next(g for g in results["guards"]["guards"] if g["name"] == "coding reliability")
    assert guard["status"] == "warning" and guard["details"] == ["safety_concern"]
    # the joint display links the interviewed participants to the analysis sample
    joint = voices["joint"]
    assert joint["theme"] == "felt_heard" and joint["n_in_sample"] > 50
    assert (
        sum(row["n"] for row in joint["rows"]) + joint["n_without_outcome"]
        == (joint["n_in_sample"])
    )
    assert "Descriptive only" in joint["caveat"]
    shares = [row["prevalence"] for row in voices["prevalence"] if row["prevalence"] is not None]
    assert shares and all(0 <= p <= 1 for p in shares)
    assert voices["quotes"] and set(voices["quotes"][0]) == {"code", "label", "group", "quote"}
    html = (demo / "report.html").read_text()
    assert '<section id="voices"' in html and "Participant voices" in html
    assert "⚠ Safety concern" in html and "Descriptive only" in html


def section_codebook_yaml() -> str:
    from rpeval.datasets.interviews import INTERVIEW_CODEBOOK

    return INTERVIEW_CODEBOOK


@pytest.mark.slow
def test_the_demo_config_reproduces_the_section(demo: Path, tmp_path: Path) -> None:
    config = yaml.safe_load((demo / "config.yaml").read_text())
    assert config["data"]["interviews"] == "interviews.csv"
    assert config["voices"]["codebook"]["name"] == "participant_voices"
    assert main(
        ["evaluate", str(demo / "config.yaml"), "--out", str(tmp_path), "--no-progress"]
    ) in (0, 1)
    again = json.loads((tmp_path / "results.json").read_text())["sections"]["voices"]
    first = json.loads((demo / "results.json").read_text())["sections"]["voices"]
    assert again["reliability"] == first["reliability"]
    assert again["prevalence"] == first["prevalence"]
    assert again["joint"] == first["joint"]
    assert again["quotes"] == first["quotes"]


@pytest.mark.slow
def test_a_codebook_path_is_read_from_the_config_folder(
    demo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "study"
    shutil.copytree(demo, folder)  # the shared demo stays as it is
    config = yaml.safe_load((folder / "config.yaml").read_text())
    (folder / "codebook.yaml").write_text(yaml.safe_dump(config["voices"]["codebook"]))
    config["voices"]["codebook"] = "codebook.yaml"
    (folder / "config_path.yaml").write_text(yaml.safe_dump(config))
    monkeypatch.chdir(tmp_path)  # elsewhere: the path is the config's, not the cwd's
    out = tmp_path / "out"
    code = main(["evaluate", str(folder / "config_path.yaml"), "--out", str(out), "--no-progress"])
    assert code in (0, 1)
    again = json.loads((out / "results.json").read_text())["sections"]["voices"]
    first = json.loads((demo / "results.json").read_text())["sections"]["voices"]
    assert again["reliability"] == first["reliability"]


def test_numbers_are_the_pillars() -> None:
    data = _interviews()
    value = _input(data)
    built = section.build(value, _context())
    coded = coded_segments(data.segments, value.codebook, rating="rating")
    alpha = agreement(coded, n_bootstrap=200, random_state=3).alpha().set_index("code")
    rows = {row["code"]: row for row in built.data["reliability"]}
    for code in ("felt_heard", "apology_sincere"):
        assert rows[code]["alpha"] == pytest.approx(alpha.loc[code, "estimate"], abs=1e-12)
        assert rows[code]["alpha_ci_lower"] == pytest.approx(alpha.loc[code, "ci_lower"])
    prevalence = theme_prevalence(coded, suppress_below=5).summary()
    ours = pd.DataFrame(built.data["prevalence"])
    np.testing.assert_allclose(
        ours["prevalence"].astype(float), prevalence["prevalence"].astype(float)
    )
    joint = built.data["joint"]
    # 50 of the 60 offenders have a year of follow-up (or were re-arrested before it)
    assert joint["n_in_sample"] == 60
    assert sum(row["n"] for row in joint["rows"]) == 60 - joint["n_without_outcome"]
    assert sum(row["n_events"] for row in joint["rows"]) == 20
    assert built.guards[0].status == "pass"


@pytest.mark.slow
def test_a_code_below_the_threshold_is_flagged() -> None:
    data = _interviews(reliability={"took_responsibility": 0.4})
    built = section.build(_input(data), _context())
    guard = built.guards[0]
    assert guard.status == "warning" and guard.details == ("took_responsibility",)
    assert "took_responsibility" in guard.message
    row = next(r for r in built.data["reliability"] if r["code"] == "took_responsibility")
    assert row["result"] == "below threshold" and row["threshold"] == 0.667
    assert "⚠ Took responsibility" in str(built.html)
    strict = section.build(_input(data, below_threshold="fail", min_alpha=0.5), _context())
    assert strict.guards[0].status == "fail"
    assert section.build(_input(data, min_alpha=0.3), _context()).guards[0].status == "pass"


def test_quotes_only_shareable_and_without_identifiers() -> None:
    data = _interviews()
    segments = data.segments.copy()
    ids = sorted(segments["segment"].unique())
    words = {seg: f"words number {i:04d}" for i, seg in enumerate(ids)}
    segments["quote"] = segments["segment"].map(words)
    # one coder's row says a shareable segment may not be shown: the segment is not shown
    first = segments.index[segments["shareable"]][0]
    segments.loc[first, "shareable"] = False
    value = section.from_config(
        section.Settings(codebook=yaml.safe_load(data.codebook_yaml), quotes_per_code=20),
        segments,
    )
    built = section.build(value, _context())
    quotes = built.data["quotes"]
    assert quotes and all(set(q) == {"code", "label", "group", "quote"} for q in quotes)
    allowed = segments.groupby("segment")["shareable"].all()
    shown = {seg for seg, text in words.items() if text in {q["quote"] for q in quotes}}
    assert shown and all(allowed[seg] for seg in shown)
    assert segments.loc[first, "segment"] not in shown
    html = str(built.html)
    start = html.index("In their words")
    for identifier in [*segments["participant"].unique(), *ids, *segments["coder"].unique()]:
        assert identifier not in html[start:]
        assert all(identifier not in str(q) for q in quotes)
    # without a shareable column no quote is shown
    no_flag = section.from_config(
        section.Settings(codebook=yaml.safe_load(data.codebook_yaml)),
        segments.drop(columns="shareable"),
    )
    assert section.build(no_flag, _context()).data["quotes"] == []


def test_small_groups_are_suppressed_and_not_quoted() -> None:
    data = _interviews(n=120)
    sizes = data.participants["group"].value_counts()
    small = str(sizes.index[-1])
    k = int(sizes.iloc[-1]) + 1
    built = section.build(_input(data), _context(suppress_below=k))
    rows = [r for r in built.data["prevalence"] if r["group"] == small]
    assert rows and all(r["n"] is None for r in rows)
    assert all(r["prevalence"] is None for r in rows if r["suppressed"])
    assert all(q["group"] != small for q in built.data["quotes"])


def test_bad_settings_are_clear_errors(tmp_path: Path) -> None:
    data = _interviews(n=60)
    with pytest.raises(SpecificationError, match="no `codebook`"):
        section.from_config(section.Settings(), data.segments)
    with pytest.raises(SpecificationError, match="needs the coded interview segments"):
        section.from_config(section.Settings(codebook="x.yaml"), None)
    with pytest.raises(CodebookError, match="felt_heard"):
        _input(data, theme="felt_herd")
    with pytest.raises(DataError, match="not in the interview data"):
        _input(data, coder="rater")
    bad = data.segments.assign(shareable="maybe")
    value = section.from_config(section.Settings(codebook=yaml.safe_load(data.codebook_yaml)), bad)
    with pytest.raises(DataError, match="true/false"):
        section.build(value, _context())
    with pytest.raises(SpecificationError, match="interviews= must be"):
        section.build(data.segments, _context())
    # a codebook path works as well as the inline codebook; simulated InterviewData too
    path = tmp_path / "codebook.yaml"
    path.write_text(data.codebook_yaml)
    by_path = section.from_config(section.Settings(codebook=str(path)), data.segments)
    assert by_path.codebook.name == "participant_voices"
    assert section.build(data, _context()).key == "voices"


def test_no_interviewee_in_the_sample_means_no_joint_display() -> None:
    data = simulate_interviews(60, random_state=2)  # ids P0001..., not the sample's
    built = section.build(_input(data), _context())
    assert built.data["joint"] is None
    assert "No interviewee is in the analysis sample" in str(built.html)
