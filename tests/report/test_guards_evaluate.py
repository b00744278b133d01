"""Design guards in evaluate(): a messy export stops with a banner, never a confident
headline; the CLI exits 1 unless told otherwise."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from rpeval.cli import main
from rpeval.datasets import simulate_program
from rpeval.errors import DataError
from rpeval.report import evaluate

PROGRAM = simulate_program(250, 2000, random_state=11)
COVARIATES = "age + prior_arrests + sex + C(offense_type)"


def _evaluate(people: pd.DataFrame):  # type: ignore[no-untyped-def]
    return evaluate(
        people,
        treatment="participant",
        covariates=COVARIATES,
        entry="entry_date",
        events=PROGRAM.arrests,
        custody=PROGRAM.custody,
        competing=["death_date"],
        progress=False,
    )


def messy(people: pd.DataFrame) -> pd.DataFrame:
    """Labels as exports have them: in the participants' file "property" and "M" are
    spelled "PROPERTY" and "M ", so those spellings occur among participants only."""
    participant = people["participant"]
    offense = people["offense_type"].mask(
        participant & (people["offense_type"] == "property"), "PROPERTY"
    )
    sex = people["sex"].mask(participant & (people["sex"] == "M"), "M ")
    return people.assign(sex=sex, offense_type=offense)


def collapsed(people: pd.DataFrame) -> pd.DataFrame:
    """Every participant's labels spelled their own way: the groups separate completely."""
    participant = people["participant"]
    sex = people["sex"].where(~participant, people["sex"].str.upper() + " ")
    return people.assign(sex=sex)


def test_clean_simulated_data_passes_every_guard() -> None:
    evaluation = _evaluate(PROGRAM.people)
    assert evaluation.ok, evaluation.guards.summary()
    assert evaluation.banner() == []
    assert not evaluation.headline().startswith("The design failed")


def test_a_messy_export_gets_a_banner_first_everywhere(tmp_path: Path) -> None:
    evaluation = _evaluate(messy(PROGRAM.people))
    failed = {g.name for g in evaluation.guards.failed}
    assert {"category coding", "common support"} <= failed
    assert evaluation.headline().startswith("The design failed a check")
    results = json.loads(evaluation.to_json(tmp_path / "results.json").read_text())
    assert next(iter(results)) == "guards" and results["guards"]["ok"] is False
    html = evaluation.to_html(tmp_path / "report.html").read_text()
    banner = html.index('class="guard-banner"')
    assert banner < html.index('<ul class="headline">')
    assert "offense_type = &#39;PROPERTY&#39;" in html  # the level is named


def test_complete_separation_names_the_spellings() -> None:
    with pytest.raises(DataError, match="separate treated and control") as caught:
        _evaluate(collapsed(PROGRAM.people))
    assert "spelled several ways" in caught.value.message
    assert "sex: 'MALE ', 'male'" in caught.value.message


@pytest.mark.slow
def test_cli_exits_1_on_a_failed_check(
    small_demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    demo = shutil.copytree(small_demo, tmp_path / "demo")  # the shared demo run, copied
    people = pd.read_csv(demo / "people.csv")
    people["participant"] = people["participant"].astype(str).str.lower() == "true"
    messy(people).to_csv(demo / "people.csv", index=False)
    capsys.readouterr()
    config = str(demo / "config.yaml")
    assert main(["evaluate", config, "--out", str(tmp_path / "a"), "--no-progress"]) == 1
    captured = capsys.readouterr()
    assert "- The design failed a check" in captured.out
    assert "failed" in captured.err and "--allow-failed-checks" in captured.err
    again = ["evaluate", config, "--out", str(tmp_path / "b"), "--no-progress"]
    assert main([*again, "--allow-failed-checks"]) == 0
    assert (tmp_path / "b" / "report.html").exists()


def test_report_metrics_show_units_and_both_groups(tmp_path: Path) -> None:
    evaluation = evaluate(
        PROGRAM.people,
        treatment="participant",
        covariates=COVARIATES,
        entry="entry_date",
        events=PROGRAM.arrests,
        custody=PROGRAM.custody,
        competing=["death_date"],
        cases=PROGRAM.cases,
        progress=False,
    )
    from rpeval.metrics import Registry
    from rpeval.report._metric_rows import metric_display

    shown = metric_display(evaluation.metrics.to_pandas(), Registry.builtin())
    rate = shown[shown["metric"] == "reoffenses_per_person_year"]
    assert rate["group"].tolist() == ["comparison", "participants", "participants − comparison"]
    values = rate.set_index("group")["value"]
    assert values["participants − comparison"] == pytest.approx(
        values["participants"] - values["comparison"]
    )
    assert set(rate["unit"]) == {"re-arrests per person-years"}
    assert shown["unit"].notna().all()
    html = evaluation.to_html(tmp_path / "report.html").read_text()
    assert "participants − comparison" in html and "not the program&#39;s effect" in html


def test_metrics_split_by_declared_dimensions_on_request(tmp_path: Path) -> None:
    evaluation = evaluate(
        PROGRAM.people,
        treatment="participant",
        covariates=COVARIATES,
        entry="entry_date",
        events=PROGRAM.arrests,
        custody=PROGRAM.custody,
        competing=["death_date"],
        cases=PROGRAM.cases,
        metrics_by=["race"],
        suppress_below=1,
        progress=False,
    )
    frame = evaluation.metrics.to_pandas()
    assert evaluation.metrics.by == ("group", "race")
    rearrest = frame[frame["metric"] == "rearrest_within_12_months"]
    assert set(rearrest["group"]) == {"participants", "comparison"}
    assert rearrest["race"].notna().all() and rearrest["race"].nunique() > 1
    # a case metric does not declare race: one program row, no race
    agreement = frame[frame["metric"] == "agreement_rate"]
    assert len(agreement) == 1 and agreement["race"].isna().all()
    html = evaluation.to_html(tmp_path / "report.html").read_text()
    assert html.count("participants − comparison") >= rearrest["race"].nunique()


def test_at_risk_tables_hide_small_counts() -> None:
    import matplotlib

    matplotlib.use("Agg")
    from rpeval.recidivism import kaplan_meier

    data = pd.DataFrame({"t": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], "e": [1] * 12})
    ax = kaplan_meier(data, "t", "e").plot(times=[0, 4, 11], suppress_below=10)
    texts = [t.get_text() for t in ax.texts]
    assert texts[2:] == ["12", "<10", "<10"]  # 12, 9 and 2 at risk


def test_small_counts_are_not_recoverable_from_balance_or_rosenbaum() -> None:
    from rpeval.report._disclosure_tables import small_pair_counts_hidden, small_shares_hidden

    table = pd.DataFrame(
        {
            "term": ["age", "hispanic", "married"],
            "kind": ["continuous", "binary", "binary"],
            "means_treated_before": [30.0, 0.015, 0.98],
            "means_control_before": [31.0, 0.2, 0.5],
        }
    )
    shown = small_shares_hidden(table, {"before": (200, 1000)}, 10)
    assert shown["means_treated_before"].tolist() == [30.0, None, None]  # 3 with, 4 without
    assert shown["means_control_before"].tolist() == [31.0, 0.2, 0.5]
    bounds = pd.DataFrame({"gamma": [1.0], "statistic": [4.0], "n_pairs": [30]})
    assert small_pair_counts_hidden(bounds, 10) is None
    assert small_pair_counts_hidden(bounds.assign(statistic=14.0), 10) is not None
