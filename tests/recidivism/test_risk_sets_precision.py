"""Risk-set sums keep full relative precision when strata differ by many orders of magnitude.

The vectorised kernel (robust residuals, cox.zph, baseline, (start, stop] fits) once took
differences of running sums across all strata, so a stratum of tiny risks sorted before one
of huge risks lost every digit. Compared here with exact sums (math.fsum) on random data.
"""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from rpeval.recidivism.cox._risk_sets import (
    build_risk_set_index,
    risk_and_tied_sums,
    risk_set_sums,
    sum_over_risk_sets,
)
from tests.hypothesis_budget import budget


def _data(seed: int, n: int, strata: int, counting: bool):  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(seed)
    stratum = np.sort(rng.integers(0, strata, n)).astype(np.int64)
    stop = rng.integers(2, 15, n).astype(np.float64)
    start = np.where(rng.random(n) < 0.5, 0.0, np.floor(stop * rng.random(n))) if counting else None
    event = rng.random(n) < 0.6
    event[0] = True
    exponents = rng.uniform(-40, 40, strata)  # risks e^{-40} .. e^{40} by stratum
    values = rng.random(n) * np.exp(exponents[stratum])
    return build_risk_set_index(stop, event, stratum, start), values, start


def _relative(got: np.ndarray, exact: np.ndarray) -> float:
    scale = np.where(exact == 0, 1.0, np.abs(exact))
    return float(np.max(np.abs(got - exact) / scale)) if exact.size else 0.0


@budget(60, deadline=None)
@given(
    seed=st.integers(0, 2**31),
    n=st.integers(2, 80),
    strata=st.integers(1, 5),
    counting=st.booleans(),
)
def test_sums_equal_exact_sums(seed: int, n: int, strata: int, counting: bool) -> None:
    index, values, start = _data(seed, n, strata, counting)
    rows = values[index.order]
    entry = index.start if counting else np.full(n, -np.inf)
    exact = []
    for t, s, a, b in zip(
        index.event_time, index.event_stratum, index.stop_first, index.stop_end, strict=True
    ):
        members = np.arange(a, b)
        at_risk = members[entry[members] < t]
        exact.append(math.fsum(rows[at_risk]))
        del s
    assert _relative(risk_set_sums(index, rows), np.array(exact)) < 1e-12
    risk, tied = risk_and_tied_sums(index, rows)
    assert _relative(risk, np.array(exact)) < 1e-12
    exact_tied = [
        math.fsum(rows[a : a + k]) for a, k in zip(index.stop_first, index.n_tied, strict=True)
    ]
    assert _relative(tied, np.array(exact_tied)) < 1e-9  # a difference within one stratum

    generator = np.random.default_rng(seed)
    by_stratum = np.exp(generator.uniform(-40, 40, strata))  # orders apart between strata
    per_time = generator.random(index.n_event_times) * by_stratum[index.event_stratum]
    over = sum_over_risk_sets(index, per_time)
    exact_over = [
        math.fsum(per_time[lo:hi]) for lo, hi in zip(index.event_lo, index.event_hi, strict=True)
    ]
    assert _relative(over, np.array(exact_over)) < 1e-9
    del start
