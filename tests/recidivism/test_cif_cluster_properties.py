"""The cluster-robust variance of Aalen–Johansen curves equals the sum over clusters of the
squared summed influences, each influence ``w_i dF/dw_i`` taken by central finite
differences of the estimate itself (an oracle that shares no formula with the kernel)."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from rpeval.recidivism.competing._aalen_johansen_kernel import aalen_johansen
from tests.hypothesis_budget import budget

people = st.lists(
    st.tuples(
        st.integers(1, 8),  # time
        st.integers(0, 2),  # cause (0 censored)
        st.floats(0.5, 2.0),  # weight
        st.integers(0, 3),  # cluster
    ),
    min_size=3,
    max_size=14,
)


@budget(60)
@given(rows=people)
def test_clustered_variance_is_the_sum_of_squared_cluster_influences(
    rows: list[tuple[int, int, float, int]],
) -> None:
    time = np.array([r[0] for r in rows], dtype=np.float64)
    cause = np.array([r[1] for r in rows], dtype=np.int64)
    w = np.array([r[2] for r in rows])
    cluster = np.array([r[3] for r in rows], dtype=np.int64)
    if not (cause > 0).any():
        return
    fit = aalen_johansen(time, cause, 2, w, robust=True, cluster=cluster)
    h = 1e-6
    influence = np.empty((len(rows), *fit.incidence.shape))
    for i in range(len(rows)):
        up, down = w.copy(), w.copy()
        up[i] += h
        down[i] -= h
        f_up = aalen_johansen(time, cause, 2, up).incidence
        f_down = aalen_johansen(time, cause, 2, down).incidence
        influence[i] = w[i] * (f_up - f_down) / (2 * h)
    summed = np.stack([influence[cluster == g].sum(axis=0) for g in np.unique(cluster)])
    expected = (summed**2).sum(axis=0)
    np.testing.assert_allclose(fit.variance, expected, rtol=1e-5, atol=1e-9)
    alone = aalen_johansen(time, cause, 2, w, robust=True, cluster=np.arange(len(rows)))
    plain = aalen_johansen(time, cause, 2, w, robust=True)
    np.testing.assert_allclose(alone.variance, plain.variance, rtol=1e-12, atol=1e-15)
