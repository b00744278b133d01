"""The report's "Community outcomes" section (community): ITS of the total, staggered DiD."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from rpeval._files import read_table
from rpeval.community import area_panel, interrupted_time_series
from rpeval.datasets import simulate_community
from rpeval.errors import DataError, SpecificationError
from rpeval.report.sections import SectionContext, community

SIM = simulate_community(n_areas=24, n_periods=36, waves=(15, 21), random_state=4)


def _context() -> SectionContext:
    empty = pd.DataFrame()
    return SectionContext(
        labels={},
        conf_level=0.95,
        suppress_below=10,
        random_state=0,
        progress=False,
        treatment="participant",
        id="person_id",
        people=empty,
        sample=empty,
    )


def _settings(**changes: object) -> community.Settings:
    return community.Settings(n_bootstrap=99, **changes)  # type: ignore[arg-type]


def test_section_numbers_match_the_pillar(tmp_path: Path) -> None:
    path = tmp_path / "panel.csv"
    SIM.data.to_csv(path, index=False)
    table = read_table(path)  # as rpeval evaluate reads data.panel
    section = community.build(community.from_config(_settings(), table), _context())
    assert section.key == "community" and section.title == "Community outcomes"
    panel = area_panel(
        SIM.data,
        area="area",
        period="month",
        outcome="incidents",
        exposure="population",
        adoption="adoption",
    )
    total = panel.total()
    its = interrupted_time_series(
        total,
        period="period",
        outcome="outcome",
        exposure="exposure",
        interruption=total["period"][15],
        seasonality="fourier",
        robust=True,
    )
    ours = pd.DataFrame(section.data["its"]["effects"])
    np.testing.assert_allclose(ours["rate_ratio"], its.effects["rate_ratio"], rtol=1e-10)
    assert section.data["panel"]["n_areas"] == 24
    did = section.data["did"]
    assert did["control"] == "never" and did["group"]["rows"][0]["term"] == "overall"
    overall = did["group"]["rows"][0]
    assert overall["ci_lower"] < overall["estimate"] < overall["ci_upper"]
    assert [g.name for g in section.guards] == [
        "ITS residual autocorrelation",
        "parallel pre-trends",
    ]
    assert section.html.count("<figure") == 2 and "Event study" in section.html
    json.dumps(section.data, default=str)


def test_did_left_out_on_request_or_without_a_rollout() -> None:
    value = community.CommunityInput(SIM.data, _settings(did=False))
    assert "did" not in community.build(value, _context()).data
    dated = SIM.data.assign(adoption=pd.NaT)
    value = community.CommunityInput(dated, _settings(interruption="2022-04"))
    section = community.build(value, _context())
    assert "did" not in section.data and section.data["its"]["interruption"] == "2022-04"


def test_bad_input() -> None:
    with pytest.raises(DataError, match="not in the panel"):
        community.from_config(_settings(outcome="calls"), SIM.data)
    with pytest.raises(SpecificationError, match="needs the area x period panel"):
        community.from_config(_settings(), None)
    with pytest.raises(SpecificationError, match="panel= must be"):
        community.build([1], _context())
    with pytest.raises(SpecificationError, match="neither `adoption` nor `interruption`"):
        community.from_config(_settings(adoption=None), SIM.data)
    twice = pd.concat([SIM.data, SIM.data.iloc[[0]]])
    with pytest.raises(DataError, match="more than once"):
        community.build(community.CommunityInput(twice, _settings()), _context())


def test_demo_report_shows_the_section(small_demo: Path) -> None:
    results = json.loads((small_demo / "results.json").read_text())
    section = results["sections"]["community"]
    assert section["its"]["effects"][0]["term"] == "level_change"
    assert section["did"]["group"]["rows"][0]["estimate"] < 0
    assert "community:" in (small_demo / "config.yaml").read_text()
    html = next(small_demo.glob("*.html")).read_text()
    assert '<section id="community"' in html


@pytest.mark.parametrize("module", ["community", "voices"])
def test_the_key_n_boot_is_a_deprecated_alias_of_n_bootstrap(module: str) -> None:
    from pydantic import ValidationError

    from rpeval.report.sections import voices

    settings = {"community": community.Settings, "voices": voices.Settings}[module]
    with pytest.warns(FutureWarning, match=f"{module}: the key `n_boot` is deprecated"):
        old = settings.model_validate({"n_boot": 99})
    assert old == settings.model_validate({"n_bootstrap": 99})
    with pytest.raises(ValidationError, match="give `n_bootstrap` only"):
        settings.model_validate({"n_boot": 99, "n_bootstrap": 99})
