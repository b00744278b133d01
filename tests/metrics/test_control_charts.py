"""Control charts: published examples, limits by hand, baselines, bad input, the contract."""

from __future__ import annotations

import json

import matplotlib
import numpy as np
import pandas as pd
import pytest

from rpeval.errors import DataError, SpecificationError
from rpeval.metrics import ControlChart, control_chart

matplotlib.use("Agg")

# Montgomery, Introduction to Statistical Quality Control (6th ed. Table 7.1 / 7th ed.
# Table 7.1): frozen orange juice cans, 30 samples of 50, nonconforming counts.
ORANGE_JUICE = [12, 15, 8, 10, 4, 7, 16, 9, 14, 10, 5, 6, 17, 12, 22,
                8, 10, 5, 13, 11, 20, 18, 24, 15, 9, 12, 7, 13, 9, 6]  # fmt: skip


def _cans() -> pd.DataFrame:
    return pd.DataFrame({"period": range(1, 31), "numerator": ORANGE_JUICE, "denominator": 50})


def test_montgomery_orange_juice_p_chart() -> None:
    chart = control_chart(_cans(), kind="p", rules="limits")
    # printed: p-bar = 0.2313, UCL = 0.4102, LCL = 0.0524; samples 15 and 23 beyond
    assert round(chart.center, 4) == 0.2313
    assert round(chart.upper_limit, 4) == 0.4102
    assert round(chart.lower_limit, 4) == 0.0524
    assert chart.fired["beyond_limits"] == ("15", "23")
    assert chart.signalled


def test_montgomery_revised_limits_from_a_baseline_without_the_two_causes() -> None:
    # Montgomery drops samples 15 and 23 (assignable causes) and revises: p-bar = 0.2150,
    # UCL = 0.3893, LCL = 0.0407.
    frame = _cans()
    frame.loc[frame["period"].isin([15, 23]), ["numerator", "denominator"]] = 0
    chart = control_chart(frame, kind="p", rules="limits")
    assert round(chart.center, 4) == 0.2150
    assert round(chart.upper_limit, 4) == 0.3893
    assert round(chart.lower_limit, 4) == 0.0407
    notes = chart.summary().set_index("period")["note"]
    assert notes[15] == "zero denominator: not plotted"


def test_baseline_forms_and_judging_later_periods() -> None:
    frame = pd.DataFrame(
        {"period": range(12), "numerator": [20] * 8 + [5, 5, 5, 5], "denominator": 100}
    )
    chart = control_chart(frame, kind="p", baseline=8)
    assert chart.center == pytest.approx(0.2)
    assert chart.baseline == ("0", "7")
    assert "8" in chart.fired["beyond_limits"]
    same = control_chart(frame, kind="p", baseline=(0, 7))
    assert same.center == chart.center
    with pytest.raises(DataError, match="needs at least"):
        control_chart(frame, kind="xmr", baseline=2)
    with pytest.raises(SpecificationError):
        control_chart(frame, kind="p", baseline="first")  # type: ignore[arg-type]


def test_varying_denominators_give_exact_limits() -> None:
    n = np.array([80, 120, 100, 60, 150, 90])
    frame = pd.DataFrame(
        {"period": range(6), "numerator": [16, 30, 19, 15, 33, 17], "denominator": n}
    )
    chart = control_chart(frame, kind="p")
    p = 130 / 600
    expected = np.clip(p + 3 * np.sqrt(p * (1 - p) / n), 0, 1)
    np.testing.assert_allclose(chart.summary()["ucl"], expected, rtol=1e-12)
    u = control_chart(frame, kind="u")
    np.testing.assert_allclose(u.summary()["ucl"], p + 3 * np.sqrt(p / n), rtol=1e-12)


