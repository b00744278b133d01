"""The numpy block kernel (right-censored data in one stratum) equals the other kernels."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from hypothesis import HealthCheck, given
from hypothesis import strategies as st

from rpeval import _threads
from rpeval.recidivism.cox import _likelihood_blocks
from rpeval.recidivism.cox._likelihood_blocks import (
    BlockPlan,
    block_partial_likelihood,
    one_stratum,
)
from rpeval.recidivism.cox._likelihood_counting import event_sums, partial_likelihood
from rpeval.recidivism.cox._likelihood_right_censored import fused_partial_likelihood
from rpeval.recidivism.cox._risk_sets import build_risk_set_index
from tests.hypothesis_budget import budget
from tests.recidivism.test_cox_fused import _data, _direct

SETTINGS = budget(60, suppress_health_check=[HealthCheck.too_slow])


def _compare(fast: object, ref: object, rel: float) -> None:
    assert fast.loglik == pytest.approx(ref.loglik, rel=rel, abs=1e-12)  # type: ignore[attr-defined]
    for name in ("score", "information"):
        got, want = getattr(fast, name), getattr(ref, name)
        scale = max(1.0, float(np.abs(want).max()))
        np.testing.assert_allclose(got, want, rtol=rel, atol=rel * scale)


@SETTINGS
@given(
    seed=st.integers(0, 100_000),
    n=st.integers(1, 150),
    p=st.integers(1, 5),
    n_times=st.integers(1, 15),
    weighted=st.booleans(),
    ties=st.sampled_from(["efron", "breslow"]),
    block_rows=st.sampled_from([1, 3, 7, 16_384]),
    gram_rows=st.sampled_from([1, 2, 5, 512]),
)
def test_block_kernel_equals_the_fused_and_vectorised_kernels(
    seed: int,
    n: int,
    p: int,
    n_times: int,
    weighted: bool,
    ties: str,
    block_rows: int,
    gram_rows: int,
) -> None:
    # small blocks, chunks of the information's products and threaded parts at any size
    # exercise every boundary of the blocks
    d = _data(seed, n, p, 1, n_times, weighted)
    index = build_risk_set_index(d["stop"], d["event"], d["stratum"])
    assert one_stratum(index)
    X, w = d["X"][index.order], d["weights"][index.order]
    wx = event_sums(index, X, w)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_likelihood_blocks, "BLOCK_ROWS", block_rows)
        mp.setattr(_likelihood_blocks, "gram_rows", lambda p: gram_rows)
        mp.setattr(_threads, "MIN_THREADED_ROWS", 0)
        plan = BlockPlan(index, np.ascontiguousarray(X.T), w)
        fast = block_partial_likelihood(plan, w, d["beta"], ties, wx)  # type: ignore[arg-type]
        again = block_partial_likelihood(plan, w, d["beta"], ties, wx)  # type: ignore[arg-type]
    _compare(fast, partial_likelihood(index, X, w, d["beta"], ties, wx), 1e-10)  # type: ignore[arg-type]
    _compare(fast, fused_partial_likelihood(index, X, w, d["beta"], ties, wx), 1e-10)  # type: ignore[arg-type]
    assert again.loglik == fast.loglik  # buffers reused between Newton steps: same bits
    np.testing.assert_array_equal(again.information, fast.information)
    # without the sum of w x over the events the kernel finds it: from its first pass at
    # beta = 0 (the event pieces' sums of r x, r = w), else in one pass over the rows
    for start in (np.zeros_like(d["beta"]), d["beta"]):
        plan = BlockPlan(index, np.ascontiguousarray(X.T), w)
        first = block_partial_likelihood(plan, w, start, ties, None)  # type: ignore[arg-type]
        _compare(first, partial_likelihood(index, X, w, start, ties, wx), 1e-10)  # type: ignore[arg-type]
        scale = max(1.0, float(np.abs(wx).max()))
        np.testing.assert_allclose(plan.event_x, wx, rtol=1e-10, atol=1e-10 * scale)
        later = block_partial_likelihood(plan, w, d["beta"], ties, None)  # type: ignore[arg-type]
        _compare(later, fast, 1e-10)


@budget(20, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 100_000), scale=st.floats(0.5, 6.0))
def test_block_kernel_is_accurate_when_risks_span_many_orders(seed: int, scale: float) -> None:
    d = _data(seed, 150, 3, 1, 12, True)
    d["X"] = d["X"] * scale
    index = build_risk_set_index(d["stop"], d["event"], d["stratum"])
    X, w = d["X"][index.order], d["weights"][index.order]
    fast = block_partial_likelihood(
        BlockPlan(index, np.ascontiguousarray(X.T), w),
        w,
        d["beta"],
        "efron",
        event_sums(index, X, w),
    )
    loglik, score, info = _direct(d)
    assert fast.loglik == pytest.approx(loglik, rel=1e-10)
    np.testing.assert_allclose(fast.score, score, rtol=0, atol=1e-9 * np.abs(score).max())
    np.testing.assert_allclose(fast.information, info, rtol=0, atol=1e-9 * np.abs(info).max())


def test_zero_total_risk_gives_minus_infinity() -> None:
    d = _data(3, 40, 2, 1, 5, False)
    index = build_risk_set_index(d["stop"], d["event"], d["stratum"])
    X, w = d["X"][index.order], d["weights"][index.order]
    beta = np.array([800.0, 0.0])  # exp overflows: the risk sets are not finite
    with np.errstate(over="ignore", invalid="ignore"):
        value = block_partial_likelihood(
            BlockPlan(index, np.ascontiguousarray(X.T), w), w, beta, "efron", w @ X
        )
    assert value.loglik == -np.inf


def test_plain_cox_fit_imports_neither_numba_nor_scipy() -> None:
    # the first fit in a process is the one a user feels: numba's import and compiler
    # set-up (about half a second) and scipy.linalg stay out of a fit without strata
    code = (
        "import json, sys; import numpy as np, pandas as pd; "
        "from rpeval.recidivism import cox; rng = np.random.default_rng(0); "
        "df = pd.DataFrame({'t': rng.integers(1, 20, 300).astype(float), "
        "'e': rng.integers(0, 2, 300), 'x': rng.standard_normal(300)}); "
        "cox(df, 't', 'e', ['x']); "
        "heavy = ('numba', 'scipy.linalg', 'scipy.stats'); "
        "print(json.dumps([m for m in heavy if m in sys.modules]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert out.stdout.strip().splitlines()[-1] == "[]"
