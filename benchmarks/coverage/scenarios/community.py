"""Coverage of the interrupted time series and the staggered DiD on simulate_community data.

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

Staggered rollout: ``simulate_community()`` with its defaults (40 areas x 48 months from
2021-01, waves in months 18, 24 and 30, a quarter of the areas never adopting: 10 never
and 10 per wave, effect 0.8 from the first month, the same trend, cycle and alpha), and
the same with 120 areas (30 never, 30 per wave).

* ``callaway_santanna(outcome="incidents", control="never")`` on counts, aggregated
  ``"simple"`` (share-weighted mean of every post-adoption ATT(g, t), i.e. the mean over
  treated area-months) and ``"dynamic"`` at event time 0, analytical SEs (``n_bootstrap=0``)
  and the multiplier bootstrap (199 draws; the event-time row uses the bootstrap SE with
  the pointwise normal quantile, as the band over event times is uniform). Parallel
  trends hold on counts in expectation over areas (cohorts are a random permutation),
  so the estimand is the population ATT in counts: ``(effect - 1) E[population]
  E[exp(level)] exp(trend t + season_t)`` averaged over the cohorts' post-adoption
  months with cohort-size weights, where ``E[population] = 9000`` and ``E[exp(level)] =
  base_rate exp(0.3^2 / 2)`` (closed form, :func:`population_att`; checked against the
  simulator on 4,000 areas in tests/test_coverage_study.py). The simulator's
  ``att_count`` (the same mean over the draw's own treated area-months) is the sample
  version; the simple aggregation is also scored against it.
* ``poisson_etwfe(...)``: the overall rate ratio and event time 0 (log scale); every
  treated cell has rate ratio ``effect`` (no ramp), so the truth is ``log(0.8)``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
from _study import Draw, Interval, Method, Scenario

from rpeval.community import (
    aggregate,
    callaway_santanna,
    interrupted_time_series,
    poisson_etwfe,
)
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


# --- staggered rollout: Callaway & Sant'Anna on counts, Poisson ETWFE -----------------

WAVES = (18, 24, 30)
N_PERIODS = 48
NEVER_SHARE = 0.25
N_BOOT = 199
Z = 1.959963984540054


def staggered(n_areas: int) -> dict[str, Any]:
    """The ``simulate_community()`` arguments of the staggered design with ``n_areas``."""
    return {"n_areas": n_areas, "n_periods": N_PERIODS, "waves": WAVES,
            "never_share": NEVER_SHARE}  # fmt: skip


def population_att(n_areas: int, event_time: int | None = None) -> float:
    """Population ATT on counts of the staggered design: the simple aggregation's
    (mean over treated area-months) or, with ``event_time``, the dynamic one's."""
    n_adopters = n_areas - round(NEVER_SHARE * n_areas)
    sizes = np.bincount(np.arange(n_adopters) % len(WAVES), minlength=len(WAVES))
    t = np.arange(N_PERIODS)  # the series starts in January: calendar month = t % 12
    scale = 9000.0 * 0.004 * math.exp(0.3**2 / 2)  # E[population] E[exp(level)]
    season = 0.15 * np.cos(2 * np.pi * (t % 12) / 12)
    effect = (EFFECT - 1.0) * scale * np.exp(-0.002 * t + season)
    pairs = list(zip(sizes, WAVES, strict=True))
    if event_time is not None:
        return float(sum(n * effect[g + event_time] for n, g in pairs) / sizes.sum())
    total = sum(n * effect[g:].sum() for n, g in pairs)
    return float(total / sum(n * (N_PERIODS - g) for n, g in pairs))


def _simulator(n_areas: int) -> Callable[[np.random.Generator], Draw]:
    def simulate(rng: np.random.Generator) -> Draw:
        seed = int(rng.integers(0, 2**31 - 1))
        sim = simulate_community(**staggered(n_areas), effect=EFFECT, random_state=seed)
        return Draw(sim, {"sample ATT": sim.att_count})

    return simulate


_FITS: dict[object, Any] = {}


def _fit(draw: Draw, n_boot: int) -> Any:
    """One ``callaway_santanna()`` per draw and ``n_boot``, shared by the rows using it."""
    if _FITS.get("draw") is not draw.data:
        _FITS.clear()
        _FITS["draw"] = draw.data
    if n_boot not in _FITS:
        _FITS[n_boot] = callaway_santanna(
            draw.data.data, area="area", period="month", outcome="incidents",
            adoption="adoption", n_bootstrap=n_boot, random_state=7, progress=False,
        )  # fmt: skip
    return _FITS[n_boot]


def _cs(kind: str, n_boot: int, truth: str) -> Callable[[Draw], Interval]:
    def run(draw: Draw) -> Interval:
        table = aggregate(_fit(draw, n_boot), kind).summary()
        row = table.iloc[0] if kind == "simple" else table[table["level"].eq(0)].iloc[0]
        estimate, se = float(row["estimate"]), float(row["std_error"])
        # pointwise: the bootstrapped band over event times is uniform (sup-t)
        return Interval(estimate, se, estimate - Z * se, estimate + Z * se, truth)

    return run


def _etwfe(term: str) -> Callable[[Draw], Interval]:
    def run(draw: Draw) -> Interval:
        fit = poisson_etwfe(draw.data.panel())
        row = fit.summary().set_index("term").loc[term]
        return Interval(
            math.log(float(row["rate_ratio"])),
            float(row["std_error"]),
            math.log(float(row["ci_lower"])),
            math.log(float(row["ci_upper"])),
            "log rate ratio",
        )

    return run


def _staggered_scenario(n_areas: int, replications: int) -> Scenario:
    per_wave = (n_areas - round(NEVER_SHARE * n_areas)) // len(WAVES)
    boot = f"bootstrap SE ({N_BOOT})"
    return Scenario(
        group="community",
        name=f"Staggered DiD, three waves ({n_areas} areas x {N_PERIODS} months)",
        description=f"simulate_community(n_areas={n_areas}): waves in months 18, 24, 30 "
        f"({per_wave} areas each), {round(NEVER_SHARE * n_areas)} never adopting; Callaway & "
        "Sant'Anna on counts (never-adopters as controls) and Poisson ETWFE",
        simulate=_simulator(n_areas),
        methods=(
            Method("C&S simple, analytical SE", "ATT, counts", _cs("simple", 0, "ATT")),
            Method(f"C&S simple, {boot}", "ATT, counts", _cs("simple", N_BOOT, "ATT")),
            Method(
                "C&S simple, analytical SE, vs att_count",
                "sample ATT, counts",
                _cs("simple", 0, "sample ATT"),
            ),
            Method("C&S dynamic e=0, analytical SE", "ATT(0), counts", _cs("dynamic", 0, "ATT(0)")),
            Method(f"C&S dynamic e=0, {boot}", "ATT(0), counts", _cs("dynamic", N_BOOT, "ATT(0)")),
            Method("Poisson ETWFE, overall", "log RR", _etwfe("overall")),
            Method("Poisson ETWFE, e=0", "log RR", _etwfe("event_time=0")),
        ),
        truths={
            "ATT": population_att(n_areas),
            "ATT(0)": population_att(n_areas, 0),
            "log rate ratio": math.log(EFFECT),
        },
        replications=replications,
    )


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
    _staggered_scenario(40, REPLICATIONS),
    _staggered_scenario(120, REPLICATIONS),
)
