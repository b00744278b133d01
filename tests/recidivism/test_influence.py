"""weight_derivatives: equal to finite differences of the weighted Kaplan–Meier curve and
its RMST, and the infinitesimal-jackknife variance it implies equals kaplan_meier's robust
variance (itself checked against R survfit(robust=TRUE))."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rpeval.errors import SpecificationError
from rpeval.recidivism import kaplan_meier
from rpeval.recidivism.survival.influence import weight_derivatives

TIMES = (1.0, 2.5, 4.0)


def _slow_curve(t: np.ndarray, d: np.ndarray, w: np.ndarray, tau: float) -> tuple:
    """S at TIMES and the RMST to tau by the textbook product and sum (the slow reference)."""
    s, knots = 1.0, [(0.0, 1.0)]
    for u in np.unique(t[d & (w > 0)]):
        s *= 1.0 - w[(t == u) & d].sum() / w[t >= u].sum()
        knots.append((u, s))
    survival, area = [], 0.0
    for (u, height), (v, _) in zip(knots, [*knots[1:], (np.inf, 0.0)], strict=True):
        if u >= tau:
            break
        area += height * (min(v, tau) - u)
    for x in TIMES:
        below = [height for u, height in knots if u <= x]
        survival.append(below[-1])
    return np.array(survival), area


@st.composite
def _samples(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = draw(st.integers(3, 25))
    t = np.array(draw(st.lists(st.integers(1, 12), min_size=n, max_size=n)), float) / 2
    d = np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)))
    w = np.array(draw(st.lists(st.floats(0.25, 4.0), min_size=n, max_size=n)))
    return t, d, w


@given(_samples())
def test_derivatives_equal_finite_differences(sample: tuple) -> None:
    t, d, w = sample
    out = weight_derivatives(t, d, w, times=TIMES, tau=5.0)
    values, area = _slow_curve(t, d, w, 5.0)
    np.testing.assert_allclose(out.estimate, values, atol=1e-12)
    assert out.area == pytest.approx(area, abs=1e-12)
    eps = 1e-6
    for i in range(len(t)):
        up, down = w.copy(), w.copy()
        up[i] += eps
        down[i] -= eps
        (s_up, a_up), (s_down, a_down) = _slow_curve(t, d, up, 5.0), _slow_curve(t, d, down, 5.0)
        np.testing.assert_allclose((s_up - s_down) / (2 * eps), out.survival[i], atol=1e-6)
        assert out.rmst is not None
        assert (a_up - a_down) / (2 * eps) == pytest.approx(out.rmst[i], abs=1e-5)


def test_jackknife_variance_is_kaplan_meiers_robust_variance() -> None:
    rng = np.random.default_rng(3)
    n = 400
    t = np.round(rng.exponential(5, n), 1) + 0.1
    d = rng.random(n) < 0.7
    w = rng.uniform(0.2, 3, n)
    frame = pd.DataFrame({"t": t, "d": d.astype(int), "w": w})
    fit = kaplan_meier(frame, "t", "d", weights="w", robust=True).at(list(TIMES))
    out = weight_derivatives(t, d, w, times=TIMES)
    np.testing.assert_allclose(out.estimate, fit["survival"], rtol=1e-12)
    np.testing.assert_allclose(
        np.sqrt(((w[:, None] * out.survival) ** 2).sum(axis=0)), fit["std_error"], rtol=1e-10
    )


def test_bad_input_is_a_clear_error() -> None:
    with pytest.raises(SpecificationError, match="must match"):
        weight_derivatives(np.ones(3), np.ones(2, bool))
    with pytest.raises(SpecificationError, match="weights >= 0"):
        weight_derivatives(np.ones(2), np.ones(2, bool), np.array([1.0, -1.0]))


@pytest.mark.parametrize("ties", ["efron", "breslow"])
def test_cox_score_residuals_equal_r(ties: str) -> None:
    import json
    from pathlib import Path

    from rpeval.datasets import load_rossi
    from rpeval.recidivism import cox

    reference = json.loads(
        (Path(__file__).parents[1] / "reference" / "cox_score_residuals.json").read_text()
    )[ties]
    rossi = load_rossi()
    rossi["w"] = 1 + (np.arange(len(rossi)) % 5) / 2
    fit = cox(rossi, "week", "arrest", ["fin", "age", "prio"], weights="w", ties=ties)  # type: ignore[arg-type]
    np.testing.assert_allclose(fit.coef, reference["coef"], rtol=1e-9)
    np.testing.assert_allclose(fit.score_residuals(), reference["residuals"], atol=1e-9)
    weighted = (rossi["w"].to_numpy()[:, None] * fit.score_residuals()).sum(axis=0)
    np.testing.assert_allclose(weighted, 0.0, atol=1e-4)  # the score at the fit (tolerance)
