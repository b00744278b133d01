"""Properties: α = 1 under perfect agreement, α equal to a slow pair-by-pair reference,
κ symmetric in the coders, prevalence within [0, 1]."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rpeval.qualitative import (
    codebook_from_text,
    coded_segments,
    cohen_kappa,
    fleiss_kappa,
    gwet_ac1,
    krippendorff_alpha,
    theme_prevalence,
)
from tests.hypothesis_budget import budget

LEVELS = ["nominal", "ordinal", "interval", "ratio"]


def _slow_alpha(data: np.ndarray, level: str) -> float:
    """Krippendorff's α from its definition, pair by pair (no coincidence matrix)."""
    units = [[v for v in row if not np.isnan(v)] for row in data]
    units = [u for u in units if len(u) >= 2]
    pooled = [v for u in units for v in u]
    n = len(pooled)
    values = sorted(set(pooled))
    counts = {v: pooled.count(v) for v in values}

    def delta(c: float, k: float) -> float:
        if level == "nominal":
            return float(c != k)
        if level == "interval":
            return (c - k) ** 2
        if level == "ratio":
            return 0.0 if c + k == 0 else ((c - k) / (c + k)) ** 2
        lo, hi = sorted((c, k))
        between = sum(counts[g] for g in values if lo <= g <= hi)
        return (between - (counts[lo] + counts[hi]) / 2) ** 2

    observed = (
        sum(
            delta(a, b) / (len(u) - 1)
            for u in units
            for i, a in enumerate(u)
            for j, b in enumerate(u)
            if i != j
        )
        / n
    )
    expected = sum(
        delta(a, b) for i, a in enumerate(pooled) for j, b in enumerate(pooled) if i != j
    ) / (n * (n - 1))
    return 1 - observed / expected


@st.composite
def reliability_data(draw: st.DrawFn) -> pd.DataFrame:
    n_units = draw(st.integers(2, 12))
    n_coders = draw(st.integers(2, 4))
    cells = st.one_of(st.integers(1, 4).map(float), st.just(np.nan))
    values = draw(
        st.lists(
            st.lists(cells, min_size=n_coders, max_size=n_coders),
            min_size=n_units,
            max_size=n_units,
        )
    )
    frame = pd.DataFrame(values, columns=[f"c{j}" for j in range(n_coders)])
    return frame.loc[:, frame.notna().any()]


@budget(60, deadline=None)
@given(reliability_data(), st.sampled_from(LEVELS))
def test_alpha_equals_slow_reference(frame: pd.DataFrame, level: str) -> None:
    if frame.shape[1] < 2:
        return
    ours = krippendorff_alpha(frame, level=level, n_bootstrap=0).estimate
    data = frame.to_numpy(dtype=float)
    pairable = [v for row in data if (~np.isnan(row)).sum() >= 2 for v in row[~np.isnan(row)]]
    if len(set(pairable)) < 2:
        assert np.isnan(ours)
        return
    assert abs(ours - _slow_alpha(data, level)) < 1e-9


@budget(40, deadline=None)
@given(
    st.lists(st.integers(0, 5), min_size=2, max_size=30).filter(lambda v: len(set(v)) > 1),
    st.integers(2, 5),
    st.sampled_from(LEVELS),
)
def test_alpha_is_one_for_perfect_agreement(values: list[int], coders: int, level: str) -> None:
    frame = pd.DataFrame({f"c{j}": [float(v) for v in values] for j in range(coders)})
    result = krippendorff_alpha(frame, level=level, n_bootstrap=50, random_state=0)
    assert abs(result.estimate - 1.0) < 1e-12
    assert np.allclose(result.draws, 1.0)
    assert abs(fleiss_kappa(frame).estimate - 1.0) < 1e-12
    assert abs(gwet_ac1(frame).estimate - 1.0) < 1e-12


