"""Property tests of the Cox fitter: invariances, tie methods and clean errors."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given
from hypothesis import strategies as st

from rpeval.errors import ConvergenceWarning, DataError, RpevalError, SpecificationError
from rpeval.recidivism import cox
from tests.hypothesis_budget import budget

SETTINGS = budget(25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _frame(seed: int, n: int, *, ties: bool = True) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x1 = rng.standard_normal(n)
    x2 = rng.integers(0, 2, n)
    time = rng.exponential(1.0 / np.exp(0.5 * x1 - 0.4 * x2))
    time = np.ceil(time * 5) if ties else time + rng.uniform(0, 1e-3, n)
    event = rng.uniform(size=n) < 0.75
    event[0] = True
    return pd.DataFrame({"time": time, "event": event.astype(int), "x1": x1, "x2": x2})


@SETTINGS
@given(
    seed=st.integers(0, 10_000), n=st.integers(20, 80), ties=st.sampled_from(["efron", "breslow"])
)
def test_invariant_to_row_order(seed: int, n: int, ties: str) -> None:
    df = _frame(seed, n)
    shuffled = df.sample(frac=1.0, random_state=seed).reset_index(drop=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        a = cox(df, "time", "event", ["x1", "x2"], ties=ties)  # type: ignore[arg-type]
        b = cox(shuffled, "time", "event", ["x1", "x2"], ties=ties)  # type: ignore[arg-type]
    assume(not a.notes)  # with separation the estimate is infinite: nothing to compare
    np.testing.assert_allclose(a.coef, b.coef, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(a.std_error, b.std_error, rtol=1e-8)
    assert a.concordance == pytest.approx(b.concordance, rel=1e-12)


@SETTINGS
@given(seed=st.integers(0, 10_000), scale=st.floats(0.01, 100.0))
def test_coefficients_equivariant_to_scaling(seed: int, scale: float) -> None:
    df = _frame(seed, 60)
    scaled = df.assign(x1=df["x1"] * scale)
    a = cox(df, "time", "event", ["x1", "x2"])
    b = cox(scaled, "time", "event", ["x1", "x2"])
    np.testing.assert_allclose(b.coef[0] * scale, a.coef[0], rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(b.coef[1], a.coef[1], rtol=1e-6, atol=1e-9)
    assert b.loglik == pytest.approx(a.loglik, rel=1e-9)


@SETTINGS
@given(seed=st.integers(0, 10_000), n=st.integers(15, 60))
def test_efron_equals_breslow_without_ties(seed: int, n: int) -> None:
    df = _frame(seed, n, ties=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        a = cox(df, "time", "event", ["x1", "x2"], ties="efron")
        b = cox(df, "time", "event", ["x1", "x2"], ties="breslow")
    assume(not a.notes)  # separation: both diverge, at different speeds
    np.testing.assert_allclose(a.coef, b.coef, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(a.std_error, b.std_error, rtol=1e-9)


@SETTINGS
@given(seed=st.integers(0, 10_000))
def test_integer_weights_equal_duplicated_rows(seed: int) -> None:
    # true for Breslow only: Efron counts tied rows, so duplicates add ties (as in R)
    df = _frame(seed, 40)
    w = np.random.default_rng(seed).integers(1, 4, len(df))
    weighted = cox(df.assign(w=w), "time", "event", ["x1", "x2"], weights="w", ties="breslow")
    expanded = cox(df.loc[df.index.repeat(w)], "time", "event", ["x1", "x2"], ties="breslow")
    np.testing.assert_allclose(weighted.coef, expanded.coef, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(weighted.std_error, expanded.std_error, rtol=1e-8)


@SETTINGS
@given(seed=st.integers(0, 10_000))
def test_score_residuals_sum_to_zero_at_the_estimate(seed: int) -> None:
    # the robust variance of a fit equals the sandwich of residuals that sum to the score (0)
    df = _frame(seed, 50)
    fit = cox(df, "time", "event", ["x1", "x2"], robust=True)
    assert fit.robust_std_error is not None
    assert np.all(np.isfinite(fit.robust_std_error))
    assert np.all(fit.robust_std_error > 0)


def test_one_cluster_per_row_equals_robust() -> None:
    df = _frame(3, 70).assign(row=np.arange(70))
    a = cox(df, "time", "event", ["x1", "x2"], robust=True)
    b = cox(df, "time", "event", ["x1", "x2"], cluster="row")
    np.testing.assert_allclose(a.robust_std_error, b.robust_std_error, rtol=1e-12)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("mutate", "error"),
    [
        (lambda d: d.assign(time=-d["time"]), DataError),
        (lambda d: d.assign(event=d["event"] * 2), DataError),
        (lambda d: d.assign(x1=np.nan), DataError),
        (lambda d: d.assign(x1=1.0), DataError),
        (lambda d: d.assign(event=0), DataError),
        (lambda d: d.iloc[0:0], DataError),
        (lambda d: d.drop(columns=["x1"]), DataError),
    ],
)
def test_bad_inputs_raise_rpeval_errors(mutate, error) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(error):
        cox(mutate(_frame(1, 30)), "time", "event", ["x1", "x2"])


def test_bad_options_raise_specification_errors() -> None:
    df = _frame(1, 30)
    with pytest.raises(SpecificationError):
        cox(df, "time", "event", ["x1"], ties="exact")  # type: ignore[arg-type]
    with pytest.raises(SpecificationError):
        cox(df, "time", "event", ["x1"], conf_level=1.5)
    with pytest.raises(RpevalError):
        cox(df, "time", "event", "x1 + log(x2)")


def test_complete_separation_warns_and_reports() -> None:
    # x perfectly orders the events: the partial likelihood has no finite maximum
    df = pd.DataFrame(
        {"time": np.arange(1.0, 21.0), "event": 1, "x": np.arange(20.0)[::-1] > 9.5}
    ).assign(x=lambda d: d["x"].astype(float), z=np.random.default_rng(0).standard_normal(20))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit = cox(df, "time", "event", ["x", "z"])
    assert any(issubclass(w.category, ConvergenceWarning) for w in caught)
    assert any("may be infinite" in note for note in fit.notes)
