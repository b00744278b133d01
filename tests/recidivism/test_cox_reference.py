"""Cox regression against R survival (scripts and JSON in tests/reference/)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rpeval.datasets import load_rossi
from rpeval.recidivism import cox
from tests.reference_data import reference, reference_csv

ROSSI_TERMS = "fin + age + race + wexp + mar + paro + prio"
RTOL = 1e-6


@pytest.fixture(scope="module")
def rossi() -> pd.DataFrame:
    frame = load_rossi()
    return frame.assign(grp=np.arange(len(frame)) // 4)


def _check(fit, expected, *, robust: bool = False) -> None:  # type: ignore[no-untyped-def]
    np.testing.assert_allclose(fit.coef, expected["coef"], rtol=RTOL)
    np.testing.assert_allclose(fit.std_error, expected["se"], rtol=RTOL)
    assert fit.loglik_null == pytest.approx(expected["loglik"][0], rel=RTOL)
    assert fit.loglik == pytest.approx(expected["loglik"][1], rel=RTOL)
    tests = fit.tests().set_index("test")["statistic"]
    assert tests["likelihood_ratio"] == pytest.approx(expected["lr"], rel=RTOL)
    assert tests["score"] == pytest.approx(expected["score"], rel=RTOL)
    assert fit.concordance == pytest.approx(expected["concordance"], rel=RTOL)
    if robust:
        np.testing.assert_allclose(fit.robust_std_error, expected["robust_se"], rtol=RTOL)


@pytest.mark.parametrize("ties", ["efron", "breslow"])
def test_rossi_model_based(rossi: pd.DataFrame, ties: str) -> None:
    expected = reference("survival_rossi")["cox"][ties]
    fit = cox(rossi, "week", "arrest", ROSSI_TERMS, ties=ties)  # type: ignore[arg-type]
    _check(fit, expected)
    assert fit.tests().set_index("test")["statistic"]["wald"] == pytest.approx(
        expected["wald"], rel=RTOL
    )


def test_rossi_matches_fox_and_weisberg(rossi: pd.DataFrame) -> None:
    # the published table (DOMAIN.md): coefficients and SEs to the printed digits
    fit = cox(rossi, "week", "arrest", ROSSI_TERMS).summary().set_index("term")
    assert fit.loc["fin", "estimate"] == pytest.approx(-0.37942, abs=5e-6)
    assert fit.loc["fin", "std_error"] == pytest.approx(0.19138, abs=5e-6)
    assert fit.loc["prio", "estimate"] == pytest.approx(0.09150, abs=5e-6)


@pytest.mark.parametrize("ties", ["efron", "breslow"])
@pytest.mark.parametrize("kind", ["robust", "cluster"])
def test_rossi_robust_and_clustered(rossi: pd.DataFrame, ties: str, kind: str) -> None:
    expected = reference("survival_rossi")["cox"][f"{ties}_{kind}"]
    options = {"robust": True} if kind == "robust" else {"cluster": "grp"}
    fit = cox(rossi, "week", "arrest", ROSSI_TERMS, ties=ties, **options)  # type: ignore[arg-type]
    _check(fit, expected, robust=True)
    wald = fit.tests().set_index("test")["statistic"]["wald"]
    assert wald == pytest.approx(expected["robust_wald"], rel=RTOL)


@pytest.mark.parametrize(
    ("ties", "transform", "key"),
    [
        ("efron", "km", "km"),
        ("efron", "rank", "rank"),
        ("efron", "identity", "identity"),
        ("breslow", "km", "breslow_km"),
    ],
)
def test_rossi_cox_zph(rossi: pd.DataFrame, ties: str, transform: str, key: str) -> None:
    expected = reference("survival_rossi")["zph"][key]
    fit = cox(rossi, "week", "arrest", ROSSI_TERMS, ties=ties)  # type: ignore[arg-type]
    table = fit.test_proportional_hazards(transform)  # type: ignore[arg-type]
    assert table["term"].tolist() == expected["terms"]
    np.testing.assert_allclose(table["chisq"], expected["chisq"], rtol=RTOL)
    np.testing.assert_allclose(table["p_value"], expected["p"], rtol=1e-5)
    if key == "km":
        assert table["chisq"].iloc[-1] == pytest.approx(17.69, abs=0.005)  # Fox & Weisberg


@pytest.mark.parametrize("ties", ["efron", "breslow"])
def test_rossi_predicted_survival(rossi: pd.DataFrame, ties: str) -> None:
    ref = reference("survival_rossi")["predict"]
    fit = cox(rossi, "week", "arrest", ROSSI_TERMS, ties=ties)  # type: ignore[arg-type]
    pred = fit.predict_survival(pd.DataFrame(ref["newdata"]), ref["times"])
    surv = pred.pivot(index="time", columns="row", values="survival").to_numpy()
    np.testing.assert_allclose(surv, ref[ties]["surv"], rtol=RTOL)
    # R's summary(survfit) reports the SE on the survival scale: se(H) * S
    se_surv = (pred["std_error"] * pred["survival"]).to_numpy()
    expected_se = np.asarray(ref[ties]["std_err"]).T.ravel()
    np.testing.assert_allclose(se_surv, expected_se, rtol=RTOL)


PREDICT_COLUMNS = [
    ("std_error", "std_err_cumhaz"),
    ("survival", "surv"),
    ("cumulative_hazard", "cumhaz"),
    ("ci_lower", "lower"),
    ("ci_upper", "upper"),
]
ROBUST_FITS = [
    ("efron_robust", {"robust": True}),
    ("efron_cluster", {"cluster": "grp"}),
    ("breslow_robust", {"robust": True, "ties": "breslow"}),
    ("breslow_cluster", {"cluster": "grp", "ties": "breslow"}),
]


@pytest.mark.parametrize(("key", "options"), ROBUST_FITS, ids=[k for k, _ in ROBUST_FITS])
def test_robust_fit_predictions_use_the_sandwich(
    rossi: pd.DataFrame, key: str, options: dict[str, object]
) -> None:
    # survfit.coxph takes fit$var, the sandwich for robust and clustered fits
    ref = reference("cox_predict_robust")["rossi"]
    fit = cox(rossi, "week", "arrest", ref["terms"], **options)  # type: ignore[arg-type]
    pred = fit.predict_survival(pd.DataFrame(ref["newdata"]), ref["times"])
    for column, r_name in PREDICT_COLUMNS:
        got = pred.pivot(index="time", columns="row", values=column).to_numpy()
        np.testing.assert_allclose(got, ref[key][r_name], rtol=1e-8)
    model_based = np.asarray(ref["efron"]["std_err_cumhaz"])
    assert not np.allclose(model_based, ref[key]["std_err_cumhaz"], rtol=5e-3)


PAIRED = [
    ("strata_efron", {"strata": "pair"}, False),
    ("strata_breslow", {"strata": "pair", "ties": "breslow"}, False),
    ("cluster_efron", {"cluster": "pair"}, True),
    ("cluster_breslow", {"cluster": "pair", "ties": "breslow"}, True),
    ("weighted", {"weights": "w"}, False),
    ("weighted_robust", {"weights": "w", "robust": True}, True),
    ("weighted_breslow_robust", {"weights": "w", "robust": True, "ties": "breslow"}, True),
]


@pytest.mark.parametrize(("key", "options", "robust"), PAIRED, ids=[p[0] for p in PAIRED])
def test_paired_design(key: str, options: dict[str, object], robust: bool) -> None:
    data = reference_csv("paired_data.csv")
    fit = cox(data, "time", "status", ["treat", "x1", "x2"], **options)  # type: ignore[arg-type]
    _check(fit, reference("survival_paired")[key], robust=robust)


def test_stratified_and_clustered_together() -> None:
    data = reference_csv("paired_data.csv")
    fit = cox(data, "time", "status", ["treat", "x1"], strata="x2", cluster="pair")
    _check(fit, reference("survival_paired")["strata_cluster_efron"], robust=True)


def test_paired_zph() -> None:
    data = reference_csv("paired_data.csv")
    fit = cox(data, "time", "status", ["treat", "x1", "x2"])
    expected = reference("survival_paired")["zph_unstratified"]
    np.testing.assert_allclose(
        fit.test_proportional_hazards()["chisq"], expected["chisq"], rtol=RTOL
    )
