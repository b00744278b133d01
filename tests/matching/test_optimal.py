"""Optimal matching: brute force on small problems, never worse than greedy, constraints
respected, and the sparse assignment kernel."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given
from hypothesis import strategies as st

from rpeval.errors import SpecificationError
from rpeval.matching import match
from rpeval.matching.designs.optimal import Edges, optimal_assignment
from tests.hypothesis_budget import budget
from tests.reference_data import reference_csv

SETTINGS = budget(60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FORMULA = "age + educ + race + married + nodegree + re74 + re75"


@st.composite
def small_problems(draw: st.DrawFn) -> pd.DataFrame:
    n_t = draw(st.integers(1, 4))
    n_c = draw(st.integers(1, 6))
    n = n_t + n_c
    return pd.DataFrame(
        {
            "treat": [1] * n_t + [0] * n_c,
            "score": np.asarray(draw(st.lists(st.integers(0, 12), min_size=n, max_size=n))) / 12,
            "site": draw(st.lists(st.sampled_from("ab"), min_size=n, max_size=n)),
            "officer": draw(st.lists(st.sampled_from("xyz"), min_size=n, max_size=n)),
            "x": draw(st.lists(st.integers(0, 4), min_size=n, max_size=n)),
        }
    )


def brute_force(
    df: pd.DataFrame, ratio: int, caliper: float, exact: bool, anti: bool, x_caliper: bool
) -> tuple[int, float]:
    """Most pairs, then least total |score difference|, over every assignment."""
    treated = df.index[df["treat"] == 1].tolist()
    controls = df.index[df["treat"] == 0].tolist()

    def allowed(t: int, c: int) -> bool:
        a, b = df.loc[t], df.loc[c]
        return (
            abs(a["score"] - b["score"]) <= caliper
            and (not exact or a["site"] == b["site"])
            and (not anti or a["officer"] != b["officer"])
            and (not x_caliper or abs(a["x"] - b["x"]) <= 1)
        )

    best = (0, 0.0)
    for owners in itertools.product([None, *treated], repeat=len(controls)):
        if any(owners.count(t) > ratio for t in treated):
            continue
        pairs = [(t, c) for c, t in zip(controls, owners, strict=True) if t is not None]
        if not all(allowed(t, c) for t, c in pairs):
            continue
        total = sum(abs(df.loc[t, "score"] - df.loc[c, "score"]) for t, c in pairs)
        if len(pairs) > best[0] or (len(pairs) == best[0] and total < best[1] - 1e-12):
            best = (len(pairs), total)
    return best


def total_distance(df: pd.DataFrame, pairs: pd.DataFrame) -> float:
    score = df["score"]
    return float(
        np.abs(score.loc[pairs["focal"]].to_numpy() - score.loc[pairs["match"]].to_numpy()).sum()
    )


@given(
    small_problems(),
    st.integers(1, 2),
    st.sampled_from([None, 0.25]),
    st.booleans(),
    st.booleans(),
    st.booleans(),
)
@SETTINGS
def test_optimal_equals_brute_force(
    df: pd.DataFrame, ratio: int, caliper: float | None, exact: bool, anti: bool, x_cal: bool
) -> None:
    calipers: dict[str, float] = {}
    if caliper is not None:
        calipers["distance"] = caliper
    if x_cal:
        calipers["x"] = 1.0
    m = match(
        df,
        "treat",
        ["x"],
        method="optimal",
        distance="score",
        ratio=ratio,
        caliper=calipers or None,
        std_caliper=False,
        exact="site" if exact else None,
        antiexact="officer" if anti else None,
    )
    n_pairs, total = brute_force(df, ratio, caliper or np.inf, exact, anti, x_cal)
    assert len(m.pairs) == n_pairs
    assert total_distance(df, m.pairs) == pytest.approx(total, abs=1e-9)
    assert not m.pairs["match"].duplicated().any()


@given(st.integers(0, 10_000), st.integers(1, 3), st.booleans())
@SETTINGS
def test_optimal_never_worse_than_greedy(seed: int, ratio: int, with_caliper: bool) -> None:
    rng = np.random.default_rng(seed)
    n_t, n_c = int(rng.integers(2, 25)), int(rng.integers(25, 80))
    df = pd.DataFrame(
        {"treat": [1] * n_t + [0] * n_c, "score": rng.beta(2, 3, n_t + n_c), "x": 0.0}
    )
    caliper = 0.3 if with_caliper else None
    kwargs = {"distance": "score", "ratio": ratio, "caliper": caliper}
    greedy = match(df, "treat", ["x"], **kwargs)  # type: ignore[arg-type]
    best = match(df, "treat", ["x"], method="optimal", **kwargs)  # type: ignore[arg-type]
    assert len(best.pairs) >= len(greedy.pairs)
    if len(best.pairs) == len(greedy.pairs):
        assert total_distance(df, best.pairs) <= total_distance(df, greedy.pairs) + 1e-9


def test_optimal_on_lalonde() -> None:
    lalonde = reference_csv("lalonde.csv")
    greedy = match(lalonde, "treat", FORMULA)
    best = match(lalonde, "treat", FORMULA, method="optimal")
    assert best.counts().loc["matched"].tolist() == [185, 185]
    score = pd.Series(best.data["distance"].to_numpy(), index=best.data.index)
    g_score = pd.Series(greedy.data["distance"].to_numpy(), index=greedy.data.index)

    def total(pairs: pd.DataFrame, s: pd.Series) -> float:
        gaps = s.loc[pairs["focal"]].to_numpy() - s.loc[pairs["match"]].to_numpy()
        return float(np.abs(gaps).sum())

    assert total(best.pairs, score) <= total(greedy.pairs, g_score) + 1e-9
    maha = match(
        lalonde, "treat", "age + educ + re74 + re75", method="optimal", distance="mahalanobis"
    )
    assert maha.counts().loc["matched"].tolist() == [185, 185]
    assert set(maha.data["subclass"].unique()) == set(range(1, 186))


def test_optimal_assignment_kernel() -> None:
    # greedy in row order would take control 0 for row 0 (cost 1) and leave row 1 worse
    edges = Edges(np.array([0, 0, 1]), np.array([0, 1, 0]), np.array([1, 2, 1]))
    assert optimal_assignment(edges, 2, 2).ravel().tolist() == [1, 0]
    # a unit with no edge stays unmatched; zero distances are kept
    edges = Edges(np.array([0]), np.array([1]), np.array([0]))
    assert optimal_assignment(edges, 2, 3).ravel().tolist() == [1, -1]
    empty = np.zeros(0, np.int64)
    assert optimal_assignment(Edges(empty, empty, empty), 2, 2).min() == -1


def test_optimal_rejects_replacement() -> None:
    df = pd.DataFrame({"treat": [1, 0, 0], "score": [0.1, 0.2, 0.3], "x": [1, 2, 3]})
    with pytest.raises(SpecificationError, match="without replacement"):
        match(df, "treat", ["x"], method="optimal", distance="score", replace=True)


def brute_force_variable(
    score: np.ndarray, n_t: int, low: int, high: int, total: int, caliper: float
) -> tuple[int, float]:
    """Fewest required slots unserved, then most pairs up to ``total``, then least distance."""
    best: tuple[int, int, float] | None = None
    for owners in itertools.product(range(-1, n_t), repeat=len(score) - n_t):
        counts = [owners.count(t) for t in range(n_t)]
        if max(counts) > high or sum(counts) > total:
            continue
        gaps = [abs(score[t] - score[n_t + c]) for c, t in enumerate(owners) if t >= 0]
        if any(g > caliper for g in gaps):
            continue
        key = (sum(max(low - k, 0) for k in counts), -len(gaps), float(sum(gaps)))
        if best is None or key < best:
            best = key
    assert best is not None
    return -best[1], best[2]


@given(
    st.integers(1, 3),
    st.lists(st.integers(0, 12), min_size=7, max_size=7),
    st.integers(1, 5),
    st.integers(1, 2),
    st.integers(0, 2),
    st.sampled_from([None, 0.3]),
)
@SETTINGS
def test_variable_ratio_equals_brute_force(
    n_t: int, scores: list[int], n_c: int, low: int, extra: int, caliper: float | None
) -> None:
    score = np.asarray(scores[: n_t + n_c], dtype=float) / 12
    n_c = len(score) - n_t
    if n_c < 1:
        return
    df = pd.DataFrame({"treat": [1] * n_t + [0] * n_c, "score": score, "x": 0.0})
    high = low + extra
    mean = (low + high) / 2
    m = match(
        df,
        "treat",
        ["x"],
        method="optimal",
        distance="score",
        ratio=mean,  # type: ignore[arg-type]
        min_controls=low,
        max_controls=high,
        caliper=caliper,
        std_caliper=False,
    )
    total = min(round(mean * n_t), n_c)
    n_pairs, distance = brute_force_variable(score, n_t, low, high, total, caliper or np.inf)
    assert len(m.pairs) == n_pairs
    assert total_distance(df, m.pairs) == pytest.approx(distance, abs=1e-9)
    if len(m.pairs):
        assert m.pairs.groupby("focal").size().max() <= high


def test_variable_ratio_on_lalonde() -> None:
    lalonde = reference_csv("lalonde.csv")
    m = match(lalonde, "treat", FORMULA, method="optimal", ratio=2, min_controls=1, max_controls=4)
    per_treated = m.pairs.groupby("focal").size()
    assert len(m.pairs) == 370 and per_treated.between(1, 4).all()
    assert per_treated.nunique() > 1  # the ratio does vary
    weights = m.data.loc[m.data["treat"] == 0, "weights"]
    assert weights.mean() == pytest.approx(1.0)
    fixed = match(lalonde, "treat", FORMULA, method="optimal", ratio=2)
    assert total_distance_of(m) <= total_distance_of(fixed) + 1e-9


def total_distance_of(m: object) -> float:
    data = m.data  # type: ignore[attr-defined]
    pairs = m.pairs  # type: ignore[attr-defined]
    score = data["distance"]
    return float(
        np.abs(score.loc[pairs["focal"]].to_numpy() - score.loc[pairs["match"]].to_numpy()).sum()
    )


@pytest.mark.parametrize(
    "kwargs",
    [
        {"method": "nearest", "max_controls": 3},
        {"method": "optimal", "ratio": 5, "max_controls": 3},
        {"method": "optimal", "min_controls": 0, "max_controls": 3},
        {"method": "optimal", "min_controls": 2, "max_controls": 3, "ratio": 1},
    ],
)
def test_variable_ratio_options(kwargs: dict[str, object]) -> None:
    df = pd.DataFrame({"treat": [1, 0, 0], "score": [0.1, 0.2, 0.3], "x": [1, 2, 3]})
    with pytest.raises(SpecificationError):
        match(df, "treat", ["x"], distance="score", **kwargs)  # type: ignore[arg-type]


@pytest.mark.slow
def test_optimal_scales_to_20k_by_200k_with_a_caliper() -> None:
    rng = np.random.default_rng(0)
    n_t, n_c = 20_000, 200_000
    df = pd.DataFrame(
        {
            "treat": np.r_[np.ones(n_t, int), np.zeros(n_c, int)],
            "score": np.r_[rng.beta(3, 5, n_t), rng.beta(2, 6, n_c)],
            "x": 0.0,
        }
    )
    kwargs = {"distance": "score", "caliper": 0.01}
    best = match(df, "treat", ["x"], method="optimal", **kwargs)  # type: ignore[arg-type]
    greedy = match(df, "treat", ["x"], **kwargs)  # type: ignore[arg-type]
    assert len(best.pairs) >= len(greedy.pairs) > 19_000
    if len(best.pairs) == len(greedy.pairs):
        assert total_distance(df, best.pairs) <= total_distance(df, greedy.pairs) + 1e-9
