"""Property tests of the cumulative incidence and Gray's test on random tied data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given
from hypothesis import strategies as st

from rpeval.errors import RpevalError
from rpeval.recidivism import cumulative_incidence, kaplan_meier
from tests.hypothesis_budget import budget

SETTINGS = budget(120, deadline=None, suppress_health_check=[HealthCheck.too_slow])

rows = st.lists(
    st.tuples(st.integers(0, 12), st.integers(0, 3), st.sampled_from(["a", "b", "c"])),
    min_size=2,
    max_size=60,
)


def _frame(data: list[tuple[int, int, str]]) -> pd.DataFrame:
    return pd.DataFrame(data, columns=["time", "event", "arm"])


@SETTINGS
@given(rows)
def test_incidences_increase_and_sum_with_survival_to_one(data: list[tuple[int, int, str]]) -> None:
    frame = _frame(data)
    if not (frame["event"] > 0).any():
        return
    cif = cumulative_incidence(frame, "time", "event", group="arm")
    for curve in cif.curves:
        assert np.all(np.diff(curve.incidence, axis=0) >= -1e-15)
        assert np.all(curve.incidence >= 0) and np.all(curve.incidence <= 1 + 1e-12)
        np.testing.assert_allclose(curve.incidence.sum(axis=1) + curve.survival, 1.0, atol=1e-12)
        assert np.all(curve.variance >= -1e-15)
    tests = cif.gray_test
    assert np.all(tests["p_value"].between(0, 1) | tests["p_value"].isna())


@SETTINGS
@given(rows)
def test_single_cause_is_one_minus_kaplan_meier(data: list[tuple[int, int, str]]) -> None:
    frame = _frame(data).assign(event=lambda f: (f["event"] > 0).astype(int))
    if not frame["event"].any():
        return
    cif = cumulative_incidence(frame, "time", "event", group="arm")
    km = kaplan_meier(frame, "time", "event", group="arm")
    grid = np.arange(0, 13)
    a = cif.at(grid)
    b = km.at(grid)
    np.testing.assert_allclose(
        a["incidence"].to_numpy(), 1 - b["survival"].to_numpy(), atol=1e-12, equal_nan=True
    )


@SETTINGS
@given(rows, st.randoms(use_true_random=False))
def test_gray_test_ignores_row_order_and_group_names(
    data: list[tuple[int, int, str]], rng: object
) -> None:
    frame = _frame(data)
    if not (frame["event"] > 0).any() or frame["arm"].nunique() < 2:
        return
    first = cumulative_incidence(frame, "time", "event", group="arm").gray_test
    shuffled = frame.sample(frac=1.0, random_state=1).assign(
        arm=lambda f: f["arm"].map({"a": "z", "b": "y", "c": "x"})
    )
    second = cumulative_incidence(shuffled, "time", "event", group="arm").gray_test
    np.testing.assert_allclose(first["statistic"], second["statistic"], rtol=1e-7, atol=1e-9)


@budget(60, deadline=None)
@given(
    st.lists(
        st.one_of(st.none(), st.floats(allow_nan=True), st.integers(-3, 3), st.text(max_size=2)),
        min_size=1,
        max_size=6,
    )
)
def test_bad_event_codes_raise_rpeval_errors(values: list[object]) -> None:
    frame = pd.DataFrame({"time": np.arange(len(values), dtype=float) + 1, "event": values})
    try:
        cumulative_incidence(frame, "time", "event")
    except RpevalError:
        return
    codes = pd.to_numeric(frame["event"])
    assert (codes >= 0).all() and (codes == codes.round()).all() and (codes > 0).any()


def test_empty_frame_raises() -> None:
    with pytest.raises(RpevalError):
        cumulative_incidence(pd.DataFrame({"t": [], "e": []}), "t", "e")


@SETTINGS
@given(rows, st.lists(st.integers(1, 3), min_size=60, max_size=60))
def test_whole_weights_equal_replicated_rows(
    data: list[tuple[int, int, str]], copies: list[int]
) -> None:
    frame = _frame(data).assign(w=[float(c) for c in copies[: len(data)]])
    if not (frame["event"] > 0).any():
        return
    weighted = cumulative_incidence(frame, "time", "event", group="arm", weights="w")
    replicated = frame.loc[frame.index.repeat(frame["w"].astype(int))]
    plain = cumulative_incidence(replicated, "time", "event", group="arm", robust=True)
    grid = np.arange(0, 13)
    np.testing.assert_allclose(
        weighted.at(grid)["incidence"], plain.at(grid)["incidence"], atol=1e-12, equal_nan=True
    )
    for curve in weighted.curves:
        assert np.all(curve.variance >= 0)
        np.testing.assert_allclose(curve.incidence.sum(axis=1) + curve.survival, 1.0, atol=1e-12)
