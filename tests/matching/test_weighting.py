"""weight(): closed-form IPW/overlap weights and robust SEs against R, entropy balancing's
exact balance, trimming, and effect() on a WeightResult."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given
from hypothesis import strategies as st

from rpeval.errors import DataError, RpevalError, SpecificationError
from rpeval.matching import WeightResult, effect, weight
from rpeval.matching._entropy import entropy_weights
from rpeval.matching.weighting import ipw_weights
from tests.hypothesis_budget import budget
from tests.reference_data import reference, reference_csv

FORMULA = "age + educ + race + married + nodegree + re74 + re75"
SETTINGS = budget(50, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def lalonde() -> pd.DataFrame:
    return reference_csv("lalonde.csv")


@pytest.mark.parametrize("estimand", ["ATE", "ATT", "ATC", "ATO", "ATE_stabilized"])
def test_ipw_weights_and_hc3_effect_equal_r(lalonde: pd.DataFrame, estimand: str) -> None:
    ref = reference("matching_weighting")[estimand]
    stabilize = estimand.endswith("stabilized")
    w = weight(lalonde, "treat", FORMULA, estimand=estimand[:3], stabilize=stabilize)  # type: ignore[arg-type]
    np.testing.assert_allclose(w.data["weights"], ref["weights"], rtol=1e-6)
    ess = w.effective_sample_size()
    assert ess["treated"] == pytest.approx(ref["ess_treated"], rel=1e-6)
    assert ess["control"] == pytest.approx(ref["ess_control"], rel=1e-6)
    result = effect(w, "re78", se="hc3")  # known weights; the default stacks the PS
    assert result.se_type == "hc3"
    assert result.estimate == pytest.approx(ref["estimate"], rel=1e-6)
    assert result.std_error == pytest.approx(ref["se_hc3"], rel=1e-6)


@given(
    st.lists(st.floats(0.01, 0.99), min_size=1, max_size=30),
    st.lists(st.booleans(), min_size=30, max_size=30),
)
@SETTINGS
def test_ipw_weights_are_the_closed_forms(scores: list[float], flags: list[bool]) -> None:
    p = np.asarray(scores)
    t = np.asarray(flags[: len(p)])
    for estimand, treated, control in [
        ("ATE", 1 / p, 1 / (1 - p)),
        ("ATT", np.ones_like(p), p / (1 - p)),
        ("ATC", (1 - p) / p, np.ones_like(p)),
        ("ATO", 1 - p, p),
    ]:
        np.testing.assert_allclose(ipw_weights(p, t, estimand), np.where(t, treated, control))


def test_overlap_weights_balance_the_propensity_covariates_exactly(lalonde: pd.DataFrame) -> None:
    # Li, Morgan & Zaslavsky (2018): with a logistic score, ATO weights give zero SMDs
    after = weight(lalonde, "treat", FORMULA, estimand="ATO").balance().after
    assert after["std_mean_diff"].abs().max() < 1e-6


@pytest.mark.parametrize("estimand", ["ATT", "ATC", "ATE"])
def test_entropy_balancing_hits_the_target_means(lalonde: pd.DataFrame, estimand: str) -> None:
    w = weight(lalonde, "treat", FORMULA, estimand=estimand, method="entropy")  # type: ignore[arg-type]
    X = pd.get_dummies(lalonde[["age", "educ", "race", "married", "nodegree", "re74", "re75"]])
    X = X.astype(float).to_numpy()
    t = lalonde["treat"].to_numpy() == 1
    weights = w.data["weights"].to_numpy()
    target = {"ATT": X[t].mean(0), "ATC": X[~t].mean(0), "ATE": X.mean(0)}[estimand]
    scale = X.std(0)
    for group in (t, ~t):
        means = weights[group] @ X[group] / weights[group].sum()
        assert np.max(np.abs(means - target) / scale) < 1e-8
        assert weights[group].sum() == pytest.approx(group.sum())
    if estimand == "ATT":
        assert (weights[t] == 1.0).all()


@st.composite
def hull_problems(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    n = draw(st.integers(5, 40))
    k = draw(st.integers(1, 4))
    seed = draw(st.integers(0, 10_000))
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, k)) * rng.uniform(0.1, 1000, size=k)
    mix = rng.dirichlet(np.ones(n))  # strictly inside the convex hull
    return X, mix @ X


@given(hull_problems())
@SETTINGS
def test_entropy_weights_reach_any_target_inside_the_hull(
    problem: tuple[np.ndarray, np.ndarray],
) -> None:
    X, target = problem
    fit = entropy_weights(X, target)
    assert fit.converged
    assert fit.weights.min() > 0 and fit.weights.sum() == pytest.approx(1.0)
    assert np.max(np.abs(fit.weights @ X - target) / X.std(0)) < 1e-8


def test_entropy_balancing_infeasible_raises() -> None:
    df = pd.DataFrame({"t": [1, 1, 0, 0, 0], "age": [60.0, 70, 20, 30, 40]})
    with pytest.raises(DataError, match="infeasible"):
        weight(df, "t", ["age"], estimand="ATT", method="entropy")
    # the target on the edge of the hull: only degenerate weights reach it
    edge = pd.DataFrame({"t": [1, 1, 0, 0, 0], "age": [40.0, 40, 20, 30, 40]})
    with pytest.raises(DataError, match="infeasible"):
        weight(edge, "t", ["age"], estimand="ATT", method="entropy")


def test_trim_and_truncate(lalonde: pd.DataFrame) -> None:
    full = weight(lalonde, "treat", FORMULA, estimand="ATE")
    score = full.data["distance"].to_numpy()
    trimmed = weight(lalonde, "treat", FORMULA, estimand="ATE", trim=0.1)
    outside = (score < 0.1) | (score > 0.9)
    assert trimmed.n_trimmed == int(outside.sum()) > 0
    assert len(trimmed.data) == len(lalonde) - trimmed.n_trimmed
    truncated = weight(lalonde, "treat", FORMULA, estimand="ATE", truncate=0.95)
    for flag in (1, 0):
        group = lalonde["treat"].to_numpy() == flag
        cap = np.quantile(full.data["weights"].to_numpy()[group], 0.95)
        np.testing.assert_allclose(
            truncated.data["weights"].to_numpy()[group],
            np.minimum(full.data["weights"].to_numpy()[group], cap),
        )
    summary = truncated.summary()
    assert summary.columns.tolist() == [
        "group",
        "n",
        "effective_n",
        "sum_weights",
        "min_weight",
        "max_weight",
    ]
    assert isinstance(truncated.to_dict()["balance"], dict)


def test_missing_rows_are_counted(lalonde: pd.DataFrame) -> None:
    holes = lalonde.assign(age=lalonde["age"].where(lalonde.index % 50 != 0))
    with pytest.raises(DataError, match="missing"):
        weight(holes, "treat", FORMULA)
    w = weight(holes, "treat", FORMULA, missing="drop")
    assert (
        w.n_dropped == int(holes["age"].isna().sum()) and len(w.data) == len(lalonde) - w.n_dropped
    )
    assert lalonde["age"].notna().all()  # input untouched


@pytest.mark.parametrize(
    "kwargs",
    [
        {"estimand": "ATX"},
        {"method": "cbps"},
        {"method": "entropy", "estimand": "ATO"},
        {"trim": 0.7},
        {"trim": 0.1, "method": "entropy"},
        {"truncate": 0.3},
    ],
)
def test_weight_rejects_bad_options(lalonde: pd.DataFrame, kwargs: dict[str, object]) -> None:
    with pytest.raises(SpecificationError):
        weight(lalonde, "treat", FORMULA, **kwargs)  # type: ignore[arg-type]


def test_weight_rejects_bad_columns(lalonde: pd.DataFrame) -> None:
    with pytest.raises(DataError, match="'treatt'"):
        weight(lalonde, "treatt", FORMULA)
    with pytest.raises(RpevalError):
        weight(lalonde, "treat", ["age", "edu"])


def test_effect_bootstrap_reestimates_the_weights(lalonde: pd.DataFrame) -> None:
    w = weight(lalonde, "treat", FORMULA, estimand="ATT")
    assert isinstance(w, WeightResult)
    boot = effect(w, "re78", se="bootstrap", n_bootstrap=60, random_state=3, progress=False)
    again = effect(w, "re78", se="bootstrap", n_bootstrap=60, random_state=3, progress=False)
    assert boot.std_error == again.std_error
    robust = effect(w, "re78")
    assert boot.estimate == robust.estimate
    assert 0.5 < boot.std_error / robust.std_error < 2.0
    with pytest.raises(SpecificationError, match="cluster"):
        effect(w, "re78", se="cluster")


def test_effect_on_weights_with_adjustment_recovers_a_known_effect() -> None:
    rng = np.random.default_rng(11)
    n = 4000
    x = rng.normal(size=n)
    t = rng.random(n) < 1 / (1 + np.exp(-x))
    y = 2.0 * t + 1.5 * x + 0.5 * t * x + rng.normal(size=n)
    df = pd.DataFrame({"t": t.astype(int), "x": x, "y": y})
    for estimand, truth in [("ATE", 2.0), ("ATT", 2.0 + 0.5 * x[t].mean())]:
        w = weight(df, "t", ["x"], estimand=estimand)  # type: ignore[arg-type]
        result = effect(w, "y", adjust=["x"])
        assert abs(result.estimate - truth) < 3 * result.std_error


def test_results_render(lalonde: pd.DataFrame) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    w = weight(lalonde, "treat", FORMULA, estimand="ATT")
    for kind in ("love", "propensity"):
        ax = w.plot(kind=kind)
        assert ax is not None
        plt.close("all")
    assert "<table" in w._repr_html_()


def test_text_treatment_labels_flow_through(lalonde: pd.DataFrame) -> None:
    from rpeval.matching import match, rosenbaum_bounds

    labelled = lalonde.assign(arm=np.where(lalonde["treat"] == 1, "nsw", "comparison"))
    w = weight(labelled, "arm", FORMULA, estimand="ATT", treated="nsw")
    assert effect(w, "re78").estimate == pytest.approx(
        effect(weight(lalonde, "treat", FORMULA, estimand="ATT"), "re78").estimate
    )
    m = match(labelled, "arm", FORMULA, treated="nsw")
    assert effect(m, "re78").estimate == pytest.approx(
        effect(match(lalonde, "treat", FORMULA), "re78").estimate
    )
    table = rosenbaum_bounds(m, "re78", [1.0]).summary()
    assert table["n_pairs"].iloc[0] > 0
