"""bacon_decomposition: the Goodman-Bacon identity (weights sum to 1, weighted 2 x 2
estimates sum to the TWFE coefficient) as a property, and the TWFE coefficient against
statsmodels OLS with area and period dummies."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from hypothesis import given
from hypothesis import strategies as st

from rpeval.community.did import bacon_decomposition
from rpeval.errors import DataError
from tests.hypothesis_budget import budget


def _rows(y: np.ndarray, starts: list[float]) -> pd.DataFrame:
    n, t = y.shape
    return pd.DataFrame(
        {
            "area": np.repeat(np.arange(n), t),
            "period": np.tile(np.arange(1, t + 1), n),
            "y": y.ravel(),
            "start": np.repeat(starts, t),
        }
    )


def _fit(rows: pd.DataFrame):  # type: ignore[no-untyped-def]
    return bacon_decomposition(rows, area="area", period="period", outcome="y", adoption="start")


@budget(40)
@given(
    n_periods=st.integers(3, 8),
    seed=st.integers(0, 10_000),
    choices=st.lists(st.integers(0, 9), min_size=2, max_size=4, unique=True),
)
def test_weights_sum_to_one_and_reproduce_twfe(
    n_periods: int, seed: int, choices: list[int]
) -> None:
    rng = np.random.default_rng(seed)
    codes = [float(c % n_periods + 1) if c < 8 else np.nan for c in choices]
    starts = list(rng.choice(codes, size=12)) + codes  # every code present
    y = rng.normal(size=(len(starts), n_periods))
    rows = _rows(y, starts)
    d = (np.nan_to_num(np.array(starts), nan=99)[:, None] <= np.arange(1, n_periods + 1)).astype(
        float
    )
    if np.ptp(d - d.mean(1, keepdims=True) - d.mean(0, keepdims=True)) < 1e-12:
        with pytest.raises(DataError):
            _fit(rows)
        return
    fit = _fit(rows)
    assert np.isclose(fit.table["weight"].sum(), 1.0, atol=1e-10)
    assert (fit.table["weight"] >= -1e-12).all()
    assert np.isclose((fit.table["weight"] * fit.table["estimate"]).sum(), fit.twfe, atol=1e-9)


def test_twfe_equals_dummy_regression() -> None:
    rng = np.random.default_rng(1)
    starts = list(rng.choice([2.0, 4.0, np.nan], size=25))
    y = rng.normal(size=(25, 5)) + np.arange(5)
    rows = _rows(y, starts)
    rows["d"] = (rows["period"] >= rows["start"].fillna(99)).astype(float)
    x = pd.get_dummies(rows[["area", "period"]].astype(str), drop_first=True).astype(float)
    x.insert(0, "d", rows["d"])
    ols = sm.OLS(rows["y"], sm.add_constant(x)).fit(
        cov_type="cluster", cov_kwds={"groups": rows["area"], "use_correction": False}
    )
    fit = _fit(rows)
    assert np.isclose(fit.twfe, ols.params["d"], atol=1e-10)
    # CR1 with G/(G-1) only (no (N-1)/(N-K)): statsmodels' uncorrected CR0 times G/(G-1)
    assert np.isclose(fit.std_error, ols.bse["d"] * np.sqrt(25 / 24), rtol=1e-8)


def test_growing_effects_make_twfe_mislead() -> None:
    # effects grow by 1 per period after adoption: every true ATT is >= 1, yet the
    # later-vs-earlier comparisons are negative and drag TWFE down
    t = np.arange(1, 11)
    starts = [3.0] * 10 + [7.0] * 10
    y = np.vstack([np.where(t >= s, t - s + 1.0, 0.0) for s in starts])
    fit = _fit(_rows(y, starts))
    later = fit.table[fit.table["kind"] == "later vs earlier"]
    assert (later["estimate"] < 0).all()
    assert fit.twfe < 1.0
    json.dumps(fit.to_dict())
    assert "Goodman-Bacon" in str(fit)


def test_mpdta_equals_r_bacondecomp() -> None:
    # tests/reference/community_did_bacon.R: R bacondecomp 0.1.3 + fixest 0.14.2 on mpdta
    ref_dir = Path(__file__).parent.parent / "reference"
    ref = json.loads((ref_dir / "community_did_bacon.json").read_text())
    mpdta = pd.read_csv(ref_dir / "mpdta.csv")
    fit = bacon_decomposition(mpdta, area="countyreal", period="year", outcome="lemp",
                              adoption="first.treat", never=0)  # fmt: skip
    assert np.isclose(fit.twfe, ref["twfe"], atol=1e-10)
    kinds = {"Treated vs Untreated": "treated vs never", "Earlier vs Later Treated":
             "earlier vs later", "Later vs Earlier Treated": "later vs earlier"}  # fmt: skip
    ours = {(int(r.treated), str(r.comparison)): r for r in fit.table.itertuples()}
    assert len(ours) == len(ref["treated"])
    for i, treated in enumerate(ref["treated"]):
        row = ours[(int(treated), ref["untreated"][i])]
        assert row.kind == kinds[ref["type"][i]]
        assert np.isclose(row.estimate, ref["estimate"][i], atol=1e-10)
        assert np.isclose(row.weight, ref["weight"][i], atol=1e-10)
