"""Hand-worked checks of match() options: calipers, discard, ATC, order, per-covariate."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rpeval.matching import match

SMALL = pd.DataFrame(
    {
        "treat": [1, 1, 1, 0, 0, 0, 0, 0],
        "score": [0.10, 0.50, 0.90, 0.12, 0.45, 0.60, 0.95, 0.99],
        "age": [20, 30, 40, 21, 50, 31, 41, 60],
    }
)


def _pairs(result) -> set[tuple[int, int]]:  # type: ignore[no-untyped-def]
    return set(zip(result.pairs["focal"], result.pairs["match"], strict=True))


def test_largest_first_greedy_by_hand() -> None:
    # order: 0.90 takes 0.95, 0.50 takes 0.45, 0.10 takes 0.12
    assert _pairs(match(SMALL, "treat", ["age"], distance="score")) == {(2, 6), (1, 4), (0, 3)}


def test_standardised_caliper_uses_the_sd_of_the_distance() -> None:
    sd = SMALL["score"].std(ddof=1)
    width = 0.1 * sd  # about 0.036
    result = match(SMALL, "treat", ["age"], distance="score", caliper=0.1)
    assert result.settings["caliper_width"] == pytest.approx(width)
    # 0.90-0.95 (0.05) and 0.50-0.45 (0.05) exceed the width; 0.10-0.12 (0.02) does not
    assert _pairs(result) == {(0, 3)}
    raw = match(SMALL, "treat", ["age"], distance="score", caliper=0.06, std_caliper=False)
    assert _pairs(raw) == {(2, 6), (1, 4), (0, 3)}


def test_per_covariate_caliper() -> None:
    result = match(
        SMALL, "treat", ["age"], distance="score", caliper={"age": 5.0}, std_caliper=False
    )
    pairs = _pairs(result)
    for t, c in pairs:
        assert abs(SMALL.loc[t, "age"] - SMALL.loc[c, "age"]) <= 5
    assert (1, 5) in pairs  # 0.50 skips 0.45 (age 50) for 0.60 (age 31)


def test_discard_control_outside_treated_range() -> None:
    result = match(SMALL, "treat", ["age"], distance="score", discard="control")
    counts = result.counts()
    assert counts.loc["discarded", "control"] == 2  # 0.95 and 0.99 lie above 0.90
    assert counts.loc["discarded", "treated"] == 0
    assert 6 not in set(result.pairs["match"]) and 7 not in set(result.pairs["match"])


def test_atc_matches_controls_to_treated() -> None:
    result = match(SMALL, "treat", ["age"], distance="score", estimand="ATC", replace=True)
    assert set(result.pairs["focal"]) == {3, 4, 5, 6, 7}  # every control gets a match
    data = result.data
    assert (data.loc[data["treat"] == 0, "weights"] == 1).all()


def test_random_order_is_seeded() -> None:
    rng = np.random.default_rng(5)
    df = pd.DataFrame(
        {
            "treat": [1] * 30 + [0] * 40,
            "score": rng.uniform(size=70),
            "age": rng.integers(18, 60, 70),
        }
    )
    a = match(df, "treat", ["age"], distance="score", order="random", random_state=3)
    b = match(df, "treat", ["age"], distance="score", order="random", random_state=3)
    pd.testing.assert_frame_equal(a.pairs, b.pairs)


def test_antiexact_forbids_the_same_officer() -> None:
    df = SMALL.assign(officer=["a", "b", "c", "a", "b", "c", "c", "a"])
    result = match(df, "treat", ["age"], distance="score", antiexact="officer")
    for t, c in _pairs(result):
        assert df.loc[t, "officer"] != df.loc[c, "officer"]


def test_link_is_a_deprecated_alias_of_distance_scale() -> None:
    from rpeval.datasets import simulate_program
    from rpeval.errors import SpecificationError

    people = simulate_program(60, 240, random_state=5).people
    formula = "age + prior_arrests"
    linear = match(people, "participant", formula, distance_scale="linear", caliper=0.2)
    with pytest.warns(FutureWarning, match='distance_scale="linear"'):
        old = match(people, "participant", formula, link="linear.logit", caliper=0.2)
    pd.testing.assert_frame_equal(old.data, linear.data)
    assert old.settings["distance_scale"] == "linear"
    probability = match(people, "participant", formula)
    with pytest.warns(FutureWarning, match='distance_scale="probability"'):
        logit = match(people, "participant", formula, link="logit")
    pd.testing.assert_frame_equal(logit.data, probability.data)
    assert not np.allclose(linear.data["distance"].iloc[:5], probability.data["distance"].iloc[:5])
    with pytest.raises(SpecificationError, match="distance_scale"):
        match(people, "participant", formula, distance_scale="logit")  # type: ignore[arg-type]
    with pytest.raises(SpecificationError, match="link='probit'"):
        match(people, "participant", formula, link="probit")
    with pytest.warns(FutureWarning), pytest.raises(SpecificationError, match="disagree"):
        match(people, "participant", formula, link="logit", distance_scale="linear")


def test_distance_scale_is_checked_before_the_propensity_model() -> None:
    from rpeval.errors import SpecificationError

    separated = pd.DataFrame({"treat": [1, 1, 1, 0, 0, 0], "age": [50, 51, 52, 20, 21, 22]})
    with pytest.raises(SpecificationError, match="distance_scale"):  # not the separation error
        match(separated, "treat", "age", distance_scale="log")  # type: ignore[arg-type]


def test_the_plan_is_frozen_and_every_design_returns_one_shape() -> None:
    import dataclasses

    from rpeval.matching._plan import Matched, MatchPlan
    from rpeval.matching.designs import DESIGNS

    assert set(DESIGNS) == {"nearest", "optimal", "full", "exact", "cem", "subclass"}
    fields = {f.name for f in dataclasses.fields(MatchPlan)}
    assert {"method", "distance_scale", "ratio", "exact", "random_state"} <= fields
    assert dataclasses.fields(MatchPlan) and MatchPlan.__dataclass_params__.frozen  # type: ignore[attr-defined]
    assert Matched._fields == ("matches", "focal_rows", "weights", "subclass")
