"""Kaplan–Meier, log-rank, RMST and rates against R survival (tests/reference/)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rpeval.datasets import load_rossi
from rpeval.recidivism import kaplan_meier, logrank_test, recidivism_rates, rmst
from tests.reference_data import reference, reference_csv

RTOL = 1e-8


@pytest.fixture(scope="module")
def rossi() -> pd.DataFrame:
    frame = load_rossi()
    groups = np.where(frame["prio"] == 0, "0", np.where(frame["prio"] <= 2, "1-2", "3+"))
    return frame.assign(prio_group=groups)


@pytest.mark.parametrize(
    ("conf_type", "key"), [("log", "log"), ("log-log", "log_log"), ("plain", "plain")]
)
def test_km_by_fin(rossi: pd.DataFrame, conf_type: str, key: str) -> None:
    expected = reference("survival_rossi")["km"][key]
    km = kaplan_meier(rossi, "week", "arrest", group="fin", conf_type=conf_type)  # type: ignore[arg-type]
    table = km.at([13, 26, 39, 52])
    assert table["group"].tolist() == expected["strata"]
    for ours, theirs in [
        ("survival", "surv"),
        ("std_error", "std_err"),
        ("ci_lower", "lower"),
        ("ci_upper", "upper"),
        ("n_risk", "n_risk"),
        ("n_event", "n_event"),
    ]:
        np.testing.assert_allclose(table[ours], expected[theirs], rtol=RTOL, err_msg=ours)


def test_km_published_values(rossi: pd.DataFrame) -> None:
    table = kaplan_meier(rossi, "week", "arrest", group="fin").at([52])
    assert table["survival"].round(3).tolist() == [0.694, 0.778]  # DOMAIN.md


def test_km_quantiles(rossi: pd.DataFrame) -> None:
    expected = reference("survival_rossi")["km"]["quantiles"]
    km = kaplan_meier(rossi, "week", "arrest")
    for i, p in enumerate(expected["probs"]):
        row = km.quantile(p).iloc[0]
        assert (row["time"], row["ci_lower"], row["ci_upper"]) == (
            expected["quantile"][i],
            expected["lower"][i],
            expected["upper"][i],
        )
    assert np.isnan(km.median()["time"].iloc[0])  # fewer than half were arrested


def test_weighted_km_robust() -> None:
    expected = reference("survival_paired")["weighted_km"]
    data = reference_csv("paired_data.csv")
    km = kaplan_meier(data, "time", "status", group="treat", weights="w")
    assert km.robust  # non-integer weights: robust variance by default, as R
    table = km.at([10, 30, 60, 90])
    np.testing.assert_allclose(table["survival"], expected["surv"], rtol=RTOL)
    np.testing.assert_allclose(table["std_error"], expected["robust_std_err"], rtol=1e-7)
    np.testing.assert_allclose(table["ci_lower"], expected["robust_lower"], rtol=1e-7)
    np.testing.assert_allclose(table["ci_upper"], expected["robust_upper"], rtol=1e-7)


@pytest.mark.parametrize(
    ("key", "group", "options"),
    [
        ("fin", "fin", {}),
        ("fin_rho1", "fin", {"rho": 1}),
        ("prio3", "prio_group", {}),
        ("fin_strata_race", "fin", {"strata": "race"}),
    ],
)
def test_logrank(rossi: pd.DataFrame, key: str, group: str, options: dict[str, object]) -> None:
    expected = reference("survival_rossi")["logrank"][key]
    result = logrank_test(rossi, "week", "arrest", group, **options)  # type: ignore[arg-type]
    assert result.statistic == pytest.approx(expected["chisq"], rel=RTOL)
    k = len(result.table)
    # stratified survdiff reports groups x strata (column-major); we report group totals
    observed = np.asarray(expected["obs"]).reshape(-1, k).sum(axis=0)
    expected_events = np.asarray(expected["exp"]).reshape(-1, k).sum(axis=0)
    np.testing.assert_allclose(result.table["observed"], observed, rtol=RTOL)
    np.testing.assert_allclose(result.table["expected"], expected_events, rtol=RTOL)
    assert result.df == k - 1


@pytest.mark.parametrize("tau", [52, 40])
def test_rmst(rossi: pd.DataFrame, tau: int) -> None:
    expected = reference("survival_rossi")["rmst"][f"tau{tau}"]
    result = rmst(rossi, "week", "arrest", tau, group="fin")
    np.testing.assert_allclose(result.groups["rmst"], expected["rmean"], rtol=RTOL)
    np.testing.assert_allclose(result.groups["std_error"], expected["se"], rtol=RTOL)
    diff = result.contrasts.iloc[0]
    assert diff["estimate"] == pytest.approx(expected["rmean"][1] - expected["rmean"][0])
    assert diff["std_error"] == pytest.approx(np.hypot(*expected["se"]))


def test_rates_match_km_and_complete_follow_up(rossi: pd.DataFrame) -> None:
    rates = recidivism_rates(rossi, "week", "arrest", [13, 52], group="fin")
    km = reference("survival_rossi")["km"]["log"]
    by_group = rates[rates["group"].isin(["fin=0", "fin=1"])]
    expected = 1 - np.asarray(km["surv"])[[0, 3, 4, 7]]
    np.testing.assert_allclose(by_group["cumulative_incidence"], expected, rtol=RTOL)
    # Rossi: everyone is followed 52 weeks or arrested, so complete follow-up equals 1 - KM
    np.testing.assert_allclose(by_group["complete_proportion"], expected, rtol=RTOL)
    assert by_group["complete_n"].tolist() == [216, 216, 216, 216]
