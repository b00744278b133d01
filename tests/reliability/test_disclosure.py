"""Suppression that cannot be undone: an attacker's view of everything a table publishes.

Issue 22, item 3: the relative rate index printed its reference group's small counts on
every row, notes published counts of 1-9 ("1 without 12 months of follow-up excluded"), a
suppressed cell's count came back as (numerator / denominator) / value, and the report's
cohort flow showed counts of 1-9.

The attacker knows every group total exactly (the overall total and the one-way margins of
each ``by`` column: they are published in other tables) and reads every number and note of
the table. A hidden count is recovered when the totals' linear equations determine it (the
unit vector is in their row space: checked by rank, independently of the library's SVD).
"""

from __future__ import annotations

import itertools
import re
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given
from hypothesis import strategies as st

from rpeval.metrics import Registry, suppress_cells
from tests.hypothesis_budget import budget

REGISTRY = Registry.builtin()
SETTINGS = budget(40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _determined(groups: list[list[int]], hidden: list[int]) -> list[int]:
    """Hidden cells whose value the group totals pin down (rank test)."""
    equations = [g for g in groups if len(g) > 1 and set(g) & set(hidden)]
    if not hidden or not equations:
        return []
    matrix = np.array([[1.0 if cell in g else 0.0 for cell in hidden] for g in equations])
    rank = np.linalg.matrix_rank(matrix)
    found = []
    for j, cell in enumerate(hidden):
        unit = np.zeros(len(hidden))
        unit[j] = 1.0
        if np.linalg.matrix_rank(np.vstack([matrix, unit])) == rank:
            found.append(cell)
    return found


def _exposed(groups: list[list[int]], hidden: list[int]) -> list[int]:
    """Solvable hidden cells that the table could still have protected: one of their groups
    has a visible cell to hide. (When every group of a solvable cell is hidden whole, only
    withholding those groups' totals protects it; the docs say so.)"""
    shut = set(hidden)
    return [
        cell
        for cell in _determined(groups, hidden)
        if any(cell in g and len(g) > 1 and not set(g) <= shut for g in groups)
    ]


def _groups(keys: list[tuple[Any, ...]]) -> list[list[int]]:
    groups = [list(range(len(keys)))]
    if keys and len(keys[0]) > 1:
        for position in range(len(keys[0])):
            for value in {key[position] for key in keys}:
                groups.append([i for i, key in enumerate(keys) if key[position] == value])
    return groups


def _check_table(table: pd.DataFrame, truth: pd.DataFrame, by: list[str], k: int) -> None:
    """Nothing below k is shown, nothing hidden is solvable, hidden rows show no number."""
    keys = [tuple(row) for row in table[by].itertuples(index=False)]
    merged = table.merge(truth, on=by, suffixes=("", "_true"), validate="one_to_one")
    for column in ("numerator", "denominator"):
        shown = merged[column].dropna().astype(float)
        assert not ((shown > 0) & (shown < k)).any(), f"a {column} below {k} is published"
    hidden_rows = merged["suppressed"].to_numpy(dtype=bool)
    for column in ("numerator", "denominator", "value", "ci_lower", "ci_upper"):
        assert merged.loc[hidden_rows, column].isna().all(), f"hidden {column} published"
    hidden = [i for i, h in enumerate(hidden_rows) if h]
    assert not _exposed(_groups(keys), hidden), "a hidden cell is solvable from totals"
    for note in merged["note"].dropna():
        for number in re.findall(r"(\d+) / (\d+)|^(\d+) without|; (\d+) without", note):
            for text in filter(None, number):
                assert int(text) == 0 or int(text) >= k, f"note publishes {text}: {note}"


def _cases(cells: dict[tuple[int, int], tuple[int, int]]) -> pd.DataFrame:
    rows = []
    for (a, b), (held, agreed) in cells.items():
        for i in range(held):
            rows.append({"a": a, "b": b, "conference_held": True, "agreement_reached": i < agreed})
        rows.append({"a": a, "b": b, "conference_held": False, "agreement_reached": None})
    columns = ["a", "b", "conference_held", "agreement_reached"]
    return pd.DataFrame(rows, columns=columns).astype(
        {"conference_held": bool, "agreement_reached": "boolean"}
    )


@st.composite
def case_tables(draw: st.DrawFn) -> tuple[dict[tuple[int, int], tuple[int, int]], int]:
    rows, columns = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    cells = {}
    for key in itertools.product(range(rows), range(columns)):
        held = draw(st.integers(0, 30))
        cells[key] = (held, draw(st.integers(0, held)))
    return cells, draw(st.integers(2, 12))


@SETTINGS
@given(case_tables())
def test_proportion_tables_cannot_be_undone(drawn: tuple[dict[Any, Any], int]) -> None:
    cells, k = drawn
    cases = _cases(cells)
    table = REGISTRY.compute("agreement_rate", cases, by=["a", "b"], suppress_below=k).frame
    truth = pd.DataFrame([{"a": a, "b": b, "n": n, "d": d} for (a, b), (d, n) in cells.items()])
    _check_table(table, truth, ["a", "b"], k)


@st.composite
def people_tables(draw: st.DrawFn) -> tuple[pd.DataFrame, int]:
    groups = draw(st.integers(1, 5))
    rows = []
    for group in range(groups):
        for _ in range(draw(st.integers(0, 25))):
            entry = pd.Timestamp("2020-01-01") + pd.Timedelta(days=draw(st.integers(0, 700)))
            rows.append(
                {
                    "g": group,
                    "h": draw(st.integers(0, 1)),
                    "entry_date": entry,
                    "data_through": pd.Timestamp("2022-01-01"),
                    "rearrest_date": entry + pd.Timedelta(days=draw(st.integers(1, 900)))
                    if draw(st.booleans())
                    else pd.NaT,
                }
            )
    frame = pd.DataFrame(rows, columns=["g", "h", "entry_date", "data_through", "rearrest_date"])
    return frame, draw(st.integers(2, 12))


@SETTINGS
@given(people_tables())
def test_window_notes_publish_no_small_count(drawn: tuple[pd.DataFrame, int]) -> None:
    people, k = drawn
    if people.empty:
        return
    table = REGISTRY.compute(
        "rearrest_within_12_months", people, by=["g", "h"], suppress_below=k
    ).frame
    keys = [tuple(row) for row in table[["g", "h"]].itertuples(index=False)]
    shown = table["note"].fillna("").str.extract(r"(\d+) without")[0].dropna().astype(int)
    assert ((shown == 0) | (shown >= k)).all()
    hidden = [i for i, note in enumerate(table["note"].fillna("")) if "is suppressed" in note]
    assert not _exposed(_groups(keys), hidden), "a hidden excluded count is solvable"
    truth = people.groupby(["g", "h"]).size().rename("rows").reset_index()
    _check_table(table, truth, ["g", "h"], k)


def test_relative_rate_with_a_small_reference_group() -> None:
    people = pd.DataFrame(
        {
            "race": ["White"] * 300 + ["Black"] * 300,
            "hispanic": [False] * 600,
            "participant": [True] * 4 + [False] * 296 + [True] * 60 + [False] * 240,
            "sex": ["F", "M"] * 300,
        }
    )
    table = REGISTRY.compute("diversion_relative_rate_index", people, by="sex").frame
    assert not table["numerator"].isna().any()  # the cells themselves are large
    assert table["value"].isna().all()
    assert table["ci_lower"].isna().all()
    assert table["suppressed"].all()
    assert not table["note"].str.contains(r"\b4\b").any()  # the 4 of the reference group
    assert table["note"].str.contains("reference group's count is below 10").all()
    shown = REGISTRY.compute(
        "diversion_relative_rate_index", people, by="sex", suppress_below=3
    ).frame
    assert shown["value"].notna().all()
    assert shown["note"].str.contains("reference rate 0.0133").all()


def test_a_small_denominator_is_hidden_too() -> None:
    cases = _cases({(0, 0): (6, 0), (1, 0): (40, 20), (2, 0): (50, 30)})
    table = REGISTRY.compute("agreement_rate", cases, by="a").frame
    first = table.iloc[0]
    assert first["suppressed"]  # 0 of 6: the numerator is 0 but 6 people is a small count
    assert pd.isna(first["denominator"])
    assert table["suppressed"].sum() == 2


def test_mean_cells_hide_their_row_count() -> None:
    referral = pd.Timestamp("2023-01-01")
    cases = pd.DataFrame(
        {
            "officer_id": ["A"] * 4 + ["B"] * 30 + ["C"] * 30,
            "conference_held": [True] * 64,
            "referral_date": [referral] * 64,
            "conference_date": [referral + pd.Timedelta(days=d % 20) for d in range(64)],
        }
    )
    table = REGISTRY.compute("days_referral_to_conference", cases, by="officer_id").frame
    assert table["denominator"].dropna().ge(10).all()
    assert table["suppressed"].sum() == 2


@budget(300, deadline=None)
@given(
    rows=st.integers(1, 5),
    columns=st.integers(1, 5),
    data=st.data(),
    k=st.integers(2, 12),
)
def test_suppress_cells_leaves_nothing_solvable(
    rows: int, columns: int, data: st.DataObject, k: int
) -> None:
    keys = list(itertools.product(range(rows), range(columns)))
    counts = data.draw(st.lists(st.integers(0, 30), min_size=len(keys), max_size=len(keys)))
    force = data.draw(st.lists(st.booleans(), min_size=len(keys), max_size=len(keys)))
    result = suppress_cells(counts, suppress_below=k, keys=keys, force=force)
    hidden = [i for i, h in enumerate(result.hidden) if h]
    assert all(result.hidden[i] for i, f in enumerate(force) if f)
    assert not _exposed(_groups(keys), hidden)


@pytest.mark.parametrize("k", [5, 10])
def test_a_bridge_between_two_cycles_is_protected(k: int) -> None:
    # hidden pattern where every margin has two hidden cells but one cell is a bridge
    counts = [1, 1, 50, 50, 1, 50, 50, 50, 50]
    keys = list(itertools.product(range(3), range(3)))
    result = suppress_cells(counts, suppress_below=k, keys=keys)
    hidden = [i for i, h in enumerate(result.hidden) if h]
    assert not _determined(_groups(keys), hidden)


# -- the report's cohort flow ---------------------------------------------------------


@st.composite
def cohort_flows(draw: st.DrawFn) -> tuple[pd.DataFrame, int]:
    treated, comparison = draw(st.integers(0, 200)), draw(st.integers(0, 2000))
    rows = [("people given", treated, comparison, "")]
    for step in range(draw(st.integers(1, 6))):
        treated -= draw(st.integers(0, min(treated, 15)))
        comparison -= draw(st.integers(0, min(comparison, 40)))
        rows.append((f"step {step}", treated, comparison, f"reason {step}"))
    frame = pd.DataFrame(
        rows, columns=["step", "remaining_treated", "remaining_comparison", "reason"]
    )
    frame.insert(1, "remaining", frame["remaining_treated"] + frame["remaining_comparison"])
    frame.insert(4, "dropped", (-frame["remaining"].diff()).fillna(0).astype(int))
    return frame, draw(st.integers(2, 12))


@budget(400, deadline=None)
@given(cohort_flows())
def test_the_published_cohort_flow_shows_and_implies_no_small_count(
    drawn: tuple[pd.DataFrame, int],
) -> None:
    from rpeval.report._disclosure import published_cohort

    flow, k = drawn
    shown = published_cohort(flow, k)
    groups = ["remaining", "remaining_treated", "remaining_comparison", "dropped"]
    values = shown[groups].to_numpy(dtype=float, na_value=np.nan).ravel()
    assert not ((values > 0) & (values < k)).any()
    for column in groups[:3]:  # no difference of two published counts is small
        present = shown[column].dropna().astype(int).tolist()
        for earlier, later in itertools.combinations(present, 2):
            assert earlier - later == 0 or earlier - later >= k
    last, exact = shown.iloc[-1], flow.iloc[-1]
    for column in groups[:3]:  # the analysis sample is shown as it is when it is not small
        if not pd.isna(last[column]):
            assert last[column] == exact[column]
    assert " + ".join(shown["step"]).split(" + ") == flow["step"].tolist()


def test_report_and_json_publish_the_protected_cohort(
    tmp_path: Any,
) -> None:
    from rpeval.datasets import simulate_program
    from rpeval.report import evaluate

    program = simulate_program(150, 900, followup_days=1460, random_state=3)
    people = program.people.copy()
    people.loc[people.index[:3], "age"] = None  # three people dropped: a count below 10
    evaluation = evaluate(
        people,
        treatment="participant",
        covariates="age + prior_arrests",
        entry="entry_date",
        events=program.arrests,
        progress=False,
    )
    assert evaluation.cohort.loc[1, "dropped"] == 3  # exact for the analyst
    published = evaluation.to_dict()["cohort"]
    assert all(row["dropped"] in (0, None) or row["dropped"] >= 10 for row in published)
    assert "complete covariates + " in published[1]["step"]
    html = evaluation.to_html(tmp_path / "report.html").read_text()
    cohort = html[html.index('id="cohort"') : html.index("</table>", html.index('id="cohort"'))]
    assert '<td class="num">3</td>' not in cohort
    assert "1,047" not in cohort  # 1,050 given minus 3: the difference would give it away
