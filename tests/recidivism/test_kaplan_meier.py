"""Kaplan–Meier curves: R survival references, properties, and clean errors."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given
from hypothesis import strategies as st

from rpeval.datasets import load_rossi
from rpeval.errors import DataError, RpevalError, SpecificationError
from rpeval.recidivism import kaplan_meier
from tests.hypothesis_budget import budget
from tests.reference_data import reference, reference_csv

RTOL = 1e-6  # R prints these with full precision; we agree to about 1e-14
SETTINGS = budget(30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
AT_COLUMNS = ["group", "time", "n_risk", "n_event", "survival", "std_error", "ci_lower", "ci_upper"]


@pytest.fixture(scope="module")
def rossi() -> pd.DataFrame:
    return load_rossi()


def _frame(seed: int, n: int, *, censor: bool = True, ties: bool = True) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    time = rng.exponential(10.0, n)
    time = np.ceil(time) if ties else time
    event = rng.uniform(size=n) < 0.7 if censor else np.ones(n, dtype=bool)
    return pd.DataFrame(
        {
            "time": time,
            "event": event.astype(int),
            "group": rng.integers(0, 2, n),
            "w": rng.uniform(0.2, 3.0, n).round(3),
            "pair": np.arange(n) // 2,
        }
    )


# ---------------------------------------------------------------- R references


@pytest.mark.parametrize(
    ("conf_type", "key"), [("log", "log"), ("log-log", "log_log"), ("plain", "plain")]
)
def test_rossi_by_fin_matches_survfit(rossi: pd.DataFrame, conf_type: str, key: str) -> None:
    expected = reference("survival_rossi")["km"][key]
    km = kaplan_meier(rossi, "week", "arrest", group="fin", conf_type=conf_type)  # type: ignore[arg-type]
    table = km.at([13, 26, 39, 52])
    assert list(table.columns) == AT_COLUMNS
    assert [f"fin={g}" for g in table["group"]] == expected["strata"]
    pairs = [
        ("survival", "surv"),
        ("std_error", "std_err"),
        ("ci_lower", "lower"),
        ("ci_upper", "upper"),
        ("n_risk", "n_risk"),
        ("n_event", "n_event"),
    ]
    for ours, theirs in pairs:
        np.testing.assert_allclose(table[ours], expected[theirs], rtol=RTOL, err_msg=ours)


def test_rossi_published_survival_at_one_year(rossi: pd.DataFrame) -> None:
    table = kaplan_meier(rossi, "week", "arrest", group="fin").at(52)
    assert table["survival"].round(3).tolist() == [0.694, 0.778]  # DOMAIN.md


def test_rossi_quantiles_match_r(rossi: pd.DataFrame) -> None:
    expected = reference("survival_rossi")["km"]["quantiles"]
    table = kaplan_meier(rossi, "week", "arrest").quantile(expected["probs"])
    assert table["time"].tolist() == expected["quantile"]
    assert table["ci_lower"].tolist() == expected["lower"]
    assert table["ci_upper"].tolist() == expected["upper"]
    assert np.isnan(kaplan_meier(rossi, "week", "arrest").median()["time"].iloc[0])


@pytest.mark.parametrize("robust", [None, True])
def test_weighted_curves_match_survfit_robust(robust: bool | None) -> None:
    expected = reference("survival_paired")["weighted_km"]
    data = reference_csv("paired_data.csv")
    km = kaplan_meier(data, "time", "status", group="treat", weights="w", robust=robust)
    assert km.variance == "robust"  # non-integer weights: R's default is robust
    table = km.at([10, 30, 60, 90])
    np.testing.assert_allclose(table["survival"], expected["surv"], rtol=RTOL)
    np.testing.assert_allclose(table["std_error"], expected["robust_std_err"], rtol=RTOL)
    np.testing.assert_allclose(table["ci_lower"], expected["robust_lower"], rtol=RTOL)
    np.testing.assert_allclose(table["ci_upper"], expected["robust_upper"], rtol=RTOL)


# ---------------------------------------------------------------- the robust variance


def _slow_robust_se(time, event, w, cluster):  # type: ignore[no-untyped-def]
    """R's survfitkm influence recursion, one event time at a time (a slow reference)."""
    ids = np.unique(cluster, return_inverse=True)[1]
    influence = np.zeros(ids.max() + 1)
    survival, out = 1.0, {}
    for t in np.unique(time):
        at_risk = time >= t
        n = w[at_risk].sum()
        dying = at_risk & (time == t) & event
        d = w[dying].sum()
        if d > 0:
            hazard = d / n
            at_risk_w = np.bincount(ids, weights=w * at_risk, minlength=influence.size)
            dead_w = np.bincount(ids, weights=w * dying, minlength=influence.size)
            influence = influence * (1 - hazard) + survival * (at_risk_w * hazard - dead_w) / n
            survival *= 1 - hazard
        out[t] = np.sqrt(np.sum(influence**2))
    return out


