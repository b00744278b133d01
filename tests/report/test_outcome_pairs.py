"""The pairs evaluate's Rosenbaum bounds read: the same rows as the pandas group-by."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from rpeval.report._outcomes import _complete_pairs
from tests.hypothesis_budget import budget


def _by_groupby(sample: pd.DataFrame, treated: str, window: int) -> pd.DataFrame:
    complete = sample["_potential_followup"] >= window
    pairs = sample.assign(_complete=complete).groupby("subclass")["_complete"].transform("all")
    sizes = sample.groupby("subclass")[treated].transform("size") == 2
    keep = pairs.to_numpy(dtype=bool) & sizes.to_numpy(dtype=bool)
    return sample.loc[keep, ["subclass", treated, "rearrest", "time_at_risk"]]


@budget(60)
@given(
    st.lists(
        st.tuples(st.integers(1, 8), st.booleans(), st.integers(0, 1), st.integers(0, 900)),
        min_size=1,
        max_size=40,
    ),
    st.integers(100, 800),
)
def test_complete_pairs_equal_the_groupby(
    rows: list[tuple[int, bool, int, int]], window: int
) -> None:
    subclass, treat, rearrest, followup = (list(c) for c in zip(*rows, strict=True))
    sample = pd.DataFrame(
        {
            "subclass": subclass,
            "treat": treat,
            "rearrest": rearrest,
            "time_at_risk": np.minimum(followup, 500),
            "_potential_followup": followup,
        },
        index=np.arange(len(rows)) * 3,
    )
    pd.testing.assert_frame_equal(
        _complete_pairs(sample, "treat", window), _by_groupby(sample, "treat", window)
    )
