"""Results print whole and readable: a fixed-width table with estimates, intervals and
p-values under a header (the call, n, events); `_repr_html_` from the same renderer;
`summary()` stays the tidy frame; no arrays or numpy scalar reprs anywhere."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from rpeval._display import Display, format_column
from rpeval.datasets import simulate_program
from rpeval.matching import effect, match, weight
from rpeval.metrics import Registry
from rpeval.recidivism import (
    cox,
    cumulative_incidence,
    fine_gray,
    kaplan_meier,
    logrank_test,
    recidivism_rates,
    rmst,
)

COVARIATES = "age + prior_arrests + sex"


@pytest.fixture(scope="module")
def people() -> pd.DataFrame:
    program = simulate_program(n_participants=150, n_comparison=600, random_state=3)
    data = program.people
    end = data[["rearrest_date", "death_date", "data_through"]].min(axis=1)
    died = data["death_date"].notna() & (data["death_date"] == end) & ~data["rearrested"]
    return data.assign(
        days=(end - data["entry_date"]).dt.days,
        rearrest=data["rearrested"].astype(int),
        cause=np.where(data["rearrested"], 1, np.where(died, 2, 0)),
    )


@pytest.fixture(scope="module")
def results(people: pd.DataFrame) -> dict[str, Any]:
    matched = match(people, "participant", COVARIATES, caliper=0.2)
    return {
        "cox": cox(people, "days", "rearrest", f"participant + {COVARIATES}"),
        "km": kaplan_meier(people, "days", "rearrest", group="participant"),
        "rmst": rmst(people, "days", "rearrest", 365, group="participant"),
        "cif": cumulative_incidence(people, "days", "cause", group="participant"),
        "fine_gray": fine_gray(people, "days", "cause", ["participant", "age"]),
        "rates": recidivism_rates(
            people, "days", "rearrest", [180, 365], group="participant", followup="days"
        ),
        "logrank": logrank_test(people, "days", "rearrest", "participant"),
        "match": matched,
        "weight": weight(people, "participant", COVARIATES, estimand="ATT"),
        "effect": effect(matched, "rearrest", measure="risk_difference"),
        "metrics": Registry.builtin().compute(
            ["victim_participation_rate", "days_referral_to_conference"],
            simulate_program(100, 400, random_state=1).cases,
        ),
    }


EXPECTED = {
    "cox": ("Cox proportional hazards", "call: ", "events:", "HR", "lower 95%", "participant"),
    "km": ("Kaplan–Meier", "median time", "events:", "lower 95%"),
    "rmst": ("Restricted mean survival time up to 365", "RMST", "difference", "ratio"),
    "cif": ("Cumulative incidence", "Gray's test", "chi-square"),
    "fine_gray": ("Fine–Gray", "robust se", "HR"),
    "rates": ("window", "lower 95%", "percentage point", "difference"),
    "logrank": ("Log-rank test", "O - E", "chi-square: "),
    "match": ("call: ", "match('participant'", "effective", "SMD after", "Sample sizes"),
    "weight": ("weight('participant'", "effective n", "largest weight", "SMD after"),
    "effect": ("risk difference", "population ATT", "lower 95%", "150 clusters"),
    "metrics": ("victim_participation_rate", "lower 95%"),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_result_prints_a_whole_readable_table(results: dict[str, Any], name: str) -> None:
    result = results[name]
    text = str(result)
    for expected in EXPECTED[name]:
        assert expected in text, (name, expected, text)
    for leak in ("np.float64", "array(", "...", "dtype", "\x1b"):
        assert leak not in text, (name, leak)
    table_lines = [s for s in text.splitlines() if not s.startswith("call:") and name != "rates"]
    assert max((len(line) for line in table_lines), default=0) <= 100
    short = repr(result)
    assert short.startswith(f"<{type(result).__name__}") and "\n" not in short
    assert len(short) < 300 and "array(" not in short
    html = result._repr_html_()
    assert "<table>" in html and "np.float64" not in html


def test_summary_stays_the_tidy_frame(results: dict[str, Any]) -> None:
    assert "hazard_ratio_upper" in results["cox"].summary().columns
    tidy = results["match"].summary()
    assert {"term", "std_mean_diff_before", "std_mean_diff_after"} <= set(tidy.columns)


def test_the_cox_row_has_estimate_interval_and_p(results: dict[str, Any]) -> None:
    fit = results["cox"]
    row = fit.summary().iloc[0]
    line = next(s for s in str(fit).splitlines() if s.startswith("participant"))
    cells = line.split()
    assert float(cells[1]) == pytest.approx(row["hazard_ratio"], abs=5e-4)
    assert float(cells[2]) == pytest.approx(row["hazard_ratio_lower"], abs=5e-4)
    assert float(cells[3]) == pytest.approx(row["hazard_ratio_upper"], abs=5e-4)


def test_counts_print_as_integers_and_p_values_as_such() -> None:
    assert format_column("n", [366.0, 12.0]) == ["366", "12"]
    assert format_column("p_value", [1e-9, 0.04321, float("nan")]) == ["<0.001", "0.043", "NA"]
    assert format_column("estimate", [np.float64(76.677), np.float64(1.5)]) == ["76.677", "1.500"]


def test_wide_tables_wrap_into_blocks_that_repeat_the_first_column() -> None:
    frame = pd.DataFrame({"term": ["a", "b"], **{f"column_{i:02d}": [1.5, 2.5] for i in range(12)}})
    text = Display("Wide", (("n", "2"),), frame).text(width=60)
    assert max(len(line) for line in text.splitlines()) <= 60
    assert text.count("term") >= 2 and "column_11" in text


def test_html_escapes_everything() -> None:
    frame = pd.DataFrame({"term": ["<script>"], "estimate": [1.0]})
    html = Display("<b>", (("call", "f('<x>')"),), frame).html()
    assert "<script>" not in html and "&lt;script&gt;" in html and "&lt;b&gt;" in html
