"""rpeval._json: every result's to_dict() values are plain JSON."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from rpeval._json import plain, plain_value, records
from tests.hypothesis_budget import budget


def test_scalars() -> None:
    assert plain_value(np.bool_(True)) is True
    assert plain_value(pd.NA) is None
    assert plain_value(None) is None
    assert plain_value("x") == "x"
    assert plain_value(pd.Timestamp("2024-01-02 03:04")) == "2024-01-02T03:04:00"


def test_records_of_mixed_frame_are_json() -> None:
    frame = pd.DataFrame(
        {
            "when": pd.to_datetime(["2024-01-01", None]),
            "month": pd.period_range("2024-01", periods=2, freq="M"),
            "n": pd.array([1, None], dtype="Int64"),
            "flag": [True, False],
            "label": ["a", None],
        }
    )
    rows = records(frame)
    assert json.loads(json.dumps(rows, allow_nan=False)) == [
        {"when": "2024-01-01T00:00:00", "month": "2024-01", "n": 1, "flag": True, "label": "a"},
        {"when": None, "month": "2024-02", "n": None, "flag": False, "label": None},
    ]


@budget(60)
@given(st.lists(st.floats(allow_infinity=False), max_size=6))
def test_floats_round_trip_without_nan(values: list[float]) -> None:
    out = plain({"values": np.array(values, dtype=float)})
    text = json.dumps(out, allow_nan=False)
    back = json.loads(text)["values"]
    assert back == [None if np.isnan(v) else v for v in values]
