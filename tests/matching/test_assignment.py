"""The assignment kernel behind optimal matching: optimal (against scipy's solver), and its
answer among equally good assignments depends only on the costs and the order of units."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.optimize import linear_sum_assignment

from rpeval.errors import DataError
from rpeval.matching.designs._assignment import GRID_STEPS, assign, grid_units
from tests.hypothesis_budget import budget

SETTINGS = budget(200, deadline=None)


@st.composite
def problems(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.ndarray, int, int]:
    """A sparse problem with few distinct costs (ties everywhere) and a private fallback
    column per row, so that every row can be matched."""
    n_rows = draw(st.integers(1, 6))
    n_cols = draw(st.integers(1, 7))
    allowed = np.asarray(
        draw(st.lists(st.booleans(), min_size=n_rows * n_cols, max_size=n_rows * n_cols))
    ).reshape(n_rows, n_cols)
    cost = np.asarray(
        draw(st.lists(st.integers(0, 3), min_size=n_rows * n_cols, max_size=n_rows * n_cols))
    ).reshape(n_rows, n_cols)
    rows, cols = np.nonzero(allowed)
    return rows, cols, cost[rows, cols], n_rows, n_cols


def dense(rows: np.ndarray, cols: np.ndarray, costs: np.ndarray, n_rows: int, n_cols: int):
    """The same problem as a dense matrix with the fallback columns, for scipy."""
    big = 1_000
    full = np.full((n_rows, n_cols + n_rows), 10 * big * (n_rows + 1), dtype=np.int64)
    full[rows, cols] = costs
    full[np.arange(n_rows), n_cols + np.arange(n_rows)] = big
    return full


@given(problems())
@SETTINGS
def test_assignment_is_optimal(problem) -> None:
    rows, cols, costs, n_rows, n_cols = problem
    got = assign(rows, cols, costs, n_rows, n_cols, fallback=np.full(n_rows, 1_000))
    assert len(set(got.tolist())) == n_rows  # every row has its own column
    full = dense(rows, cols, costs, n_rows, n_cols)
    r, c = linear_sum_assignment(full)
    assert full[np.arange(n_rows), got].sum() == full[r, c].sum()


@given(problems(), st.randoms(use_true_random=False))
@SETTINGS
def test_answer_does_not_depend_on_edge_order(problem, rnd) -> None:
    rows, cols, costs, n_rows, n_cols = problem
    fallback = np.full(n_rows, 1_000)
    first = assign(rows, cols, costs, n_rows, n_cols, fallback=fallback)
    order = list(range(rows.size))
    rnd.shuffle(order)
    again = assign(rows[order], cols[order], costs[order], n_rows, n_cols, fallback=fallback)
    assert again.tolist() == first.tolist()


@given(problems(), st.data())
@SETTINGS
def test_interchangeable_columns_go_in_column_order(problem, data) -> None:
    """Give column ``b`` exactly the edges of column ``a < b``: the two are equally good
    everywhere, so swapping their labels must not change the answer by position."""
    rows, cols, costs, n_rows, n_cols = problem
    if n_cols < 2:
        return
    a = data.draw(st.integers(0, n_cols - 2))
    b = data.draw(st.integers(a + 1, n_cols - 1))
    keep = cols != b
    rows, cols, costs = rows[keep], cols[keep], costs[keep]
    twin = cols == a
    rows = np.concatenate([rows, rows[twin]])
    costs = np.concatenate([costs, costs[twin]])
    cols = np.concatenate([cols, np.full(int(twin.sum()), b)])
    fallback = np.full(n_rows, 1_000)
    got = assign(rows, cols, costs, n_rows, n_cols, fallback=fallback)
    swapped = np.where(cols == a, b, np.where(cols == b, a, cols))
    again = assign(rows, swapped, costs, n_rows, n_cols, fallback=fallback)
    assert got.tolist() == again.tolist()
    if (got == b).any():  # the later twin is used only when the earlier one is too
        assert (got == a).any()


def test_all_ties_follow_data_order() -> None:
    n = 5
    rows, cols = np.repeat(np.arange(n), n), np.tile(np.arange(n), n)
    assert assign(rows, cols, np.zeros(n * n, np.int64), n, n).tolist() == list(range(n))


def test_no_assignment_is_an_error() -> None:
    with pytest.raises(DataError, match="no assignment"):
        assign(np.array([0, 1]), np.array([0, 0]), np.array([1, 1]), 2, 1)


def test_bad_input_is_a_clean_error() -> None:
    with pytest.raises(ValueError, match="non-negative"):
        assign(np.array([0]), np.array([0]), np.array([-1]), 1, 1)
    with pytest.raises(ValueError, match="row index"):
        assign(np.array([3]), np.array([0]), np.array([1]), 1, 1)
    with pytest.raises(ValueError, match="column index"):
        assign(np.array([0]), np.array([4]), np.array([1]), 1, 1)


@given(st.lists(st.floats(0, 1e6, allow_nan=False), min_size=1, max_size=30))
@SETTINGS
def test_grid_units_keep_order_and_range(values) -> None:
    x = np.asarray(values)
    units = grid_units(x)
    assert units.min() >= 0 and units.max() <= GRID_STEPS
    order = np.argsort(x, kind="stable")
    assert (np.diff(units[order]) >= 0).all()  # rounding never reverses an order
    # last-bit noise does not move a value off its grid step (away from a boundary)
    noisy = grid_units(x * (1 + 1e-15), span=float(x.max()))
    assert np.abs(noisy - units).max() <= 1
