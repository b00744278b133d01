"""poisson_etwfe: recovers a known multiplicative effect; its rate ratio and clustered SE
equal a statsmodels Poisson GLM with cohort x period interactions."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from rpeval.community.did import poisson_etwfe
from rpeval.community.did._simulate import poisson_panel
from rpeval.errors import DataError


def _fit(rows: pd.DataFrame):  # type: ignore[no-untyped-def]
    return poisson_etwfe(rows, area="area", period="period", outcome="count",
                         exposure="population", adoption="start")  # fmt: skip


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_recovers_known_rate_ratio(seed: int) -> None:
    rows = poisson_panel(n_areas=500, n_periods=8, effect=0.75, random_state=seed, dispersion=0.3)
    fit = _fit(rows)
    overall = fit.summary().iloc[0]
    assert overall["ci_lower"] < 0.75 < overall["ci_upper"]
    assert abs(np.log(fit.rate_ratio / 0.75)) < 3 * overall["std_error"]


def test_no_effect_gives_ratio_near_one() -> None:
    fit = _fit(poisson_panel(n_areas=500, n_periods=6, effect=1.0, random_state=5))
    assert abs(np.log(fit.rate_ratio)) < 0.05
    json.dumps(fit.to_dict())
    assert "Poisson ETWFE" in str(fit)


def test_single_cell_equals_statsmodels_glm() -> None:
    rows = poisson_panel(n_areas=80, n_periods=5, effect=0.6, random_state=2)
    rows["start"] = np.where(rows["start"].isin([4.0]), 4.0, np.nan)  # one cohort adopts at 4
    fit = _fit(rows)
    rows["cohort"] = rows["start"].fillna(0).astype(int).astype(str)
    x = pd.get_dummies(rows[["cohort"]].astype(str)).astype(float)
    x = x.join(
        pd.get_dummies(rows["period"].astype(str), prefix="p", drop_first=True).astype(float)
    )
    treated = rows["start"].notna()
    for period in (4, 5):
        x[f"tau{period}"] = (treated & (rows["period"] == period)).astype(float)
    glm = sm.GLM(rows["count"], x, family=sm.families.Poisson(),
                 offset=np.log(rows["population"])).fit(
        cov_type="cluster", cov_kwds={"groups": rows["area"], "use_correction": False}
    )  # fmt: skip
    table = fit.summary().set_index("term")
    for e, period in ((0, 4), (1, 5)):
        row = table.loc[f"event_time={e}"]
        assert np.isclose(np.log(row["rate_ratio"]), glm.params[f"tau{period}"], atol=1e-7)
        expected_se = glm.bse[f"tau{period}"] * np.sqrt(80 / 79)
        assert np.isclose(row["std_error"], expected_se, rtol=1e-5)


def test_everyone_treated_from_start_is_an_error() -> None:
    rows = poisson_panel(n_areas=20, n_periods=4, effect=0.5, random_state=0)
    rows["start"] = 1.0
    with pytest.raises(DataError):
        _fit(rows)
