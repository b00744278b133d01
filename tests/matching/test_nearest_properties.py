"""Greedy nearest-neighbour matching against a slow reference, and its invariants."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given
from hypothesis import strategies as st

from rpeval.errors import DataError, RpevalError, SpecificationError
from rpeval.matching import effect, match
from rpeval.matching.designs._greedy import _k_nearest
from tests.hypothesis_budget import budget

SETTINGS = budget(60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def problems(draw: st.DrawFn) -> pd.DataFrame:
    n_t = draw(st.integers(1, 12))
    n_c = draw(st.integers(1, 30))
    n = n_t + n_c
    scores = draw(st.lists(st.integers(0, 20), min_size=n, max_size=n))  # many ties
    return (
        pd.DataFrame(
            {
                "treat": [1] * n_t + [0] * n_c,
                "score": np.asarray(scores, float) / 20,
                "site": draw(st.lists(st.sampled_from("ab"), min_size=n, max_size=n)),
                "officer": draw(st.lists(st.sampled_from("xyz"), min_size=n, max_size=n)),
                "x": draw(st.lists(st.integers(0, 5), min_size=n, max_size=n)),
            }
        )
        .sample(frac=1.0, random_state=draw(st.integers(0, 99)))
        .reset_index(drop=True)
    )


def slow_greedy(
    df: pd.DataFrame, ratio: int, replace: bool, caliper: float, order: str, exact: bool, anti: bool
) -> set[tuple[int, int]]:
    """MatchIt 4.7's ``nn_matchC_vec`` step by step: all units sorted by (score, row); each
    treated unit walks outwards one position at a time, left first, then alternating."""
    score = df["score"].to_numpy()
    is_treated = (df["treat"] == 1).to_numpy()
    n = len(df)
    walk = sorted(range(n), key=lambda i: (score[i], i))
    where = {unit: p for p, unit in enumerate(walk)}
    treated = [i for i in range(n) if is_treated[i]]
    if order == "largest":
        treated.sort(key=lambda i: -score[i])  # stable: ties in data order
    elif order == "smallest":
        treated.sort(key=lambda i: score[i])
    available = [not t for t in is_treated]
    chosen: dict[int, list[int]] = {t: [] for t in treated}

    def allowed(t: int, c: int) -> bool:
        a, b = df.iloc[t], df.iloc[c]
        return (not exact or a["site"] == b["site"]) and (not anti or a["officer"] != b["officer"])

    def find(t: int, first_round: bool, k: int) -> list[int]:
        here = where[t]
        low = high = here
        near = 0.0
        if not first_round:
            low = min(here, *(where[c] for c in chosen[t]))
            high = max(here, *(where[c] for c in chosen[t]))
            d_low, d_high = (abs(score[t] - score[walk[p]]) for p in (low, high))
            near = d_high if low == here else d_low if high == here else max(d_low, d_high)
        found: list[tuple[int, float]] = []
        stopped = {True: False, False: False}
        counts = {True: 0, False: 0}
        left = False
        while not (stopped[True] and stopped[False]):
            left = True if stopped[False] else False if stopped[True] else not left
            if counts[left] == k or (low <= 0 if left else high >= n - 1):
                stopped[left] = True
                continue
            if left:
                low -= 1
                unit = walk[low]
            else:
                high += 1
                unit = walk[high]
            if not available[unit] or unit in chosen[t]:
                continue
            gap = abs(score[t] - score[unit])
            if gap > caliper or (
                gap >= near and len(found) >= k and sum(g < gap for _, g in found) >= k
            ):
                stopped[left] = True
                continue
            if gap < near or not allowed(t, unit):
                continue
            found.append((unit, gap))
            counts[left] += 1
        gaps = np.asarray([g for _, g in found])
        if len(found) <= 1 or (len(found) <= k and (np.diff(gaps) >= 0).all()):
            return [u for u, _ in found]
        return [found[i][0] for i in _k_nearest(gaps, len(found), k)]

    if replace:
        for t in treated:
            chosen[t] = find(t, True, ratio)
    else:
        active = set(treated)
        for r in range(ratio):
            for t in treated:
                if t not in active:
                    continue
                got = find(t, r == 0, 1)
                if not got:
                    active.discard(t)
                    continue
                chosen[t] += got
                available[got[0]] = False
    return {(t, c) for t, cs in chosen.items() for c in cs}


@SETTINGS
@given(
    df=problems(),
    ratio=st.integers(1, 3),
    replace=st.booleans(),
    caliper=st.sampled_from([None, 0.05, 0.2]),
    order=st.sampled_from(["largest", "smallest", "data"]),
    exact=st.booleans(),
    anti=st.booleans(),
)
def test_matches_a_slow_reference(
    df: pd.DataFrame,
    ratio: int,
    replace: bool,
    caliper: float | None,
    order: str,
    exact: bool,
    anti: bool,
) -> None:
    result = match(
        df,
        "treat",
        ["x"],
        distance="score",
        ratio=ratio,
        replace=replace,
        caliper=caliper,
        std_caliper=False,
        order=order,  # type: ignore[arg-type]
        exact="site" if exact else None,
        antiexact="officer" if anti else None,
    )
    ours = set(zip(result.pairs["focal"], result.pairs["match"], strict=True))
    expected = slow_greedy(
        df, ratio, replace, np.inf if caliper is None else caliper, order, exact, anti
    )
    assert ours == expected


@SETTINGS
@given(
    df=problems(),
    ratio=st.integers(1, 3),
    replace=st.booleans(),
    seed=st.integers(0, 99),
    distance=st.sampled_from(["score", "mahalanobis"]),
)
def test_tie_key_makes_pairs_independent_of_row_order(
    df: pd.DataFrame, ratio: int, replace: bool, seed: int, distance: str
) -> None:
    df = df.assign(person=[f"p{i:03d}" for i in range(len(df))], x=df["x"] + df["score"])
    shuffled = df.sample(frac=1.0, random_state=seed)

    def pairs(frame: pd.DataFrame) -> set[tuple[str, str]]:
        result = match(
            frame,
            "treat",
            ["x"],
            distance=distance,
            ratio=ratio,
            replace=replace,
            tie_key="person",
        )
        return {
            (frame.loc[t, "person"], frame.loc[c, "person"])
            for t, c in zip(result.pairs["focal"], result.pairs["match"], strict=True)
        }

    assert pairs(shuffled) == pairs(df)


def test_tie_key_must_identify_rows() -> None:
    df = pd.DataFrame({"treat": [1, 0, 0], "score": [0.5, 0.4, 0.6], "id": ["a", "b", "b"]})
    with pytest.raises(DataError, match="repeats values"):
        match(df, "treat", ["score"], distance="score", tie_key="id")
    with pytest.raises(DataError, match="missing values"):
        match(df.assign(id=["a", None, "c"]), "treat", ["score"], distance="score", tie_key="id")


@SETTINGS
@given(
    df=problems(),
    ratio=st.integers(1, 3),
    replace=st.booleans(),
    caliper=st.sampled_from([None, 0.1]),
)
def test_invariants(df: pd.DataFrame, ratio: int, replace: bool, caliper: float | None) -> None:
    result = match(
        df,
        "treat",
        ["x"],
        distance="score",
        ratio=ratio,
        replace=replace,
        caliper=caliper,
        std_caliper=False,
        exact="site",
    )
    pairs = result.pairs.merge(df, left_on="focal", right_index=True).merge(
        df, left_on="match", right_index=True, suffixes=("_t", "_c")
    )
    if not replace:
        assert result.pairs["match"].is_unique
    assert (pairs["site_t"] == pairs["site_c"]).all()
    if caliper is not None:
        assert ((pairs["score_t"] - pairs["score_c"]).abs() <= caliper + 1e-12).all()
    data = result.data
    treated_w = data.loc[data["treat"] == 1, "weights"]
    control_w = data.loc[data["treat"] == 0, "weights"]
    assert (treated_w == 1).all()
    if len(control_w):
        assert control_w.mean() == pytest.approx(1.0)  # normalised to mean 1
    counts = result.counts()
    assert counts.loc["matched", "treated"] == len(treated_w)


@pytest.mark.parametrize(
    ("change", "options", "error"),
    [
        (lambda d: d.assign(treat=[0, 1, 2] * (len(d) // 3) + [0] * (len(d) % 3)), {}, DataError),
        (lambda d: d.assign(treat=1), {}, DataError),
        (lambda d: d.assign(score=np.nan), {"distance": "score"}, DataError),
        (lambda d: d, {"caliper": 0.0}, SpecificationError),
        (lambda d: d, {"caliper": float("nan")}, SpecificationError),
        (lambda d: d, {"ratio": 0}, SpecificationError),
        (lambda d: d, {"order": "biggest"}, SpecificationError),
        (lambda d: d, {"method": "genetic"}, SpecificationError),
        (lambda d: d.assign(x=d["treat"] * 10.0), {}, DataError),  # perfect separation
    ],
)
def test_bad_inputs(change, options, error) -> None:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(0)
    df = pd.DataFrame(
        {"treat": [1] * 10 + [0] * 30, "x": rng.normal(size=40), "score": rng.uniform(size=40)}
    )
    with pytest.raises(error):
        match(change(df), "treat", ["x"], **options)
    assert issubclass(error, RpevalError)


def test_ratio_larger_than_the_pool_leaves_units_unmatched_and_counted() -> None:
    df = pd.DataFrame(
        {"treat": [1, 1, 1, 0, 0], "score": [0.1, 0.5, 0.9, 0.2, 0.8], "x": [1, 2, 3, 4, 5]}
    )
    result = match(df, "treat", ["x"], distance="score", ratio=2)
    counts = result.counts()
    assert counts.loc["matched", "control"] == 2
    assert counts.loc["unmatched", "treated"] + counts.loc["matched", "treated"] == 3


def test_effect_recovers_a_known_difference() -> None:
    rng = np.random.default_rng(4)
    n = 400
    df = pd.DataFrame({"treat": rng.integers(0, 2, n), "x": rng.normal(size=n)})
    df["y"] = 2.0 * df["treat"] + df["x"] + rng.normal(scale=0.1, size=n)
    result = effect(match(df, "treat", ["x"]), "y", adjust=["x"])
    assert result.estimate == pytest.approx(2.0, abs=0.05)
    boot = effect(
        match(df, "treat", ["x"]),
        "y",
        se="bootstrap",
        n_bootstrap=50,
        random_state=1,
        progress=False,
    )
    assert boot.std_error > 0


@budget(80)
@given(
    st.lists(st.sampled_from([0.1, 0.25, 0.5, -0.0, 0.0, 1e-300, np.nan, np.inf]), max_size=40),
    st.integers(0, 2**32 - 1),
)
def test_walk_positions_and_order_are_lexsorts(values: list[float], seed: int) -> None:
    # positions without strata use one stable argsort, and the controls' walk is read off
    # the inverse permutation: the same as the lexsorts they replace (ties by row)
    from rpeval.matching.designs._walk_order import positions
    from rpeval.matching.designs.nearest import _in_walk_order

    v = np.array(values, dtype=np.float64)
    n = v.size
    order = np.lexsort((np.arange(n), v, np.zeros(n, dtype=np.int64)))
    expected = np.empty(n, dtype=np.int64)
    expected[order] = np.arange(n)
    got = positions(v)
    np.testing.assert_array_equal(got, expected)
    rows = np.flatnonzero(np.random.default_rng(seed).random(n) < 0.6)
    stratum = np.zeros(n, dtype=np.int64)
    walk = rows[np.lexsort((got[rows], stratum[rows]))]
    np.testing.assert_array_equal(_in_walk_order(rows, got, stratum, True), walk)
