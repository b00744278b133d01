"""Design guards: each threshold, and the messy-export failure they exist for."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rpeval.report._guards import (
    Guards,
    balance_guard,
    coding_guard,
    events_guard,
    kept_guard,
    ph_guard,
    sample_size_guard,
    support_guard,
)
from tests.hypothesis_budget import budget


@pytest.mark.parametrize(
    ("n", "kept", "status"),
    [
        (244, 12, "fail"),
        (100, 49, "fail"),
        (100, 50, "warning"),
        (100, 79, "warning"),
        (100, 80, "pass"),
    ],
)
def test_kept_thresholds(n: int, kept: int, status: str) -> None:
    guard = kept_guard(n, kept)
    assert guard.status == status
    assert (f"{kept} of {n}" in guard.message) and ("describe them" in guard.message) == (
        status != "pass"
    )


def test_labels_spelled_several_ways_are_named() -> None:
    frame = pd.DataFrame(
        {
            "sex": ["M", "M ", "male", "Male", "F", "female"],
            "offense": ["Property", "PROPERTY", "drug", "drug", "drug", "drug"],
            "age": [20, 30, 40, 50, 60, 70],
        }
    )
    guard = coding_guard(frame, ["sex", "offense", "age"])
    assert guard.status == "fail"
    assert guard.details == (
        "sex: 'M', 'M '",
        "sex: 'Male', 'male'",
        "offense: 'PROPERTY', 'Property'",
    )
    assert coding_guard(frame.assign(sex="F", offense="drug"), ["sex", "offense"]).status == "pass"


def test_levels_only_participants_have_break_support() -> None:
    frame = pd.DataFrame({"offense": ["arson", "arson", "drug", "drug", "drug"], "age": range(5)})
    treated = np.array([True, True, True, False, False])
    guard = support_guard(frame, treated, ["offense", "age"])
    assert guard.status == "fail"
    assert guard.details == ("offense = 'arson': 2 participants, no comparison",)
    # a level only the comparison pool has does not matter for the participants
    assert support_guard(frame, ~treated, ["offense"]).status == "pass"


def test_balance_thresholds_ignore_the_score() -> None:
    after = pd.DataFrame(
        {"term": ["distance", "age", "priors"], "std_mean_diff": [0.9, 0.05, -0.15]}
    )
    guard = balance_guard(after)
    assert guard.status == "warning" and guard.value == pytest.approx(0.15)
    assert guard.details == ("priors: -0.15",)
    assert balance_guard(after.assign(std_mean_diff=[0.9, 0.3, 0.0])).status == "fail"
    assert balance_guard(after.assign(std_mean_diff=[0.9, 0.1, 0.0])).status == "pass"


@given(st.lists(st.floats(0.01, 100.0), min_size=1, max_size=300))
@budget(100, deadline=None)
def test_effective_sample_size_is_kish(weights: list[float]) -> None:
    w = np.asarray(weights)
    guard = sample_size_guard(np.concatenate([[1.0], w]), np.r_[True, np.zeros(w.size, bool)])
    assert guard.value == pytest.approx(w.sum() ** 2 / (w**2).sum())
    assert 1.0 - 1e-9 <= guard.value <= w.size + 1e-9
    expected = "fail" if guard.value < 30 else "warning" if guard.value < 100 else "pass"
    assert guard.status == expected


def test_events_and_proportional_hazards() -> None:
    events = pd.Series([1] * 9 + [0] * 5 + [1] * 30)
    groups = pd.Series([True] * 14 + [False] * 30)
    guard = events_guard(events, groups, {True: "participants", False: "comparison"})
    assert guard.status == "fail" and guard.value == 9
    assert "participants: 9 re-arrests" in guard.details
    assert ph_guard(0.01).status == "warning" and ph_guard(0.2).status == "pass"
    assert ph_guard(None).value is None


def test_guards_order_and_summary() -> None:
    guards = Guards.of([ph_guard(0.01), kept_guard(100, 90), kept_guard(100, 10)])
    assert [g.status for g in guards.items] == ["fail", "warning", "pass"]
    assert not guards.ok and len(guards.warnings) == 1
    assert list(guards.summary().columns) == ["name", "status", "value", "threshold", "message"]
    assert guards.to_dict()["ok"] is False


@budget(60)
@given(
    st.lists(
        st.tuples(st.sampled_from(["a", "b", "c", None, 1, True, 2.0]), st.booleans()),
        min_size=1,
        max_size=30,
    ),
    st.sampled_from(["object", "str"]),
)
def test_support_guard_equals_the_row_selecting_check(
    rows: list[tuple[object, bool]], dtype: str
) -> None:
    # the quick check (one factorisation) finds exactly the cases the full check reports
    values = [v for v, _ in rows]
    if dtype == "str":
        values = [None if v is None else str(v) for v in values]
    frame = pd.DataFrame({"x": pd.Series(values, dtype=dtype)})
    treated = np.array([t for _, t in rows])
    column = frame["x"]
    in_treated = column[treated].value_counts()
    in_control = set(column[~treated].dropna().unique())
    expected = tuple(
        f"x = {level!r}: {count} participants, no comparison"
        for level, count in in_treated.items()
        if level not in in_control
    )
    assert support_guard(frame, treated, ["x"]).details == expected
