"""E-values and Rosenbaum bounds: published figures, R (pbinom, psignrank, enumeration)
and invariants."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from rpeval.errors import DataError, RpevalError, SpecificationError
from rpeval.matching import e_value, match, rosenbaum_bounds
from rpeval.matching.rosenbaum import mcnemar_bounds, signed_rank_bounds
from tests.hypothesis_budget import budget
from tests.reference_data import reference, reference_csv

SETTINGS = budget(60, deadline=None)


def test_e_values_from_vanderweele_ding() -> None:
    ev = e_value(0.80, 0.71, 0.91)
    assert ev.e_value == pytest.approx(1.809, abs=5e-4)
    assert ev.e_value_ci == pytest.approx(1.429, abs=5e-4)
    assert e_value(10.73).e_value == pytest.approx(20.95, abs=5e-3)
    assert e_value(10.73, 8.02, 14.36).e_value_ci == pytest.approx(8.02 + math.sqrt(8.02 * 7.02))
    table = ev.summary()
    assert table["quantity"].tolist() == ["estimate", "ci_limit"]
    assert table["value"].tolist() == [0.80, 0.91]
    assert ev.to_dict()["e_value_ci"] == ev.e_value_ci
    assert "ci_limit  0.9100      0.9100    1.429" in str(ev)
    assert repr(ev) == "<EValueResult: E-value>" and "<table" in ev._repr_html_()


def test_e_value_conversions() -> None:
    # common odds ratio: sqrt(OR); rare: OR itself
    assert e_value(4.0, measure="or").risk_ratio == pytest.approx(2.0)
    assert e_value(4.0, measure="or", rare=True).risk_ratio == pytest.approx(4.0)
    hr = 2.0
    expected = (1 - 0.5 ** math.sqrt(hr)) / (1 - 0.5 ** math.sqrt(1 / hr))
    assert e_value(hr, measure="hr").risk_ratio == pytest.approx(expected)
    assert e_value(hr, measure="hr", rare=True).risk_ratio == pytest.approx(2.0)
    smd = e_value(0.5, 0.2, 0.8, measure="smd")
    assert smd.risk_ratio == pytest.approx(math.exp(0.91 * 0.5))
    assert smd.risk_ratio_limit == pytest.approx(math.exp(0.91 * 0.2))
    # an interval that includes the null gives a CI E-value of 1
    assert e_value(1.3, 0.9, 1.8).e_value_ci == 1.0
    assert e_value(0.7, 0.4, 1.1).e_value_ci == 1.0
    assert e_value(1.0).e_value == 1.0
    # without the limit closer to the null there is no CI E-value
    assert e_value(1.5, upper=2.0).e_value_ci is None


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"estimate": -0.2}, SpecificationError),
        ({"estimate": 0.0, "measure": "or"}, SpecificationError),
        ({"estimate": float("nan")}, SpecificationError),
        ({"estimate": "1.2"}, SpecificationError),
        ({"estimate": 1.2, "lower": 1.3}, SpecificationError),
        ({"estimate": 1.2, "measure": "rd"}, SpecificationError),
        ({"estimate": 1.2, "rare": "yes"}, SpecificationError),
    ],
)
def test_e_value_rejects_bad_input(kwargs: dict[str, object], error: type[Exception]) -> None:
    with pytest.raises(error):
        e_value(**kwargs)  # type: ignore[arg-type]


@given(st.floats(0.01, 100.0), st.sampled_from(["rr", "or", "hr"]), st.booleans())
@SETTINGS
def test_e_value_invariants(rr: float, measure: str, rare: bool) -> None:
    ev = e_value(rr, measure=measure, rare=rare)  # type: ignore[arg-type]
    assert ev.e_value >= 1.0
    flipped = e_value(1 / rr, measure=measure, rare=rare)  # type: ignore[arg-type]
    assert flipped.e_value == pytest.approx(ev.e_value, rel=1e-9)
    with_ci = e_value(rr, rr * 0.8, rr * 1.25, measure=measure, rare=rare)  # type: ignore[arg-type]
    assert with_ci.e_value_ci is not None and 1.0 <= with_ci.e_value_ci <= ev.e_value


# --- Rosenbaum bounds ------------------------------------------------------------------


def test_mcnemar_bounds_equal_pbinom() -> None:
    for case in reference("matching_rosenbaum")["mcnemar"]:
        for i, gamma in enumerate(case["gammas"]):
            b = mcnemar_bounds(case["favouring"], case["discordant"], gamma)
            assert b.p_upper == pytest.approx(case["p_upper"][i], rel=1e-10)
            assert b.p_lower == pytest.approx(case["p_lower"][i], rel=1e-10)


def test_mcnemar_tail_includes_the_observed_count() -> None:
    # P(X >= T), not P(X > T): 8 of 10 discordant pairs give (45 + 10 + 1) / 1024
    assert mcnemar_bounds(8, 10, 1.0).p_upper == pytest.approx(56 / 1024)
    assert mcnemar_bounds(10, 10, 2.0).p_upper == pytest.approx((2 / 3) ** 10)


def test_signed_rank_exact_equals_psignrank_and_enumeration() -> None:
    ref = reference("matching_rosenbaum")
    gamma1 = ref["signed_rank_gamma1"]
    d = np.asarray(gamma1["d"])
    assert signed_rank_bounds(d, 1.0).p_upper == pytest.approx(gamma1["p_psignrank"], rel=1e-12)
    exact = ref["signed_rank_exact"]
    d = np.asarray(exact["d"], dtype=float)  # ties and a zero
    for i, gamma in enumerate(exact["gammas"]):
        b = signed_rank_bounds(d, gamma, exact=True)
        assert b.p_upper == pytest.approx(exact["p_upper"][i], rel=1e-10)
        assert b.p_lower == pytest.approx(exact["p_lower"][i], rel=1e-10)


@pytest.fixture(scope="module")
def lalonde_pairs() -> pd.DataFrame:
    ref = reference("matching_rosenbaum")["lalonde_pairs"]
    data = reference_csv("lalonde.csv").set_index("id")
    subclass = {
        **{t: i + 1 for i, t in enumerate(ref["treated"])},
        **{c: i + 1 for i, c in enumerate(ref["control"])},
    }
    pairs = data.loc[list(subclass)].assign(subclass=list(subclass.values()))
    return pairs.assign(employed=(pairs["re78"] > 0).astype(int))


def test_lalonde_pairs_against_r(lalonde_pairs: pd.DataFrame) -> None:
    ref = reference("matching_rosenbaum")["lalonde_pairs"]
    table = rosenbaum_bounds(
        lalonde_pairs, "re78", ref["gammas"], treatment="treat", alternative="greater"
    ).summary()
    assert (table["test"] == "signed_rank").all()
    assert table["n_pairs"].iloc[0] == ref["n_nonzero"]
    assert table["statistic"].iloc[0] == pytest.approx(ref["signed_rank_statistic"])
    np.testing.assert_allclose(table["p_upper"], ref["signed_rank_p_upper"], rtol=1e-9)
    np.testing.assert_allclose(table["p_lower"], ref["signed_rank_p_lower"], rtol=1e-9)
    binary = rosenbaum_bounds(
        lalonde_pairs, "employed", ref["gammas"], treatment="treat", alternative="greater"
    ).summary()
    assert (binary["test"] == "mcnemar").all()
    np.testing.assert_allclose(binary["p_upper"], ref["employed"]["p_upper"], rtol=1e-10)
    np.testing.assert_allclose(binary["p_lower"], ref["employed"]["p_lower"], rtol=1e-10)


def test_gamma_critical_is_where_significance_is_lost() -> None:
    rows = []
    for s in range(30):  # 25 of 30 discordant pairs favour the program
        y_t, y_c = (0, 1) if s < 25 else (1, 0)
        rows += [{"subclass": s + 1, "t": 1, "y": y_t}, {"subclass": s + 1, "t": 0, "y": y_c}]
    result = rosenbaum_bounds(pd.DataFrame(rows), "y", [1, 2, 3], treatment="t")
    table = result.summary()
    assert result.alternative == "less"
    critical = result.gamma_critical
    assert mcnemar_bounds(25, 30, critical).p_upper == pytest.approx(0.05, abs=1e-9)
    assert mcnemar_bounds(25, 30, critical * 0.999).p_upper < 0.05
    assert table["significant"].tolist() == [True, True, critical > 3]
    assert result.to_dict()["gamma_critical"] == critical
    assert result.to_dict()["bounds"][0]["significant"] is True
    assert "Rosenbaum bounds" in str(result) and "<table>" in result._repr_html_()
    stricter = rosenbaum_bounds(pd.DataFrame(rows), "y", [1], treatment="t", conf_level=0.99)
    assert stricter.significance == 0.01 and stricter.gamma_critical < critical


def test_alpha_is_a_deprecated_alias_of_conf_level() -> None:
    pairs = pd.DataFrame({"subclass": [1, 1, 2, 2], "t": [1, 0] * 2, "y": [0, 1, 0, 1]})
    with pytest.warns(FutureWarning, match="conf_level"):
        old = rosenbaum_bounds(pairs, "y", [1.0, 2.0], treatment="t", alpha=0.1)
    new = rosenbaum_bounds(pairs, "y", [1.0, 2.0], treatment="t", conf_level=0.9)
    pd.testing.assert_frame_equal(old.summary(), new.summary())
    assert old.significance == 0.1 and old.gamma_critical == new.gamma_critical
    with pytest.warns(FutureWarning), pytest.raises(SpecificationError, match="disagree"):
        rosenbaum_bounds(pairs, "y", [1.0], treatment="t", alpha=0.1, conf_level=0.95)


def test_rosenbaum_plot() -> None:
    import matplotlib

    matplotlib.use("Agg")
    pairs = pd.DataFrame({"subclass": np.repeat(np.arange(1, 13), 2), "t": [1, 0] * 12,
                          "y": [0, 1] * 10 + [1, 0] * 2})  # fmt: skip
    ax = rosenbaum_bounds(pairs, "y", [1.0, 1.5, 2.0], treatment="t").plot()
    assert len(ax.lines) >= 3


def test_from_a_match_result() -> None:
    from rpeval.datasets import simulate_program

    people = simulate_program(150, 600, random_state=4).people
    m = match(people, "participant", "age + prior_arrests + C(offense_type)")
    people = people.assign(y=np.random.default_rng(1).normal(size=len(people)))
    m2 = match(people, "participant", "age + prior_arrests + C(offense_type)")
    table = rosenbaum_bounds(m2, "y", [1.0, 1.5]).summary()
    assert len(table) == 2 and (table["p_lower"] <= table["p_upper"]).all()
    with pytest.raises(SpecificationError, match="pairs"):
        rosenbaum_bounds(match(people, "participant", "age + prior_arrests", ratio=2), "y", [1.0])
    assert m.counts().loc["matched"].iloc[0] == 150


@pytest.mark.parametrize(
    ("gammas", "kwargs"),
    [
        ([0.5], {}),
        ([], {}),
        ([float("inf")], {}),
        ([1.0], {"alternative": "two"}),
        ([1.0], {"conf_level": 1.5}),
    ],
)
def test_rosenbaum_rejects_bad_options(gammas: list[float], kwargs: dict[str, object]) -> None:
    pairs = pd.DataFrame({"subclass": [1, 1], "t": [1, 0], "y": [1.0, 0.0]})
    with pytest.raises(SpecificationError):
        rosenbaum_bounds(pairs, "y", gammas, treatment="t", **kwargs)  # type: ignore[arg-type]


def test_rosenbaum_rejects_bad_data() -> None:
    pairs = pd.DataFrame({"subclass": [1, 1], "t": [1, 0], "y": [1.0, 0.0]})
    with pytest.raises(SpecificationError, match="treatment="):
        rosenbaum_bounds(pairs, "y", [1.0])
    with pytest.raises(DataError, match="'yy'"):
        rosenbaum_bounds(pairs, "yy", [1.0], treatment="t")
    with pytest.raises(RpevalError):
        rosenbaum_bounds(pairs.drop(columns="subclass"), "y", [1.0], treatment="t")
    with pytest.raises(DataError):
        rosenbaum_bounds(pairs.assign(y=[np.inf, 0.0]), "y", [1.0], treatment="t")


@given(
    st.lists(st.integers(-6, 6), min_size=1, max_size=14),
    st.lists(st.floats(1.0, 6.0), min_size=2, max_size=4),
)
@SETTINGS
def test_signed_rank_bounds_properties(values: list[int], gammas: list[float]) -> None:
    d = np.asarray(values, dtype=float)
    exact = [signed_rank_bounds(d, g, exact=True) for g in sorted(gammas)]
    for b in exact:
        assert 0.0 <= b.p_lower <= b.p_upper + 1e-12 <= 1.0 + 1e-12
    uppers = [b.p_upper for b in exact]
    lowers = [b.p_lower for b in exact]
    assert all(a <= b + 1e-12 for a, b in itertools.pairwise(uppers))
    assert all(a + 1e-12 >= b for a, b in itertools.pairwise(lowers))
    nonzero = d[d != 0]
    if nonzero.size and np.unique(np.abs(nonzero)).size == nonzero.size:
        at_one = signed_rank_bounds(d, 1.0, exact=True)
        expected = stats.wilcoxon(nonzero, alternative="greater", method="exact").pvalue
        assert at_one.p_upper == pytest.approx(at_one.p_lower)
        assert at_one.p_upper == pytest.approx(expected, rel=1e-9)


@given(st.integers(0, 40), st.integers(0, 40), st.floats(1.0, 10.0))
@SETTINGS
def test_mcnemar_bounds_bracket_the_binomial_test(t: int, extra: int, gamma: float) -> None:
    d = t + extra
    b = mcnemar_bounds(t, d, gamma)
    if d:
        plain = stats.binomtest(t, d, 0.5, alternative="greater").pvalue
        assert b.p_lower - 1e-12 <= plain <= b.p_upper + 1e-12


@budget(60)
@given(
    n=st.integers(1, 5000),
    share=st.floats(min_value=0.0, max_value=1.0),
    gamma=st.floats(min_value=1.0, max_value=20.0),
)
def test_mcnemar_tail_is_scipys_binomial_tail(n: int, share: float, gamma: float) -> None:
    # the tail comes from scipy.special.betainc (no scipy.stats import): the same numbers
    # as scipy.stats.binom.sf (the same bits with scipy 1.17)
    favouring = round(share * n)
    bounds = mcnemar_bounds(favouring, n, gamma)
    upper = stats.binom.sf(favouring - 1, n, gamma / (1 + gamma))
    lower = stats.binom.sf(favouring - 1, n, 1 / (1 + gamma))
    assert bounds.p_upper == pytest.approx(upper, rel=1e-13, abs=1e-300)
    assert bounds.p_lower == pytest.approx(lower, rel=1e-13, abs=1e-300)
