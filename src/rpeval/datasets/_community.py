"""Simulated community outcomes: incidents by area and month, with a staggered rollout.

:func:`simulate_community` draws monthly incident counts for a set of areas (beats) with
their own populations and baseline rates, a shared trend and seasonality, over-dispersion
(negative binomial, variance ``mu + alpha mu^2``) and a program rolled out in waves. From
its first month in an area, the program multiplies the expected count by ``effect`` (after
an optional linear phase-in on the log scale over ``ramp`` months). The truth is returned:
the rate ratio and the average effect in counts over treated area-months.

Examples
--------
>>> sim = simulate_community(n_areas=12, n_periods=36, random_state=1)
>>> sim.data.columns.tolist()
['area', 'month', 'incidents', 'population', 'adoption']
>>> sim.effect, bool(sim.data["adoption"].notna().any())
(0.8, True)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import pandas as pd

from rpeval.datasets._bundle import DataBundle
from rpeval.errors import SpecificationError

if TYPE_CHECKING:
    from rpeval.community import AreaPanel

__all__ = ["CommunityData", "simulate_community"]


@dataclass(frozen=True, eq=False, repr=False)
class CommunityData(DataBundle):
    """A simulated area x month panel and the effect behind it.

    Attributes
    ----------
    data
        One row per area and month: ``area`` ("beat-01", ...), ``month`` (first day of
        the month), ``incidents`` (count), ``population``, ``adoption`` (first month under
        the program; missing for areas that never adopt).
    effect
        The rate ratio the program multiplies incidents by once fully in place.
    att_count
        The average of (expected incidents with the program - without it) over the
        treated area-months: the count-scale average effect on the treated.
    expected
        The same rows as ``data`` with ``expected`` and ``expected_untreated`` counts.
    """

    data: pd.DataFrame
    effect: float
    att_count: float
    expected: pd.DataFrame
    _TITLE: ClassVar[str] = "Simulated area x month panel of incidents"
    _TABLES: ClassVar[tuple[str, ...]] = ("data", "expected")
    _PARAMETERS: ClassVar[tuple[str, ...]] = ("effect", "att_count")

    def panel(self) -> AreaPanel:
        """The data as a validated :class:`rpeval.community.AreaPanel`."""
        from rpeval.community import area_panel

        return area_panel(self.data, **PANEL_COLUMNS)


PANEL_COLUMNS: dict[str, Any] = {
    "area": "area",
    "period": "month",
    "outcome": "incidents",
    "exposure": "population",
    "adoption": "adoption",
}


def _check(n_areas: int, n_periods: int, waves: tuple[int, ...], never_share: float) -> None:
    if n_areas < 2 or n_periods < 6:
        raise SpecificationError(
            f"simulate_community(): n_areas={n_areas} and n_periods={n_periods} are too few",
            hint="use at least 2 areas and 6 months",
        )
    if not waves or any(not 1 <= w < n_periods for w in waves):
        raise SpecificationError(
            f"simulate_community(): waves={waves!r} must be month positions in 1..{n_periods - 1}",
            hint="e.g. waves=(12, 18, 24): the month (from 0) each rollout wave starts",
        )
    if not 0.0 <= never_share < 1.0:
        raise SpecificationError(
            f"simulate_community(): never_share={never_share!r} must be in [0, 1)",
            hint="e.g. never_share=0.25",
        )


def simulate_community(
    n_areas: int = 40,
    n_periods: int = 48,
    *,
    start: str = "2021-01",
    waves: tuple[int, ...] = (18, 24, 30),
    never_share: float = 0.25,
    effect: float = 0.8,
    ramp: int = 0,
    base_rate: float = 0.004,
    trend: float = -0.002,
    seasonality: float = 0.15,
    alpha: float = 0.05,
    random_state: int | None = None,
) -> CommunityData:
    """Monthly incidents by area with a staggered rollout and a known effect.

    Parameters
    ----------
    n_areas, n_periods
        Areas (beats) and months.
    start
        The first month.
    waves
        Month positions (0 = ``start``) at which rollout waves begin; the adopting areas
        are spread evenly over them (one wave: a single interruption).
    never_share
        Share of areas that never adopt within the panel.
    effect
        Rate ratio of the program once in place (``ramp`` months after adoption).
    base_rate, trend, seasonality, alpha
        Incidents per resident per month (areas vary around it, log-sd 0.3), log-rate
        change per month, amplitude of the yearly cycle on the log scale, and the
        negative binomial over-dispersion.
    random_state
        Seed for reproducible draws.
    """
    _check(n_areas, n_periods, tuple(waves), never_share)
    rng = np.random.default_rng(random_state)
    areas = [f"beat-{i + 1:02d}" for i in range(n_areas)]
    months = pd.period_range(start, periods=n_periods, freq="M")
    population = np.round(rng.uniform(3_000, 15_000, n_areas), -1)
    level = np.log(base_rate) + rng.normal(0.0, 0.3, n_areas)
    n_never = round(never_share * n_areas)
    order = rng.permutation(n_areas)
    adoption = np.full(n_areas, -1)
    adopters = order[n_never:]
    adoption[adopters] = np.array(waves)[np.arange(len(adopters)) % len(waves)]
    t = np.arange(n_periods)
    season = seasonality * np.cos(2.0 * np.pi * (months.month.to_numpy() - 1) / 12.0)
    log_mu0 = np.log(population)[:, None] + level[:, None] + trend * t + season[None, :]
    since = np.where(adoption[:, None] >= 0, t[None, :] - adoption[:, None], -1)
    phase = np.where(since < 0, 0.0, np.minimum((since + 1) / (ramp + 1), 1.0))
    mu1 = np.exp(log_mu0 + np.log(effect) * phase)
    mu0 = np.exp(log_mu0)
    gamma = rng.gamma(1.0 / alpha, alpha, size=mu1.shape) if alpha > 0 else 1.0
    counts = rng.poisson(mu1 * gamma)
    treated = since >= 0
    stamps = months.to_timestamp()
    start_month = pd.DatetimeIndex([stamps[g] if g >= 0 else pd.NaT for g in adoption])
    data = pd.DataFrame(
        {
            "area": np.repeat(areas, n_periods),
            "month": np.tile(stamps, n_areas),
            "incidents": counts.ravel().astype(np.int64),
            "population": np.repeat(population, n_periods),
            "adoption": start_month.repeat(n_periods),
        }
    )
    expected = data[["area", "month"]].assign(expected=mu1.ravel(), expected_untreated=mu0.ravel())
    att = float((mu1 - mu0)[treated].mean()) if treated.any() else float("nan")
    return CommunityData(data=data, effect=float(effect), att_count=att, expected=expected)
