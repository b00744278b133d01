"""evaluate's potential follow-up in whole days: the same numbers and dtype as pandas'
``(stop.dt.normalize() - start.dt.normalize()).dt.days``."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from rpeval.report._design_stage import whole_days
from tests.hypothesis_budget import budget

seconds = st.integers(-40 * 365 * 86400, 60 * 365 * 86400) | st.none()


@budget(60)
@given(
    st.lists(st.tuples(seconds, seconds), min_size=1, max_size=30),
    st.sampled_from(["ns", "us", "s"]),
)
def test_whole_days_equal_pandas_normalize(
    pairs: list[tuple[int | None, int | None]], unit: str
) -> None:
    def dates(values: list[int | None]) -> pd.Series:
        stamps = [None if v is None else np.datetime64(v, "s") for v in values]
        return pd.Series(pd.array(stamps, dtype="datetime64[s]")).astype(f"datetime64[{unit}]")

    start = dates([a for a, _ in pairs])
    stop = dates([b for _, b in pairs])
    expected = (stop.dt.normalize() - start.dt.normalize()).dt.days
    got = whole_days(start, stop)
    assert got.dtype == expected.dtype
    np.testing.assert_array_equal(got, expected.to_numpy())
