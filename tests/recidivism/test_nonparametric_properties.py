"""Properties of Kaplan–Meier, log-rank, RMST and rates on random data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rpeval.errors import DataError, RpevalError, SpecificationError
from rpeval.recidivism import kaplan_meier, logrank_test, recidivism_rates, rmst

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def survival_frames(draw: st.DrawFn, min_size: int = 2) -> pd.DataFrame:
    n = draw(st.integers(min_size, 40))
    time = draw(st.lists(st.integers(1, 12), min_size=n, max_size=n))
    event = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    group = draw(st.lists(st.sampled_from(["a", "b"]), min_size=n, max_size=n))
    weight = draw(st.lists(st.integers(1, 3), min_size=n, max_size=n))
    frame = pd.DataFrame(
        {"time": np.asarray(time, float), "event": event, "group": group, "w": weight}
    )
    frame.loc[0, "event"] = True
    return frame


@SETTINGS
@given(frame=survival_frames())
def test_km_is_a_non_increasing_probability(frame: pd.DataFrame) -> None:
    table = kaplan_meier(frame, "time", "event", group="group").summary()
    assert table["survival"].between(0, 1).all()
    for _, curve in table.groupby("group"):
        assert (np.diff(curve["survival"].to_numpy()) <= 1e-12).all()
    assert (table["ci_lower"] <= table["survival"] + 1e-12).all()
    assert (table["survival"] <= table["ci_upper"] + 1e-12).all()


@SETTINGS
@given(times=st.lists(st.integers(1, 20), min_size=1, max_size=30))
def test_km_without_censoring_is_the_empirical_survival(times: list[int]) -> None:
    frame = pd.DataFrame({"time": np.asarray(times, float), "event": True})
    table = kaplan_meier(frame, "time", "event").summary()
    empirical = [(frame["time"] > t).mean() for t in table["time"]]
    np.testing.assert_allclose(table["survival"], empirical, atol=1e-12)


@SETTINGS
@given(frame=survival_frames())
def test_integer_weights_equal_duplicated_rows(frame: pd.DataFrame) -> None:
    weighted = kaplan_meier(frame, "time", "event", weights="w", robust=False).summary()
    expanded = kaplan_meier(frame.loc[frame.index.repeat(frame["w"])], "time", "event").summary()
    np.testing.assert_allclose(weighted["survival"], expanded["survival"], atol=1e-12)
    np.testing.assert_allclose(weighted["std_error"], expanded["std_error"], atol=1e-12)


@SETTINGS
@given(frame=survival_frames(min_size=4), seed=st.integers(0, 1000))
def test_logrank_does_not_depend_on_row_order(frame: pd.DataFrame, seed: int) -> None:
    if frame["group"].nunique() < 2:
        with pytest.raises(DataError):
            logrank_test(frame, "time", "event", "group")
        return
    a = logrank_test(frame, "time", "event", "group")
    b = logrank_test(frame.sample(frac=1, random_state=seed), "time", "event", "group")
    assert a.statistic == pytest.approx(b.statistic, rel=1e-10, abs=1e-12)
    assert a.table["observed"].sum() == pytest.approx(frame["event"].sum())
    assert a.table["expected"].sum() == pytest.approx(frame["event"].sum())


@SETTINGS
@given(frame=survival_frames(), tau=st.floats(0.5, 12.0))
def test_rmst_is_the_area_under_the_step_function(frame: pd.DataFrame, tau: float) -> None:
    if tau > frame["time"].max():
        with pytest.raises(DataError):
            rmst(frame, "time", "event", tau)
        return
    result = rmst(frame, "time", "event", tau).groups.iloc[0]
    curve = kaplan_meier(frame, "time", "event")
    grid = np.linspace(0, tau, 20001)
    surv = curve.at(grid[grid > 0])["survival"].to_numpy()
    slow = np.concatenate([[1.0], surv])[:-1] @ np.diff(grid)  # left Riemann sum
    assert result["rmst"] == pytest.approx(slow, abs=tau * 1e-3)
    assert 0 <= result["rmst"] <= tau


@SETTINGS
@given(frame=survival_frames())
def test_rates_are_probabilities_and_complete_counts_are_consistent(frame: pd.DataFrame) -> None:
    rates = recidivism_rates(frame, "time", "event", [3, 6], group="group")
    rows = rates[~rates["group"].str.contains(" - ")]
    assert rows["cumulative_incidence"].between(0, 1).all()
    assert (rows["complete_events"] <= rows["complete_n"]).all()


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda d: kaplan_meier(d.assign(time=-1.0), "time", "event"), DataError),
        (lambda d: kaplan_meier(d.assign(event=3), "time", "event"), DataError),
        (lambda d: kaplan_meier(d.assign(time=np.nan), "time", "event"), DataError),
        (lambda d: kaplan_meier(d, "time", "event", conf_type="logit"), SpecificationError),
        (lambda d: kaplan_meier(d, "tiem", "event"), DataError),
        (lambda d: recidivism_rates(d, "time", "event", [0]), SpecificationError),
        (lambda d: rmst(d, "time", "event", -1), SpecificationError),
        (lambda d: logrank_test(d, "time", "event", "group", rho=-1), SpecificationError),
        (lambda d: kaplan_meier(d.iloc[0:0], "time", "event"), DataError),
    ],
)
def test_bad_inputs(call, error) -> None:  # type: ignore[no-untyped-def]
    frame = pd.DataFrame({"time": [1.0, 2, 3], "event": [1, 0, 1], "group": ["a", "b", "a"]})
    with pytest.raises(error):
        call(frame)
    assert issubclass(error, RpevalError)
