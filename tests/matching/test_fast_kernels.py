"""The fast balance and matching kernels equal their slow, obvious counterparts."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given
from hypothesis import strategies as st
from numpy.typing import NDArray

from rpeval.matching._ecdf import ecdf_stats, ecdf_stats_reference, sorted_groups
from rpeval.matching._glm import FUSED_MIN_ROWS, _logit_iterations, _numpy_iterations
from rpeval.matching._moments import group_codes, group_moments
from rpeval.matching.designs._greedy import _k_nearest
from rpeval.matching.designs._walk_order import positions
from tests.hypothesis_budget import budget

Sample = tuple[NDArray[np.float64], NDArray[np.bool_], NDArray[np.float64]]
SETTINGS = budget(80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def samples(draw: st.DrawFn) -> Sample:
    """Values with many ties (and signed zeros), both groups present, weights with zeros."""
    n = draw(st.integers(2, 40))
    values = np.asarray(draw(st.lists(st.integers(-4, 4), min_size=n, max_size=n)), float) / 2
    values[values == 0] = draw(st.sampled_from([0.0, -0.0]))
    treated = np.asarray(draw(st.lists(st.booleans(), min_size=n, max_size=n)))
    treated[0], treated[1] = True, False
    weights = np.asarray(
        draw(st.lists(st.sampled_from([0.0, 0.5, 1.0, 1.0, 2.0, 3.25]), min_size=n, max_size=n))
    )
    weights[0] = weights[1] = 1.0
    return values, treated, weights


@SETTINGS
@given(samples(), st.booleans())
def test_ecdf_stats_equal_the_pooled_argsort_reference(sample: Sample, unit: bool) -> None:
    x, treated, weights = sample
    weights = np.ones_like(x) if unit else weights
    order = np.argsort(x, kind="stable")
    expected = ecdf_stats_reference(x[order], treated[order], weights[order])
    got = ecdf_stats(x, treated, weights, sorted_groups(x, treated))
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-14)
    assert ecdf_stats(x, treated, weights) == got


@SETTINGS
@given(samples(), st.booleans())
def test_group_moments_equal_numpy(sample: Sample, unit: bool) -> None:
    x, treated, weights = sample
    weights = np.ones_like(x) if unit else weights
    moments = group_moments(x, group_codes(treated, weights), weights)
    for g, rows in ((1, treated & (weights > 0)), (0, ~treated & (weights > 0))):
        w, v = weights[rows], x[rows]
        mean = w @ v / w.sum()
        denom = w.sum() - (w @ w) / w.sum()
        variance = w @ (v - mean) ** 2 / denom if denom > 0 else np.nan
        np.testing.assert_allclose(moments.mean[g], mean, rtol=1e-13, atol=1e-15)
        np.testing.assert_allclose(moments.variance[g], variance, rtol=1e-13, atol=1e-15)


@SETTINGS
@given(
    st.lists(st.integers(0, 6), min_size=1, max_size=50),
    st.lists(st.integers(0, 2), min_size=50, max_size=50),
    st.booleans(),
)
def test_walk_positions_equal_ranks_by_value_then_row(
    values: list[int], strata: list[int], one: bool
) -> None:
    v = np.asarray(values, float) / 3
    s = np.zeros(v.size, np.int64) if one else np.asarray(strata[: v.size], np.int64)
    got = positions(v, None if one else s)
    for g in np.unique(s):
        rows = np.flatnonzero(s == g)
        ranked = sorted(rows, key=lambda i: (v[i], i))  # R's order(): ties by row
        assert [got[i] for i in ranked] == list(range(rows.size))


@SETTINGS
@given(st.lists(st.integers(0, 3), min_size=1, max_size=12), st.integers(1, 6))
def test_k_nearest_keeps_the_k_smallest_in_order(values: list[int], k: int) -> None:
    d = np.asarray(values, float)
    kept = _k_nearest(d, d.size, k)
    assert sorted(d[kept].tolist()) == sorted(d.tolist())[: min(k, d.size)]
    assert (np.diff(d[kept]) >= 0).all() or (d.size <= k and (np.diff(d) >= 0).all())
    assert len(set(kept.tolist())) == kept.size


def test_fused_logit_irls_equals_the_numpy_formulation() -> None:
    rng = np.random.default_rng(7)
    n = FUSED_MIN_ROWS // 10
    X = rng.standard_normal((n, 3))
    y = (rng.random(n) < 1 / (1 + np.exp(-(0.3 + X @ [0.5, -1.0, 0.2])))).astype(float)
    w = rng.choice([0.5, 1.0, 2.0], n)
    fused = _logit_iterations(X, y, w, True, 50, 1e-8)
    textbook = _numpy_iterations(np.column_stack([np.ones(n), X]), y, w, "logit", 50, 1e-8)
    for ours, theirs in zip(fused[:5], textbook[:5], strict=True):
        np.testing.assert_allclose(np.asarray(ours), np.asarray(theirs), rtol=1e-12, atol=1e-13)
    assert fused[5:] == textbook[5:]  # iterations, converged