def test_laney_p_prime_by_its_definition() -> None:
    # Laney (2002): z_i = (p_i - p)/sigma_i, sigma_z = mean moving range of z / 1.128,
    # limits p +- 3 sigma_i sigma_z. Large denominators, over-dispersed.
    x = np.array([1200, 1350, 1100, 1420, 1280, 1190, 1500, 1330, 1250, 1390])
    n = np.array([10000, 10500, 9800, 11000, 10200, 9900, 11500, 10400, 10100, 10800])
    frame = pd.DataFrame({"period": range(10), "numerator": x, "denominator": n})
    chart = control_chart(frame, kind="laney_p")
    p = x.sum() / n.sum()
    sigma = np.sqrt(p * (1 - p) / n)
    z = (x / n - p) / sigma
    sigma_z = np.mean(np.abs(np.diff(z))) / 1.128
    assert chart.sigma_z == pytest.approx(sigma_z, rel=1e-12)
    np.testing.assert_allclose(chart.summary()["ucl"], p + 3 * sigma * sigma_z, rtol=1e-12)
    plain = control_chart(frame, kind="p")
    assert plain.signalled and sigma_z > 1  # over-dispersion: the plain p chart cries wolf
    u_prime = control_chart(frame, kind="laney_u")
    assert u_prime.sigma_z > 1


def test_c_and_xmr_charts() -> None:
    counts = pd.DataFrame({"period": range(8), "numerator": [4, 6, 5, 3, 7, 5, 4, 22]})
    chart = control_chart(counts, kind="c", baseline=7)
    assert chart.center == pytest.approx(34 / 7)
    assert chart.upper_limit == pytest.approx(34 / 7 + 3 * np.sqrt(34 / 7))
    assert chart.fired["beyond_limits"] == ("7",)
    values = pd.DataFrame({"period": range(6), "value": [10.0, 12.0, 11.0, 13.0, 12.0, 11.0]})
    xmr = control_chart(values, kind="xmr")
    moving = np.mean([2, 1, 2, 1, 1])
    assert xmr.upper_limit == pytest.approx(69 / 6 + 3 * moving / 1.128)
    assert xmr.summary()["moving_range"].iloc[1] == 2


def test_bad_input_is_a_clean_error() -> None:
    frame = _cans()
    with pytest.raises(DataError, match="not in increasing order"):
        control_chart(frame.iloc[::-1], kind="p")
    with pytest.raises(DataError, match="more than once"):
        control_chart(pd.concat([frame, frame]), kind="p")
    with pytest.raises(DataError, match="no period column"):
        control_chart(frame.rename(columns={"period": "month"}), kind="p")
    with pytest.raises(DataError, match="exceeds its denominator"):
        control_chart(frame.assign(numerator=60), kind="p")
    with pytest.raises(SpecificationError, match="unknown run rule"):
        control_chart(frame, rules="westen_electric")
    with pytest.raises(SpecificationError, match="unknown kind"):
        control_chart(frame, kind="x")  # type: ignore[arg-type]
    zero = frame.assign(denominator=0, numerator=0)
    with pytest.raises(DataError, match="baseline has 0"):
        control_chart(zero, kind="p")


def test_contract_summary_to_dict_plot_str_html() -> None:
    chart = control_chart(_cans(), kind="p")
    assert isinstance(chart, ControlChart)
    summary = chart.summary()
    assert list(summary.columns) == [
        "period", "numerator", "denominator", "value", "center", "sigma", "lcl", "ucl",
        "z", "moving_range", "baseline", "signal", "rules", "note",
    ]  # fmt: skip
    assert summary.loc[summary["period"] == 15, "rules"].iloc[0] == "beyond_limits"
    payload = json.loads(json.dumps(chart.to_dict()))
    assert payload["fired"]["beyond_limits"] == ["15", "23"]
    assert payload["signalled"] is True
    text = str(chart)
    assert "beyond_limits: 15, 23" in text and "eight_same_side: did not fire" in text
    assert "<table" in chart._repr_html_()
    ax = chart.plot()
    assert ax.get_title().startswith("p chart")
    import matplotlib.pyplot as plt

    plt.close("all")
    signals = chart.signals()
    assert list(signals.columns) == ["rule", "title", "period"]


def test_metric_table_input_selects_metric_and_cell() -> None:
    frame = pd.concat(
        [
            _cans().assign(metric="cans", district="North"),
            _cans().assign(metric="cans", district="South", numerator=10),
        ]
    )
    with pytest.raises(DataError, match="more than once"):
        control_chart(frame, "cans")
    chart = control_chart(frame, "cans", cell={"district": "South"})
    assert chart.center == pytest.approx(0.2) and not chart.signalled
    with pytest.raises(SpecificationError, match="not in the table"):
        control_chart(frame, "other")
