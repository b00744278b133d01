"""A weighted design's outcomes carry the weights' estimation: each unit's influence on
the Cox coefficient, the window risks and the RMST predicts what leaving that unit out
does when the weights are re-estimated (first order), which the known-weights part alone
does not; and evaluate(design="weighting") reports those variances."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rpeval.datasets import simulate_program
from rpeval.matching import weight
from rpeval.recidivism import cox
from rpeval.report import evaluate
from rpeval.report._weighted_outcomes import cox_influence, rate_influence

COVARIATES = "age + prior_arrests + sex + C(offense_type)"
PROGRAM = simulate_program(200, 1200, followup_days=1460, random_state=8)
WINDOWS = [365]


def _statistics(sample: pd.DataFrame, estimand: str) -> tuple[np.ndarray, object, object]:
    """(log HR, risks and RMSTs) after weighting `sample`; the weighting and the fit."""
    result = weight(sample, "participant", COVARIATES, estimand=estimand)  # type: ignore[arg-type]
    data = result.data.reset_index(drop=True)
    fit = cox(data, "time_at_risk", "rearrest", ["participant"], weights="weights")
    _, found = rate_influence(data, "participant", WINDOWS, 900.0, result.weight_influence())
    values = [found[True]["risk"][0], found[False]["risk"][0], found[True]["rmst"]]
    values.append(found[False]["rmst"])
    return np.array([fit.coef[0], *values]), result, fit


@pytest.fixture(scope="module")
def sample() -> pd.DataFrame:
    evaluation = evaluate(
        PROGRAM.people,
        treatment="participant",
        covariates=COVARIATES,
        entry="entry_date",
        events=PROGRAM.arrests,
        competing=["death_date"],
        design="weighting",
        progress=False,
    )
    return evaluation.sample.drop(columns=["weights", "distance"], errors="ignore")


@pytest.mark.parametrize("estimand", ["ATT", "ATE"])
def test_influence_predicts_leaving_a_unit_out(sample: pd.DataFrame, estimand: str) -> None:
    full, result, fit = _statistics(sample, estimand)
    parts = result.weight_influence()  # type: ignore[attr-defined]
    data = result.data.reset_index(drop=True)  # type: ignore[attr-defined]
    weights = data["weights"].to_numpy(float)
    phi_cox = cox_influence(fit, weights, parts)[:, 0]
    phi_rates, _ = rate_influence(data, "participant", WINDOWS, 900.0, parts)
    phi = np.column_stack([phi_cox, phi_rates])
    residuals = fit.score_residuals()[:, 0]  # type: ignore[attr-defined]
    known = np.zeros_like(phi_cox)
    known[parts.rows] = weights * residuals * fit.covariance[0, 0]  # type: ignore[attr-defined]
    treated = np.flatnonzero(sample["participant"].to_numpy(bool))
    chosen = [*treated[:4], *np.flatnonzero(~sample["participant"].to_numpy(bool))[:4]]
    errors, errors_known = [], []
    for i in chosen:
        left_out, _, _ = _statistics(sample.drop(index=i).reset_index(drop=True), estimand)
        change = left_out - full
        scale = np.abs(phi[i]) + 1e-4 * np.abs(full)
        errors.append(np.max(np.abs(change + phi[i]) / scale))
        errors_known.append(abs(change[0] + known[i]) / (abs(phi_cox[i]) + 1e-6))
    assert max(errors) < 0.1  # first order: O(1/n) relative error
    assert max(errors_known) > 0.3  # the weights' estimation matters for these units


def test_evaluate_reports_the_corrected_variances() -> None:
    evaluation = evaluate(
        PROGRAM.people,
        treatment="participant",
        covariates=COVARIATES,
        entry="entry_date",
        events=PROGRAM.arrests,
        competing=["death_date"],
        design="weighting",
        estimand="ATE",
        progress=False,
    )
    assert evaluation.rmst is not None  # now reported for a weighted design
    contrast = evaluation.rmst.contrasts().iloc[0]
    assert contrast["ci_lower"] < contrast["estimate"] < contrast["ci_upper"]
    assert any("includes the estimation of the weights" in n for n in evaluation.notes)
    rates = evaluation.rates
    assert (rates["treated_ci_lower"] <= rates["treated"]).all()
    assert (rates["treated"] <= rates["treated_ci_upper"]).all()
    robust = evaluation.cox.summary()["robust_std_error"].iloc[0]
    known = cox(
        evaluation.sample, "time_at_risk", "rearrest", ["participant"],
        weights="weights", robust=True,
    ).summary()["robust_std_error"].iloc[0]  # fmt: skip
    assert robust != pytest.approx(known, rel=0.02)