@SETTINGS
@given(seed=st.integers(0, 10_000), n=st.integers(5, 60), clustered=st.booleans())
def test_robust_variance_equals_influence_recursion(seed: int, n: int, clustered: bool) -> None:
    df = _frame(seed, n)
    km = kaplan_meier(
        df, "time", "event", weights="w", robust=True, cluster="pair" if clustered else None
    )
    slow = _slow_robust_se(
        df["time"].to_numpy(),
        df["event"].to_numpy() == 1,
        df["w"].to_numpy(),
        df["pair"].to_numpy() if clustered else np.arange(n),
    )
    table = km.summary(censored=True)
    np.testing.assert_allclose(
        table["std_error"], [slow[t] for t in table["time"]], rtol=1e-9, atol=1e-12
    )


def test_cluster_of_one_row_each_equals_robust(rossi: pd.DataFrame) -> None:
    own = rossi.assign(id=np.arange(len(rossi)))
    a = kaplan_meier(own, "week", "arrest", group="fin", robust=True).summary()
    b = kaplan_meier(own, "week", "arrest", group="fin", cluster="id").summary()
    np.testing.assert_allclose(a["std_error"], b["std_error"], rtol=1e-12)


# ---------------------------------------------------------------- properties


@SETTINGS
@given(seed=st.integers(0, 10_000), n=st.integers(1, 80), ties=st.booleans())
def test_curve_is_non_increasing_within_unit_interval(seed: int, n: int, ties: bool) -> None:
    table = kaplan_meier(_frame(seed, n, ties=ties), "time", "event", group="group").summary(
        censored=True
    )
    for _, curve in table.groupby("group"):
        s = curve["survival"].to_numpy()
        assert np.all((s >= 0) & (s <= 1))
        assert np.all(np.diff(s) <= 1e-15)
        ok = np.isfinite(curve["ci_lower"])
        assert np.all(curve["ci_lower"][ok] <= s[ok] + 1e-12)
        assert np.all(curve["ci_upper"][ok] >= s[ok] - 1e-12)


@SETTINGS
@given(seed=st.integers(0, 10_000), n=st.integers(1, 80))
def test_without_censoring_equals_empirical_survival(seed: int, n: int) -> None:
    df = _frame(seed, n, censor=False)
    grid = np.unique(np.concatenate([df["time"], [0.0, 0.5, 2.5]]))
    grid = grid[grid <= df["time"].max()]
    table = kaplan_meier(df, "time", "event").at(grid)
    empirical = [(df["time"] > t).mean() for t in grid]
    np.testing.assert_allclose(table["survival"], empirical, rtol=1e-12, atol=1e-14)


