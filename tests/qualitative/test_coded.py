"""Coded segments against the codebook: presence vs not read, ordinal ratings, bad input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from rpeval.errors import CodebookError, DataError
from rpeval.qualitative import coded_segments, load_codebook

BOOK = load_codebook(Path(__file__).parent / "fixtures" / "codebooks" / "victim_interviews.yaml")


def _rows() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "segment": ["s1", "s1", "s1", "s2", "s2", "s3", "s3"],
            "participant": ["p1", "p1", "p1", "p1", "p1", "p2", "p2"],
            "group": ["victim"] * 5 + ["officer"] * 2,
            "coder": ["ann", "bob", "ann", "ann", "bob", "ann", "ann"],
            "code": [
                "felt_heard",
                "felt_heard",
                "apology_sincere",
                None,
                "fair_process",
                "fair_process",
                "apology_sincere",
            ],
            "rating": [None, None, 2, None, None, None, 3],
        }
    )


def test_presence_zero_when_read_missing_when_not() -> None:
    coded = coded_segments(_rows(), BOOK, rating="rating")
    felt = coded.ratings("felt_heard")
    assert felt.loc["s1"].tolist() == [1.0, 1.0]
    assert felt.loc["s2"].tolist() == [0.0, 0.0]
    assert felt.loc["s3", "ann"] == 0.0 and np.isnan(felt.loc["s3", "bob"])
    apology = coded.ratings("apology_sincere")
    assert apology.loc["s1", "ann"] == 2.0 and np.isnan(apology.loc["s1", "bob"])
    assert coded.coders == ("ann", "bob") and coded.n_segments == 3
    presence = coded.presence()
    assert presence.loc["p1", "felt_heard"] == 1 and presence.loc["p2", "felt_heard"] == 0
    assert presence.loc["p2", "apology_sincere"] == 1
    assert list(coded.summary().columns) == [
        "code",
        "scale",
        "n_segments",
        "n_applied",
        "n_participants",
    ]
    assert "3 segments" in str(coded) and coded.to_dict()["codebook"] == "victim_interviews"


def test_input_not_mutated() -> None:
    rows = _rows()
    before = rows.copy()
    coded_segments(rows, BOOK, rating="rating")
    pd.testing.assert_frame_equal(rows, before)


def test_unknown_code_did_you_mean() -> None:
    rows = _rows()
    rows.loc[0, "code"] = "felt_herd"
    with pytest.raises(CodebookError, match=r"'felt_herd'.*did you mean 'felt_heard'"):
        coded_segments(rows, BOOK, rating="rating")


def test_rating_off_the_scale() -> None:
    rows = _rows()
    rows.loc[2, "rating"] = 7
    with pytest.raises(CodebookError, match=r"rating 7.* not on its scale \[0, 1, 2, 3\]"):
        coded_segments(rows, BOOK, rating="rating")


def test_ordinal_needs_a_rating_column_and_values() -> None:
    with pytest.raises(CodebookError, match="is ordinal but no `rating=`"):
        coded_segments(_rows(), BOOK)
    rows = _rows()
    rows.loc[2, "rating"] = None
    with pytest.raises(CodebookError, match="without a rating"):
        coded_segments(rows, BOOK, rating="rating")


def test_presence_rating_must_be_binary() -> None:
    rows = _rows()
    rows.loc[0, "rating"] = 3
    with pytest.raises(CodebookError, match="presence code 'felt_heard' has rating 3"):
        coded_segments(rows, BOOK, rating="rating")


@pytest.mark.parametrize(
    ("change", "needle"),
    [
        (
            lambda r: r.assign(participant=["p1", "p9", *r["participant"][2:]]),
            "several participants",
        ),
        (lambda r: r.assign(group=["victim", "officer", *r["group"][2:]]), "several groups"),
        (
            lambda r: r.assign(coder=[None, *r["coder"][1:]]),
            r"1 of 7 rows of `data` have missing values \('coder': 1\)",
        ),
        (lambda r: pd.concat([r, r.iloc[[0]]]), "more than once"),
        (lambda r: r.drop(columns="group"), "'group'"),
    ],
)
def test_bad_frames(change: object, needle: str) -> None:
    rows = change(_rows())  # type: ignore[operator]
    with pytest.raises(DataError, match=needle):
        coded_segments(rows, BOOK, rating="rating")