@budget(60, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3)), min_size=3, max_size=40),
    st.sampled_from(["unweighted", "linear", "quadratic"]),
)
def test_kappa_symmetric_in_coders(pairs: list[tuple[int, int]], weights: str) -> None:
    frame = pd.DataFrame(pairs, columns=["a", "b"])
    levels = [0, 1, 2, 3]
    ab = cohen_kappa(frame, ["a", "b"], weighting=weights, levels=levels)
    ba = cohen_kappa(frame, ["b", "a"], weighting=weights, levels=levels)
    for name in ("estimate", "std_error", "z"):
        x, y = getattr(ab, name), getattr(ba, name)
        assert (np.isnan(x) and np.isnan(y)) or abs(x - y) < 1e-10
    # alpha too is symmetric in coders
    a1 = krippendorff_alpha(frame, ["a", "b"], n_bootstrap=0).estimate
    a2 = krippendorff_alpha(frame, ["b", "a"], n_bootstrap=0).estimate
    assert (np.isnan(a1) and np.isnan(a2)) or abs(a1 - a2) < 1e-12


BOOK = codebook_from_text(
    "name: t\nversion: 1.0.0\ntitle: T\ncodes:\n"
    "  - {name: x, definition: X.}\n  - {name: y, definition: Y., parent: x}\n"
)


@pytest.mark.slow
@budget(40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 6),  # participant
            st.integers(0, 2),  # segment within participant
            st.sampled_from(["u", "v"]),  # coder
            st.sampled_from(["x", "y", None]),
        ),
        min_size=1,
        max_size=40,
    ),
    st.sampled_from(["participant", "segment"]),
    st.sampled_from(["any", "majority"]),
)
def test_prevalence_within_bounds(
    rows: list[tuple[int, int, str, str | None]], unit: str, rule: str
) -> None:
    frame = pd.DataFrame(
        {
            "segment": [f"s{p}_{s}" for p, s, _, _ in rows],
            "participant": [f"p{p}" for p, _, _, _ in rows],
            "group": ["g" if p % 2 else "h" for p, _, _, _ in rows],
            "coder": [c for _, _, c, _ in rows],
            "code": [code for _, _, _, code in rows],
        }
    ).drop_duplicates(["segment", "coder", "code"])
    table = theme_prevalence(coded_segments(frame, BOOK), unit=unit, rule=rule).summary()
    values = table[["prevalence", "ci_lower", "ci_upper"]].stack().dropna()
    assert values.between(0, 1).all()
    ok = table["ci_lower"].notna()
    assert (table.loc[ok, "ci_lower"] <= table.loc[ok, "prevalence"] + 1e-12).all()
    assert (table.loc[ok, "prevalence"] <= table.loc[ok, "ci_upper"] + 1e-12).all()
    # a theme is held at least as often as any code below it
    wide = table.pivot_table(index="group", columns="code", values="prevalence")
    assert (wide["x"] >= wide["y"] - 1e-12).all()


def test_perfect_agreement_all_pairs() -> None:
    """Every pair of identical coders on a scale gives kappa 1 for all weights."""
    frame = pd.DataFrame({"a": [0, 1, 2, 3, 1], "b": [0, 1, 2, 3, 1]})
    for weights in ("unweighted", "linear", "quadratic"):
        assert cohen_kappa(frame, weighting=weights).estimate == 1.0
    assert list(itertools.permutations("ab"))


@budget(60, deadline=None)
@given(reliability_data(), st.randoms(use_true_random=False))
def test_ac1_invariant_to_coder_order(frame: pd.DataFrame, random: object) -> None:
    """Gwet's AC1 and its linearised SE do not depend on the order of the coders, and the
    interval holds the estimate."""
    if frame.shape[1] < 2:
        return
    columns = list(frame.columns)
    random.shuffle(columns)  # type: ignore[attr-defined]
    one = gwet_ac1(frame, levels=[1.0, 2.0, 3.0, 4.0])
    two = gwet_ac1(frame[columns], levels=[1.0, 2.0, 3.0, 4.0])
    for name in ("estimate", "std_error", "ci_lower", "ci_upper"):
        x, y = getattr(one, name), getattr(two, name)
        assert (np.isnan(x) and np.isnan(y)) or abs(x - y) < 1e-12
    if np.isfinite(one.ci_lower):
        assert one.ci_lower <= one.estimate + 1e-12 and one.estimate <= one.ci_upper + 1e-12
