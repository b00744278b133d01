"""Properties of control charts: limits contain the centre, constant series are quiet."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from rpeval.metrics import control_chart
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
