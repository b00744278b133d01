"""Properties of control charts: limits contain the centre, constant series are quiet."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from rpeval.errors import RpevalError
from rpeval.metrics import control_chart
from rpeval.metrics._run_rules import RULE_SETS, evaluate_rules
from tests.hypothesis_budget import budget

SIZES = st.lists(st.integers(1, 500), min_size=3, max_size=40)


@budget(60, deadline=None)
@given(SIZES, st.data())
def test_p_chart_limits_contain_the_centre(sizes: list[int], data: st.DataObject) -> None:
    counts = [data.draw(st.integers(0, n)) for n in sizes]
    if sum(counts) in (0, sum(sizes)):
        counts[0] = 1 if counts[0] == 0 else counts[0] - 1
    frame = pd.DataFrame({"period": range(len(sizes)), "numerator": counts, "denominator": sizes})
    for kind in ("p", "laney_p"):
        summary = control_chart(frame, kind=kind).summary()  # type: ignore[arg-type]
        centre = summary["center"].iloc[0]
        assert (summary["lcl"] <= centre + 1e-12).all()
        assert (summary["ucl"] >= centre - 1e-12).all()
        assert ((summary["lcl"] >= 0) & (summary["ucl"] <= 1)).all()


@budget(40, deadline=None)
@given(
    st.integers(3, 60),
    st.integers(1, 50),
    st.integers(51, 200),
    st.sampled_from(["p", "u", "laney_p", "laney_u", "c", "xmr"]),
)
def test_a_constant_series_fires_no_rule(periods: int, x: int, n: int, kind: str) -> None:
    frame = pd.DataFrame(
        {"period": range(periods), "numerator": x, "denominator": n, "value": x / n}
    )
    for rules in ("western_electric", "nelson"):
        chart = control_chart(frame, kind=kind, rules=rules)  # type: ignore[arg-type]
        assert not chart.signalled, chart.fired
        assert np.all(chart.summary()["z"] == 0)


@budget(60)
@given(
    st.lists(st.integers(0, 30), min_size=1, max_size=25),
    st.lists(st.integers(0, 40), min_size=1, max_size=25),
    st.sampled_from(["p", "u", "laney_p", "laney_u", "c", "xmr"]),
    st.one_of(st.none(), st.integers(1, 30)),
)
def test_any_table_gives_a_chart_or_a_clean_error(
    periods: list[int], counts: list[int], kind: str, baseline: int | None
) -> None:
    size = min(len(periods), len(counts))
    frame = pd.DataFrame(
        {
            "period": periods[:size],  # possibly unsorted or duplicated
            "numerator": counts[:size],
            "denominator": [max(c, 1) if i % 3 else 0 for i, c in enumerate(counts[:size])],
        }
    )
    try:
        chart = control_chart(frame, kind=kind, baseline=baseline)  # type: ignore[arg-type]
    except RpevalError:
        return
    summary = chart.summary()
    assert summary["period"].is_monotonic_increasing and summary["period"].is_unique
    plotted = summary["value"].notna()
    assert (summary.loc[~plotted, "signal"] == False).all()  # noqa: E712 - a numpy bool column
    assert set(summary.loc[summary["signal"], "period"].astype(str)) == {
        p for periods in chart.fired.values() for p in periods
    }


@budget(60)
@given(st.lists(st.floats(-5, 5), min_size=1, max_size=60))
def test_rules_fire_inside_the_series_and_beyond_limits_is_exact(z: list[float]) -> None:
    values = np.asarray(z)
    fired = evaluate_rules(values, values, RULE_SETS["nelson"], 3.0)
    for positions in fired.values():
        assert all(0 <= i < len(z) for i in positions)
        assert positions == sorted(set(positions))
    assert fired["beyond_limits"] == [i for i, v in enumerate(z) if abs(v) > 3.0]
