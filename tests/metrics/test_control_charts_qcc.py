"""Control charts against R qcc 2.7 and a Laney p'/u' implementation written in R.

The references are ``tests/reference/control_charts_qcc.json`` (``control_charts_qcc.R``):
qcc's p, np, u, c and xbar.one (individuals, moving-range sigma) charts on the data sets
that ship with qcc, with qcc's ``newdata`` (limits from the first periods, applied to the
later ones) where rpeval has ``baseline=``. Conventions, mapped here:

- qcc's ``std.dev`` is per unit (``√(p̄(1−p̄))``, ``√ū``); rpeval's ``sigma`` column is
  the sigma of each plotted point, ``std.dev / √nᵢ``. For c and individuals charts they
  are the same number.
- qcc truncates the p chart's limits to [0, 1] and the u and c charts' lower limit at 0,
  as rpeval does; individuals limits are not truncated in either.
- rpeval has no np chart: qcc's np centre, sigma and limits are ``nᵢ`` times the p chart's.
- qcc's only run rule is "violating runs": ``run.length`` points in a row on one side of
  the centre, flagged at the point that completes the run and at every later point of
  it. With ``run.length`` 8 that is rpeval's ``eight_same_side`` (Western Electric 4) and
  with 9 ``nine_same_side`` (Nelson 2). qcc's default of 7 has no rpeval counterpart,
  and qcc 2.7 has none of the zone rules (2 of 3 beyond 2σ, 4 of 5 beyond 1σ) or
  Nelson's trend, alternation and hugging rules: those are not compared.

qcc 2.7 has no Laney chart; the R script computes p′ and u′ from Laney's (2002)
definitions (with σ_z cross-checked against qcc's xbar.one on the z scores).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from rpeval.metrics import control_chart
from tests.reference_data import reference

TOLERANCE = 1e-10
RULES = ("beyond_limits", "eight_same_side", "nine_same_side")
KIND: dict[str, Any] = {"p": "p", "np": "p", "u": "u", "c": "c", "xbar.one": "xmr"}

QCC = reference("control_charts_qcc")
CHARTS = {chart["name"]: chart for chart in QCC["charts"]}
LANEY = {chart["name"]: chart for chart in QCC["laney"]}


def _frame(chart: dict[str, Any]) -> pd.DataFrame:
    columns: dict[str, Any] = {"period": chart["period"]}
    if chart["qcc_type"] == "xbar.one":
        columns["value"] = chart["value"]
    elif chart["qcc_type"] == "c":
        columns["numerator"] = chart["numerator"]
    else:
        columns["numerator"] = chart["numerator"]
        columns["denominator"] = chart["denominator"]
    return pd.DataFrame(columns)


def _labels(periods: list[int]) -> tuple[str, ...]:
    return tuple(str(period) for period in periods)


def _close(ours: Any, theirs: Any) -> None:
    np.testing.assert_allclose(
        np.asarray(ours, float), np.asarray(theirs, float), rtol=0, atol=TOLERANCE
    )


@pytest.mark.parametrize("name", sorted(CHARTS))
def test_chart_equals_qcc(name: str) -> None:
    expected = CHARTS[name]
    qcc_type = expected["qcc_type"]
    chart = control_chart(
        _frame(expected), kind=KIND[qcc_type], baseline=expected["baseline"], rules=RULES
    )
    points = chart.summary()
    n = np.asarray(expected.get("denominator", [1.0] * len(points)), float)
    scale = n if qcc_type == "np" else 1.0  # np chart = n x p chart
    _close(points["value"] * scale, expected["statistic"])
    _close(np.full(len(points), chart.center) * scale, np.broadcast_to(expected["center"], n.shape))
    _close(points["lcl"] * scale, expected["lcl"])
    _close(points["ucl"] * scale, expected["ucl"])
    per_unit = {"p": np.sqrt(n), "u": np.sqrt(n), "np": 1.0}.get(qcc_type, 1.0)
    _close(points["sigma"] * per_unit * scale, np.broadcast_to(expected["std_dev"], n.shape))
    assert chart.fired["beyond_limits"] == _labels(expected["beyond_limits"])
    assert chart.fired["eight_same_side"] == _labels(expected["runs_8"])
    assert chart.fired["nine_same_side"] == _labels(expected["runs_9"])
    if expected["baseline"] is not None:
        assert int(points["baseline"].sum()) == expected["baseline"]


def test_the_qcc_references_cover_every_chart_kind_and_a_signal() -> None:
    kinds = {chart["qcc_type"] for chart in CHARTS.values()}
    assert kinds == {"p", "np", "u", "c", "xbar.one"}
    assert QCC["meta"]["qcc"] == "2.7"
    assert sum(bool(chart["runs_8"]) for chart in CHARTS.values()) >= 3
    with_baseline = [chart for chart in CHARTS.values() if chart["baseline"] is not None]
    assert {chart["qcc_type"] for chart in with_baseline} == {"p", "u", "c", "xbar.one"}
    # Montgomery's orange-juice cans (qcc's orangejuice, trial samples): p-bar 0.2313
    oj = CHARTS["orangejuice_trial_p"]
    assert round(oj["center"], 4) == 0.2313 and round(oj["ucl"][0], 4) == 0.4102
    revised = CHARTS["orangejuice_revised_p_newdata"]
    assert round(revised["center"], 4) == 0.2150 and round(revised["lcl"][0], 4) == 0.0407


@pytest.mark.parametrize("name", sorted(LANEY))
def test_laney_chart_equals_the_r_implementation(name: str) -> None:
    expected = LANEY[name]
    frame = pd.DataFrame(
        {
            "period": expected["period"],
            "numerator": expected["numerator"],
            "denominator": expected["denominator"],
        }
    )
    chart = control_chart(
        frame, kind=expected["kind"], baseline=expected["baseline"], rules="limits"
    )
    points = chart.summary()
    _close(chart.center, expected["center"])
    _close(chart.sigma_z, expected["sigma_z"])
    _close(points["sigma"], expected["sigma"])
    _close(points["lcl"], expected["lcl"])
    _close(points["ucl"], expected["ucl"])
    _close(points["z"] * chart.sigma_z, expected["z"])  # rpeval's z is in Laney sigmas
    assert chart.fired["beyond_limits"] == _labels(expected["beyond_limits"])
