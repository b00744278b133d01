"""Split-population (mixture cure) models: recovery of simulated truth, warnings, errors."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest

from rpeval.errors import ConvergenceWarning, DataError, RpevalError, SpecificationError
from rpeval.recidivism import split_population
from rpeval.recidivism.parametric._cure_likelihood import CureData, cure_loglik

TRUTH = {"incidence": (0.5, -1.0), "latency": (5.0, 0.3), "log_scale": 0.0}


def simulate(n: int, seed: int, censor: tuple[float, float]) -> pd.DataFrame:
    """Eventual reoffending expit(0.5 - treat); log-normal latency log T = 5 + 0.3 x + W."""
    rng = np.random.default_rng(seed)
    treat = rng.integers(0, 2, n)
    x = rng.normal(size=n)
    reoffender = rng.random(n) < 1.0 / (1.0 + np.exp(-(0.5 - 1.0 * treat)))
    latency = np.exp(5.0 + 0.3 * x + rng.normal(size=n))
    censor_at = rng.uniform(*censor, size=n)
    time = np.where(reoffender, np.minimum(latency, censor_at), censor_at)
    event = reoffender & (latency <= censor_at)
    return pd.DataFrame({"days": time, "rearrest": event.astype(int), "treat": treat, "x": x})


@pytest.fixture(scope="module")
def long_followup() -> pd.DataFrame:
    return simulate(6000, 20261126, (1000.0, 3000.0))


def test_recovers_simulated_cure_fraction_and_latency(long_followup: pd.DataFrame) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        fit = split_population(
            long_followup, "days", "rearrest", incidence=["treat"], latency=["x"]
        )
    assert fit.converged and not fit.weakly_identified
    table = fit.summary()
    truth = [*TRUTH["incidence"], *TRUTH["latency"], TRUTH["log_scale"]]
    z = (table["estimate"] - truth) / table["std_error"]
    assert np.all(np.abs(z) < 4), table.assign(z=z)
    np.testing.assert_allclose(table["estimate"], truth, atol=0.12)
    # predicted eventual reoffending by arm against the simulated probabilities
    arms = fit.predict_incidence(pd.DataFrame({"treat": [0, 1]}))
    np.testing.assert_allclose(arms["probability"], [0.6225, 0.3775], atol=0.03)
    assert np.all(arms["ci_lower"] < arms["probability"])
    assert 0.45 < fit.eventual_reoffense < 0.55


def test_gradient_is_exact() -> None:
    data = simulate(300, 1, (200.0, 600.0))
    X = np.column_stack([np.ones(300), data["x"]])
    Z = np.column_stack([np.ones(300), data["treat"]])
    for dist in ("lognormal", "weibull", "loglogistic"):
        cure = CureData(
            Z,
            X,
            np.log(data["days"].to_numpy()),
            data["rearrest"].to_numpy() == 1,
            np.ones(300),
            dist,
        )
        theta = np.array([0.2, -0.4, 4.5, 0.1, 0.2])
        _, grad = cure_loglik(theta, cure)
        numeric = [
            (cure_loglik(theta + h, cure)[0] - cure_loglik(theta - h, cure)[0]) / 2e-6
            for h in np.eye(5) * 1e-6
        ]
        np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-5)


def test_short_followup_warns_weak_identification() -> None:
    short = simulate(3000, 7, (30.0, 90.0))  # median latency ~150 days
    with pytest.warns(ConvergenceWarning, match="weakly identified"):
        fit = split_population(short, "days", "rearrest", incidence=["treat"], latency=["x"])
    assert fit.weakly_identified and fit.tail_beyond_followup > 0.1


def test_predictions_and_output(long_followup: pd.DataFrame) -> None:
    fit = split_population(
        long_followup, "days", "rearrest", incidence=["treat"], latency=None, dist="weibull"
    )
    assert fit.latency_terms == ("(Intercept)",)
    surv = fit.predict_survival(pd.DataFrame({"treat": [0, 1]}), [100.0, 1e6])
    long_run = surv[surv["time"] == 1e6]
    np.testing.assert_allclose(long_run["survival"], 1 - long_run["incidence"], atol=1e-6)
    assert surv["survival"].between(0, 1).all()
    json.dumps(fit.to_dict())
    assert "Split-population" in fit._repr_html_()
    assert fit.aic == pytest.approx(-2 * fit.loglik + 2 * 4)
    import matplotlib

    matplotlib.use("Agg")
    ax = fit.plot()
    assert [t.get_text() for t in ax.get_yticklabels()] == ["incidence: treat"]


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"dist": "exponential"}, SpecificationError),
        ({"incidence": ["nope"]}, DataError),
        ({"duration": "zero"}, DataError),
        ({"event": "treat2"}, DataError),
        ({"latency": ["x", "x2"]}, DataError),
        ({"conf_level": 2}, SpecificationError),
    ],
)
def test_bad_input(change: dict[str, object], error: type[RpevalError]) -> None:
    data = simulate(50, 3, (100.0, 300.0)).assign(zero=0.0, treat2=2, x2=lambda f: 3 * f["x"])
    arguments: dict[str, object] = {
        "duration": "days",
        "event": "rearrest",
        "incidence": ["treat"],
        "latency": ["x"],
    }
    arguments.update(change)
    with pytest.raises(error):
        split_population(data, **arguments)  # type: ignore[arg-type]


@pytest.mark.parametrize("dist", ["lognormal", "weibull"])
def test_matches_the_likelihood_maximised_in_r(dist: str) -> None:
    from rpeval.datasets import load_rossi
    from tests.reference_data import reference

    expected = reference("split_population_rossi")[dist]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # one year: weakly identified
        fit = split_population(
            load_rossi(), "week", "arrest", incidence=["fin", "prio"], latency=["age"], dist=dist
        )  # type: ignore[arg-type]
    table = fit.summary()
    np.testing.assert_allclose(table["estimate"], expected["theta"], atol=1e-5)
    # R's optimHess differentiates numerically twice; we differentiate an exact gradient once
    np.testing.assert_allclose(table["std_error"], expected["se"], rtol=5e-3)
    assert fit.loglik == pytest.approx(expected["loglik"], rel=1e-9)
