"""Fine–Gray regression against R finegray() + coxph() and cmprsk::crr (competing_risks.R)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rpeval.errors import DataError, RpevalError, SpecificationError
from rpeval.recidivism import cox, fine_gray
from tests.reference_data import reference, reference_csv

RTOL = 1e-8
COVARIATES = "C(group) + x + z"


@pytest.fixture(scope="module")
def competing() -> pd.DataFrame:
    return reference_csv("competing_data.csv")


@pytest.mark.parametrize("cause", [1, 2])
@pytest.mark.parametrize("ties", ["efron", "breslow"])
def test_matches_finegray_coxph(competing: pd.DataFrame, cause: int, ties: str) -> None:
    expected = reference("competing_risks")[f"fine_gray_{cause}"][f"coxph_{ties}"]
    fit = fine_gray(competing, "time", "status", COVARIATES, cause=cause, ties=ties)  # type: ignore[arg-type]
    np.testing.assert_allclose(fit.coef, expected["coef"], rtol=RTOL)
    np.testing.assert_allclose(fit.std_error, expected["se"], rtol=RTOL)
    np.testing.assert_allclose(fit.robust_std_error, expected["robust_se"], rtol=RTOL)
    assert fit.loglik == pytest.approx(expected["loglik"][1], rel=1e-10)
    assert fit.loglik_null == pytest.approx(expected["loglik"][0], rel=1e-10)
    assert fit.n == len(competing)
    assert "expanded to" in fit.notes[0]
    naive = fine_gray(competing, "time", "status", COVARIATES, cause=cause, ties=ties, robust=False)  # type: ignore[arg-type]
    assert naive.robust_std_error is None
    np.testing.assert_allclose(naive.coef, fit.coef)


def test_case_weights_match_finegray(competing: pd.DataFrame) -> None:
    expected = reference("competing_risks")["fine_gray_1_weighted"]
    fit = fine_gray(competing, "time", "status", COVARIATES, weights="w")
    np.testing.assert_allclose(fit.coef, expected["coef"], rtol=RTOL)
    np.testing.assert_allclose(fit.robust_std_error, expected["robust_se"], rtol=RTOL)
    np.testing.assert_allclose(fit.std_error, expected["se"], rtol=RTOL)


@pytest.mark.parametrize("cause", [1, 2])
def test_close_to_crr_under_ties(competing: pd.DataFrame, cause: int) -> None:
    # cmprsk::crr treats tied censoring times its own way: agreement to ~1e-3 here
    expected = reference("competing_risks")[f"fine_gray_{cause}"]["crr"]
    fit = fine_gray(competing, "time", "status", COVARIATES, cause=cause)
    np.testing.assert_allclose(fit.coef, expected["coef"], atol=2e-3)
    np.testing.assert_allclose(fit.robust_std_error, expected["se"], rtol=1e-2)


def test_cause_specific_one_liner_differs(competing: pd.DataFrame) -> None:
    specific = cox(
        competing.assign(rearrest=competing["status"] == 1), "time", "rearrest", COVARIATES
    )
    subdistribution = fine_gray(competing, "time", "status", COVARIATES)
    assert specific.terms == subdistribution.terms
    assert not np.allclose(specific.coef, subdistribution.coef, atol=1e-3)


def test_without_competing_events_it_is_cox(competing: pd.DataFrame) -> None:
    single = competing.assign(status=(competing["status"] == 1).astype(int))
    fg = fine_gray(single, "time", "status", COVARIATES)
    plain = cox(single, "time", "status", COVARIATES, ties="breslow", robust=True)
    np.testing.assert_allclose(fg.coef, plain.coef, rtol=1e-10)
    np.testing.assert_allclose(fg.robust_std_error, plain.robust_std_error, rtol=1e-10)


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"cause": 3}, DataError),
        ({"cause": 0}, SpecificationError),
        ({"duration": "zero"}, DataError),
        ({"event": "x"}, DataError),
        ({"covariates": "nope"}, DataError),
        ({"cluster": "id", "robust": False}, SpecificationError),
    ],
)
def test_bad_input(
    competing: pd.DataFrame, change: dict[str, object], error: type[RpevalError]
) -> None:
    data = competing.assign(zero=competing["time"] - 1)
    arguments: dict[str, object] = {"duration": "time", "event": "status", "covariates": "x"}
    arguments.update(change)
    with pytest.raises(error):
        fine_gray(data, **arguments)  # type: ignore[arg-type]


def test_strata_match_finegray(competing: pd.DataFrame) -> None:
    expected = reference("competing_risks")["fine_gray_1_strata"]
    fit = fine_gray(competing, "time", "status", "C(group) + x", strata="z")
    np.testing.assert_allclose(fit.coef, expected["coef"], rtol=RTOL)
    np.testing.assert_allclose(fit.robust_std_error, expected["robust_se"], rtol=RTOL)
    np.testing.assert_allclose(fit.std_error, expected["se"], rtol=RTOL)
    np.testing.assert_allclose(fit.loglik, expected["loglik"][1], rtol=1e-10)
    assert f"expanded to {expected['finegray_rows']} " in fit.notes[0]


def test_predictions_use_the_robust_variance(competing: pd.DataFrame) -> None:
    # R: survfit() on finegray() + coxph(..., cluster = id), which takes fit$var (robust)
    ref = reference("cox_predict_robust")["fine_gray"]
    fit = fine_gray(competing, "time", "status", COVARIATES)
    pred = fit.predict_survival(pd.DataFrame(ref["newdata"]), ref["times"])
    for column, r_name in [
        ("std_error", "std_err_cumhaz"),
        ("survival", "surv"),
        ("ci_lower", "lower"),
        ("ci_upper", "upper"),
    ]:
        got = pred.pivot(index="time", columns="row", values=column).to_numpy()
        np.testing.assert_allclose(got, ref[r_name], rtol=1e-8)


@pytest.mark.parametrize("ties", ["breslow", "efron"])
def test_weighted_strata_match_the_correct_r_computation(
    competing: pd.DataFrame, ties: str
) -> None:
    # survival 3.5's finegray() puts case weights on the wrong rows with strata()
    # (finegray_strata_weights.R); the right weights, by hand or by one finegray() call
    # per stratum, give the reference, and finegray()'s own weights something else
    ref = reference("finegray_strata_weights")
    right, wrong = ref[f"{ties}_right"], ref[f"{ties}_finegray"]
    fit = fine_gray(competing, "time", "status", "C(group) + x", strata="z", weights="w", ties=ties)  # type: ignore[arg-type]
    np.testing.assert_allclose(fit.coef, right["coef"], rtol=RTOL)
    np.testing.assert_allclose(fit.robust_std_error, right["robust_se"], rtol=RTOL)
    np.testing.assert_allclose(fit.std_error, right["se"], rtol=RTOL)
    np.testing.assert_allclose([fit.loglik_null, fit.loglik], right["loglik"], rtol=1e-10)
    assert np.max(np.abs(fit.coef - np.asarray(wrong["coef"]))) > 0.01
    if ties == "breslow":
        per_stratum = ref["breslow_per_stratum"]
        np.testing.assert_allclose(per_stratum["coef"], right["coef"], rtol=1e-12)
