"""Weights checked everywhere; no numpy warning reaches a user on edge-case data.

Issue 22, item 6: balance() accepted negative and zero-sum weights and reported weighted
means from weights summing to 0, with numpy's divide-by-zero warning reaching the user.
pyproject makes every RuntimeWarning an error for the whole suite; the calls below are the
edge cases: each returns a result or raises an RpevalError, and nothing else.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest

from rpeval import matching, recidivism
from rpeval.errors import DataError, RpevalError
from rpeval.metrics import Registry

RNG = np.random.default_rng(22)
N = 40
DATA = pd.DataFrame(
    {
        "t": [1] * 5 + [0] * 35,
        "age": RNG.normal(30, 5, N),
        "const": 1.0,
        "flag": [0] * N,
        "sex": RNG.choice(["f", "m"], N),
        "time": RNG.integers(1, 100, N),
        "event": RNG.integers(0, 2, N),
        "w": RNG.uniform(0.5, 2, N),
    }
)
CASES = pd.DataFrame(
    {
        "conference_held": [True],
        "agreement_reached": pd.array([True], dtype="boolean"),
        "referral_date": pd.to_datetime(["2023-01-01"]),
        "conference_date": pd.to_datetime(["2023-01-05"]),
        "officer_id": ["a"],
    }
)
REGISTRY = Registry.builtin()
CALLS: dict[str, Callable[[], Any]] = {
    "balance, one treated": lambda: matching.balance(DATA.iloc[4:], "t", ["age", "const"]),
    "balance, constant and binary": lambda: matching.balance(
        DATA, "t", ["age", "const", "flag", "sex"], weights="w"
    ),
    "balance, zero weights for some": lambda: matching.balance(
        DATA.assign(w=np.r_[np.zeros(3), np.ones(N - 3)]), "t", ["age"], weights="w"
    ),
    "propensity, a constant": lambda: matching.propensity(DATA, "t", ["age", "flag"]),
    "propensity, separation": lambda: matching.propensity(
        DATA.assign(x=DATA["t"] * 10.0), "t", ["x"]
    ),
    "match": lambda: matching.match(DATA, "t", ["age"], caliper=0.2),
    "match, four rows": lambda: matching.match(DATA.iloc[[0, 5, 6, 7]], "t", ["age"]),
    "weight, ATE": lambda: matching.weight(DATA, "t", ["age"], estimand="ATE"),
    "weight, entropy": lambda: matching.weight(
        DATA, "t", ["age", "const"], method="entropy", estimand="ATT"
    ),
    "e-value of 1": lambda: matching.e_value(1.0, 0.5, 2.0, measure="rr"),
    "e-value of 0": lambda: matching.e_value(0.0, measure="rr"),
    "kaplan-meier, one row": lambda: recidivism.kaplan_meier(DATA.iloc[:1], "time", "event"),
    "kaplan-meier, all censored": lambda: recidivism.kaplan_meier(
        DATA.assign(event=0), "time", "event", group="t"
    ),
    "log-rank, one group": lambda: recidivism.logrank_test(DATA.assign(t=1), "time", "event", "t"),
    "log-rank, no events": lambda: recidivism.logrank_test(
        DATA.assign(event=0), "time", "event", "t"
    ),
    "cox, no events": lambda: recidivism.cox(DATA.assign(event=0), "time", "event", ["age"]),
    "cox, a constant": lambda: recidivism.cox(DATA, "time", "event", ["age", "const"]),
    "rates": lambda: recidivism.recidivism_rates(DATA, "time", "event", [30, 200], group="t"),
    "rmst": lambda: recidivism.rmst(DATA, "time", "event", 99, group="t"),
    "rmst, tau too late": lambda: recidivism.rmst(DATA, "time", "event", 1000, group="t"),
    "aft": lambda: recidivism.aft(DATA, "time", "event", ["age"]),
    "aft, no events": lambda: recidivism.aft(DATA.assign(event=0), "time", "event", ["age"]),
    "cumulative incidence": lambda: recidivism.cumulative_incidence(
        DATA.assign(event=DATA["event"] * 2), "time", "event", group="t"
    ),
    "metrics, one row": lambda: REGISTRY.compute(
        ["agreement_rate", "days_referral_to_conference"], CASES, suppress_below=1
    ),
    "metrics, no rows": lambda: REGISTRY.compute(
        ["agreement_rate", "days_referral_to_conference"], CASES.iloc[:0], suppress_below=1
    ),
}


@pytest.mark.parametrize("name", list(CALLS))
def test_no_numpy_warning_and_no_foreign_error(name: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        warnings.simplefilter("ignore", UserWarning)  # our own diagnoses (RpevalWarning)
        with contextlib.suppress(RpevalError):
            CALLS[name]()


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        ([1.0, -1.0, 1.0, 1.0, 1.0], "must hold finite weights >= 0; 1 rows do not, e.g. -1"),
        ([1.0, 1.0, np.inf, 1.0, 1.0], "e.g. inf"),
        ([0.0, 0.0, 0.0, 0.0, 0.0], "are 0 for every treated row"),
        ([1.0, 1.0, 0.0, 0.0, 0.0], "are 0 for every control row"),
        (["a", 1, 1, 1, 1], "must be numeric"),
    ],
)
def test_balance_checks_weights(weights: list[object], message: str) -> None:
    frame = pd.DataFrame({"t": [1, 1, 0, 0, 0], "age": [20, 30, 25, 40, 50], "w": weights})
    with pytest.raises(DataError, match="argument `weights`") as caught:
        matching.balance(frame, "t", ["age"], weights="w")
    assert message in str(caught.value)


def test_balance_keeps_zero_weight_rows_out_of_the_adjusted_means() -> None:
    frame = pd.DataFrame({"t": [1, 1, 0, 0, 0], "age": [20, 30, 25, 40, 50]})
    table = matching.balance(frame.assign(w=[1, 1, 1, 0, 0]), "t", ["age"], weights="w")
    after = table.after
    assert after is not None
    assert after["means_control"].iloc[0] == 25.0
    assert table.before["means_control"].iloc[0] == pytest.approx(115 / 3)


def test_cox_and_balance_refuse_the_same_weights() -> None:
    frame = DATA.assign(w=np.r_[-1.0, np.ones(N - 1)])
    for call in (
        lambda: matching.balance(frame, "t", ["age"], weights="w"),
        lambda: recidivism.cox(frame, "time", "event", ["age"], weights="w"),
        lambda: recidivism.kaplan_meier(frame, "time", "event", weights="w"),
    ):
        with pytest.raises(DataError, match=r"column 'w' \(argument `weights`\) must hold"):
            call()
