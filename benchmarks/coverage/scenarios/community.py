"""Coverage of the interrupted time series' level change on simulate_community data.

Design: ``simulate_community(n_areas=40, n_periods=48, waves=(24,), never_share=0)``: every
area adopts in month 24 (one interruption), the program multiplies each area's expected
incidents by 0.8, populations and baseline rates differ by area, a shared trend of -0.2%
a month and a yearly cosine cycle (amplitude 0.15 on the log scale), negative binomial
counts (alpha 0.05). The panel total then follows a log-linear model with a step of
log(0.8) exactly, so the truth is ``log(0.8)`` and the ITS with Fourier seasonality (one
harmonic pair spans the cosine) and no slope change is correctly specified.

Methods: ``interrupted_time_series(total, ..., slope_change=False, seasonality="fourier",
harmonics=1)`` with quasi-Poisson model SEs, quasi-Poisson Newey–West SEs (3 lags) and the
negative binomial. Estimates, SEs and intervals are on the log scale.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from _study import Draw, Interval, Method, Scenario

from rpeval.community import interrupted_time_series
from rpeval.datasets import simulate_community

EFFECT = 0.8
REPLICATIONS = 1000


def _simulate(rng: np.random.Generator) -> Draw:
    seed = int(rng.integers(0, 2**31 - 1))
    sim = simulate_community(
        n_areas=40, n_periods=48, waves=(24,), never_share=0.0, effect=EFFECT, random_state=seed
    )
    return Draw(sim.panel().total(), {})


def _its(family: str, robust: bool) -> Callable[[Draw], Interval]:
    def run(draw: Draw) -> Interval:
        total = draw.data
        fit = interrupted_time_series(
            total,
            period="period",
            outcome="outcome",
            exposure="exposure",
            interruption=total["period"].iloc[24],
            family=family,
            seasonality="fourier",
            harmonics=1,
            slope_change=False,
            robust=robust,
            lags=3 if robust else None,
        )
        row = fit.effects.iloc[0]
        return Interval(
            float(row["estimate"]),
            float(row["std_error"]),
            float(row["ci_lower"]),
            float(row["ci_upper"]),
            "log level change",
        )

    return run


SCENARIOS = (
    Scenario(
        group="community",
        name="ITS level change, one wave (40 areas x 48 months)",
        description="city-total ITS on simulate_community with every area adopting in month 24",
        simulate=_simulate,
        methods=(
            Method("quasi-Poisson, model SE", "log RR", _its("quasipoisson", False)),
            Method("quasi-Poisson, Newey-West", "log RR", _its("quasipoisson", True)),
            Method("negative binomial, model SE", "log RR", _its("negative_binomial", False)),
        ),
        truths={"log level change": math.log(EFFECT)},
        replications=REPLICATIONS,
    ),
)
