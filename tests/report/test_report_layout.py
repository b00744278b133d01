"""The report reads for a program director first and a statistician after (#16): a first
page (question, answer in words, checks, forest plot, what it cannot say), human headers
with units, one set of group names in tables and figures, ESS, events and person-time
beside the Cox HR, the Γ at which the conclusion changes, log-log survival bands, the
configuration and data files in the appendix; figures survive colour-blind simulation."""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest

from rpeval.cli import main
from rpeval.datasets import simulate_program
from rpeval.matching import match
from rpeval.matching._plots import one_row_per_binary
from rpeval.recidivism import kaplan_meier
from rpeval.report import evaluate
from rpeval.report._figures import FIGURE_COLOURS
from rpeval.report.evaluation import Evaluation

matplotlib.use("Agg")

PROGRAM = simulate_program(300, 1800, followup_days=1460, random_state=5)
LABELS = {"participants": "conference group", "comparison": "court group"}


@pytest.fixture(scope="module")
def evaluation() -> Evaluation:
    return evaluate(
        PROGRAM.people,
        treatment="participant",
        covariates="age + prior_arrests + sex + C(offense_type)",
        entry="entry_date",
        events=PROGRAM.arrests,
        custody=PROGRAM.custody,
        competing=["death_date"],
        labels=LABELS,
        random_state=0,
        progress=False,
    )


@pytest.fixture(scope="module")
def html(evaluation: Evaluation, tmp_path_factory: pytest.TempPathFactory) -> str:
    path = evaluation.to_html(tmp_path_factory.mktemp("layout") / "report.html")
    return path.read_text(encoding="utf-8")


def test_the_first_page_answers_in_words_before_the_detail(html: str) -> None:
    first = html[html.index('id="findings"') : html.index('id="detail"')]
    for piece in ("The question.", "The answer.", "What this evaluation cannot say"):
        assert piece in first
    assert re.search(r"(lower|higher) \(95% confidence interval: between", first) or (
        "includes no difference at all" in first
    )
    assert 'id="figure-forest"' in first
    assert "among matched conference group, relative to what it would have been" in first


def test_headers_are_human_with_units(html: str) -> None:
    for raw in ("means_treated_before", "hazard_ratio_lower", "std_mean_diff_after", "p_upper"):
        assert f">{raw}<" not in html, raw
    assert "difference (percentage points)" in html
    assert "window (days)" in html and "(days)" in html
    assert "percentage points" in html
    assert not re.search(r"difference [+-]?\d+\.\d%", html)  # points are not percent


def test_one_set_of_group_names(evaluation: Evaluation, html: str) -> None:
    assert "conference group vs court group" in html  # the Cox row
    assert "conference group, re-arrested (%)" in html
    assert "participant = True" not in html and "traditional processing</td>" not in html
    import matplotlib.pyplot as plt

    ax = evaluation.curves.plot(labels={True: "conference group", False: "court group"})
    texts = [t.get_text() for t in ax.texts]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    plt.close(ax.figure)
    assert {"conference group", "court group"} <= set(texts) & set(legend)


def test_reviewers_extras(evaluation: Evaluation, html: str) -> None:
    assert "effective sample size" in html  # ESS beside the design
    assert "re-arrests per 100 person-years" in html  # events and person-time by the Cox HR
    cox = html.index("Cox proportional hazards model of street time")
    assert html.index("person-years", cox) - cox < 3000
    assert "Hidden bias:" in html and "Γ = " in html
    assert "Random seed: <strong>0</strong>" in html


def test_survival_bands_are_log_log_in_the_report_only(evaluation: Evaluation) -> None:
    assert evaluation.curves.conf_type == "log-log"
    assert any("log-log" in note for note in evaluation.notes)
    plain = kaplan_meier(PROGRAM.people.assign(t=1.0, e=1), "t", "e")
    assert plain.conf_type == "log"  # R's default stays


def test_numbers_print_as_what_they_are(html: str) -> None:
    cohort = html[html.index('id="cohort"') : html.index('id="balance"')]
    models = html[html.index('id="models"') : html.index('id="sensitivity"')]
    assert ".0<" not in cohort and ".000<" not in cohort  # counts are integers
    assert ">1.000<" not in models  # df of the PH test


