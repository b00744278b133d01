"""Stratified designs of match(): exact, CEM and propensity subclasses against MatchIt 4.7.2,
optimal full matching against a brute-force minimum edge cover, and k2k."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given
from hypothesis import strategies as st

from rpeval.errors import DataError, SpecificationError
from rpeval.matching import effect, match
from rpeval.matching.designs.optimal import Edges, full_matching
from tests.hypothesis_budget import budget
from tests.reference_data import reference, reference_csv

FORMULA = "age + educ + race + married + nodegree + re74 + re75"
SETTINGS = budget(80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def lalonde() -> pd.DataFrame:
    return reference_csv("lalonde.csv")


def _same_partition(ours: np.ndarray, theirs: np.ndarray) -> None:
    """Equal up to relabelling, with 0 (unmatched) meaning the same on both sides."""
    assert ((ours == 0) == (theirs == 0)).all()
    pairs = pd.DataFrame({"a": ours, "b": theirs})[ours > 0].drop_duplicates()
    assert pairs["a"].is_unique and pairs["b"].is_unique


def _r_subclass(values: list[object]) -> np.ndarray:
    return np.asarray([0 if v is None else int(str(v)) for v in values])


@pytest.mark.parametrize(
    ("block", "kwargs", "formula"),
    [
        ("subclass_att", {"method": "subclass", "n_subclasses": 6}, FORMULA),
        ("subclass_ate", {"method": "subclass", "n_subclasses": 5, "estimand": "ATE"}, FORMULA),
        ("cem_auto", {"method": "cem"}, "age + educ + race + married + nodegree + re74"),
        (
            "cem_cuts",
            {"method": "cem", "cutpoints": {"age": [20, 25, 35], "educ": 3, "re74": [1, 5000]}},
            "age + educ + race + re74",
        ),
        (
            "cem_ate",
            {"method": "cem", "estimand": "ATE", "cutpoints": {"age": 4, "educ": 3, "re74": 3}},
            "age + educ + race + re74",
        ),
    ],
)
def test_stratified_designs_equal_matchit(
    lalonde: pd.DataFrame, block: str, kwargs: dict[str, object], formula: str
) -> None:
    ref = reference("matching_stratified")[block]
    m = match(lalonde, "treat", formula, **kwargs)  # type: ignore[arg-type]
    weights = np.zeros(len(lalonde))
    subclass = np.zeros(len(lalonde), dtype=int)
    rows = lalonde.index.get_indexer(m.data.index)
    weights[rows] = m.data["weights"]
    subclass[rows] = m.data["subclass"]
    np.testing.assert_allclose(weights, ref["weights"], atol=1e-10)
    _same_partition(subclass, _r_subclass(ref["subclass"]))
    counts = m.counts().loc["matched"]
    assert [counts["control"], counts["treated"]] == ref["nn_matched"]
    assert m.pairs.empty


def test_exact_equals_matchit(lalonde: pd.DataFrame) -> None:
    ref = reference("matchit_lalonde")["exact"]
    m = match(lalonde, "treat", "race + married + nodegree", method="exact")
    order = pd.Index(lalonde["id"]).get_indexer(ref["id"])
    weights = np.zeros(len(lalonde))
    subclass = np.zeros(len(lalonde), dtype=int)
    weights[lalonde.index.get_indexer(m.data.index)] = m.data["weights"]
    subclass[lalonde.index.get_indexer(m.data.index)] = m.data["subclass"]
    np.testing.assert_allclose(weights[order], ref["weights"], atol=1e-10)
    _same_partition(subclass[order], _r_subclass(ref["subclass"]))
    effective = m.counts().loc["effective", "control"]
    assert effective == pytest.approx(ref["nn"]["control"][2], rel=1e-10)


def test_subclass_effect_and_balance_for_the_ate(lalonde: pd.DataFrame) -> None:
    m = match(lalonde, "treat", FORMULA, method="subclass", estimand="ATE", n_subclasses=5)
    result = effect(m, "re78", adjust=["age", "educ"])
    assert np.isfinite(result.estimate) and result.std_error > 0
    table = m.balance().after.set_index("term")
    before = m.balance().before.set_index("term")
    assert (
        table.loc["distance", "std_mean_diff"] ** 2 < before.loc["distance", "std_mean_diff"] ** 2
    )


def brute_force_cover(edges: Edges, n_t: int, n_c: int) -> float:
    """Least total cost of a set of edges touching every unit that has an edge."""
    need_t = set(edges.row.tolist())
    need_c = set(edges.col.tolist())
    best = np.inf
    for k in range(1, edges.row.size + 1):
        for subset in itertools.combinations(range(edges.row.size), k):
            idx = list(subset)
            if set(edges.row[idx].tolist()) == need_t and set(edges.col[idx].tolist()) == need_c:
                best = min(best, float(edges.cost[idx].sum()))
    return best


@st.composite
def graphs(draw: st.DrawFn) -> tuple[Edges, int, int]:
    n_t, n_c = draw(st.integers(1, 3)), draw(st.integers(1, 4))
    pairs = [(t, c) for t in range(n_t) for c in range(n_c)]
    chosen = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=len(pairs)))
    costs = draw(st.lists(st.integers(0, 6), min_size=len(chosen), max_size=len(chosen)))
    rows = np.asarray([p[0] for p in chosen], dtype=np.int64)
    cols = np.asarray([p[1] for p in chosen], dtype=np.int64)
    return Edges(rows, cols, np.asarray(costs, dtype=np.int64)), n_t, n_c


@given(graphs())
@SETTINGS
def test_full_matching_is_a_minimum_edge_cover_of_stars(graph: tuple[Edges, int, int]) -> None:
    edges, n_t, n_c = graph
    sets = full_matching(edges, n_t, n_c)
    t_sets, c_sets = sets[:n_t], sets[n_t:]
    reachable_t = np.isin(np.arange(n_t), edges.row)
    reachable_c = np.isin(np.arange(n_c), edges.col)
    assert ((t_sets > 0) == reachable_t).all() and ((c_sets > 0) == reachable_c).all()
    allowed = {(int(r), int(c)): float(w) for r, c, w in zip(*edges, strict=True)}
    total = 0.0
    for s in np.unique(sets[sets > 0]):
        ts, cs = np.flatnonzero(t_sets == s), np.flatnonzero(c_sets == s)
        assert len(ts) >= 1 and len(cs) >= 1 and (len(ts) == 1 or len(cs) == 1)
        for t, c in itertools.product(ts, cs):
            assert (t, c) in allowed  # every pair in a set is allowed
            total += allowed[(int(t), int(c))]
    if edges.row.size:
        assert total == pytest.approx(brute_force_cover(edges, n_t, n_c))


def test_full_matching_on_lalonde(lalonde: pd.DataFrame) -> None:
    m = match(lalonde, "treat", FORMULA, method="full")
    assert m.counts().loc["matched"].tolist()[:2] == [185, 429]  # everyone is used
    sets = m.data.groupby("subclass")["treat"].agg(["sum", "size"])
    assert ((sets["sum"] == 1) | (sets["sum"] == sets["size"] - 1)).all()
    after = m.balance().after.set_index("term")["std_mean_diff"].abs()
    nearest = match(lalonde, "treat", FORMULA).balance().after.set_index("term")
    assert after["distance"] < abs(nearest.loc["distance", "std_mean_diff"])
    capped = match(lalonde, "treat", FORMULA, method="full", caliper=0.05)
    assert capped.counts().loc["unmatched"].sum() > 0


def test_cem_k2k_pairs_within_strata(lalonde: pd.DataFrame) -> None:
    plain = match(lalonde, "treat", "age + educ + race + re74", method="cem")
    m = match(lalonde, "treat", "age + educ + race + re74", method="cem", k2k=True)
    n_strata_pairs = plain.data.groupby("subclass")["treat"].agg(
        lambda t: min(int(t.sum()), int((1 - t).sum()))
    )
    assert len(m.pairs) == int(n_strata_pairs.sum())
    stratum = plain.data["subclass"]
    for focal, control in zip(m.pairs["focal"], m.pairs["match"], strict=True):
        assert stratum.loc[focal] == stratum.loc[control]
    assert (m.data["weights"] == 1.0).all()


@pytest.mark.parametrize(
    "kwargs",
    [
        {"method": "cem", "ratio": 2},
        {"method": "exact", "caliper": 0.2},
        {"method": "subclass", "replace": True},
        {"method": "nearest", "cutpoints": {"age": 3}},
        {"method": "exact", "k2k": True},
        {"method": "subclass", "n_subclasses": 0},
        {"method": "nearest", "estimand": "ATE"},
        {"method": "cem", "cutpoints": {"agee": 3}},
        {"method": "cem", "cutpoints": {"age": "doane"}},
        {"method": "cem", "cutpoints": {"age": -2}},
        {"method": "cem", "k2k": True, "estimand": "ATE"},
    ],
)
def test_design_options_are_checked(lalonde: pd.DataFrame, kwargs: dict[str, object]) -> None:
    with pytest.raises(SpecificationError):
        match(lalonde, "treat", "age + educ + race", **kwargs)  # type: ignore[arg-type]


def test_no_common_stratum_raises() -> None:
    df = pd.DataFrame({"t": [1, 1, 0, 0], "site": ["a", "a", "b", "b"]})
    with pytest.raises(DataError, match="no subclass"):
        match(df, "t", ["site"], method="exact")
