"""Reliability coefficients against Krippendorff's (2011) worked examples, R irr 0.84.1
(tests/reference/qualitative_irr.R) and the `krippendorff` package (test-only, skipped
when it is not installed)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rpeval.errors import DataError, SpecificationError
from rpeval.qualitative import (
    cohen_kappa,
    fleiss_kappa,
    gwet_ac1,
    krippendorff_alpha,
    percent_agreement,
)
from tests.hypothesis_budget import budget

REFERENCE = Path(__file__).parents[1] / "reference"
IRR = json.loads((REFERENCE / "qualitative_irr.json").read_text())
MISSING = pd.read_csv(REFERENCE / "qualitative_ratings.csv").drop(columns="unit")
COMPLETE = pd.read_csv(REFERENCE / "qualitative_ratings_complete.csv").drop(columns="unit")
BINARY = pd.read_csv(REFERENCE / "qualitative_binary.csv").drop(columns="unit")
LEVELS = ["nominal", "ordinal", "interval", "ratio"]
nan = np.nan

# Krippendorff (2011), "Computing Krippendorff's alpha-reliability": units in rows
EXAMPLE_C = pd.DataFrame(
    {
        "a": [1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
        "b": [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
        "c": [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
        "d": [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan],
    }
)
PUBLISHED_C = {"nominal": 0.743, "ordinal": 0.815, "interval": 0.849, "ratio": 0.797}


@pytest.mark.parametrize("level", LEVELS)
def test_krippendorff_2011_example_c(level: str) -> None:
    result = krippendorff_alpha(EXAMPLE_C, level=level, n_bootstrap=0)
    assert round(result.estimate, 3) == PUBLISHED_C[level]
    assert result.estimate == pytest.approx(IRR["krippendorff_c"][level], abs=1e-12)
    # unit 12 is rated once: left out and counted
    assert result.n_units == 11 and result.n_units_dropped == 1


def test_krippendorff_2011_binary_and_two_coder_nominal() -> None:
    binary = pd.DataFrame(
        {"a": [0, 1, 0, 0, 0, 0, 0, 0, 1, 0], "b": [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]}
    )
    assert round(krippendorff_alpha(binary, n_bootstrap=0).estimate, 3) == 0.095
    nominal = pd.DataFrame({"a": list("aabbdcccedda"), "b": list("babbbcccedd" + "d")})
    assert round(krippendorff_alpha(nominal, n_bootstrap=0).estimate, 3) == 0.692


@pytest.mark.parametrize("level", LEVELS)
def test_alpha_equals_irr_with_missing_and_two_coders(level: str) -> None:
    missing = krippendorff_alpha(MISSING, level=level, n_bootstrap=0).estimate
    assert missing == pytest.approx(IRR["alpha_missing"][level], abs=1e-12)
    two = krippendorff_alpha(COMPLETE[["ann", "bob"]], level=level, n_bootstrap=0).estimate
    assert two == pytest.approx(IRR["alpha_two_coders"][level], abs=1e-12)


def test_irr_differs_on_complete_data_with_more_than_two_coders() -> None:
    """irr 0.84.1 divides coincidences by 1 instead of m_u - 1 when no value is missing,
    which is right for two coders only; Krippendorff's formula (and the krippendorff
    package) give a different value for four. We follow the formula."""
    ours = krippendorff_alpha(COMPLETE, level="nominal", n_bootstrap=0).estimate
    assert abs(ours - IRR["alpha_complete_four"]["nominal"]) > 1e-3
    # Setting one value missing in a fifth, never-shared unit forces irr's general path.
    padded = pd.concat([COMPLETE, pd.DataFrame({"ann": [1.0]})], ignore_index=True)
    assert krippendorff_alpha(padded, level="nominal", n_bootstrap=0).estimate == ours


def test_against_the_krippendorff_package() -> None:
    krippendorff = pytest.importorskip("krippendorff")
    for frame in (MISSING, COMPLETE, BINARY, EXAMPLE_C):
        for level in LEVELS:
            data = frame.T.to_numpy(dtype=float)
            if level == "ratio" and np.nanmin(data) <= 0 and frame is BINARY:
                continue
            theirs = krippendorff.alpha(reliability_data=data, level_of_measurement=level)
            ours = krippendorff_alpha(frame, level=level, n_bootstrap=0).estimate
            assert ours == pytest.approx(theirs, abs=1e-10)


@pytest.mark.parametrize(
    ("weights", "irr"),
    [("unweighted", "unweighted"), ("linear", "equal"), ("quadratic", "squared")],
)
def test_cohen_kappa_equals_irr_kappa2(weights: str, irr: str) -> None:
    result = cohen_kappa(COMPLETE, ["ann", "bob"], weighting=weights)
    assert result.estimate == pytest.approx(IRR["kappa2"][irr]["value"], abs=1e-12)
    assert result.z == pytest.approx(IRR["kappa2"][irr]["z"], abs=1e-10)
    assert result.p_value == pytest.approx(IRR["kappa2"][irr]["p"], rel=1e-6)
    assert result.ci_lower < result.estimate < result.ci_upper
    binary = cohen_kappa(BINARY, ["ann", "bob"])
    assert binary.estimate == pytest.approx(IRR["kappa2"]["binary"]["value"], abs=1e-12)


def test_fleiss_kappa_and_agreement_equal_irr() -> None:
    for frame, key in ((COMPLETE, "ordinal_as_nominal"), (BINARY, "binary")):
        result = fleiss_kappa(frame)
        assert result.estimate == pytest.approx(IRR["fleiss"][key]["value"], abs=1e-12)
        assert result.z == pytest.approx(IRR["fleiss"][key]["z"], abs=1e-9)
        assert np.isfinite(result.std_error) and result.ci_lower < result.estimate
    assert percent_agreement(COMPLETE).estimate == pytest.approx(IRR["agree"]["complete"])
    assert percent_agreement(BINARY).estimate == pytest.approx(IRR["agree"]["binary"])


def test_gwet_ac1_by_hand() -> None:
    # two coders, 2 x 2 table a=40 (1,1), b=5, c=5, d=50 (Gwet 2008's two-rater form)
    a = [1] * 40 + [1] * 5 + [0] * 5 + [0] * 50
    b = [1] * 40 + [0] * 5 + [1] * 5 + [0] * 50
    result = gwet_ac1(pd.DataFrame({"a": a, "b": b}))
    pa = 0.9
    pi = (45 + 45) / 200
    pe = 2 * pi * (1 - pi)
    assert result.estimate == pytest.approx((pa - pe) / (1 - pe), abs=1e-12)


def test_bootstrap_is_reproducible_and_covers() -> None:
    one = krippendorff_alpha(EXAMPLE_C, n_bootstrap=500, random_state=3)
    two = krippendorff_alpha(EXAMPLE_C, n_bootstrap=500, random_state=3)
    np.testing.assert_array_equal(one.draws, two.draws)
    assert one.ci_lower < one.estimate < one.ci_upper
    assert 0 <= one.prob_below(0.667) <= 1
    assert list(one.summary().columns) == [
        "statistic",
        "level",
        "estimate",
        "std_error",
        "ci_lower",
        "ci_upper",
        "z",
        "p_value",
        "n_units",
        "n_coders",
    ]
    assert one.to_dict()["z"] is None and "krippendorff_alpha" in str(one)


def test_bootstrap_matches_pair_resampling() -> None:
    """The multinomial shortcut has the distribution of drawing pairs one by one."""
    from rpeval.qualitative._alpha import _pair_table, alpha_core

    core = alpha_core(EXAMPLE_C.to_numpy(dtype=float), "interval")
    contribution, number = _pair_table(core)
    # the pairs' contributions add up to 1 - alpha
    assert (contribution * number).sum() == pytest.approx(1 - core.alpha, abs=1e-12)
    assert number.sum() == sum(m * (m - 1) / 2 for m in core.m)


def test_text_ratings_need_levels_for_order() -> None:
    frame = pd.DataFrame({"a": ["low", "mid", "high"], "b": ["low", "high", "high"]})
    with pytest.raises(DataError, match="must be numbers"):
        krippendorff_alpha(frame, level="ordinal", n_bootstrap=0)
    result = krippendorff_alpha(
        frame, level="ordinal", levels=["low", "mid", "high"], n_bootstrap=0
    )
    assert np.isfinite(result.estimate)
    with pytest.raises(DataError, match=r"'mid' .* not on the scale \['low', 'high'\]"):
        krippendorff_alpha(frame, level="ordinal", levels=["low", "high"], n_bootstrap=0)


def test_bad_input() -> None:
    frame = pd.DataFrame({"a": [1, 2], "b": [nan, nan], "c": [1, 2]})
    with pytest.raises(DataError, match="coder 'b' rated nothing"):
        krippendorff_alpha(frame)
    with pytest.raises(DataError, match="at least two coders"):
        krippendorff_alpha(frame, ["a"])
    with pytest.raises(DataError, match="compares two coders"):
        cohen_kappa(frame.fillna(1))
    with pytest.raises(SpecificationError, match="level='nominl'"):
        krippendorff_alpha(frame, ["a", "c"], level="nominl")
    with pytest.raises(SpecificationError, match="conf_level"):
        krippendorff_alpha(frame, ["a", "c"], conf_level=95)
    with pytest.raises(SpecificationError, match="random_state"):
        krippendorff_alpha(frame, ["a", "c"], random_state="x")


def test_one_value_only_is_undefined_not_one() -> None:
    same = pd.DataFrame({"a": [1, 1, 1], "b": [1, 1, 1]})
    result = krippendorff_alpha(same, n_bootstrap=10, random_state=0)
    assert np.isnan(result.estimate) and np.isnan(result.ci_lower)
    assert np.isnan(cohen_kappa(same).estimate)
    assert percent_agreement(same).estimate == 1.0


PSYCH = json.loads((REFERENCE / "qualitative_psych.json").read_text())


def test_cohen_kappa_se_and_interval_equal_psych() -> None:
    """Unweighted κ's asymptotic SE and interval equal R psych 2.2.9 cohen.kappa
    (tests/reference/qualitative_psych.R)."""
    for frame, key in ((COMPLETE, "complete_ann_bob"), (BINARY, "binary_ann_bob")):
        result = cohen_kappa(frame, ["ann", "bob"])
        ref = PSYCH[key]
        assert result.estimate == pytest.approx(ref["kappa"], abs=1e-12)
        assert result.std_error**2 == pytest.approx(ref["var_kappa"], rel=1e-9)
        assert result.ci_lower == pytest.approx(ref["lower"], abs=1e-9)
        assert result.ci_upper == pytest.approx(ref["upper"], abs=1e-9)
    quadratic = cohen_kappa(COMPLETE, ["ann", "bob"], weighting="quadratic")
    assert quadratic.estimate == pytest.approx(PSYCH["complete_ann_bob"]["weighted_kappa"])


@pytest.mark.parametrize("weights", ["linear", "quadratic"])
def test_weighted_kappa_se_is_the_delta_method(weights: str) -> None:
    """The weighted SE is the multinomial delta-method SE, from numerical derivatives of
    κ_w in the cell proportions (psych 2.2.9's var.weighted differs: 0.001292 against
    0.001414 here for quadratic weights; statsmodels agrees with us)."""
    a = COMPLETE["ann"].to_numpy() - 1
    b = COMPLETE["bob"].to_numpy() - 1
    q = 5
    table = np.zeros((q, q))
    np.add.at(table, (a, b), 1)
    n = table.sum()
    p = table / n
    i = np.arange(q)
    distance = np.abs(i[:, None] - i[None, :]) / (q - 1)
    w = 1 - (distance if weights == "linear" else distance**2)

    def kappa(cells: np.ndarray) -> float:
        po = (w * cells).sum()
        pe = (w * np.outer(cells.sum(axis=1), cells.sum(axis=0))).sum()
        return float((po - pe) / (1 - pe))

    step = 1e-6
    grad = np.zeros((q, q))
    for r in range(q):
        for c in range(q):
            bump = np.zeros((q, q))
            bump[r, c] = step
            grad[r, c] = (kappa(p + bump) - kappa(p - bump)) / (2 * step)
    variance = ((p * grad**2).sum() - (p * grad).sum() ** 2) / n
    result = cohen_kappa(COMPLETE, ["ann", "bob"], weighting=weights, levels=[1, 2, 3, 4, 5])
    assert result.std_error**2 == pytest.approx(variance, rel=1e-6)


IRRCAC = json.loads((REFERENCE / "qualitative_irrcac.json").read_text())


@pytest.mark.parametrize("key", ["missing", "complete", "binary"])
def test_gwet_ac1_equals_irrcac(key: str) -> None:
    """AC1, Gwet's SE, the t interval and p-value as R irrCAC 1.0 ``gwet.ac1.raw``
    (tests/reference/qualitative_irrcac.R; irrCAC rounds the SE to 5 and the interval to
    3 decimals). With missing ratings a unit rated once counts in the category shares."""
    frame = {"missing": MISSING, "complete": COMPLETE, "binary": BINARY}[key]
    ref = IRRCAC[key]
    result = gwet_ac1(frame)
    assert result.estimate == pytest.approx(ref["coeff"], abs=1e-12)
    assert result.std_error == pytest.approx(ref["se"], abs=5e-6)
    assert result.ci_lower == pytest.approx(ref["lower"], abs=5e-4)
    assert result.ci_upper == pytest.approx(ref["upper"], abs=5e-4)
    if ref["p"] > 1e-12:  # R's 1 - pt() has no more digits below that
        assert result.p_value == pytest.approx(ref["p"], rel=1e-5)


def test_cohen_kappa_weights_is_a_deprecated_alias_of_weighting() -> None:
    with pytest.warns(FutureWarning, match="weighting="):
        old = cohen_kappa(COMPLETE, ["ann", "bob"], weights="linear")
    new = cohen_kappa(COMPLETE, ["ann", "bob"], weighting="linear")
    assert (old.estimate, old.std_error) == (new.estimate, new.std_error)
    with pytest.raises(SpecificationError, match="weighting= only"):
        cohen_kappa(COMPLETE, ["ann", "bob"], weighting="linear", weights="linear")


def test_n_boot_is_a_deprecated_alias_of_n_bootstrap() -> None:
    new = krippendorff_alpha(EXAMPLE_C, n_bootstrap=200, random_state=5)
    with pytest.warns(FutureWarning, match="use n_bootstrap="):
        old = krippendorff_alpha(EXAMPLE_C, n_boot=200, random_state=5)
    pd.testing.assert_frame_equal(old.summary(), new.summary())
    np.testing.assert_array_equal(old.draws, new.draws)
    with pytest.raises(SpecificationError, match="n_bootstrap= only"):
        krippendorff_alpha(EXAMPLE_C, n_bootstrap=200, n_boot=200)


@budget(40)
@given(
    seed=st.integers(0, 2**32 - 1),
    units=st.integers(3, 12),
    coders=st.integers(2, 5),
    categories=st.integers(2, 4),
    agreement=st.floats(0.5, 1.0),
)
def test_fleiss_interval_stays_in_kappas_range(
    seed: int, units: int, coders: int, categories: int, agreement: float
) -> None:
    """Small, highly concordant samples made the jackknife Wald limit pass 1 (1.16 seen):
    the interval is kept in [-1, 1], and still holds the estimate."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, categories, size=units)
    noise = rng.integers(0, categories, size=(units, coders))
    codes = np.where(rng.random((units, coders)) < agreement, truth[:, None], noise)
    frame = pd.DataFrame(codes, columns=[f"c{j}" for j in range(coders)])
    result = fleiss_kappa(frame)
    if np.isfinite(result.ci_lower):
        assert -1.0 <= result.ci_lower <= result.estimate <= result.ci_upper <= 1.0
