"""Poisson and negative binomial rate models against R glm / MASS::glm.nb (rate_models.R)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from rpeval.errors import DataError, RpevalError, SpecificationError
from rpeval.recidivism import rate_model
from tests.reference_data import reference, reference_csv

FIXTURE = Path(__file__).parent.parent / "fixtures" / "recur.csv"


@pytest.fixture(scope="module")
def people() -> pd.DataFrame:
    recur = pd.read_csv(FIXTURE)
    grouped = recur.groupby("ID").agg(
        AGE=("AGE", "first"),
        TREAT=("TREAT", "first"),
        arrests=("CENSOR", "sum"),
        end=("TIME1", "max"),
    )
    return grouped.assign(years=grouped["end"] / 365.25).reset_index()


@pytest.mark.parametrize("robust", [False, True])
def test_poisson_matches_glm(people: pd.DataFrame, robust: bool) -> None:
    expected = reference("rate_models")["poisson_robust" if robust else "poisson"]
    fit = rate_model(people, "arrests", "years", covariates=["TREAT", "AGE"], robust=robust)
    np.testing.assert_allclose(fit.coef, expected["coef"], rtol=1e-8)
    np.testing.assert_allclose(fit.std_error, expected["se"], rtol=1e-6)
    assert fit.loglik == pytest.approx(expected["loglik"], rel=1e-10)
    assert fit.terms == ("(Intercept)", "TREAT", "AGE")


def test_rates_by_group(people: pd.DataFrame) -> None:
    expected = reference("rate_models")
    fit = rate_model(people, "arrests", "years", group="TREAT")
    np.testing.assert_allclose(fit.coef, expected["poisson_group"]["coef"], rtol=1e-10)
    np.testing.assert_allclose(fit.std_error, expected["poisson_group"]["se"], rtol=1e-8)
    rates = fit.rates()
    np.testing.assert_allclose(rates["rate"], 100 * rates["events"] / rates["exposure"])
    assert rates["events"].sum() == expected["events"]
    assert fit.summary()["rate_ratio"].iloc[1] == pytest.approx(np.exp(fit.coef[1]))
    json.dumps(fit.to_dict())
    assert "Rate model (poisson, robust SEs)" in fit._repr_html_()


NB_DATA = [
    ("negative_binomial", "rate_counts.csv"),
    ("negative_binomial_mild", "rate_counts_mild.csv"),
]


@pytest.mark.parametrize(("key", "csv"), NB_DATA)
def test_negative_binomial_matches_glm_nb(key: str, csv: str) -> None:
    expected = reference("rate_models")[key]
    mle = expected["mle"]  # the same alternation as glm.nb, every step solved tightly
    counts = reference_csv(csv)
    fit = rate_model(
        counts, "arrests", "years", covariates="treat + priors", family="negative_binomial"
    )
    # theta is determined to ~1e-9 relative in double precision where the likelihood is
    # flat in it (the mild data: SE(theta) = 966 at theta = 224); glm.nb's own theta is
    # 1.3e-7 from the maximum on rate_counts (theta.ml stops its steps at eps^0.25)
    assert 1 / fit.alpha == pytest.approx(mle["theta"], rel=1e-8)
    assert 1 / fit.alpha == pytest.approx(expected["theta"], rel=2e-7)
    np.testing.assert_allclose(fit.coef, mle["coef"], rtol=1e-8)
    np.testing.assert_allclose(fit.coef, expected["coef"], rtol=1e-6)
    np.testing.assert_allclose(fit.std_error, expected["se"], rtol=1e-6)  # given theta
    assert fit.loglik == pytest.approx(expected["loglik"], rel=1e-8)


@pytest.mark.parametrize(("key", "csv"), NB_DATA)
def test_negative_binomial_robust_matches_vcovhc(key: str, csv: str) -> None:
    # sandwich::vcovHC(glm.nb fit, type = "HC0"): expected-information bread, theta fixed
    expected = reference("rate_models")[key]
    fit = rate_model(
        reference_csv(csv),
        "arrests",
        "years",
        covariates="treat + priors",
        family="negative_binomial",
        robust=True,
    )
    np.testing.assert_allclose(fit.std_error, expected["robust_se"], rtol=1e-6)
    np.testing.assert_allclose(fit.std_error, expected["mle"]["robust_se"], rtol=1e-8)


def test_negative_binomial_counts_are_overdispersed() -> None:
    counts = reference_csv("rate_counts.csv")
    poisson = rate_model(counts, "arrests", "years", covariates="treat + priors")
    assert poisson.pearson_dispersion > 1.3  # the simulated counts are overdispersed


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"count": "fraction"}, DataError),
        ({"exposure": "zero"}, DataError),
        ({"family": "binomial"}, SpecificationError),
        ({"covariates": ["TREAT", "TREAT2"]}, DataError),
        ({"per": 0}, SpecificationError),
    ],
)
def test_bad_input(
    people: pd.DataFrame, change: dict[str, object], error: type[RpevalError]
) -> None:
    data = people.assign(fraction=0.5, zero=0.0, TREAT2=lambda f: 2 * f["TREAT"])
    arguments: dict[str, object] = {"count": "arrests", "exposure": "years"}
    arguments.update(change)
    with pytest.raises(error):
        rate_model(data, **arguments)  # type: ignore[arg-type]


def test_unestimable_dispersion_is_an_rpeval_error() -> None:
    from rpeval.errors import ConvergenceError

    # tiny exposures with several events push the NB dispersion to infinity
    data = pd.DataFrame({"n": [0, 0, 0, 0, 5, 0, 0, 0], "t": [1, 1, 1, 1, 1e-4, 1, 1, 1]})
    with pytest.raises(ConvergenceError):
        rate_model(data, "n", "t", family="negative_binomial")


def test_poisson_cluster_matches_vcovcl(people: pd.DataFrame) -> None:
    expected = reference("rate_model_cluster")["poisson"]
    data = people.assign(cl=np.arange(len(people)) // 4)
    fit = rate_model(data, "arrests", "years", covariates=["TREAT", "AGE"], cluster="cl")
    np.testing.assert_allclose(fit.coef, expected["coef"], rtol=1e-8)
    np.testing.assert_allclose(fit.std_error, expected["se"], rtol=1e-6)
    alone = rate_model(
        data.assign(one=np.arange(len(data))), "arrests", "years", covariates=["AGE"], cluster="one"
    )
    plain = rate_model(data, "arrests", "years", covariates=["AGE"], robust=True)
    np.testing.assert_allclose(alone.std_error, plain.std_error, rtol=1e-12)
    with pytest.raises(SpecificationError, match="cluster"):
        rate_model(data, "arrests", "years", cluster="cl", robust=False)
