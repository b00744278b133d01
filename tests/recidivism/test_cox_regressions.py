"""Regression tests of reported Cox bugs: each failed before its fix."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from rpeval.errors import ConvergenceWarning, DataError
from rpeval.recidivism import cox


def _with_single_level(n: int = 40) -> pd.DataFrame:
    rng = np.random.default_rng(5)
    return pd.DataFrame(
        {
            "time": np.ceil(rng.exponential(5.0, n)),
            "event": (rng.uniform(size=n) < 0.7).astype(int),
            "x": rng.standard_normal(n),
            "site": "north",
            "pair": np.arange(n) // 2,
        }
    )


@pytest.mark.parametrize("covariates", ["C(site)", ["site"], "x + C(site)"])
@pytest.mark.parametrize("options", [{}, {"robust": True}, {"cluster": "pair"}])
def test_single_level_categorical_is_a_data_error(
    covariates: object, options: dict[str, object]
) -> None:
    # was: silently dropped, and a ValueError in group_sums with cluster=
    with pytest.raises(DataError, match=r"'site'.*single value"):
        cox(_with_single_level(), "time", "event", covariates, **options)  # type: ignore[arg-type]


def test_collinear_covariates_never_raise_linalg_error() -> None:
    # was: numpy's LinAlgError from np.linalg.inv of the final information
    rng = np.random.default_rng(218)
    n = int(rng.integers(4, 30))
    x1 = rng.integers(0, 2, n).astype(float)
    df = pd.DataFrame(
        {
            "time": rng.integers(1, 6, n).astype(float),
            "event": rng.integers(0, 2, n),
            "x1": x1,
            "x2": x1.copy(),
            "x3": rng.normal(size=n),
        }
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        with pytest.raises(DataError, match="collinear"):
            cox(df, "time", "event", ["x1", "x2", "x3"])


def test_predict_survival_after_separation_does_not_warn() -> None:
    # was: numpy overflow RuntimeWarnings from exp() of huge hazards
    df = pd.DataFrame(
        {"time": np.arange(1.0, 21.0), "event": 1, "x": (np.arange(20.0)[::-1] > 9.5) * 1.0}
    ).assign(z=np.random.default_rng(0).standard_normal(20))
    with pytest.warns(ConvergenceWarning):
        fit = cox(df, "time", "event", ["x", "z"])
    new = pd.DataFrame({"x": [0.0, 1.0, 1e4], "z": [0.0, 0.0, -1e5]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pred = fit.predict_survival(new, [0.5, 1.0, 15.0])
    assert not pred[["cumulative_hazard", "survival", "ci_lower", "ci_upper"]].isna().any().any()
    assert pred["survival"].between(0.0, 1.0).all()
    assert (pred["ci_lower"] <= pred["survival"]).all()
    assert (pred["survival"] <= pred["ci_upper"]).all()
    before = pred[pred["time"] == 0.5]
    assert (before["survival"] == 1.0).all()
    extreme = pred[(pred["row"] == 2) & (pred["time"] > 0.5)]
    assert (extreme["survival"] == 0.0).all()
