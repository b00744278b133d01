"""evaluate(): cohort accounting, recovery of the simulated effect, designs, outputs, errors."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from rpeval.datasets import simulate_program
from rpeval.errors import DataError, SpecificationError
from rpeval.report import Evaluation, evaluate

COVARIATES = "age + prior_arrests + sex + C(offense_type)"
PROGRAM = simulate_program(400, 3000, followup_days=1460, random_state=21)


def _evaluate(**options: object) -> Evaluation:
    arguments: dict[str, object] = {
        "treatment": "participant",
        "covariates": COVARIATES,
        "entry": "entry_date",
        "events": PROGRAM.arrests,
        "custody": PROGRAM.custody,
        "competing": ["death_date"],
        "cases": PROGRAM.cases,
        "officers": PROGRAM.officers,
        "progress": False,
    }
    arguments.update(options)
    return evaluate(PROGRAM.people, **arguments)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def matched() -> Evaluation:
    return _evaluate()


def test_cohort_accounts_for_every_row(matched: Evaluation) -> None:
    cohort = matched.cohort
    assert cohort.loc[0, "remaining"] == len(PROGRAM.people)
    previous = cohort["remaining"].shift(1).iloc[1:]
    assert (previous - cohort["remaining"].iloc[1:] == cohort["dropped"].iloc[1:]).all()
    assert (
        cohort["remaining_treated"] + cohort["remaining_comparison"] == cohort["remaining"]
    ).all()
    last = cohort.iloc[-1]
    assert last["remaining"] == len(matched.sample)
    assert cohort["step"].tolist() == [
        "people given",
        "complete covariates",
        "known entry date",
        "time at risk after entry",
        "matched",
    ]


def test_matched_estimate_covers_the_truth(matched: Evaluation) -> None:
    hr = matched.hazard_ratio
    assert hr["ci_lower"] < PROGRAM.true_effect_hr < hr["ci_upper"]
    naive = matched.cox  # clustered on pairs
    assert naive.summary().iloc[0]["term"] == "participant"
    assert set(matched.rates["window"]) == {365.0, 730.0, 1095.0}
    assert (matched.rates["ci_lower"] <= matched.rates["difference"]).all()
    assert matched.rmst is not None
    assert matched.cif is not None  # deaths compete with re-arrest
    assert any("cumulative incidence" in note for note in matched.notes)
    assert matched.sensitivity["rosenbaum"] is not None
    assert matched.metrics is not None
    from rpeval.metrics import Registry

    metrics = matched.metrics.to_pandas()
    assert set(metrics["metric"]) == {d.name for d in Registry.builtin()}  # every table given
    # re-arrest metrics for each group, never pooled; the program's own metrics labelled
    by_group = metrics[metrics["metric"] == "rearrest_within_12_months"]
    assert sorted(by_group["group"]) == ["comparison", "participants"]
    assert metrics.loc[metrics["metric"] == "agreement_rate", "group"].tolist() == ["program"]


def test_headline_and_summary_agree(matched: Evaluation) -> None:
    summary = matched.summary()
    hr = summary.iloc[0]
    sentence = matched.headline_sentences()[1]
    assert sentence in matched.headline() and sentence in str(matched)
    assert f"{hr['estimate']:.2f} times" in sentence
    assert f"{hr['ci_lower']:.2f}–{hr['ci_upper']:.2f}" in sentence


def test_json_is_complete_and_deterministic(matched: Evaluation, tmp_path: Path) -> None:
    # the same inputs and seed give byte-identical results.json (make cross-venv also
    # compares it between the pandas 3 and pandas 2.2 environments)
    path = matched.to_json(tmp_path / "a.json")
    second = json.loads(_evaluate().to_json(tmp_path / "b.json").read_text())
    first = json.loads(path.read_text())
    assert set(first.pop("timings")) == set(second.pop("timings"))  # wall times: all else equal
    assert json.dumps(second, indent=2) == json.dumps(first, indent=2)
    assert {"settings", "versions", "cohort", "balance", "rates", "cox", "metrics"} <= set(first)
    assert first["settings"]["random_state"] == 0
    assert "NaN" not in (tmp_path / "a.json").read_text()


def test_results_do_not_depend_on_row_order(matched: Evaluation, tmp_path: Path) -> None:
    shuffled = PROGRAM.people.sample(frac=1.0, random_state=5)
    again = evaluate(
        shuffled,
        treatment="participant",
        covariates=COVARIATES,
        entry="entry_date",
        events=PROGRAM.arrests.sample(frac=1.0, random_state=6),
        custody=PROGRAM.custody,
        competing=["death_date"],
        cases=PROGRAM.cases,
        officers=PROGRAM.officers,
        progress=False,
    )
    first = json.loads(matched.to_json(tmp_path / "a.json").read_text())
    second = json.loads(again.to_json(tmp_path / "b.json").read_text())
    first.pop("timings"), second.pop("timings")  # wall times of the stages
    assert json.dumps(second, indent=2) == json.dumps(first, indent=2)


def test_html_is_self_contained_and_accessible(matched: Evaluation, tmp_path: Path) -> None:
    html = matched.to_html(tmp_path / "report.html").read_text()
    assert html.count("<img ") == 5  # forest, KM, CIF (deaths compete), Love plot, overlap
    assert len(re.findall(r'<img src="data:image/png;base64,[^"]+" alt="[^"]{20,}"', html)) == 5
    assert not re.search(r'(src|href)="https?://', html)
    assert "<script" not in html
    assert html.count("<caption>") >= 8
    assert '<th scope="col">' in html
    for section in (
        "findings",
        "cohort",
        "balance",
        "survival",
        "rates",
        "models",
        "sensitivity",
        "metrics",
        "methods",
    ):
        assert f'id="{section}"' in html
    assert "@media print" in html
    assert "agreement_rate" in html  # metric versions in the appendix


def test_weighting_design() -> None:
    weighted = _evaluate(design="weighting", estimand="ATE", cases=None, officers=None)
    assert weighted.settings["design"] == "weighting"
    assert weighted.rmst is not None  # with the weights' estimation in its variance
    assert len(weighted.rmst.contrasts()) == 2
    assert weighted.sensitivity["rosenbaum"] is None
    assert weighted.metrics is None
    hr = weighted.hazard_ratio
    assert hr["ci_lower"] < 1.0
    assert any("weighted Kaplan" in note for note in weighted.notes)


def test_outcome_column_instead_of_events() -> None:
    result = _evaluate(events=None, outcome="rearrest_date", cases=None, officers=None)
    assert result.hazard_ratio["hazard_ratio"] == pytest.approx(
        _evaluate(cases=None, officers=None).hazard_ratio["hazard_ratio"]
    )


def test_missing_covariates_are_counted() -> None:
    people = PROGRAM.people.copy()
    people.loc[people.index[:7], "age"] = None
    result = evaluate(
        people,
        treatment="participant",
        covariates=COVARIATES,
        entry="entry_date",
        outcome="rearrest_date",
        progress=False,
    )
    assert result.cohort.loc[1, "dropped"] == 7
    assert "missing values in age" in result.cohort.loc[1, "reason"]


def test_windows_beyond_follow_up_are_dropped_with_a_note() -> None:
    result = _evaluate(windows=(365, 5000), cases=None, officers=None)
    assert result.rates["window"].tolist() == [365.0]
    assert any("5000" in note for note in result.notes)


@pytest.mark.parametrize(
    ("options", "error", "match"),
    [
        ({"events": None}, SpecificationError, "give `outcome`"),
        ({"design": "stratify"}, SpecificationError, "design must be"),
        ({"windows": (0, 365)}, SpecificationError, "positive whole days"),
        ({"treatment": "partcipant"}, DataError, "Did you mean 'participant'"),
        ({"windows": (9000,), "cases": None}, DataError, "no window is within"),
    ],
)
def test_bad_input_is_a_clean_error(options: dict[str, object], error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        _evaluate(**options)


def test_rosenbaum_pairs_are_complete(matched: Evaluation) -> None:
    bounds = matched.sensitivity["rosenbaum"]
    assert isinstance(bounds, pd.DataFrame)
    assert bounds["gamma"].iloc[0] == 1.0
    assert bounds["n_pairs"].iloc[0] <= len(matched.sample) // 2
