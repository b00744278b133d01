"""Property tests: the linearised variance against a slow, loop-by-loop implementation."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

import rpeval.surveys as sv
from tests.hypothesis_budget import budget

SETTINGS = budget(60, deadline=None)


@st.composite
def designs(draw: st.DrawFn) -> pd.DataFrame:
    n_strata = draw(st.integers(1, 4))
    rows = []
    psu_id = 0
    for h in range(n_strata):
        n_psu = draw(st.integers(2, 4))
        pop = n_psu + draw(st.integers(0, 6))
        for _ in range(n_psu):
            psu_id += 1
            for _ in range(draw(st.integers(1, 4))):
                rows.append(
                    {
                        "stratum": f"s{h}",
                        "psu": psu_id,
                        "fpc": pop,
                        "w": draw(st.floats(0.5, 20.0)),
                        "y": draw(st.floats(-10.0, 10.0)),
                        "d": draw(st.sampled_from(["a", "b", "c"])),
                    }
                )
    frame = pd.DataFrame(rows)
    if frame["d"].nunique() < 3:
        frame.loc[:2, "d"] = ["a", "b", "c"][: min(3, len(frame))]
    return frame


def slow_domain_mean_se(frame: pd.DataFrame, domain: str, fpc: bool) -> tuple[float, float]:
    """Textbook formula with explicit loops: domain mean and its linearised SE."""
    inside = (frame["d"] == domain).to_numpy()
    w, y = frame["w"].to_numpy(), frame["y"].to_numpy()
    big_w = sum(w[i] for i in range(len(w)) if inside[i])
    est = sum(w[i] * y[i] for i in range(len(w)) if inside[i]) / big_w
    var = 0.0
    for _, stratum in frame.groupby("stratum"):
        totals = []
        for _, unit in stratum.groupby("psu"):
            total = 0.0
            for _, row in unit.iterrows():
                if row["d"] == domain:
                    total += row["w"] * (row["y"] - est) / big_w
            totals.append(total)
        n_h = len(totals)
        mean_h = sum(totals) / n_h
        f = 1 - n_h / stratum["fpc"].iloc[0] if fpc else 1.0
        var += f * n_h / (n_h - 1) * sum((t - mean_h) ** 2 for t in totals)
    return est, math.sqrt(var)


@SETTINGS
@given(frame=designs(), fpc=st.booleans())
def test_domain_means_equal_the_slow_formula(frame: pd.DataFrame, fpc: bool) -> None:
    design = sv.SurveyDesign(
        frame, weights="w", strata="stratum", psu="psu", fpc="fpc" if fpc else None
    )
    table = sv.mean(design, "y", by="d").summary()
    for domain, est, se in table[["domain", "estimate", "std_error"]].itertuples(index=False):
        slow_est, slow_se = slow_domain_mean_se(frame, domain, fpc)
        assert math.isclose(est, slow_est, rel_tol=1e-9, abs_tol=1e-9)
        assert math.isclose(se, slow_se, rel_tol=1e-8, abs_tol=1e-10)


@SETTINGS
@given(frame=designs(), seed=st.integers(0, 2**32 - 1))
def test_row_order_does_not_matter(frame: pd.DataFrame, seed: int) -> None:
    shuffled = frame.sample(frac=1.0, random_state=seed)
    one = sv.mean(sv.SurveyDesign(frame, weights="w", strata="stratum", psu="psu"), "y", by="d")
    two = sv.mean(sv.SurveyDesign(shuffled, weights="w", strata="stratum", psu="psu"), "y", by="d")
    left, right = one.summary(), two.summary()
    # a domain whose values barely differ (0 and 1e-12) has a design effect that is the
    # ratio of two variances at the rounding floor, changed by the order of the sums
    # (1.99989 or 2.0): it is compared only where the standard error is clear of that floor
    floor = left["std_error"] < 1e-6
    left.loc[floor, "deff"] = right.loc[floor, "deff"] = np.nan
    pd.testing.assert_frame_equal(left, right, rtol=1e-10)


@SETTINGS
@given(frame=designs())
def test_contrast_between_strata_adds_variances(frame: pd.DataFrame) -> None:
    design = sv.SurveyDesign(frame, weights="w", strata="stratum", psu="psu")
    table = sv.mean(design, "y", by="stratum").summary()
    if len(table) < 2:
        return
    first, second = table["domain"].iloc[0], table["domain"].iloc[1]
    diff = sv.mean(design, "y", by="stratum").difference(first, second)
    expected = math.hypot(table["std_error"].iloc[0], table["std_error"].iloc[1])
    assert math.isclose(diff.std_error, expected, rel_tol=1e-9, abs_tol=1e-12)


@SETTINGS
@given(frame=designs())
def test_total_is_mean_times_population(frame: pd.DataFrame) -> None:
    design = sv.SurveyDesign(frame, weights="w", strata="stratum", psu="psu")
    mean = sv.mean(design, "y").summary()
    total = sv.total(design, "y").summary()
    size = float(np.sum(frame["w"]))
    assert math.isclose(
        total["estimate"][0], mean["estimate"][0] * size, rel_tol=1e-9, abs_tol=1e-9
    )


def test_fast_means_keep_precision_far_from_zero() -> None:
    """Domain means of complete variables take a faster path: a large offset must not
    change SEs or design effects (both are shift-invariant)."""
    rng = np.random.default_rng(3)
    frame = pd.DataFrame(
        {
            "y": rng.normal(size=400),
            "w": rng.uniform(1, 3, 400),
            "psu": np.repeat(np.arange(40), 10),
            "d": rng.integers(0, 3, 400),
        }
    )
    frame["y_far"] = frame["y"] + 1e7
    design = sv.SurveyDesign(frame, weights="w", psu="psu")
    near = sv.mean(design, "y", by="d").summary()
    far = sv.mean(design, "y_far", by="d").summary()
    np.testing.assert_allclose(far["std_error"], near["std_error"], rtol=1e-8)
    np.testing.assert_allclose(far["deff"], near["deff"], rtol=1e-8)
    missing = frame.assign(y_gap=frame["y_far"].where(frame.index != 5))
    general = sv.mean(
        sv.SurveyDesign(missing, weights="w", psu="psu"), "y_gap", by="d", missing="drop"
    ).summary()
    assert np.all(np.isfinite(general["deff"]))
