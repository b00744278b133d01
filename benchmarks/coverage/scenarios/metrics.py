"""Coverage of the metric catalog's intervals: proportion, rate, ratio and mean.

Every row computes a built-in catalog metric (or a copy with another ``interval:``) with
``Registry.compute(..., suppress_below=1)``, exactly as a report does. The metric table has
no SE column, so the SE reported is the one implied by the interval, ``(upper − lower) /
(2 · 1.96)``.

Designs (truths from the data-generating process):

* **proportion**: ``offender_participation_rate`` on n cases, each taking part with
  probability 0.85 (the domain anchor). Truth 0.85.
* **rate, heterogeneous**: ``reoffenses_per_person_year`` on 300 people, street time
  ``U(0.5, 3)`` years, re-arrests Poisson with a person rate ``0.4 · G``, ``G ~ Gamma(1, 1)``
  (people differ: negative binomial counts). Truth 0.4 a year. **rate, Poisson**: the same
  with every person at 0.4 (where the exact interval is exact).
* **rate, simulate_program**: the metric by ``participant`` on
  ``simulate_program(500, 5000)`` (re-arrest rates driven by priors, age, sex and offense,
  later re-arrests at ``exp(lp) / 450`` a day). Truth: re-arrests over street-years in
  five samples ``simulate_program(20_000, 200_000)`` (seeds 20261203 to 20261207,
  ``PROGRAM_TRUTHS``; 100,000 participants).
* **ratio**: ``restitution_paid_share`` on n past-due agreements, restitution agreed
  ``Gamma(2, 250)`` dollars, paid in full with probability 0.6, else a ``U(0, 1)`` share.
  Truth ``0.6 + 0.4 / 2 = 0.8``.
* **mean**: ``days_referral_to_conference`` on n conferences, days ``Geometric(1/30)``
  (skewed, mean 30). Truth 30.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml
from _study import Draw, Interval, Method, Scenario

from rpeval.datasets import simulate_program
from rpeval.metrics.registry import Registry

Z = 1.959963984540054
TRUTH_SEED = 20261203
RATE = 0.4
VARIANTS = {  # copies of catalog metrics with another interval option
    "participation_clopper_pearson": ("offender_participation_rate", "clopper-pearson"),
    "participation_jeffreys": ("offender_participation_rate", "jeffreys"),
    "reoffenses_exact": ("reoffenses_per_person_year", "poisson-exact"),
}
START = pd.Timestamp("2024-01-01")
REPLICATIONS = 1000
_CACHE: dict[str, Any] = {}


@cache
def registry() -> Registry:
    """The built-in catalog plus the variants (written to a temporary YAML file)."""
    builtin = Registry.builtin()
    documents = []
    for name, (source, interval) in VARIANTS.items():
        fields = builtin[source].model_dump(mode="json", exclude_none=True)
        fields.update(name=name, interval=interval, examples=[])
        documents.append(fields)
    folder = Path(tempfile.mkdtemp(prefix="rpeval-coverage-"))
    path = folder / "variants.yaml"
    path.write_text(yaml.safe_dump_all(documents, allow_unicode=True), encoding="utf-8")
    return Registry.from_paths(path)


def _metric(
    name: str, table: str, truth: str, by: str | None = None, cell: Any = None
) -> Callable[[Draw], Interval]:
    def run(draw: Draw) -> Interval:
        if _CACHE.get("draw") is not draw.data:
            _CACHE.clear()
            _CACHE["draw"] = draw.data
        if name not in _CACHE:
            table_ = registry().compute(name, {table: draw.data}, by=by, suppress_below=1)
            _CACHE[name] = table_.to_pandas()
        frame = _CACHE[name]
        row = frame.iloc[0] if by is None else frame[frame[by] == cell].iloc[0]
        lower, upper = float(row["ci_lower"]), float(row["ci_upper"])
        return Interval(float(row["value"]), (upper - lower) / (2 * Z), lower, upper, truth)

    return run


def _cases(n: int) -> Callable[[np.random.Generator], Draw]:
    def simulate(rng: np.random.Generator) -> Draw:
        return Draw(pd.DataFrame({"offender_participated": rng.random(n) < 0.85}), {})

    return simulate


def _people(n: int, shape: float | None) -> Callable[[np.random.Generator], Draw]:
    def simulate(rng: np.random.Generator) -> Draw:
        years = rng.uniform(0.5, 3.0, n)
        frailty = np.ones(n) if shape is None else rng.gamma(shape, 1 / shape, n)
        counts = rng.poisson(RATE * frailty * years)
        return Draw(pd.DataFrame({"rearrest_count": counts, "street_days": years * 365.25}), {})

    return simulate


def _program(rng: np.random.Generator) -> Draw:
    seed = int(rng.integers(2**31 - 1))
    people = simulate_program(500, 5000, random_state=seed).people
    return Draw(people[["participant", "rearrest_count", "street_days"]], {})


class ProgramTruths(Mapping[str, float]):
    """Re-arrests per street-year by group, totals over ``seeds`` samples ``scale`` times
    the study's (seeds ``TRUTH_SEED``, ``TRUTH_SEED + 1``, ...), computed on first use."""

    def __init__(self, scale: int = 40, seeds: int = 5) -> None:
        self.scale, self.seeds = scale, seeds
        self._values: dict[str, float] | None = None

    def _computed(self) -> dict[str, float]:
        if self._values is None:
            n = self.scale
            sums = sum(
                simulate_program(500 * n, 5000 * n, random_state=TRUTH_SEED + k)
                .people.groupby("participant")[["rearrest_count", "street_days"]]
                .sum()
                for k in range(self.seeds)
            )
            rate = sums["rearrest_count"] / (sums["street_days"] / 365.25)  # type: ignore[index]
            self._values = {"participants": float(rate[True]), "comparison": float(rate[False])}
        return self._values

    def __getitem__(self, key: str) -> float:
        return self._computed()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._computed())

    def __len__(self) -> int:
        return len(self._computed())


