"""AFT models against R survival ``survreg`` on Wooldridge's recid data (Example 17.4)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from rpeval.datasets import load_recid, load_rossi
from rpeval.errors import DataError, RpevalError, SpecificationError
from rpeval.recidivism import aft
from tests.reference_data import reference

RHS = "workprg + priors + tserved + felon + alcohol + drugs + black + married + educ + age"
RTOL = 1e-5  # survreg stops at a relative loglik change of 1e-9: its coefficients carry ~3e-7


@pytest.fixture(scope="module")
def recid() -> pd.DataFrame:
    return load_recid().assign(event=lambda f: 1 - f["cens"])


@pytest.mark.parametrize("dist", ["lognormal", "weibull", "loglogistic", "exponential"])
def test_recid_matches_survreg(recid: pd.DataFrame, dist: str) -> None:
    expected = reference("survreg_recid")[dist]
    fit = aft(recid, "durat", "event", RHS, dist=dist)  # type: ignore[arg-type]
    assert list(fit.terms) == expected["terms"]
    np.testing.assert_allclose(fit.coef, expected["coef"], rtol=RTOL)
    k = len(fit.coef)
    np.testing.assert_allclose(fit.std_error[:k], expected["se"], rtol=RTOL)
    assert fit.scale == pytest.approx(expected["scale"], rel=RTOL)
    assert fit.loglik == pytest.approx(expected["loglik"][1], rel=1e-9)
    assert fit.loglik_null == pytest.approx(expected["loglik"][0], rel=1e-9)
    lr = fit.tests().iloc[0]
    assert lr["statistic"] == pytest.approx(expected["chisq"], rel=1e-6)
    assert lr["df"] == expected["df"]
    np.testing.assert_allclose(fit.covariance, expected["var"], rtol=1e-4, atol=1e-10)
    if dist != "exponential":
        table = fit.summary().set_index("term")
        assert table.loc["log(scale)", "std_error"] == pytest.approx(
            expected["log_scale_se"], rel=RTOL
        )


def test_wooldridge_example_17_4(recid: pd.DataFrame) -> None:
    fit = aft(recid, "durat", "event", RHS, dist="lognormal")
    table = fit.summary().set_index("term")["estimate"]
    published = {
        "workprg": -0.063,
        "priors": -0.137,
        "tserved": -0.019,
        "felon": 0.444,
        "alcohol": -0.635,
        "drugs": -0.298,
        "black": -0.543,
        "married": 0.341,
        "educ": 0.023,
        "age": 0.0039,
        "(Intercept)": 4.099,
    }
    for term, value in published.items():
        assert table[term] == pytest.approx(value, abs=6e-4)
    assert fit.scale == pytest.approx(1.810, abs=5e-4)
    assert fit.loglik_log_time == pytest.approx(-1597.06, abs=0.005)
    expected = reference("survreg_recid")
    assert fit.loglik_log_time == pytest.approx(
        expected["lognormal_log_duration"]["loglik"][1], rel=1e-9
    )


def test_time_ratios_aic_and_json(recid: pd.DataFrame) -> None:
    fit = aft(recid, "durat", "event", RHS, dist="weibull")
    table = fit.summary()
    assert list(table.columns) == [
        "term",
        "estimate",
        "std_error",
        "statistic",
        "p_value",
        "ci_lower",
        "ci_upper",
        "time_ratio",
        "time_ratio_lower",
        "time_ratio_upper",
    ]
    np.testing.assert_allclose(table["time_ratio"].iloc[:-1], np.exp(fit.coef))
    assert np.isnan(table["time_ratio"].iloc[-1])
    assert fit.aic == pytest.approx(-2 * fit.loglik + 2 * 12)
    json.dumps(fit.to_dict())
    assert "AFT model" in fit._repr_html_()


def test_predictions_are_consistent() -> None:
    rossi = load_rossi()
    for dist in ("weibull", "lognormal", "loglogistic", "exponential"):
        fit = aft(rossi, "week", "arrest", "fin + prio", dist=dist)  # type: ignore[arg-type]
        median = fit.predict_quantile(rossi.head(3), 0.5)
        at_median = fit.predict_survival(rossi.head(3), list(median))
        diagonal = at_median["survival"].to_numpy().reshape(3, 3).diagonal()
        np.testing.assert_allclose(diagonal, 0.5, rtol=1e-10)


def test_weights_equal_replication() -> None:
    rossi = load_rossi()
    doubled = pd.concat([rossi, rossi], ignore_index=True)
    weighted = aft(rossi.assign(w=2.0), "week", "arrest", "fin + age", weights="w")
    replicated = aft(doubled, "week", "arrest", "fin + age")
    np.testing.assert_allclose(weighted.coef, replicated.coef, rtol=1e-8)
    np.testing.assert_allclose(weighted.std_error, replicated.std_error, rtol=1e-8)


def test_plot_returns_axes() -> None:
    import matplotlib

    matplotlib.use("Agg")
    ax = aft(load_rossi(), "week", "arrest", "fin + age + prio").plot()
    assert [t.get_text() for t in ax.get_yticklabels()] == ["fin", "age", "prio"]


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"dist": "gamma"}, SpecificationError),
        ({"covariates": "fin + nope"}, DataError),
        ({"duration": "zero"}, DataError),
        ({"event": "bad_event"}, DataError),
        ({"covariates": "fin + same"}, DataError),
        ({"covariates": "fin + fin2"}, DataError),
        ({"conf_level": 1.5}, SpecificationError),
    ],
)
def test_bad_input(change: dict[str, object], error: type[RpevalError]) -> None:
    rossi = load_rossi().assign(
        zero=lambda f: f["week"] - 1, bad_event=2, same=1.0, fin2=lambda f: 2 * f["fin"]
    )
    arguments: dict[str, object] = {
        "duration": "week",
        "event": "arrest",
        "covariates": "fin + age",
    }
    arguments.update(change)
    with pytest.raises(error):
        aft(rossi, **arguments)  # type: ignore[arg-type]
