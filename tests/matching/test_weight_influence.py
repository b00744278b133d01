"""WeightResult.weight_influence(): carried through a weighted mean difference it gives
effect()'s stacked sandwich SE exactly (IPW and entropy balancing, ATT and ATE)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rpeval.matching import effect, weight


def _data() -> pd.DataFrame:
    rng = np.random.default_rng(12)
    n = 600
    x1, x2 = rng.normal(size=n), rng.binomial(1, 0.4, n)
    treated = rng.random(n) < 1 / (1 + np.exp(-(-0.7 + 0.8 * x1 + 0.5 * x2)))
    y = 1 + 0.5 * treated + x1 - 0.8 * x2 + rng.normal(size=n)
    return pd.DataFrame({"t": treated, "x1": x1, "x2": x2, "y": y})


def _weighted_mean_influence(y: np.ndarray, w: np.ndarray, group: np.ndarray) -> tuple:
    """Known-weights influence and d/dw_i of the weighted mean of y within `group`."""
    total = w[group].sum()
    mean = (w[group] * y[group]).sum() / total
    g = np.where(group, (y - mean) / total, 0.0)
    return w * g, g


@pytest.mark.parametrize(
    ("method", "estimand"), [("ipw", "ATT"), ("ipw", "ATE"), ("entropy", "ATT")]
)
def test_influence_reproduces_the_stacked_sandwich(method: str, estimand: str) -> None:
    result = weight(_data(), "t", "x1 + x2", estimand=estimand, method=method)  # type: ignore[arg-type]
    data = result.data
    y, w = data["y"].to_numpy(float), data["weights"].to_numpy(float)
    t = data["t"].to_numpy(bool)
    known1, g1 = _weighted_mean_influence(y, w, t)
    known0, g0 = _weighted_mean_influence(y, w, ~t)
    parts = result.weight_influence()
    phi = np.zeros(parts.influence.shape[0])
    phi[parts.rows] = known1 - known0
    phi += parts.influence @ (parts.derivative.T @ (g1 - g0))
    expected = effect(result, "y", se="sandwich", progress=False).summary()["std_error"].iloc[0]
    assert float(np.sqrt(phi @ phi)) == pytest.approx(expected, rel=1e-9)
    naive = float(np.sqrt(((known1 - known0) ** 2).sum()))
    assert naive != pytest.approx(expected, rel=1e-3)  # the correction matters here