PROGRAM_TRUTHS = ProgramTruths()


def _agreements(n: int) -> Callable[[np.random.Generator], Draw]:
    def simulate(rng: np.random.Generator) -> Draw:
        agreed = rng.gamma(2.0, 250.0, n)
        share = np.where(rng.random(n) < 0.6, 1.0, rng.random(n))
        frame = pd.DataFrame(
            {
                "restitution_agreed": agreed,
                "restitution_paid": agreed * share,
                "agreement_due_date": START,
                "data_through": START + pd.Timedelta(days=180),
            }
        )
        return Draw(frame, {})

    return simulate


def _conferences(n: int) -> Callable[[np.random.Generator], Draw]:
    def simulate(rng: np.random.Generator) -> Draw:
        days = rng.geometric(1 / 30, n)
        frame = pd.DataFrame(
            {
                "conference_held": np.ones(n, dtype=bool),
                "referral_date": START,
                "conference_date": START + pd.to_timedelta(days, unit="D"),
            }
        )
        return Draw(frame, {})

    return simulate


def _proportion_methods() -> tuple[Method, ...]:
    return (
        Method(
            "offender_participation_rate, wilson (default)",
            "p = 0.85",
            _metric("offender_participation_rate", "cases", "p"),
        ),
        Method(
            "the same, interval: clopper-pearson",
            "p = 0.85",
            _metric("participation_clopper_pearson", "cases", "p"),
        ),
        Method(
            "the same, interval: jeffreys",
            "p = 0.85",
            _metric("participation_jeffreys", "cases", "p"),
        ),
    )


def _rate_methods() -> tuple[Method, ...]:
    return (
        Method(
            "reoffenses_per_person_year, poisson-robust (default)",
            "rate 0.4",
            _metric("reoffenses_per_person_year", "people", "rate"),
        ),
        Method(
            "the same, interval: poisson-exact",
            "rate 0.4",
            _metric("reoffenses_exact", "people", "rate"),
        ),
    )


def _program_methods() -> tuple[Method, ...]:
    methods = []
    for cell, label in ((True, "participants"), (False, "comparison")):
        for name, interval in (
            ("reoffenses_per_person_year", "poisson-robust (default)"),
            ("reoffenses_exact", "poisson-exact"),
        ):
            methods.append(
                Method(
                    f"reoffenses_per_person_year, {label}, {interval}",
                    f"rate, {label}",
                    _metric(name, "people", label, by="participant", cell=cell),
                )
            )
    return tuple(methods)


def _scenarios() -> tuple[Scenario, ...]:
    group = "metrics"
    proportion = tuple(
        Scenario(
            group,
            f"proportion_n{n}",
            f"kind: proportion, {n} cases, p = 0.85",
            _cases(n),
            _proportion_methods(),
            {"p": 0.85},
            replications=REPLICATIONS,
        )
        for n in (40, 300)
    )
    rates = tuple(
        Scenario(
            group,
            f"rate_{tag}",
            f"kind: rate, 300 people, street time U(0.5, 3) years, rate 0.4 a year, {text}",
            _people(300, shape),
            _rate_methods(),
            {"rate": RATE},
            replications=REPLICATIONS,
        )
        for tag, shape, text in (
            ("heterogeneous", 1.0, "person rates 0.4 × Gamma(1, 1) (negative binomial counts)"),
            ("poisson", None, "every person at 0.4 (Poisson counts)"),
        )
    )
    program = Scenario(
        group,
        "rate_simulate_program",
        "kind: rate by participant on simulate_program(500, 5000); truth from a sample "
        "40 times larger",
        _program,
        _program_methods(),
        PROGRAM_TRUTHS,
        replications=REPLICATIONS,
    )
    ratio = tuple(
        Scenario(
            group,
            f"ratio_n{n}",
            f"kind: ratio, restitution_paid_share, {n} agreements, truth 0.8",
            _agreements(n),
            (
                Method(
                    "restitution_paid_share, delta (default)",
                    "E[paid] / E[agreed]",
                    _metric("restitution_paid_share", "cases", "ratio"),
                ),
            ),
            {"ratio": 0.8},
            replications=REPLICATIONS,
        )
        for n in (40, 300)
    )
    mean = tuple(
        Scenario(
            group,
            f"mean_n{n}",
            f"kind: mean, days_referral_to_conference, {n} conferences, Geometric(1/30) days",
            _conferences(n),
            (
                Method(
                    "days_referral_to_conference, t (default)",
                    "mean 30 days",
                    _metric("days_referral_to_conference", "cases", "mean"),
                ),
            ),
            {"mean": 30.0},
            replications=REPLICATIONS,
        )
        for n in (30, 300)
    )
    return (*proportion, *rates, program, *ratio, *mean)


SCENARIOS = _scenarios()
