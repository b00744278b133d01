"""Run rules: each named rule fires where its pattern completes, and only there."""

from __future__ import annotations

import numpy as np
import pytest

from rpeval.errors import SpecificationError
from rpeval.metrics._run_rules import RULE_SETS, RULES, evaluate_rules, resolve_rules


def _fired(rule: str, z: list[float], values: list[float] | None = None) -> list[int]:
    zs = np.asarray(z, float)
    vs = zs if values is None else np.asarray(values, float)
    return evaluate_rules(zs, vs, (rule,), 3.0)[rule]


@pytest.mark.parametrize(
    ("rule", "z", "expected"),
    [
        ("beyond_limits", [0, 3.1, -3.5, 2.9], [1, 2]),
        ("two_of_three_beyond_2", [0, 2.1, 0.5, 2.2, 0, -2.1, 2.1], [3]),
        ("four_of_five_beyond_1", [1.1, 1.2, 0, 1.3, 1.5, -1.2], [4]),
        ("eight_same_side", [0.1] * 7 + [-0.1] + [0.2] * 8, [15]),
        ("nine_same_side", [-0.1] * 10, [8, 9]),
        ("six_trending", [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.4], [5]),
        ("fourteen_alternating", [0.5, -0.5] * 7, [13]),
        ("fifteen_within_1", [0.5, -0.5, 0.2] * 5, [14]),
        ("eight_beyond_1", [1.5, -1.5] * 4, [7]),
    ],
)
def test_each_rule_fires_where_its_pattern_completes(
    rule: str, z: list[float], expected: list[int]
) -> None:
    assert _fired(rule, z) == expected


def test_missing_points_are_skipped_and_positions_kept() -> None:
    z = [0.1, 0.1, np.nan, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1]
    assert _fired("eight_same_side", z) == [8]


def test_constant_series_fires_nothing() -> None:
    z = np.zeros(40)
    fired = evaluate_rules(z, np.full(40, 0.3), RULE_SETS["nelson"], 3.0)
    assert not any(fired.values())


def test_rule_sets_and_names() -> None:
    assert resolve_rules("western_electric") == RULE_SETS["western_electric"]
    assert resolve_rules(["limits", "six_trending", "beyond_limits"]) == (
        "beyond_limits",
        "six_trending",
    )
    assert set(RULE_SETS["nelson"]) <= set(RULES)
    with pytest.raises(SpecificationError, match="unknown run rule"):
        resolve_rules("nelsen")
