"""simulate_community(): a valid panel, reproducible, with the effect it says."""

from __future__ import annotations

import numpy as np
import pytest

from rpeval.community import interrupted_time_series
from rpeval.datasets import simulate_community
from rpeval.errors import SpecificationError


def test_panel_is_valid_and_reproducible() -> None:
    one = simulate_community(n_areas=20, n_periods=36, random_state=5)
    two = simulate_community(n_areas=20, n_periods=36, random_state=5)
    assert one.data.equals(two.data)
    panel = one.panel()
    assert panel.n_areas == 20 and panel.n_periods == 36
    assert int(panel.never_treated.sum()) == 5
    assert len(panel.cohorts) == 3
    assert one.att_count < 0


def test_single_wave_its_recovers_the_effect() -> None:
    sim = simulate_community(n_areas=40, waves=(24,), never_share=0.0, random_state=3)
    total = sim.panel().total()
    fit = interrupted_time_series(
        total,
        period="period",
        outcome="outcome",
        exposure="exposure",
        interruption=total["period"][24],
        seasonality="fourier",
        slope_change=False,
    )
    effect = fit.effects.iloc[0]
    assert effect["rate_ratio_lower"] < sim.effect < effect["rate_ratio_upper"]


def test_no_effect_means_zero_att() -> None:
    sim = simulate_community(n_areas=6, n_periods=12, waves=(6,), effect=1.0, random_state=1)
    assert sim.att_count == pytest.approx(0.0)
    assert np.allclose(sim.expected["expected"], sim.expected["expected_untreated"])


@pytest.mark.parametrize(
    "options", [{"n_areas": 1}, {"waves": (0,)}, {"waves": ()}, {"never_share": 1.0}]
)
def test_bad_options(options: dict[str, object]) -> None:
    with pytest.raises(SpecificationError):
        simulate_community(**options)  # type: ignore[arg-type]
