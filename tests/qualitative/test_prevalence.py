"""Theme prevalence per participant by group, suppression, adjusted group differences,
co-occurrence and the joint display."""

from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.multitest import multipletests

from rpeval.datasets.interviews import simulate_interviews
from rpeval.errors import DataError, SpecificationError
from rpeval.qualitative import (
    CAVEAT,
    codebook_from_text,
    coded_segments,
    cooccurrence,
    joint_display,
    theme_prevalence,
)

matplotlib.use("Agg")

BOOK = codebook_from_text(
    """
name: tiny
version: 1.0.0
title: Tiny
codes:
  - {name: heard, definition: Heard.}
  - {name: fair, definition: Fair.}
"""
)


def _tiny() -> pd.DataFrame:
    # p1 (victim) says "heard" in two segments; p2 (victim) never; p3 (officer) once
    return pd.DataFrame(
        {
            "segment": ["a", "a", "b", "c", "d", "e", "e"],
            "participant": ["p1", "p1", "p1", "p2", "p3", "p3", "p3"],
            "group": ["victim", "victim", "victim", "victim", "officer", "officer", "officer"],
            "coder": ["x", "y", "x", "x", "x", "x", "y"],
            "code": ["heard", "heard", "heard", None, "fair", "heard", None],
        }
    )


def test_per_participant_not_per_segment() -> None:
    coded = coded_segments(_tiny(), BOOK)
    table = theme_prevalence(coded).summary().set_index(["code", "group"])
    assert table.loc[("heard", "victim"), "prevalence"] == 0.5  # p1 counts once
    assert table.loc[("heard", "victim"), "n"] == 2
    assert table.loc[("heard", "officer"), "prevalence"] == 1.0
    segment = theme_prevalence(coded, unit="segment").summary().set_index(["code", "group"])
    assert segment.loc[("heard", "victim"), "prevalence"] == pytest.approx(2 / 3)
    majority = theme_prevalence(coded, rule="majority").summary().set_index(["code", "group"])
    assert (
        majority.loc[("heard", "officer"), "prevalence"] == 0.0
    )  # one coder of two is not more than half
    assert majority.loc[("heard", "victim"), "prevalence"] == 0.5


@pytest.fixture(scope="module")
def sim():  # type: ignore[no-untyped-def]
    data = simulate_interviews(300, random_state=5)
    coded = coded_segments(data.segments, codebook_from_text(data.codebook_yaml), rating="rating")
    return data, coded


def test_columns_bounds_and_adjustment(sim) -> None:  # type: ignore[no-untyped-def]
    _, coded = sim
    result = theme_prevalence(coded, adjust="holm")
    table = result.summary()
    assert list(table.columns) == [
        "code",
        "group",
        "n",
        "n_with",
        "prevalence",
        "ci_lower",
        "ci_upper",
        "suppressed",
    ]
    ok = table["prevalence"].notna()
    assert (
        (table.loc[ok, "ci_lower"] <= table.loc[ok, "prevalence"])
        & (table.loc[ok, "prevalence"] <= table.loc[ok, "ci_upper"])
    ).all()
    assert table[["prevalence", "ci_lower", "ci_upper"]].stack().between(0, 1).all()
    tests = result.differences()
    raw = tests["p_value"].to_numpy()
    np.testing.assert_allclose(tests["p_adjusted"], multipletests(raw, method="holm")[1])
    bh = theme_prevalence(coded, adjust="bh").differences()
    np.testing.assert_allclose(bh["p_adjusted"], multipletests(raw, method="fdr_bh")[1])
    # safety concerns differ by group by construction (0.10 offenders .. 0.40 victims)
    assert tests.set_index("code").loc["safety_concern", "p_adjusted"] < 0.01
    assert "Theme prevalence" in str(result) and "<table" in result._repr_html_()
    assert result.to_dict()["unit"] == "participant"
    result.plot()


def test_suppression(sim) -> None:  # type: ignore[no-untyped-def]
    _, coded = sim
    table = theme_prevalence(coded, suppress_below=25).summary()
    hidden = table[table["suppressed"]]
    assert len(hidden) > 0
    assert hidden[["prevalence", "ci_lower", "ci_upper"]].isna().all().all()
    assert hidden["n_with"].isna().all()
    shown = table[~table["suppressed"]]
    without = shown["n"] - shown["n_with"]
    assert (shown["n_with"].isin([0]) | (shown["n_with"] >= 25)).all()
    assert (without.isin([0]) | (without >= 25)).all()
    with pytest.raises(SpecificationError, match="suppress_below"):
        theme_prevalence(coded, suppress_below=0)
    with pytest.raises(SpecificationError, match="adjust"):
        theme_prevalence(coded, adjust="bonferoni")


def test_cooccurrence(sim) -> None:  # type: ignore[no-untyped-def]
    _, coded = sim
    result = cooccurrence(coded)
    matrix = result.matrix
    presence = coded.presence()
    assert matrix.loc["felt_heard", "felt_heard"] == presence["felt_heard"].sum()
    both = int((presence["felt_heard"] & presence["safety_concern"]).sum())
    assert matrix.loc["felt_heard", "safety_concern"] == both
    assert (matrix.to_numpy() == matrix.to_numpy().T).all()
    pairs = result.summary()
    assert pairs["jaccard"].between(0, 1).all()
    small = cooccurrence(coded, suppress_below=10_000).matrix
    assert small.isna().all().all()
    result.plot()


def test_joint_display(sim) -> None:  # type: ignore[no-untyped-def]
    data, coded = sim
    joint = joint_display(
        coded, data.participants, theme="felt_heard", outcome="rearrest_12m", missing="drop"
    )
    table = joint.summary()
    assert list(table.columns) == [
        "theme_held",
        "n",
        "n_events",
        "value",
        "ci_lower",
        "ci_upper",
        "suppressed",
    ]
    assert joint.kind == "binary" and joint.caveat == CAVEAT
    assert joint.n_without_outcome == (data.participants["group"] != "offender").sum()
    assert table["n"].sum() == (data.participants["group"] == "offender").sum()
    assert joint.difference_ci_lower < joint.difference < joint.difference_ci_upper
    assert "Descriptive only" in str(joint) and "Descriptive only" in joint._repr_html_()
    assert joint.to_dict()["caveat"] == CAVEAT
    joint.plot()
    numeric = data.participants.assign(score=np.arange(len(data.participants), dtype=float))
    assert joint_display(coded, numeric, theme="procedural_justice", outcome="score").kind == (
        "numeric"
    )
    # true/false with missing values as a CSV reader leaves them (object dtype)
    as_object = data.participants.assign(
        rearrest_12m=data.participants["rearrest_12m"].astype(object)
    )
    again = joint_display(
        coded, as_object, theme="felt_heard", outcome="rearrest_12m", missing="drop"
    )
    pd.testing.assert_frame_equal(again.summary(), table)
    hidden = joint_display(
        coded,
        data.participants,
        theme="felt_heard",
        outcome="rearrest_12m",
        suppress_below=1000,
        missing="drop",
    )
    assert hidden.summary()["suppressed"].all() and np.isnan(hidden.difference)
    with pytest.raises(DataError, match="several rows"):
        joint_display(
            coded,
            pd.concat([data.participants] * 2),
            theme="felt_heard",
            outcome="rearrest_12m",
            missing="drop",
        )
