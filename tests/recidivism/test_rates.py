"""Fixed-window re-arrest rates: KM against R, complete follow-up by hand, differences."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given
from hypothesis import strategies as st
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from rpeval.datasets import load_rossi
from rpeval.errors import DataError, DataWarning, RpevalError, SpecificationError
from rpeval.recidivism import kaplan_meier, recidivism_rates
from tests.hypothesis_budget import budget
from tests.reference_data import reference

RTOL = 1e-6
SETTINGS = budget(30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
RATE_COLUMNS = [
    "group",
    "window",
    "cumulative_incidence",
    "ci_lower",
    "ci_upper",
    "n_risk",
    "complete_n",
    "complete_events",
    "complete_proportion",
    "complete_ci_lower",
    "complete_ci_upper",
]


@pytest.fixture(scope="module")
def rossi() -> pd.DataFrame:
    return load_rossi()


def _staggered(seed: int, n: int) -> pd.DataFrame:
    """Entry spread over two years, data to a fixed date: follow-up varies by person."""
    rng = np.random.default_rng(seed)
    follow_up = rng.integers(1, 1100, n).astype(float)
    arrest = np.ceil(rng.exponential(600.0, n))
    return pd.DataFrame(
        {
            "days": np.minimum(arrest, follow_up),
            "arrested": (arrest <= follow_up).astype(int),
            "potential": follow_up,
            "group": rng.integers(0, 2, n),
        }
    )


def test_km_columns_match_survfit(rossi: pd.DataFrame) -> None:
    expected = reference("survival_rossi")["km"]["log"]
    rates = recidivism_rates(rossi, "week", "arrest", [13, 26, 39, 52], group="fin").summary()
    assert list(rates.columns) == RATE_COLUMNS
    np.testing.assert_allclose(
        rates["cumulative_incidence"], 1 - np.array(expected["surv"]), rtol=RTOL
    )
    np.testing.assert_allclose(rates["ci_lower"], 1 - np.array(expected["upper"]), rtol=RTOL)
    np.testing.assert_allclose(rates["ci_upper"], 1 - np.array(expected["lower"]), rtol=RTOL)
    np.testing.assert_allclose(rates["n_risk"], expected["n_risk"], rtol=RTOL)


def test_rossi_complete_follow_up_equals_km(rossi: pd.DataFrame) -> None:
    # everyone was followed 52 weeks or arrested, so both definitions agree
    rates = recidivism_rates(rossi, "week", "arrest", [13, 52], group="fin").summary()
    np.testing.assert_allclose(
        rates["complete_proportion"], rates["cumulative_incidence"], rtol=1e-12
    )
    assert rates["complete_n"].tolist() == [216, 216, 216, 216]
    low, high = proportion_confint(rates["complete_events"], 216, alpha=0.05, method="wilson")
    np.testing.assert_allclose(rates["complete_ci_lower"], low, rtol=1e-12)
    np.testing.assert_allclose(rates["complete_ci_upper"], high, rtol=1e-12)


@pytest.mark.filterwarnings("ignore::rpeval.errors.DataWarning")
@SETTINGS
@given(seed=st.integers(0, 10_000), n=st.integers(1, 120), potential=st.booleans())
def test_complete_follow_up_counts_by_hand(seed: int, n: int, potential: bool) -> None:
    df = _staggered(seed, n)
    windows = [365.0, 730.0, 1095.0]
    options = {"followup": "potential"} if potential else {}
    rates = recidivism_rates(df, "days", "arrested", windows, **options).summary()  # type: ignore[arg-type]
    event = df["arrested"] == 1
    for w, row in zip(windows, rates.itertuples(), strict=True):
        within = event & (df["days"] <= w)
        complete = df["potential"] >= w if potential else within | (df["days"] >= w)
        within &= complete
        assert row.complete_n == complete.sum()
        assert row.complete_events == within.sum()
        if complete.sum():
            assert row.complete_proportion == pytest.approx(within.sum() / complete.sum())
        else:
            assert np.isnan(row.complete_proportion)


def test_followup_gives_the_unbiased_bjs_share_and_warns_without_it() -> None:
    df = _staggered(7, 20_000)
    with pytest.warns(DataWarning, match="biases it upward"):
        naive = recidivism_rates(df, "days", "arrested", [730]).summary().iloc[0]
    bjs = recidivism_rates(df, "days", "arrested", [730], followup="potential").summary()
    truth = 1 - np.exp(-730 / 600)  # arrest ~ exponential(mean 600), rounded up to days
    assert bjs["complete_proportion"].iloc[0] == pytest.approx(truth, abs=0.02)
    assert naive["cumulative_incidence"] == pytest.approx(truth, abs=0.02)
    assert naive["complete_proportion"] > truth + 0.05


def test_followup_shorter_than_duration_raises() -> None:
    df = _staggered(1, 50)
    with pytest.raises(DataError, match="shorter than"):
        recidivism_rates(
            df.assign(potential=df["days"] - 1), "days", "arrested", [365], followup="potential"
        )


@SETTINGS
@given(seed=st.integers(0, 10_000), n=st.integers(4, 120))
def test_cumulative_incidence_is_one_minus_km(seed: int, n: int) -> None:
    df = _staggered(seed, n)
    windows = [100.0, 365.0, 730.0]
    rates = recidivism_rates(
        df, "days", "arrested", windows, group="group", followup="potential"
    ).summary()
    km = kaplan_meier(df, "days", "arrested", group="group").at(windows)
    np.testing.assert_allclose(rates["cumulative_incidence"], 1 - km["survival"], rtol=1e-12)
    values = rates["cumulative_incidence"].dropna()
    assert ((values >= 0) & (values <= 1)).all()


def test_differences_use_the_log_minus_log_scale(rossi: pd.DataFrame) -> None:
    result = recidivism_rates(rossi, "week", "arrest", [26, 52], group="fin")
    diff = result.differences()
    km = reference("survival_rossi")["km"]["log"]
    s0, s1 = np.array(km["surv"])[[1, 3]], np.array(km["surv"])[[5, 7]]
    e0, e1 = np.array(km["std_err"])[[1, 3]], np.array(km["std_err"])[[5, 7]]
    np.testing.assert_allclose(diff["difference"], s0 - s1, rtol=RTOL)
    np.testing.assert_allclose(diff["std_error"], np.hypot(e0, e1), rtol=RTOL)
    theta = np.log(-np.log(s1)) - np.log(-np.log(s0))
    se = np.hypot(e0 / (s0 * np.log(s0)), e1 / (s1 * np.log(s1)))
    np.testing.assert_allclose(diff["statistic"], theta / se, rtol=RTOL)
    np.testing.assert_allclose(diff["p_value"], 2 * stats.norm.sf(np.abs(theta / se)), rtol=RTOL)
    np.testing.assert_allclose(diff["cumulative_hazard_ratio"], np.log(s1) / np.log(s0), rtol=RTOL)
    assert (diff["group"] == 1).all() and (diff["reference"] == 0).all()
    # at one year the test is close to the log-rank test (p = 0.05)
    assert diff["p_value"].iloc[1] == pytest.approx(0.0506, abs=1e-3)


def test_one_group_has_no_differences_and_serialises(rossi: pd.DataFrame) -> None:
    result = recidivism_rates(rossi, "week", "arrest", 52)
    assert result.differences().empty
    assert result.summary()["group"].tolist() == ["all"]
    payload = json.loads(json.dumps(result.to_dict()))
    assert payload["windows"] == [52.0] and payload["differences"] == []
    assert "<table" in result._repr_html_()


def test_window_after_follow_up_is_unknown_but_complete_share_is_not() -> None:
    df = pd.DataFrame({"t": [1, 2, 3, 4], "e": [1, 0, 1, 0]})
    with pytest.warns(DataWarning):
        row = recidivism_rates(df, "t", "e", [10]).summary().iloc[0]
    assert np.isnan(row["cumulative_incidence"])
    assert row["complete_n"] == 2 and row["complete_proportion"] == 1.0


@pytest.mark.parametrize("windows", [[0], [-365], [], [np.inf], ["a year"], [365, 0]])
def test_bad_windows_raise(rossi: pd.DataFrame, windows: list[object]) -> None:
    with pytest.raises(SpecificationError, match="windows"):
        recidivism_rates(rossi, "week", "arrest", windows)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("change", "options", "error"),
    [
        (lambda d: d.assign(week=-d["week"]), {}, DataError),
        (lambda d: d.assign(arrest=2), {}, DataError),
        (lambda d: d.assign(fin=np.nan), {"group": "fin"}, DataError),
        (lambda d: d, {"conf_level": 1.0}, SpecificationError),
        (lambda d: d, {"conf_type": "arcsin"}, SpecificationError),
    ],
)
def test_bad_input_raises(rossi, change, options, error) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(error) as raised:
        recidivism_rates(change(rossi), "week", "arrest", [52], **options)
    assert isinstance(raised.value, RpevalError)
    assert "recidivism_rates()" in str(raised.value)


@budget(60)
@given(
    counts=st.lists(
        st.tuples(st.integers(0, 10**6), st.integers(1, 10**6)), min_size=1, max_size=6
    ),
    conf_level=st.floats(min_value=0.5, max_value=0.999),
)
def test_wilson_bounds_are_statsmodels_bits(
    counts: list[tuple[int, int]], conf_level: float
) -> None:
    # the complete-follow-up interval no longer imports statsmodels: the same numbers
    from rpeval.recidivism.rates._window_result import wilson_bounds

    k = np.array([min(a, b) for a, b in counts], dtype=np.float64)
    n = np.array([b for _, b in counts], dtype=np.float64)
    low, high = wilson_bounds(k, n, conf_level)
    expected = proportion_confint(k, n, alpha=1 - conf_level, method="wilson")
    # operation for operation the same: equal bits with today's statsmodels and scipy;
    # 1e-14 so that other versions cannot fail the test
    np.testing.assert_allclose(low, expected[0], rtol=1e-14, atol=1e-300)
    np.testing.assert_allclose(high, expected[1], rtol=1e-14, atol=1e-300)
