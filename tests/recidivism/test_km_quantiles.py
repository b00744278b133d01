"""Kaplan–Meier quantiles where the curve sits on 1 - p (R quantile.survfit, km_quantiles.R)."""

from __future__ import annotations

from fractions import Fraction
from itertools import pairwise
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given
from hypothesis import strategies as st

from rpeval.recidivism import kaplan_meier
from tests.hypothesis_budget import budget
from tests.reference_data import reference

CASES = ["flat_end", "half_exact", "half_below", "half_above", "steps"]
CONF_TYPES = [("log", "log"), ("log-log", "log_log"), ("plain", "plain")]
COLUMNS = [("time", "quantile"), ("ci_lower", "lower"), ("ci_upper", "upper")]


def _case(name: str) -> tuple[pd.DataFrame, list[float], dict[str, Any]]:
    case = reference("km_quantiles")[name]
    data = pd.DataFrame({"time": case["time"], "status": case["status"]})
    probs = [1 - a / b for a, b in zip(case["num"], case["den"], strict=True)]  # R's doubles
    return data, probs, case


def _r(values: list[float | None]) -> list[float]:
    return [np.nan if v is None else float(v) for v in values]


@pytest.mark.parametrize("name", CASES)
@pytest.mark.parametrize(("conf_type", "key"), CONF_TYPES)
def test_quantiles_and_limits_match_r(name: str, conf_type: str, key: str) -> None:
    data, probs, case = _case(name)
    expected = case[key]
    km = kaplan_meier(data, "time", "status", conf_type=conf_type)  # type: ignore[arg-type]
    np.testing.assert_allclose(
        km.curves[0].survival, [float(s) for s in expected["surv"]], rtol=0, atol=0
    )  # bit for bit: the noise in the levels is R's own
    table = km.quantile(probs)
    for column, r_name in COLUMNS:  # R's call with all probs at once
        np.testing.assert_array_equal(table[column].to_numpy(), _r(expected["all"][r_name]))
    for k, p in enumerate(probs):  # one prob per call: the same answers
        alone = km.quantile(p).iloc[0]
        np.testing.assert_array_equal(
            alone[["time", "ci_lower", "ci_upper"]].to_numpy(dtype=float),
            table.loc[k, ["time", "ci_lower", "ci_upper"]].to_numpy(dtype=float),
        )


def test_issue_13_flat_end_example() -> None:
    data, _, _ = _case("flat_end")
    km = kaplan_meier(data, "time", "status")
    assert km.quantile(1 - 9 / 35)["time"].iloc[0] == 9.5
    assert km.quantile(26 / 35)["time"].iloc[0] == 9.5


@pytest.mark.parametrize(("conf_type", "key"), CONF_TYPES)
def test_single_prob_on_a_level_rounded_below_differs_from_r_by_design(
    conf_type: str, key: str
) -> None:
    # S ends at 0.50000000000000011: R's findq returns NA for quantile(fit, 0.5) by an
    # exact max(y) < min(p) test, but 6 when a smaller p is asked for in the same call
    data, _, case = _case("half_above")
    r = case[key]
    assert r["single"]["quantile"][1] is None
    assert r["all"]["quantile"][1] == 6
    km = kaplan_meier(data, "time", "status", conf_type=conf_type)  # type: ignore[arg-type]
    assert km.median()["time"].iloc[0] == 6.0
    # print.survfit's median is a third convention: the start of the flat stretch
    assert r["table_median"][0] == 5


# ----------------------------------------------------------------- properties


def _exact_curve(
    time: list[int], event: list[bool], weights: list[float]
) -> list[tuple[int, Fraction]]:
    """(time, S(time)) at every distinct time, in exact rational arithmetic."""
    w = [Fraction(v) for v in weights]  # the exact value of each float weight
    surv, out = Fraction(1), []
    for t in sorted(set(time)):
        at_risk = sum(wi for ti, wi in zip(time, w, strict=True) if ti >= t)
        dead = sum(wi for ti, ei, wi in zip(time, event, w, strict=True) if ti == t and ei)
        if dead:
            surv *= 1 - dead / at_risk
        out.append((t, surv))
    return out


@budget(60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(
        st.tuples(
            st.integers(1, 12),
            st.booleans(),
            st.sampled_from([1.0, 1.0, 2.0, 0.1, 0.3, 0.7, 1 / 3, 2.5]),
        ),
        min_size=2,
        max_size=25,
    ),
    noise=st.sampled_from([0.0, 1e-16, -1e-16, 4e-16, -4e-16, 1e-12, -1e-12, 1e-9, -1e-9]),
)
def test_quantile_at_each_level_the_curve_takes(
    rows: list[tuple[int, bool, float]], noise: float
) -> None:
    time, event, weights = (list(c) for c in zip(*rows, strict=True))
    assume(any(event))
    curve = _exact_curve(time, event, weights)
    levels = sorted({s for _, s in curve}, reverse=True)
    gaps = [float(a - b) for a, b in pairwise(levels)]
    assume(not gaps or min(gaps) > 1e-6)  # distinct levels stay apart beyond the tolerance
    data = pd.DataFrame({"t": time, "e": event, "w": weights})
    km = kaplan_meier(data, "t", "e", weights="w")
    last_time = curve[-1][0]
    for level in levels[1:]:  # every level below 1 that the curve takes
        start = next(t for t, s in curve if s == level)
        later = [t for t, s in curve if s < level]
        expected = (start + (later[0] if later else last_time)) / 2
        p = min(1.0, float(1 - level) + noise)
        got = km.quantile(p)["time"].iloc[0]
        assert got == expected, (p, level, start, later)
