"""Small simulated count panels with a known multiplicative effect (tests and examples).

Examples
--------
>>> rows = poisson_panel(n_areas=10, n_periods=4, effect=0.5, random_state=0)
>>> sorted(rows.columns)
['area', 'count', 'period', 'population', 'start']
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["poisson_panel"]


def poisson_panel(
    *, n_areas: int, n_periods: int, effect: float, random_state: int = 0, dispersion: float = 0.0
) -> pd.DataFrame:
    """Counts ``~ Poisson(population * rate)`` (gamma-mixed when ``dispersion > 0``) with
    area and period effects, staggered adoption in the middle periods (a quarter never
    adopt) and the rate multiplied by ``effect`` once an area adopts."""
    rng = np.random.default_rng(random_state)
    starts = rng.choice(np.r_[np.arange(2, n_periods + 1), [np.nan]], size=n_areas)
    starts[: max(1, n_areas // 4)] = np.nan
    population = rng.uniform(500, 5000, size=n_areas)
    area_effect = rng.normal(scale=0.3, size=n_areas)
    period_effect = 0.05 * np.arange(n_periods) + 0.1 * np.sin(np.arange(n_periods))
    t = np.arange(1, n_periods + 1)
    treated = np.nan_to_num(starts, nan=np.inf)[:, None] <= t[None, :]
    rate = 0.004 * np.exp(area_effect[:, None] + period_effect[None, :]) * effect**treated
    mean = population[:, None] * rate
    if dispersion > 0:
        mean = mean * rng.gamma(1 / dispersion, dispersion, size=mean.shape)
    counts = rng.poisson(mean)
    return pd.DataFrame(
        {
            "area": np.repeat(np.arange(n_areas), n_periods),
            "period": np.tile(t, n_areas),
            "count": counts.ravel(),
            "population": np.repeat(population, n_periods),
            "start": np.repeat(starts, n_periods),
        }
    )
