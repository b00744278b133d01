"""``missing=`` in match(), balance(), aipw() and risk_set_match(): an error naming the
counts per column by default; with ``"drop"`` the same result as the complete-case frame,
the dropped rows counted and the result's rows still labelled as in the caller's frame."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given
from hypothesis import strategies as st

from rpeval.datasets import simulate_program
from rpeval.errors import DataError, RpevalError, SpecificationError
from rpeval.matching import aipw, balance, match, risk_set_match
from rpeval.matching.result import MatchResult
from tests.hypothesis_budget import budget

COVARIATES = ["age", "prior_arrests", "sex"]
PEOPLE = simulate_program(60, 240, random_state=4).people


def _with_holes(frame: pd.DataFrame, holes: dict[str, list[int]]) -> pd.DataFrame:
    """`frame` with missing values at the given row positions of each column."""
    out = frame.copy()
    for column, rows in holes.items():
        if pd.api.types.is_bool_dtype(out[column].dtype):
            out[column] = out[column].astype(object)
        elif pd.api.types.is_integer_dtype(out[column].dtype):
            out[column] = out[column].astype(np.float64)
        out.loc[out.index[rows], column] = None
    return out


def _same_match(dropped: MatchResult, complete: MatchResult) -> None:
    pd.testing.assert_frame_equal(dropped.data, complete.data)
    pd.testing.assert_frame_equal(dropped.pairs, complete.pairs)
    pd.testing.assert_frame_equal(dropped.counts(), complete.counts())


HOLED = _with_holes(PEOPLE, {"age": [0, 5, 9], "sex": [5, 17], "offense_type": [3]})
HOLED.index = HOLED.index * 10 + 7  # labels that are not positions


@pytest.mark.parametrize(
    ("function", "call", "expected"),
    [
        (match, lambda d: match(d, "participant", COVARIATES), "match(): 4 of 300 rows"),
        (balance, lambda d: balance(d, "participant", COVARIATES), "balance(): 4 of 300 rows"),
        (aipw, lambda d: aipw(d, "participant", "rearrested", COVARIATES), "aipw(): 4 of 300"),
    ],
)
def test_missing_values_raise_with_counts_by_default(
    function: Any, call: Any, expected: str
) -> None:
    with pytest.raises(DataError, match="missing values") as caught:
        call(HOLED)
    assert caught.value.message.startswith(expected)
    assert "('age': 3, 'sex': 2)" in caught.value.message
    assert "missing='drop'" in (caught.value.hint or "")


def test_every_column_match_reads_counts() -> None:
    frame = HOLED.assign(score=np.linspace(0.1, 0.9, len(HOLED)), pid=range(len(HOLED)))
    frame.loc[frame.index[[1, 2]], "score"] = np.nan
    frame.loc[frame.index[[2]], "pid"] = None
    with pytest.raises(DataError) as caught:
        match(frame, "participant", ["age"], distance="score", exact="offense_type", tie_key="pid")
    assert "('age': 3, 'score': 2, 'offense_type': 1, 'pid': 1)" in caught.value.message
    m = match(
        frame, "participant", ["age"], distance="score", exact="offense_type", tie_key="pid",
        missing="drop",
    )  # fmt: skip
    assert m.n_dropped == 6
    assert m.missing_by_column == {
        "participant": 0, "age": 3, "score": 2, "offense_type": 1, "pid": 1,
    }  # fmt: skip
    strata = match(frame, "participant", ["prior_arrests"], method="exact", distance="score")
    assert strata.n_dropped == 0  # exact strata read no score


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"distance": "mahalanobis"},
        {"method": "optimal", "ratio": 2},
        {"method": "full"},
        {"method": "subclass", "estimand": "ATE"},
        {"method": "exact", "exact": "offense_type"},
        {"exact": "offense_type", "caliper": 0.5, "replace": True},
        {"tie_key": "person_id", "order": "random", "random_state": 3},
    ],
)
def test_match_drop_is_the_complete_case_match(options: dict[str, Any]) -> None:
    covariates = ["age", "prior_arrests"] if options.get("method") == "exact" else COVARIATES
    read = ["participant", *covariates, *([options["exact"]] if "exact" in options else [])]
    dropped = match(HOLED, "participant", covariates, missing="drop", **options)
    complete = match(HOLED.dropna(subset=read), "participant", covariates, **options)
    _same_match(dropped, complete)
    n_dropped = int(HOLED[read].isna().any(axis=1).sum())
    assert dropped.n_dropped == n_dropped and complete.n_dropped == 0
    assert set(dropped.data.index) <= set(HOLED.dropna(subset=read).index)
    both = dropped.pairs[["focal", "match"]].to_numpy().ravel()
    assert set(both) <= set(HOLED.dropna(subset=read).index)  # the caller's labels
    assert (dropped.data["person_id"] == HOLED.loc[dropped.data.index, "person_id"]).all()


def test_match_drop_is_shown_and_recorded() -> None:
    m = match(HOLED, "participant", COVARIATES, missing="drop")
    assert re.search(r"dropped: +4 rows with missing values \('age': 3, 'sex': 2\)", str(m))
    assert m.to_dict()["n_dropped"] == 4
    assert m.to_dict()["missing_by_column"] == {
        "participant": 0, "age": 3, "prior_arrests": 0, "sex": 2,
    }  # fmt: skip
    assert m.settings["missing"] == "drop"
    assert m.balance().n_dropped == 4 and re.search("dropped: +4 rows", str(m.balance()))
    clean = match(PEOPLE, "participant", COVARIATES, missing="drop")
    assert clean.n_dropped == 0 and "dropped" not in str(clean)
    _same_match(clean, match(PEOPLE, "participant", COVARIATES))


def test_balance_drop_is_the_complete_case_balance() -> None:
    frame = HOLED.assign(w=1.0 + (HOLED["age"].fillna(0) % 3))
    frame.loc[frame.index[[40]], "w"] = np.nan
    table = balance(frame, "participant", COVARIATES, weights="w", missing="drop")
    complete = frame.dropna(subset=["participant", *COVARIATES, "w"])
    expected = balance(complete, "participant", COVARIATES, weights="w")
    pd.testing.assert_frame_equal(table.summary(), expected.summary())
    assert table.n_dropped == 5 and table.missing_by_column["w"] == 1
    assert table.to_dict()["n_dropped"] == 5 and re.search("dropped: +5 rows", str(table))


def test_aipw_drop_is_the_complete_case_aipw() -> None:
    frame = _with_holes(HOLED, {"rearrested": [30, 31]})
    options: dict[str, Any] = {"estimand": "ATT", "cross_fit": 2, "random_state": 5}
    got = aipw(frame, "participant", "rearrested", COVARIATES, missing="drop", **options)
    complete = frame.dropna(subset=["participant", "rearrested", *COVARIATES])
    complete = complete.assign(rearrested=complete["rearrested"].astype(bool))
    expected = aipw(complete, "participant", "rearrested", COVARIATES, **options)
    assert got.estimate == pytest.approx(expected.estimate, rel=1e-12)
    assert got.std_error == pytest.approx(expected.std_error, rel=1e-12)
    assert got.n == expected.n == len(complete)
    assert got.n_dropped == 6 and got.to_dict()["missing_by_column"]["rearrested"] == 2
    assert re.search("dropped: +6 rows", str(got)) and expected.n_dropped == 0


def _cohort() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "pid": [1, 2, 3, 4, 5, 6],
            "entry": pd.to_datetime(pd.Series(["2024-03-01", None, "2024-06-01", *[None] * 3])),
            "arrest": pd.to_datetime(
                pd.Series(["2024-01-10", "2024-02-01", "2024-01-05", "2024-05-01", "2024-01-02"])
            ).reindex(range(6)),
            "age": [19.0, 20.0, 30.0, 31.0, np.nan, 25.0],
        }
    )


def test_risk_set_match_drop_is_the_complete_case_match() -> None:
    people = _cohort()
    options: dict[str, Any] = {
        "id": "pid", "entry_date": "entry", "eligible_from": "arrest", "covariates_at": ["age"],
    }  # fmt: skip
    with pytest.raises(DataError, match=r"2 of 6 rows of `people` have missing values"):
        risk_set_match(people, **options)
    got = risk_set_match(people, missing="drop", **options)
    expected = risk_set_match(people.iloc[:4], **options)
    pd.testing.assert_frame_equal(got.data, expected.data)
    assert got.n_dropped == 2 and got.missing_by_column == {"pid": 0, "arrest": 1, "age": 1}
    assert got.to_dict()["n_dropped"] == 2 and got.settings["missing"] == "drop"
    assert set(got.data["pid"]) == {1, 2, 3, 4}
    shown = str(got)
    assert re.search(r"dropped: +2 rows with missing values \('arrest': 1, 'age': 1\)", shown)
    assert "Risk-set matching" in got._repr_html_() and "dropped" not in str(expected)


@pytest.mark.parametrize("policy", ["ignore", None, True])
def test_unknown_policy_is_a_specification_error(policy: Any) -> None:
    calls: list[Callable[[], object]] = [
        lambda: match(PEOPLE, "participant", COVARIATES, missing=policy),
        lambda: balance(PEOPLE, "participant", COVARIATES, missing=policy),
        lambda: aipw(PEOPLE, "participant", "rearrested", COVARIATES, missing=policy),
        lambda: risk_set_match(
            _cohort(),
            id="pid",
            entry_date="entry",
            eligible_from="arrest",
            covariates_at="age",
            missing=policy,
        ),
    ]
    for call in calls:
        with pytest.raises(SpecificationError, match="is not a policy"):
            call()


READ = ["participant", *COVARIATES]
SMALL = simulate_program(25, 60, random_state=8).people.reset_index(drop=True)
DESIGNS: list[dict[str, Any]] = [
    {},
    {"distance": "mahalanobis"},
    {"method": "optimal"},
    {"exact": "offense_type", "replace": True},
    {"method": "subclass", "n_subclasses": 3},
]


@budget(60, suppress_health_check=[HealthCheck.too_slow])
@given(
    holes=st.lists(
        st.tuples(
            st.sampled_from(["participant", *COVARIATES, "offense_type"]), st.integers(0, 84)
        ),
        max_size=25,
    ),
    design=st.sampled_from(DESIGNS),
)
def test_random_holes_drop_equals_the_complete_case_run(
    holes: list[tuple[str, int]], design: dict[str, Any]
) -> None:
    by_column: dict[str, list[int]] = {}
    for column, row in holes:
        by_column.setdefault(column, []).append(row)
    frame = _with_holes(SMALL, by_column)
    read = ["participant", *COVARIATES, *([design["exact"]] if "exact" in design else [])]
    complete = frame.dropna(subset=read)
    groups = complete["participant"].astype(bool)
    assume(groups.sum() >= 5 and (~groups).sum() >= 5)
    try:
        expected = match(complete, "participant", COVARIATES, **design)
    except RpevalError as error:
        with pytest.raises(type(error)):
            match(frame, "participant", COVARIATES, missing="drop", **design)
        return
    got = match(frame, "participant", COVARIATES, missing="drop", **design)
    _same_match(got, expected)
    assert got.n_dropped == len(frame) - len(complete)
    assert got.missing_by_column == {c: int(frame[c].isna().sum()) for c in read}
    table = balance(frame, "participant", COVARIATES, missing="drop")
    expected_table = balance(frame.dropna(subset=READ), "participant", COVARIATES)
    pd.testing.assert_frame_equal(table.summary(), expected_table.summary())
