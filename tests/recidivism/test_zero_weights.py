"""Case weights of 0 leave a row out as if absent, in every weighted function (zero_weights.R).

R's ``coxph`` and ``survreg`` refuse weights <= 0, so the reference is R on the data without
those rows. Every recidivism function that takes ``weights=`` goes through one checker
(``rpeval._weights.case_weights``): the same rows are dropped, counted in ``n_dropped`` and
announced by a :class:`DataWarning`; negative weights raise a :class:`DataError`.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given
from hypothesis import strategies as st

from rpeval.datasets import load_rossi
from rpeval.errors import DataError, DataWarning
from rpeval.recidivism import (
    adjusted_survival,
    aft,
    cox,
    cumulative_incidence,
    fine_gray,
    kaplan_meier,
    recurrent_cox,
    split_population,
)
from tests.hypothesis_budget import budget
from tests.reference_data import reference, reference_csv

RTOL = 1e-8
RECUR = Path(__file__).parent.parent / "fixtures" / "recur.csv"


@pytest.fixture(scope="module")
def paired() -> pd.DataFrame:
    data = reference_csv("paired_data.csv")
    zero = np.asarray(reference("zero_weights")["zero_rows"]) - 1
    return data.assign(w0=np.where(np.isin(np.arange(len(data)), zero), 0.0, data["w"]))


@pytest.mark.parametrize("key", ["efron", "breslow", "efron_robust"])
def test_cox_equals_coxph_without_the_zero_weight_rows(paired: pd.DataFrame, key: str) -> None:
    expected = reference("zero_weights")
    assert expected["coxph_with_zero_weights"] == "Invalid weights, must be >0"
    ref = expected[key]
    with pytest.warns(DataWarning, match=r"95 of 600 rows have weight 0 in column 'w0'"):
        fit = cox(
            paired,
            "time",
            "status",
            expected["terms"],
            weights="w0",
            ties="breslow" if key == "breslow" else "efron",
            robust=key.endswith("robust"),
        )
    np.testing.assert_allclose(fit.coef, ref["coef"], rtol=RTOL)
    np.testing.assert_allclose(fit.std_error, ref["se"], rtol=RTOL)
    np.testing.assert_allclose([fit.loglik_null, fit.loglik], ref["loglik"], rtol=1e-10)
    if "robust_se" in ref:
        np.testing.assert_allclose(fit.robust_std_error, ref["robust_se"], rtol=RTOL)
    assert (fit.n, fit.n_events, fit.n_dropped) == (ref["n"], ref["nevent"], 95)
    assert fit.to_dict()["n_dropped"] == 95


def test_kaplan_meier_equals_survfit_without_the_zero_weight_rows(paired: pd.DataFrame) -> None:
    ref = reference("zero_weights")["km"]
    with pytest.warns(DataWarning, match="weight 0"):
        km = kaplan_meier(paired, "time", "status", group="treat", weights="w0", robust=True)
    table = km.at([10, 30, 60])
    np.testing.assert_allclose(table["survival"], ref["surv"], rtol=1e-10)
    np.testing.assert_allclose(table["std_error"], ref["std_err"], rtol=1e-8)
    np.testing.assert_allclose(table["n_risk"], ref["n_risk"], rtol=1e-10)
    assert km.n_dropped == 95


# ------------------------------------------------- the same rule in every function


def _competing() -> pd.DataFrame:
    data = reference_csv("competing_data.csv")
    return data.assign(w0=np.where(data["id"] % 9 == 0, 0.0, data["w"]))


def _recur() -> pd.DataFrame:
    data = pd.read_csv(RECUR)
    return data.assign(w0=np.where(np.arange(len(data)) % 11 == 3, 0.0, 1.0 + data["AGE"] / 100))


def _tables(result: Any) -> list[pd.DataFrame]:
    tables = [result.summary()]
    if hasattr(result, "differences"):
        tables.append(result.differences())
    return tables


CALLS: dict[str, tuple[Callable[[], pd.DataFrame], Callable[[pd.DataFrame, str], Any]]] = {
    "kaplan_meier": (
        lambda: reference_csv("paired_data.csv"),
        lambda d, w: kaplan_meier(d, "time", "status", group="treat", weights=w),
    ),
    "cox": (
        lambda: reference_csv("paired_data.csv"),
        lambda d, w: cox(d, "time", "status", ["treat", "x1"], weights=w, cluster="pair"),
    ),
    "aft": (
        lambda: reference_csv("paired_data.csv"),
        lambda d, w: aft(d, "time", "status", ["treat", "x1"], weights=w),
    ),
    "split_population": (
        lambda: load_rossi().assign(w=lambda d: 1.0 + (d["prio"] % 3) / 2),
        lambda d, w: split_population(
            d, "week", "arrest", incidence=["fin", "prio"], latency=["age"], weights=w
        ),
    ),
    "fine_gray": (
        _competing,
        lambda d, w: fine_gray(d, "time", "status", "C(group) + x", strata="z", weights=w),
    ),
    "cumulative_incidence": (
        _competing,
        lambda d, w: cumulative_incidence(d, "time", "status", group="group", weights=w),
    ),
    "adjusted_survival": (
        lambda: reference_csv("paired_data.csv"),
        lambda d, w: adjusted_survival(d, "time", "status", "treat", [10, 30], weights=w),
    ),
    "recurrent_cox": (
        _recur,
        lambda d, w: recurrent_cox(
            d,
            "TIME1",
            "CENSOR",
            ["AGE", "TREAT"],
            entry="TIME0",
            cluster="ID",
            model="pwp_total",
            weights=w,
        ),
    ),
}


def _with_zeros(data: pd.DataFrame) -> pd.DataFrame:
    if "w0" in data:
        return data
    return data.assign(w0=np.where(np.arange(len(data)) % 7 == 2, 0.0, data["w"]))


@pytest.mark.parametrize("name", list(CALLS))
def test_zero_weight_rows_are_left_out_everywhere(name: str) -> None:
    make, call = CALLS[name]
    data = _with_zeros(make())
    n_zero = int((data["w0"] == 0).sum())
    with pytest.warns(
        DataWarning, match=rf"{name}\(\): {n_zero} of {len(data)} rows have weight 0"
    ):
        result = call(data, "w0")
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataWarning)  # no zero weight is left to drop
        absent = call(data.loc[data["w0"] > 0].reset_index(drop=True), "w0")
    for got, expected in zip(_tables(result), _tables(absent), strict=True):
        pd.testing.assert_frame_equal(got, expected, rtol=1e-9)
    assert result.n_dropped == absent.n_dropped + n_zero


@pytest.mark.parametrize("name", list(CALLS))
def test_negative_weights_raise_a_data_error_naming_the_argument(name: str) -> None:
    make, call = CALLS[name]
    data = _with_zeros(make())
    data = data.assign(w0=np.where(np.arange(len(data)) == 4, -0.5, data["w0"].clip(lower=0.1)))
    with pytest.raises(DataError, match=r"column 'w0' \(argument `weights`\) must hold finite"):
        call(data, "w0")


def test_all_zero_weights_raise() -> None:
    data = reference_csv("paired_data.csv").assign(w0=0.0)
    with pytest.raises(DataError, match="is 0 on every row"):
        cox(data, "time", "status", ["treat"], weights="w0")


def test_a_group_whose_weights_are_all_zero_raises() -> None:
    data = reference_csv("paired_data.csv")
    data = data.assign(w0=np.where(data["treat"] == 1, 0.0, data["w"]))
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataWarning)  # the error comes first, alone
        with pytest.raises(DataError, match="zero total weight"):
            kaplan_meier(data, "time", "status", group="treat", weights="w0")


# ------------------------------------------------------------------ property


@budget(40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(8, 60),
    ties=st.sampled_from(["efron", "breslow"]),
)
def test_a_zero_weight_is_the_same_as_an_absent_row(seed: int, n: int, ties: str) -> None:
    # zero weights on events tied with other events: under the old code such a row still
    # entered Efron's correction (0.04% off on zero_weights.R's data)
    rng = np.random.default_rng(seed)
    data = pd.DataFrame(
        {
            "time": rng.integers(1, 6, n).astype(float),  # heavy ties
            "event": (rng.uniform(size=n) < 0.8).astype(int),
            "x": rng.normal(size=n),
            "w": rng.uniform(0.3, 2.0, n),
        }
    )
    zero = rng.uniform(size=n) < 0.3
    data.loc[zero, "w"] = 0.0
    kept = data.loc[~zero].reset_index(drop=True)
    if kept["event"].sum() < 2 or kept["x"].nunique() < 2:
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            expected = cox(kept, "time", "event", ["x"], weights="w", ties=ties)  # type: ignore[arg-type]
        except DataError:
            return
        got = cox(data, "time", "event", ["x"], weights="w", ties=ties)  # type: ignore[arg-type]
    np.testing.assert_allclose(got.coef, expected.coef, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(got.std_error, expected.std_error, rtol=1e-9)
    assert got.loglik == pytest.approx(expected.loglik, rel=1e-12)
    assert got.n_dropped == int(zero.sum())