@SETTINGS
@given(seed=st.integers(0, 10_000), n=st.integers(2, 50))
def test_weight_two_equals_duplicated_rows(seed: int, n: int) -> None:
    df = _frame(seed, n)
    doubled = df.iloc[: n // 2].assign(w=2.0)
    weighted = pd.concat([doubled, df.iloc[n // 2 :].assign(w=1.0)])
    duplicated = pd.concat([df.iloc[: n // 2], df.iloc[: n // 2], df.iloc[n // 2 :]])
    a = kaplan_meier(weighted, "time", "event", group="group", weights="w").summary()
    b = kaplan_meier(duplicated, "time", "event", group="group").summary()
    pd.testing.assert_frame_equal(a, b, rtol=1e-12)


@SETTINGS
@given(seed=st.integers(0, 10_000), n=st.integers(2, 60))
def test_invariant_to_row_order(seed: int, n: int) -> None:
    df = _frame(seed, n)
    shuffled = df.sample(frac=1.0, random_state=seed)
    for options in ({}, {"weights": "w"}, {"cluster": "pair"}):
        a = kaplan_meier(df, "time", "event", group="group", **options).summary()  # type: ignore[arg-type]
        b = kaplan_meier(shuffled, "time", "event", group="group", **options).summary()  # type: ignore[arg-type]
        pd.testing.assert_frame_equal(a, b, rtol=1e-10)


# ---------------------------------------------------------------- R's rules, by hand


def test_median_on_a_flat_stretch_is_its_midpoint() -> None:
    df = pd.DataFrame({"t": [1, 2, 3, 4], "e": [1, 1, 1, 1]})
    assert kaplan_meier(df, "t", "e").median()["time"].iloc[0] == 2.5  # R: 2.5
    ends_flat = pd.DataFrame({"t": [1, 2, 3, 4], "e": [1, 1, 0, 0]})
    assert kaplan_meier(ends_flat, "t", "e").median()["time"].iloc[0] == 3.0  # (2 + 4) / 2


def test_at_step_semantics_and_follow_up_end() -> None:
    df = pd.DataFrame({"t": [2, 2, 3, 5, 7], "e": [1, 0, 1, 1, 0]})
    table = kaplan_meier(df, "t", "e").at([8, 0, 2, 4, 4])  # sorted, de-duplicated
    assert table["time"].tolist() == [0, 2, 4, 8]
    assert table["n_risk"].tolist() == [5, 5, 2, 0]
    assert table["n_event"].tolist() == [0, 1, 1, 1]
    np.testing.assert_allclose(table["survival"][:3], [1.0, 0.8, 0.8 * 2 / 3])
    assert np.isnan(table["survival"].iloc[3])  # after the last time: unknown
    ended = kaplan_meier(pd.DataFrame({"t": [1, 2], "e": [1, 1]}), "t", "e").at(5)
    assert ended["survival"].iloc[0] == 0.0  # the curve reached 0: known


def test_results_are_tidy_and_serialisable(rossi: pd.DataFrame) -> None:
    km = kaplan_meier(rossi.assign(fin=rossi["fin"] == 1), "week", "arrest", group="fin")
    assert km.groups == (False, True)
    assert list(km.summary().columns) == [
        "group",
        "time",
        "n_risk",
        "n_event",
        "n_censor",
        "survival",
        "std_error",
        "ci_lower",
        "ci_upper",
    ]
    assert list(km.median().columns) == ["group", "time", "ci_lower", "ci_upper"]
    payload = json.loads(json.dumps(km.to_dict()))
    assert payload["groups"][0]["n"] == 216 and payload["variance"] == "greenwood"
    assert "<table" in km._repr_html_()
    assert (km.n == 216).all() and km.n_events.tolist() == [66, 48]


def test_missing_values_dropped_on_request(rossi: pd.DataFrame) -> None:
    holes = rossi.astype({"week": float})
    holes.loc[[0, 5], "week"] = np.nan
    with pytest.raises(DataError, match="2 rows"):
        kaplan_meier(holes, "week", "arrest")
    km = kaplan_meier(holes, "week", "arrest", missing="drop")
    assert km.n_dropped == 2 and km.n[0] == len(rossi) - 2


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("change", "options", "error", "message"),
    [
        (lambda d: d.assign(week=-d["week"]), {}, DataError, "negative"),
        (lambda d: d.assign(arrest=d["arrest"] * 2), {}, DataError, "0/1"),
        (
            lambda d: d.assign(week=np.where(d.index == 3, np.nan, d["week"])),
            {},
            DataError,
            "missing",
        ),
        (lambda d: d.iloc[:0], {}, DataError, "no rows"),
        (lambda d: d, {"group": "fn"}, DataError, "Did you mean 'fin'"),
        (
            lambda d: d.assign(fin=pd.Categorical(d["fin"], categories=[0, 1, 2])),
            {"group": "fin"},
            DataError,
            "no rows",
        ),
        (
            lambda d: d.assign(w=np.where(d["fin"] == 1, 0.0, 1.0)),
            {"group": "fin", "weights": "w"},
            DataError,
            "zero total weight",
        ),
        (lambda d: d.assign(w=-1.0), {"weights": "w"}, DataError, "weights"),
        (lambda d: d, {"conf_type": "logit"}, SpecificationError, "conf_type"),
        (lambda d: d, {"conf_level": 95}, SpecificationError, "conf_level"),
        (lambda d: d, {"robust": False, "cluster": "fin"}, SpecificationError, "robust"),
        (lambda d: [1, 2, 3], {}, DataError, "data frame"),
    ],
)
def test_bad_input_raises_rpeval_errors(rossi, change, options, error, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(error, match=message) as raised:
        kaplan_meier(change(rossi), "week", "arrest", **options)
    assert isinstance(raised.value, RpevalError)
    assert "kaplan_meier()" in str(raised.value)


@pytest.mark.parametrize("times", [[-1], [np.nan], [], ["a"]])
def test_bad_times_raise(rossi: pd.DataFrame, times: list[object]) -> None:
    with pytest.raises(SpecificationError):
        kaplan_meier(rossi, "week", "arrest").at(times)  # type: ignore[arg-type]


def test_bad_quantile_probability_raises(rossi: pd.DataFrame) -> None:
    with pytest.raises(SpecificationError, match="probabilities"):
        kaplan_meier(rossi, "week", "arrest").quantile(1.5)


def test_plot_draws_curves_and_at_risk_table(rossi: pd.DataFrame) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ax = kaplan_meier(rossi, "week", "arrest", group="fin").plot(times=[0, 26, 52])
    texts = [t.get_text() for t in ax.texts]
    assert texts[:5] == ["Number at risk", "fin = 0", "216", "187", "154"]
    assert len(ax.get_lines()) >= 2 and ax.get_legend() is not None
    _, own = plt.subplots()
    assert kaplan_meier(rossi, "week", "arrest").plot(ax=own, at_risk=False) is own
    plt.close("all")
