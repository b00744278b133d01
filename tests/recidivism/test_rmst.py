"""Restricted mean survival time against R and a slow reference; contrasts and errors."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given
from hypothesis import strategies as st
from scipy import stats

from rpeval.datasets import load_rossi
from rpeval.errors import DataError, RpevalError, SpecificationError
from rpeval.recidivism import rmst
from tests.hypothesis_budget import budget
from tests.reference_data import reference

RTOL = 1e-6
SETTINGS = budget(30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def rossi() -> pd.DataFrame:
    return load_rossi()


def _frame(seed: int, n: int, *, censor: bool = True) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    time = np.ceil(rng.exponential(10.0, n))
    event = rng.uniform(size=n) < 0.7 if censor else np.ones(n, dtype=bool)
    return pd.DataFrame({"time": time, "event": event.astype(int)})


def _slow_rmst(time, event, tau):  # type: ignore[no-untyped-def]
    """The integral of the KM step function and R's variance, one time at a time."""
    survival, area, last = 1.0, 0.0, 0.0
    steps = []  # (time, d, n) at each distinct time <= tau
    for t in np.unique(time):
        if t > tau:
            break
        area += survival * (t - last)
        last = t
        n = np.sum(time >= t)
        d = np.sum((time == t) & event)
        steps.append((t, d, n))
        survival *= 1 - d / n
    area += survival * (tau - last)
    variance = 0.0
    for t, d, n in steps:
        if 0 < d < n:
            # area from t to tau: integrate the curve again, the slow way
            s, tail, prev = 1.0, 0.0, None
            for u in np.unique(time):
                if u > tau:
                    break
                if prev is not None and prev >= t:
                    tail += s * (u - prev)
                nu, du = np.sum(time >= u), np.sum((time == u) & event)
                s *= 1 - du / nu
                prev = u
            tail += s * (tau - prev)
            variance += tail**2 * d / (n * (n - d))
    return area, variance


@pytest.mark.parametrize("tau", [52, 40])
def test_matches_r_rmean(rossi: pd.DataFrame, tau: int) -> None:
    expected = reference("survival_rossi")["rmst"][f"tau{tau}"]
    result = rmst(rossi, "week", "arrest", tau, group="fin")
    table = result.summary()
    np.testing.assert_allclose(table["rmst"], expected["rmean"], rtol=RTOL)
    np.testing.assert_allclose(table["std_error"], expected["se"], rtol=RTOL)
    assert (table["tau"] == tau).all()


def test_contrasts_difference_and_ratio(rossi: pd.DataFrame) -> None:
    expected = reference("survival_rossi")["rmst"]["tau52"]
    contrasts = rmst(rossi, "week", "arrest", 52, group="fin").contrasts().set_index("contrast")
    (m0, m1), (s0, s1) = expected["rmean"], expected["se"]
    diff = contrasts.loc["difference"]
    assert diff["estimate"] == pytest.approx(m1 - m0, rel=RTOL)
    assert diff["std_error"] == pytest.approx(np.hypot(s0, s1), rel=RTOL)
    assert diff["p_value"] == pytest.approx(2 * stats.norm.sf((m1 - m0) / np.hypot(s0, s1)))
    ratio = contrasts.loc["ratio"]
    se_log = np.hypot(s0 / m0, s1 / m1)
    assert ratio["estimate"] == pytest.approx(m1 / m0, rel=RTOL)
    assert ratio["ci_lower"] == pytest.approx(m1 / m0 * np.exp(-1.959963984540054 * se_log))
    assert ratio["std_error"] == pytest.approx(se_log, rel=RTOL)
    assert list(contrasts.reset_index().columns) == [
        "contrast",
        "group",
        "reference",
        "estimate",
        "std_error",
        "ci_lower",
        "ci_upper",
        "statistic",
        "p_value",
    ]


@SETTINGS
@given(seed=st.integers(0, 10_000), n=st.integers(2, 40), share=st.floats(0.05, 1.0))
def test_equals_slow_integral_of_the_step_function(seed: int, n: int, share: float) -> None:
    df = _frame(seed, n)
    tau = float(df["time"].max()) * share
    result = rmst(df, "time", "event", tau)
    area, variance = _slow_rmst(df["time"].to_numpy(), df["event"].to_numpy() == 1, tau)
    assert result.rmst[0] == pytest.approx(area, rel=1e-12)
    assert result.variance[0] == pytest.approx(variance, rel=1e-9, abs=1e-12)


@SETTINGS
@given(seed=st.integers(0, 10_000), n=st.integers(1, 60))
def test_without_censoring_is_the_mean_truncated_time(seed: int, n: int) -> None:
    df = _frame(seed, n, censor=False)
    tau = float(df["time"].max())
    assert rmst(df, "time", "event", tau).rmst[0] == pytest.approx(
        np.minimum(df["time"], tau).mean(), rel=1e-12
    )


def test_three_groups_are_compared_with_the_first(rossi: pd.DataFrame) -> None:
    groups = np.where(rossi["prio"] == 0, "a", np.where(rossi["prio"] <= 2, "b", "c"))
    result = rmst(rossi.assign(g=groups), "week", "arrest", 52, group="g")
    contrasts = result.contrasts()
    assert contrasts["group"].tolist() == ["b", "b", "c", "c"]
    assert (contrasts["reference"] == "a").all()
    assert json.loads(json.dumps(result.to_dict()))["tau"] == 52
    assert "<table" in result._repr_html_()


def test_single_group_has_no_contrasts(rossi: pd.DataFrame) -> None:
    result = rmst(rossi, "week", "arrest", 30)
    assert result.groups == ("all",) and result.contrasts().empty
    assert list(result.summary().columns) == [
        "group",
        "tau",
        "rmst",
        "std_error",
        "ci_lower",
        "ci_upper",
        "n",
        "n_events",
    ]


@pytest.mark.parametrize(
    ("tau", "error", "message"),
    [
        (60, SpecificationError, "after the last observed time"),
        (0, SpecificationError, "positive"),
        (-3, SpecificationError, "positive"),
        (float("nan"), SpecificationError, "positive"),
        ("52", SpecificationError, "number"),
        (True, SpecificationError, "number"),
    ],
)
def test_bad_tau_raises(rossi: pd.DataFrame, tau: object, error: type, message: str) -> None:
    with pytest.raises(error, match=message) as raised:
        rmst(rossi, "week", "arrest", tau, group="fin")  # type: ignore[arg-type]
    assert isinstance(raised.value, RpevalError)


def test_tau_after_one_groups_follow_up_names_the_group() -> None:
    df = pd.DataFrame({"t": [1, 2, 3, 9, 10], "e": [1, 0, 1, 1, 0], "g": [0, 0, 0, 1, 1]})
    with pytest.raises(SpecificationError, match="group 0"):
        rmst(df, "t", "e", 5, group="g")


def test_bad_data_raises(rossi: pd.DataFrame) -> None:
    with pytest.raises(DataError, match="negative"):
        rmst(rossi.assign(week=-rossi["week"]), "week", "arrest", 10)
    with pytest.raises(DataError, match="0/1"):
        rmst(rossi.assign(arrest=3), "week", "arrest", 10)
