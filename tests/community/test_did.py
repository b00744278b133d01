"""callaway_santanna and aggregate: hand-checkable cases, properties and bad input."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rpeval.community.did import aggregate, callaway_santanna
from rpeval.community.did._twobytwo import did_2x2
from rpeval.errors import DataError, SpecificationError
from tests.hypothesis_budget import budget


def _frame(outcome: np.ndarray, adoption: list[float | None]) -> pd.DataFrame:
    n, t = outcome.shape
    return pd.DataFrame(
        {
            "area": np.repeat(np.arange(n), t),
            "period": np.tile(np.arange(1, t + 1), n),
            "y": outcome.ravel(),
            "start": np.repeat(np.array(adoption, dtype=float), t),
        }
    )


def _fit(frame: pd.DataFrame, **options: object):  # type: ignore[no-untyped-def]
    args: dict[str, object] = {"n_bootstrap": 0, "progress": False} | options
    return callaway_santanna(
        frame, area="area", period="period", outcome="y", adoption="start", **args
    )


def _simulated(n: int = 60, t: int = 6, seed: int = 0, effect: float = -1.0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    starts = rng.choice([3.0, 5.0, np.nan], size=n)
    y = rng.normal(size=(n, 1)) + 0.3 * np.arange(t) + rng.normal(scale=0.5, size=(n, t))
    treated = np.nan_to_num(starts, nan=99)[:, None] <= np.arange(1, t + 1)[None, :]
    return _frame(y + effect * treated, list(starts))


def test_two_by_two_by_hand() -> None:
    # areas 0-1 adopt in period 2; 2-3 never: ATT = mean change (3) - mean change (0.5)
    y = np.array([[1.0, 3.0], [1.0, 5.0], [0.0, 1.0], [1.0, 1.0]])
    fit = _fit(_frame(y, [2, 2, None, None]))
    assert fit.att.tolist() == [2.5]
    # influence: n/n_treated (dY - 3) for treated, -n/n_control (dY - 0.5) for controls
    assert np.allclose(fit.influence[:, 0], [-2.0, 2.0, -1.0, 1.0])
    assert np.isclose(fit.inference.std_error[0], np.sqrt(10.0) / 4)


def test_no_effect_and_parallel_trends_recovers_constant_effect() -> None:
    fit = _fit(_simulated(n=400, effect=-1.0), control="notyet")
    frame = fit.summary()
    post = frame[frame["post"]]
    assert np.all(np.abs(post["estimate"] + 1.0) < 5 * post["std_error"])
    assert abs(aggregate(fit, "simple").overall_estimate + 1.0) < 0.2


def test_estimators_agree_without_covariates() -> None:
    frame = _simulated()
    fits = [_fit(frame, method=m) for m in ("reg", "ipw", "dr")]
    for other in fits[1:]:
        assert np.allclose(other.att, fits[0].att, atol=1e-12)
        assert np.allclose(other.influence, fits[0].influence, atol=1e-10)


def test_covariate_paths_match_closed_form_with_constant_covariate() -> None:
    frame = _simulated()
    frame["one"] = 1.0
    rng = np.random.default_rng(3)
    frame["x"] = np.repeat(rng.normal(size=60), 6)
    plain = _fit(frame)
    for method in ("reg", "ipw", "dr"):
        with_x = _fit(frame, covariates=["x"], method=method)
        assert with_x.att.shape == plain.att.shape
        assert np.all(np.isfinite(with_x.att))


def test_bootstrap_is_seeded_and_close_to_analytical() -> None:
    frame = _simulated(n=300)
    one = _fit(frame, n_bootstrap=499, random_state=7)
    two = _fit(frame, n_bootstrap=499, random_state=7)
    analytic = _fit(frame)
    assert np.array_equal(one.inference.std_error, two.inference.std_error)
    ratio = one.inference.std_error / analytic.inference.std_error
    assert np.all(np.abs(ratio - 1) < 0.2)
    assert one.inference.crit_val > 1.96


def test_generic_and_structured_bootstrap_agree_in_distribution() -> None:
    frame = _simulated(n=300)
    frame["x"] = 0.0 + np.repeat(np.arange(300) % 2, 6)
    structured = _fit(frame, n_bootstrap=999, random_state=1)
    reg = _fit(frame, n_bootstrap=999, random_state=1, covariates=["x"], method="reg")
    ratio = reg.inference.std_error / structured.inference.std_error
    assert np.all(np.abs(ratio - 1) < 0.25)


def test_aggregations_have_levels_and_contract() -> None:
    fit = _fit(_simulated(), n_bootstrap=199, random_state=0)
    for kind in ("simple", "dynamic", "group", "calendar"):
        result = aggregate(fit, kind)
        table = result.summary()
        assert list(table.columns) == [
            "term", "level", "estimate", "std_error", "ci_lower", "ci_upper"
        ]  # fmt: skip
        assert table["term"].iloc[0] == "overall"
        assert (table["ci_lower"] <= table["ci_upper"]).all()
        json.dumps(result.to_dict())
        assert "Aggregated ATT" in str(result) and "<table>" in result._repr_html_()
    json.dumps(fit.to_dict())
    assert "Group-time ATT" in str(fit)


def test_plot_draws_event_study() -> None:
    import matplotlib

    matplotlib.use("Agg")
    ax = _fit(_simulated(), n_bootstrap=99, random_state=0).plot()
    assert ax.get_xlabel() == "periods since adoption"


@budget(25)
@given(
    shift=st.floats(-5, 5),
    scale=st.floats(0.1, 10),
    seed=st.integers(0, 1000),
)
def test_att_is_affine_equivariant(shift: float, scale: float, seed: int) -> None:
    frame = _simulated(n=30, seed=seed)
    base = _fit(frame)
    moved = frame.assign(y=frame["y"] * scale + shift)
    fit = _fit(moved)
    assert np.allclose(fit.att, base.att * scale, atol=1e-9 * (1 + scale))
    assert np.allclose(fit.inference.std_error, base.inference.std_error * scale, rtol=1e-8)


@budget(25)
@given(
    y1=st.lists(st.floats(-100, 100), min_size=6, max_size=6),
    y0=st.lists(st.floats(-100, 100), min_size=6, max_size=6),
)
def test_influence_function_has_mean_zero(y1: list[float], y0: list[float]) -> None:
    d = np.array([1, 1, 1, 0, 0, 0], dtype=bool)
    fit = did_2x2(np.array(y1), np.array(y0), d, None, "dr")
    assert abs(fit.influence.mean()) < 1e-9 * (1 + np.abs(fit.influence).max())
    change = np.array(y1) - np.array(y0)
    assert np.isclose(fit.att, change[:3].mean() - change[3:].mean(), atol=1e-9)


def test_unbalanced_panel_is_rejected() -> None:
    frame = _simulated().iloc[1:]
    with pytest.raises(DataError):
        _fit(frame)


def test_no_untreated_comparison_is_explained() -> None:
    y = np.zeros((4, 4))
    frame = _frame(y, [2, 2, 3, 3])
    with pytest.raises(DataError, match="control='notyet'"):
        _fit(frame)
    fit = _fit(frame, control="notyet")
    assert fit.skipped  # cells of the last group after everyone adopted
    assert any("no comparison area" in note for note in fit.to_dict()["notes"])


def test_all_treated_at_once_has_no_comparison() -> None:
    frame = _frame(np.zeros((4, 4)), [3, 3, 3, 3])
    with pytest.raises(DataError):
        _fit(frame)
    with pytest.raises(DataError, match="no group-time cell"):
        _fit(frame, control="notyet")


def test_areas_treated_from_the_start_are_dropped_and_counted() -> None:
    frame = _simulated()
    frame.loc[frame["area"] == 0, "start"] = 1.0
    fit = _fit(frame)
    assert fit.n_dropped_areas == 1
    assert fit.influence.shape[0] == 59


@pytest.mark.parametrize(
    ("option", "value"),
    [("method", "ols"), ("control", "all"), ("anticipation", -1), ("conf_level", 2.0),
     ("multiplier", "normal"), ("covariates", "x"), ("random_state", "seed")],
)  # fmt: skip
def test_bad_options(option: str, value: object) -> None:
    with pytest.raises(SpecificationError):
        _fit(_simulated(), **{option: value})


def test_panel_arguments_are_checked() -> None:
    with pytest.raises(SpecificationError, match="needed"):
        callaway_santanna(_simulated(), area="area", period="period", outcome="y")


def test_mammen_multipliers_have_mean_zero_and_unit_variance() -> None:
    from rpeval.community.did._bootstrap import multipliers

    draws = multipliers(np.random.default_rng(0), (400, 500), "mammen")
    assert abs(draws.mean()) < 0.01 and abs(draws.var() - 1) < 0.01
    assert abs((draws**3).mean() - 1) < 0.05  # Mammen's third moment is 1
    fit = _fit(_simulated(n=200), n_bootstrap=499, random_state=2, multiplier="mammen")
    assert np.all(np.isfinite(fit.inference.std_error))


@budget(20)
@given(scale=st.floats(0.01, 100), seed=st.integers(0, 100))
def test_bootstrap_summary_scales_and_bounds(scale: float, seed: int) -> None:
    from rpeval.community.did._bootstrap import summarise

    draws = np.random.default_rng(seed).normal(size=(199, 4))
    one = summarise(draws, n=100, conf_level=0.95)
    scaled = summarise(draws * scale, n=100, conf_level=0.95)
    assert np.allclose(scaled.std_error, one.std_error * scale, rtol=1e-10)
    assert np.isclose(scaled.crit_val, one.crit_val, rtol=1e-10)
    # the uniform critical value is at least the largest pointwise one
    z = np.sort(np.abs(draws / (one.std_error * 10)), axis=0)[int(np.ceil(0.95 * 199)) - 1]
    assert one.crit_val >= z.max() - 1e-12


def test_calendar_periods_label_cells() -> None:
    frame = _simulated()
    frame["period"] = pd.PeriodIndex.from_fields(year=2020, month=frame["period"], freq="M")
    frame["start"] = [
        pd.Period(year=2020, month=int(s), freq="M") if s == s else None for s in frame["start"]
    ]
    fit = _fit(frame)
    assert str(fit.summary()["group"].iloc[0]) == "2020-03"
    assert aggregate(fit, "dynamic").levels[0] == -3  # group 2020-05 in 2020-02
    json.dumps(fit.to_dict())


def test_to_dict_keeps_the_overall_level_null() -> None:
    """JSON: the overall row's level is null on every pandas (not the text 'None')."""
    import json

    from rpeval.community import aggregate, callaway_santanna
    from rpeval.datasets import simulate_community

    fit = callaway_santanna(
        simulate_community(random_state=3).panel(), n_bootstrap=0, progress=False
    )
    rows = json.loads(json.dumps(aggregate(fit, "dynamic").to_dict()))["rows"]
    assert rows[0]["level"] is None
    assert all(isinstance(row["level"], str) for row in rows[1:])


def test_callaway_n_boot_is_a_deprecated_alias_of_n_bootstrap() -> None:
    frame = _simulated()
    columns = {"area": "area", "period": "period", "outcome": "y", "adoption": "start"}
    new = callaway_santanna(frame, **columns, n_bootstrap=99, random_state=3, progress=False)
    with pytest.warns(FutureWarning, match="use n_bootstrap="):
        old = callaway_santanna(frame, **columns, n_boot=99, random_state=3, progress=False)
    pd.testing.assert_frame_equal(old.summary(), new.summary())
    with pytest.raises(SpecificationError, match="n_bootstrap= only"):
        _fit(frame, n_bootstrap=99, n_boot=99)
