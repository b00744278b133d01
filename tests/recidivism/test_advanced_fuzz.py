"""Fuzzing the advanced estimators: any input either works or raises an RpevalError."""

from __future__ import annotations

import contextlib
import warnings

import pandas as pd
from hypothesis import HealthCheck, example, given
from hypothesis import strategies as st

from rpeval.errors import RpevalError, RpevalWarning
from rpeval.recidivism import (
    adjusted_survival,
    aft,
    cumulative_incidence,
    fine_gray,
    mean_cumulative_function,
    rate_model,
    recidivism_rates,
    recurrent_cox,
    split_population,
)
from tests.hypothesis_budget import budget

SETTINGS = budget(400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
value = st.one_of(
    st.integers(-2, 6),
    st.floats(allow_nan=True, allow_infinity=True, width=32),
    st.none(),
    st.sampled_from(["a", "1", ""]),
)
column = st.lists(value, min_size=1, max_size=12)


def _frame(a: list[object], b: list[object], c: list[object]) -> pd.DataFrame:
    n = min(len(a), len(b), len(c))
    return pd.DataFrame(
        {
            "t": a[:n],
            "e": b[:n],
            "x": c[:n],
            "g": [i % 2 for i in range(n)],
            "t0": [0] * n,
            "id": [i // 2 for i in range(n)],
            "w": [1.0] * n,
        }
    )


CALLS = [
    lambda f: cumulative_incidence(f, "t", "e", group="g"),
    lambda f: recidivism_rates(f, "t", "e", [2, 4], group="g"),
    lambda f: fine_gray(f, "t", "e", ["x"]),
    lambda f: aft(f, "t", "e", ["x"]),
    lambda f: split_population(f, "t", "e", incidence=["x"], latency=None),
    lambda f: mean_cumulative_function(f, id="id", time="t", end="x"),
    lambda f: recurrent_cox(f, "t", "e", ["x"], entry="t0", cluster="id"),
    lambda f: rate_model(f, "e", "t", group="g"),
    lambda f: adjusted_survival(f, "t", "e", "g", [2], weights="w"),
    lambda f: adjusted_survival(
        f, "t", "e", "g", [2], method="cox", covariates=["x"], n_bootstrap=3, random_state=0
    ),
    lambda f: split_population(f, "t", "e", incidence=["x"], latency=["x"], dist="weibull"),
    lambda f: cumulative_incidence(f, "t", "e", group="g", strata="x"),
    lambda f: cumulative_incidence(f, "t", "e", group="g", weights="x"),
    lambda f: fine_gray(f, "t", "e", ["x"], strata="g", cause=2),
    lambda f: recurrent_cox(f, "t", "e", ["x"], entry="t0", cluster="id", model="pwp_gap"),
]


def _check(frame: pd.DataFrame, which: int) -> None:
    with warnings.catch_warnings():
        # our own statistical warnings are fine; numpy or pandas warnings are errors
        warnings.simplefilter("error")
        warnings.simplefilter("ignore", RpevalWarning)
        with contextlib.suppress(RpevalError):
            CALLS[which](frame)


@SETTINGS
@given(column, column, column, st.integers(0, len(CALLS) - 1))
def test_works_or_raises_rpeval_error(
    a: list[object], b: list[object], c: list[object], which: int
) -> None:
    _check(_frame(a, b, c), which)


numeric = st.lists(st.integers(0, 6), min_size=2, max_size=16)


@SETTINGS
@given(numeric, numeric, numeric, st.integers(0, len(CALLS) - 1))
@example([0, 1, 0, 2], [2, 1, 2, 0], [0, 0, 0, 0], 7)  # a Poisson rate model SE of -0.0
def test_plausible_numbers_work_or_raise_rpeval_error(
    a: list[int], b: list[int], c: list[int], which: int
) -> None:
    _check(_frame([v + 1 for v in a], [v % 3 for v in b], list(c)), which)
