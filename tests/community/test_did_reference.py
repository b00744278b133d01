"""callaway_santanna and aggregate against R did 2.5 (Callaway & Sant'Anna) on its mpdta
example: tests/reference/community_did.R -> community_did.json (no R needed here).

mpdta (tests/reference/mpdta.csv) is the county teen-employment panel shipped with R's
did package (data/mpdta.rda, 500 counties x 2003-2007)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from rpeval.community.did import GroupTimeResult, aggregate, callaway_santanna

REF = Path(__file__).parent.parent / "reference"
CONTROL = {"nevertreated": "never", "notyettreated": "notyet"}


@cache
def _reference() -> dict[str, Any]:
    return json.loads((REF / "community_did.json").read_text())  # type: ignore[no-any-return]


@cache
def _mpdta() -> pd.DataFrame:
    return pd.read_csv(REF / "mpdta.csv")


def _fit(spec: dict[str, Any], **options: Any) -> GroupTimeResult:
    return callaway_santanna(
        _mpdta(), area="countyreal", period="year", outcome="lemp", adoption="first.treat",
        never=0, covariates=[str(c) for c in np.atleast_1d(spec["covariates"])],
        method=spec["est_method"],
        control=CONTROL[spec["control"]], anticipation=spec["anticipation"],
        progress=False, **options,
    )  # fmt: skip


def _num(values: Any) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in np.atleast_1d(values)], dtype=float)


ANALYTIC = sorted(_reference()["analytic"]) if (REF / "community_did.json").exists() else []


@pytest.mark.parametrize("name", ANALYTIC)
def test_group_time_att_and_analytical_se(name: str) -> None:
    spec = _reference()["analytic"][name]
    fit = _fit(spec, n_bootstrap=0)
    table = fit.summary()
    assert table["group"].tolist() == spec["cells"]["group"]
    assert table["time"].tolist() == spec["cells"]["time"]
    assert np.allclose(table["estimate"], _num(spec["cells"]["att"]), atol=1e-6, rtol=0)
    assert np.allclose(table["std_error"], _num(spec["cells"]["se"]), atol=1e-6, rtol=0)


@pytest.mark.parametrize("name", ANALYTIC)
@pytest.mark.parametrize("kind", ["simple", "dynamic", "group", "calendar"])
def test_aggregations_and_analytical_se(name: str, kind: str) -> None:
    spec = _reference()["analytic"][name]
    ref = spec[kind]
    result = aggregate(_fit(spec, n_bootstrap=0), kind)
    assert np.isclose(result.overall_estimate, ref["overall_att"], atol=1e-6, rtol=0)
    assert np.isclose(result.overall_std_error, ref["overall_se"], atol=1e-6, rtol=0)
    if kind != "simple":
        assert list(result.levels) == list(np.atleast_1d(ref["egt"]))
        assert np.allclose(result.estimate, _num(ref["att_egt"]), atol=1e-6, rtol=0)
        se = result.inference.std_error
        assert np.allclose(se, _num(ref["se_egt"]), atol=1e-6, rtol=0, equal_nan=True)


BOOT = sorted(_reference()["bootstrap"]) if (REF / "community_did.json").exists() else []


@pytest.mark.parametrize("name", BOOT)
def test_bootstrap_se_and_uniform_critical_value(name: str) -> None:
    spec = _reference()["analytic"][name]
    ref = _reference()["bootstrap"][name]
    fit = _fit(spec, n_bootstrap=20_000, random_state=3)
    # both sides are Monte Carlo (R: 20,000 Rademacher draws, seeded): 5% tolerance
    assert np.allclose(fit.inference.std_error, _num(ref["cells"]["se"]), rtol=0.05)
    assert np.isclose(fit.inference.crit_val, ref["cells"]["crit_val"], rtol=0.05)
    dynamic = aggregate(fit, "dynamic")
    assert np.allclose(dynamic.inference.std_error, _num(ref["dynamic"]["se_egt"]), rtol=0.05)
    assert np.isclose(dynamic.inference.crit_val, ref["dynamic"]["crit_val"], rtol=0.05)
    assert np.isclose(dynamic.overall_std_error, ref["dynamic"]["overall_se"], rtol=0.05)
    simple = aggregate(fit, "simple")
    assert np.isclose(simple.overall_std_error, ref["simple"]["overall_se"], rtol=0.05)


def test_published_vignette_numbers() -> None:
    # did's README / vignette: att_gt(yname="lemp", ..., xformla=~1, data=mpdta) and
    # aggte(type="simple"): ATT(2004,2004) = -0.0105 (SE 0.0233), simple ATT = -0.0400
    fit = callaway_santanna(_mpdta(), area="countyreal", period="year", outcome="lemp",
                            adoption="first.treat", never=0, n_bootstrap=0)  # fmt: skip
    first = fit.summary().iloc[0]
    assert round(first["estimate"], 4) == -0.0105 and round(first["std_error"], 4) == 0.0233
    assert round(aggregate(fit, "simple").overall_estimate, 4) == -0.0400
    assert round(aggregate(fit, "dynamic").overall_estimate, 4) == -0.0772