def test_love_plot_is_sorted_with_one_row_per_binary_variable() -> None:
    matched = match(PROGRAM.people, "participant", "age + prior_arrests + sex + C(offense_type)")
    summary = one_row_per_binary(matched.balance().summary())
    assert "sex_female" in set(summary["term"]) and "sex_male" not in set(summary["term"])
    assert {"offense_type_drug", "offense_type_violent"} <= set(summary["term"])  # 4 levels
    ax = matched.plot(kind="love")
    labels = [t.get_text() for t in ax.get_yticklabels()]
    smd = summary.set_index("term")["std_mean_diff_before"].abs()
    assert [smd[t] for t in labels] == sorted(smd[t] for t in labels)  # top = largest
    assert any("threshold" in t.get_text() for t in ax.texts)
    matplotlib.pyplot.close(ax.figure)


def test_propensity_histograms_are_mirrored() -> None:
    matched = match(PROGRAM.people, "participant", "age + prior_arrests")
    ax = matched.plot(kind="propensity", labels={"treated": "A", "control": "B"})
    heights = [p.get_height() for p in ax.patches if hasattr(p, "get_height")]
    assert min(heights) < 0 < max(heights)  # comparison below the axis
    assert {"A, matched", "B, matched"} <= {t.get_text() for t in ax.get_legend().get_texts()}
    matplotlib.pyplot.close(ax.figure)


# Machado, Oliveira & Fernandes (2009), severity 1.0, linear RGB
_CVD = {
    "protanopia": [[0.152, 1.053, -0.205], [0.115, 0.786, 0.099], [-0.004, -0.048, 1.052]],
    "deuteranopia": [[0.367, 0.861, -0.228], [0.280, 0.673, 0.047], [-0.012, 0.043, 0.969]],
    "tritanopia": [[1.256, -0.077, -0.179], [-0.078, 0.931, 0.148], [0.005, 0.691, 0.304]],
}


def _linear(hex_colour: str) -> np.ndarray:
    rgb = np.array([int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)])
    return np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)


def _lab(linear: np.ndarray) -> np.ndarray:
    xyz = np.array(
        [[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]
    ) @ np.clip(linear, 0, 1)
    ratio = xyz / np.array([0.9505, 1.0, 1.089])
    f = np.where(ratio > 0.008856, np.cbrt(ratio), 7.787 * ratio + 16 / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def test_group_colours_stay_apart_under_colour_blindness(evaluation: Evaluation) -> None:
    import matplotlib.pyplot as plt

    ax = evaluation.curves.plot()
    colours = [matplotlib.colors.to_hex(line.get_color()).upper() for line in ax.get_lines()]
    plt.close(ax.figure)
    groups = list(dict.fromkeys(c for c in colours if c in {x.upper() for x in FIGURE_COLOURS}))
    assert len(groups) >= 2
    for name, matrix in _CVD.items():
        seen = [_lab(np.array(matrix) @ _linear(c)) for c in groups[:2]]
        distance = float(np.linalg.norm(seen[0] - seen[1]))
        assert distance > 20, (name, groups, distance)  # CIE76 ΔE: clearly different


@pytest.mark.slow
def test_the_appendix_has_the_config_and_checksums(small_demo: Path, tmp_path: Path) -> None:
    out = small_demo  # the shared demo run (150 participants, 900 in the pool): read only
    again = tmp_path / "again"
    assert main(["evaluate", str(out / "config.yaml"), "--out", str(again), "--no-progress"]) == 0
    for folder in (out, again):
        report = (folder / "report.html").read_text(encoding="utf-8")
        assert "Configuration as given (config.yaml)" in report
        assert "design: {method: matching, caliper: 0.2, ratio: 1}" in report
        people = pd.read_csv(out / "people.csv")
        assert f'<td>people.csv</td><td class="num">{len(people):,}</td>' in report
        assert re.search(r"<code>[0-9a-f]{64}</code>", report)
