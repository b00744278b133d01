"""The input path of a Cox fit: the tie layout from key counts equals the one from
neighbour comparisons, and the design gathered by columns equals the one by rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rpeval import _threads
from rpeval.errors import DataError
from rpeval.recidivism import cox
from rpeval.recidivism.cox import _data, _design, _risk_index, _risk_sets
from rpeval.recidivism.cox._data import prepare_cox_data
from tests.hypothesis_budget import budget


@budget(80)
@given(
    seed=st.integers(0, 100_000),
    n=st.integers(1, 120),
    n_strata=st.integers(1, 4),
    n_values=st.integers(1, 12),
)
def test_layout_from_counts_equals_layout_by_comparison(
    seed: int, n: int, n_strata: int, n_values: int
) -> None:
    rng = np.random.default_rng(seed)
    stop = rng.integers(0, n_values, n) * 0.5
    event = rng.random(n) < rng.random()
    stratum = np.unique(rng.integers(0, n_strata, n), return_inverse=True)[1].astype(np.int64)
    key, uniques, k = _risk_index._rank_key(stop, event, stratum)
    assert key is not None
    order = np.argsort(key, kind="stable").astype(np.int64)
    fast = _risk_index._layout_from_counts(key, uniques, k, order)
    slow = _risk_index._layout_by_comparison(stop, event, stratum, order)
    for name in fast._fields:
        got, want = getattr(fast, name), getattr(slow, name)
        assert got.dtype == want.dtype, name
        np.testing.assert_array_equal(got, want, err_msg=name)


def _frame(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "t": np.round(rng.exponential(50.0, n), 1) + 0.1,
            "e": rng.integers(0, 2, n),
            "x": rng.standard_normal(n),
            "k": rng.integers(0, 5, n),
            "b": rng.random(n) < 0.3,
            "g": rng.choice(["a", "b", "c"], n),
            "w": rng.uniform(0.5, 2.0, n),
        }
    )


@pytest.mark.parametrize("threaded", [False, True])
def test_design_by_columns_equals_design_by_rows(threaded: bool) -> None:
    df = _frame(3_000, 1)
    args = {"cluster": None, "strata": None, "entry": None, "missing": "error", "caller": "cox"}
    with pytest.MonkeyPatch.context() as mp:
        if threaded:
            mp.setattr(_threads, "MIN_THREADED_ROWS", 0)
        listed = prepare_cox_data(df, "t", "e", ["x", "k", "b", "g"], weights="w", **args)
        formula = prepare_cox_data(df, "t", "e", "x + k + b + C(g)", weights="w", **args)
        coded = _design.code_design(df, listed.spec, "cox")
        event_weights = np.where(listed.index.event, listed.weights, 0.0)
        order, means = listed.index.order, listed.means
        rows, sums = _design.sort_design(coded, order, means, event_weights, by_columns=False)
    assert listed.terms == formula.terms
    np.testing.assert_allclose(listed.means, formula.means, rtol=1e-14)
    np.testing.assert_array_equal(listed.index.order, formula.index.order)
    np.testing.assert_allclose(listed.design.columns, formula.design.columns, atol=1e-13)
    np.testing.assert_array_equal(listed.X, listed.design.columns.T)
    np.testing.assert_array_equal(rows.rows, listed.X)  # gathered by rows: the same values
    np.testing.assert_array_equal(rows.columns, listed.design.columns)
    # by columns the block kernel sums w x over the events itself (test_cox_blocks.py)
    assert listed.event_x_sums is None
    assert formula.event_x_sums is None
    np.testing.assert_allclose(sums, event_weights @ listed.X, rtol=1e-12, atol=1e-12)


def test_fast_input_checks_raise_as_before() -> None:
    df = _frame(200, 2)
    with pytest.raises(DataError, match="missing values"):
        cox(df.assign(x=np.where(np.arange(200) == 5, np.nan, df["x"])), "t", "e", ["x"])
    with pytest.raises(DataError, match="infinite"):
        cox(df.assign(x=np.where(np.arange(200) == 5, np.inf, df["x"])), "t", "e", ["x"])
    with pytest.raises(DataError, match="0/1"):
        cox(df.assign(e=df["e"] * 2), "t", "e", ["x"])
    with pytest.raises(DataError, match="negative or infinite"):
        cox(df.assign(t=-df["t"]), "t", "e", ["x"])
    dropped = cox(
        df.assign(x=np.where(np.arange(200) < 3, np.nan, df["x"])), "t", "e", ["x"], missing="drop"
    )
    assert dropped.n_dropped == 3 and dropped.n == 197


@budget(80)
@given(
    seed=st.integers(0, 100_000),
    n=st.sampled_from([1, 2, 17, 300, 1_030, 3_000]),
    decimals=st.sampled_from([0, 1, 2, 3, 6]),
    jitter=st.sampled_from([0.0, 1e-12, 1e-7]),
    form=st.sampled_from(["round", "step", "step after the first rows"]),
)
def test_grid_codes_equal_sorted_factorize(
    seed: int, n: int, decimals: int, jitter: float, form: str
) -> None:
    # times on a decimal grid are coded by rounding; a time off the grid (jitter) must
    # either fall back (None) or still give exactly the codes of a sorted factorize.
    # Rounded times are cell / scale (np.round, parsed decimals) or cell * step
    # (round(t / step) * step: 3 * 0.1 != 3 / 10), possibly both in one column
    rng = np.random.default_rng(seed)
    raw = rng.exponential(40.0, n)
    stop = np.round(raw, decimals)
    step = 10.0**-decimals
    stepped = np.round(raw / step) * step
    if form == "step":
        stop = stepped
    elif form == "step after the first rows":
        stop[1_024:] = stepped[1_024:]
    stop = stop + jitter * (rng.random(n) < 0.2) + 0.0
    grid = _risk_index._grid_codes(stop)
    codes, uniques = pd.factorize(stop, sort=True)
    if grid is not None:
        np.testing.assert_array_equal(grid[0], codes)
        np.testing.assert_array_equal(grid[1], uniques)
    if jitter == 0.0 and decimals <= 3:
        assert grid is not None


def test_grid_codes_leave_negative_times_to_factorize() -> None:
    # durations are checked >= 0 before, but the ranking must not index with a negative cell
    assert _risk_index._grid_codes(np.array([-3.0, -1.0, 2.0, 5.0])) is None
    codes, uniques = _risk_index._grid_codes(np.array([0.0, 1.5, 0.5, 1.5])) or ((), ())
    assert list(codes) == [0, 2, 1, 2] and list(uniques) == [0.0, 0.5, 1.5]


def test_same_bits_whatever_the_frame_layout() -> None:
    # a frame over an (n, p) array may hand out strided column views (pandas 2.2 does,
    # pandas 3 copies): the fit must not depend on the columns' strides
    rng = np.random.default_rng(4)
    n = 2_000
    X = rng.standard_normal((n, 3))
    extra = {
        "t": np.round(rng.exponential(30.0, n), 1) + 0.1,
        "e": rng.integers(0, 2, n),
        "w": rng.uniform(0.5, 2.0, n),
    }
    strided = pd.DataFrame(X, columns=["a", "b", "c"], copy=False).assign(**extra)
    columns = {name: np.ascontiguousarray(X[:, j]) for j, name in enumerate("abc")}
    contiguous = pd.DataFrame({**columns, **extra})
    fits = [cox(f, "t", "e", ["a", "b", "c"], weights="w") for f in (strided, contiguous)]
    np.testing.assert_array_equal(fits[0].coef, fits[1].coef)
    np.testing.assert_array_equal(fits[0].covariance, fits[1].covariance)
    assert fits[0].loglik == fits[1].loglik


@pytest.mark.parametrize("decimals", [1, None])  # on the grid, and off it (bit order)
def test_negative_zero_times_rank_as_zero(decimals: int | None) -> None:
    # -0.0 == 0.0: the same key and order as 0.0, and the distinct time is +0.0
    rng = np.random.default_rng(3)
    stop = rng.exponential(5.0, 400)
    stop = np.round(stop, decimals) if decimals is not None else stop
    stop[:50] = 0.0
    signed = stop.copy()
    signed[::2][:25] = -0.0
    event = rng.random(400) < 0.6
    stratum = np.zeros(400, dtype=np.int64)
    plain = _risk_index.sort_rows(stop, event, stratum)
    mixed = _risk_index.sort_rows(signed, event, stratum)
    np.testing.assert_array_equal(mixed.order, plain.order)
    if plain.key is not None:
        np.testing.assert_array_equal(mixed.key, plain.key)
    assert not np.signbit(mixed.uniques).any()


@pytest.mark.parametrize("grid", [True, False])  # layout from the key's counts, or compared
@pytest.mark.parametrize("order_first", [True, False])
def test_background_index_equals_the_direct_index(grid: bool, order_first: bool) -> None:
    # the index built beside the sort (the layout from the key while the key is sorted)
    # equals the one built in one go, whether or not the order was asked for first
    rng = np.random.default_rng(9)
    stop = rng.exponential(5.0, 3_000)
    stop = np.round(stop, 1) if grid else stop + rng.random(3_000) * 1e-9
    event = rng.random(3_000) < 0.6
    stratum = np.zeros(3_000, dtype=np.int64)
    if not grid:  # more distinct times than a 16-bit key holds: neighbours are compared
        stop = np.concatenate([stop, np.arange(40_000.0) + 0.5])
        event = np.concatenate([event, np.ones(40_000, dtype=np.bool_)])
        stratum = np.zeros(stop.shape[0], dtype=np.int64)
    indexing = _data._Indexing(stop, event, stratum, None)
    order = indexing.order() if order_first else None
    built = indexing.index()
    direct = _risk_sets.build_risk_set_index(stop, event, stratum)
    for name in (
        "order",
        "stop",
        "event",
        "stop_first",
        "stop_end",
        "n_tied",
        "event_rows",
        "event_time_of",
        "event_time_first",
        "tie_rank",
        "event_lo",
        "event_hi",
    ):
        np.testing.assert_array_equal(getattr(built, name), getattr(direct, name), err_msg=name)
    if order is not None:
        np.testing.assert_array_equal(order, direct.order)
