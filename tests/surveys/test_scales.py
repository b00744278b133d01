"""Scales: recoding, scores and reliability against psych 2.2.9 (surveys_scales.R)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import rpeval.surveys as sv
from rpeval.errors import DataError, SpecificationError
from tests.hypothesis_budget import budget
from tests.reference_data import reference, reference_csv

CASES = [
    ("agreeableness", ["A1", "A2", "A3", "A4", "A5"], ["A1"]),
    ("conscientiousness", ["C1", "C2", "C3", "C4", "C5"], ["C4", "C5"]),
    ("agreeableness_unreversed", ["A2", "A3", "A4", "A5"], []),
]


@pytest.mark.parametrize(("name", "items", "reverse"), CASES)
def test_alpha_matches_psych(name: str, items: list[str], reverse: list[str]) -> None:
    expected = reference("surveys_scales")["results"][name]
    data = reference_csv("bfi_items.csv")
    rows = (
        expected["items"] if name != "agreeableness_unreversed" else [f"A{i}" for i in range(1, 6)]
    )
    data = data.dropna(subset=rows)  # psych was given na.omit() of all five items
    result = sv.reliability(data, items, scale=(1, 6), reverse=reverse)
    assert result.n == expected["n"]
    assert result.alpha == pytest.approx(expected["raw_alpha"], abs=1e-12)
    assert result.alpha_std == pytest.approx(expected["std_alpha"], abs=1e-12)
    assert result.ci_lower == pytest.approx(np.ravel(expected["feldt_lower"])[0], abs=1e-12)
    assert result.ci_upper == pytest.approx(np.ravel(expected["feldt_upper"])[0], abs=1e-12)
    table = result.summary()
    np.testing.assert_allclose(table["alpha_if_dropped"], expected["drop_raw"], atol=1e-12)
    np.testing.assert_allclose(table["alpha_std_if_dropped"], expected["drop_std"], atol=1e-12)
    np.testing.assert_allclose(table["r_drop"], expected["r_drop"], atol=1e-12)


def test_omega_total_matches_psych() -> None:
    expected = reference("surveys_scales")["results"]["omega"]
    data = reference_csv("bfi_items.csv")
    for name, items, reverse in CASES[:2]:
        result = sv.reliability(data, items, scale=(1, 6), reverse=reverse)
        # psych's L-BFGS-B stops near 1e-8 of the exact minres optimum we iterate to
        assert result.omega_total == pytest.approx(expected[name], abs=1e-6)


def test_recoding_rules() -> None:
    frame = pd.DataFrame({"q1": [1, 5, 9, None], "q2": [2, 4, 3, 1], "q3": [1, 2, 3, 4]})
    with pytest.raises(DataError, match=r"item 'q1' has 1 answers outside the scale 1 to 5"):
        sv.recode_items(frame, ["q1", "q2"], scale=(1, 5))
    with pytest.raises(SpecificationError, match=r"reverse-scored items \['q4'\]"):
        sv.recode_items(frame, ["q1", "q2"], scale=(1, 5), reverse=["q4"], missing_codes=[9])
    with pytest.raises(SpecificationError, match="scale="):
        sv.recode_items(frame, ["q2"], scale=(5, 1))
    with pytest.raises(DataError, match="outside the scale"):
        sv.recode_items(frame.assign(q2=[1.5, 2, 3, 4]), ["q2"], scale=(1, 5))
    out = sv.recode_items(frame, ["q1", "q2"], scale=(1, 5), reverse=["q1"], missing_codes=[9])
    assert out["q1"].tolist()[:2] == [5.0, 1.0] and np.isnan(out["q1"][2])
    assert frame["q1"].tolist()[:3] == [1, 5, 9]  # input untouched


def test_scale_scores_missing_items_rule() -> None:
    frame = pd.DataFrame({"q1": [1, 5, None], "q2": [2, None, None], "q3": [3, 4, 2]})
    scores = sv.scale_scores(frame, ["q1", "q2", "q3"], scale=(1, 5), min_answered=3)
    assert scores.tolist()[0] == 2.0 and scores.isna().tolist() == [False, True, True]
    summed = sv.scale_scores(frame, ["q1", "q2", "q3"], scale=(1, 5), method="sum")
    assert summed.tolist()[:2] == [6.0, 13.5]
    with pytest.raises(SpecificationError, match="min_answered"):
        sv.scale_scores(frame, ["q1", "q2"], scale=(1, 5), min_answered=3)


def test_reliability_result_contract() -> None:
    data = reference_csv("bfi_items.csv")
    result = sv.reliability(data, ["A1", "A2", "A3", "A4", "A5"], scale=(1, 6))
    assert result.n_dropped > 0
    assert "r_drop < 0.2" in str(result)  # A1 left unreversed correlates negatively
    assert result.to_dict()["n"] == result.n
    assert list(result.summary().columns) == [
        "item",
        "reversed",
        "alpha_if_dropped",
        "alpha_std_if_dropped",
        "r_drop",
        "loading",
        "mean",
        "sd",
    ]
    with pytest.raises(DataError, match="same answer"):
        sv.reliability(data.assign(A2=3), ["A1", "A2"], scale=(1, 6))


def test_reliability_names_items_that_repeat_others() -> None:
    """A singular correlation matrix (an item the exact reverse of another, or a sum of
    others) leaves omega undefined: a DataError naming the items, not a numpy error."""
    frame = pd.DataFrame({"q1": [1, 2, 4, 5, 3, 4, 2], "q2": [2, 2, 5, 4, 3, 5, 1]})
    with pytest.raises(DataError, match=r"singular: 'q1' and 'q3' \(r = -1.000\)"):
        sv.reliability(frame.assign(q3=6 - frame["q1"]), ["q1", "q2", "q3"], scale=(1, 5))
    total = frame["q1"] + frame["q2"]
    with pytest.raises(DataError, match="linear combination"):
        sv.reliability(frame.assign(q3=total), ["q1", "q2", "q3"], scale=(1, 10))


@budget(40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), k=st.integers(3, 7), order_seed=st.integers(0, 1000))
def test_alpha_is_invariant_to_item_order(seed: int, k: int, order_seed: int) -> None:
    rng = np.random.default_rng(seed)
    trait = rng.normal(size=120)
    data = pd.DataFrame(
        {f"q{i}": np.clip(np.round(3 + trait + rng.normal(size=120)), 1, 5) for i in range(k)}
    )
    items = list(data.columns)
    shuffled = list(np.random.default_rng(order_seed).permutation(items))
    one = sv.reliability(data, items, scale=(1, 5))
    two = sv.reliability(data, shuffled, scale=(1, 5))
    assert one.alpha == pytest.approx(two.alpha, abs=1e-12)
    assert one.alpha_std == pytest.approx(two.alpha_std, abs=1e-12)
    assert one.omega_total == pytest.approx(two.omega_total, abs=1e-9)
    by_item = one.summary().set_index("item").loc[shuffled, "r_drop"].to_numpy()
    np.testing.assert_allclose(by_item, two.summary()["r_drop"], atol=1e-12)


def test_reverse_item_missing_from_the_data() -> None:
    frame = pd.DataFrame({"q1": [1, 2], "q2": [3, 4]})
    with pytest.raises(DataError, match=r"column 'q3' \(argument `items`\) is not in `data`"):
        sv.reliability(frame, ["q1", "q2", "q3"], scale=(1, 5), reverse=["q3"])
