"""The machinery of the coverage study: scenarios, replications, and the summary table.

A :class:`Scenario` draws one data set per replication and runs each of its interval
methods on it. Every method returns an :class:`Interval` that names the truth it is
for, either a population quantity fixed by the design (``Scenario.truths``) or a
quantity of the sample just drawn (``Draw.truths``, e.g. the sample ATT). A row of the
table is one (scenario, method) pair: coverage of the nominal 95% interval, its Monte
Carlo SE ``sqrt(c (1 - c) / R)``, the bias of the estimate, its empirical SD, the mean
reported SE and their ratio.
"""

from __future__ import annotations

import math
import time
import warnings
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

COLUMNS = [
    "group",
    "scenario",
    "method",
    "estimand",
    "replications",
    "coverage",
    "mc_se",
    "bias",
    "empirical_sd",
    "mean_se",
    "se_ratio",
    "failures",
    "seconds",
]


class Interval(NamedTuple):
    """One method's answer on one data set; ``truth`` names the quantity it estimates."""

    estimate: float
    std_error: float
    ci_lower: float
    ci_upper: float
    truth: str


class Draw(NamedTuple):
    """One simulated data set and the truths that belong to it (e.g. its sample ATT)."""

    data: Any
    truths: Mapping[str, float]


@dataclass(frozen=True)
class Method:
    """An interval method: ``run(draw) -> Interval``, with the estimand it reports."""

    name: str
    estimand: str
    run: Callable[[Draw], Interval]


@dataclass(frozen=True)
class Scenario:
    """A design (``simulate(rng) -> Draw``) and the interval methods run on each draw."""

    group: str
    name: str
    description: str
    simulate: Callable[[np.random.Generator], Draw]
    methods: tuple[Method, ...]
    truths: Mapping[str, float] = field(default_factory=dict)
    replications: int = 1000


def seed_for(seed: int, scenario: str, replication: int) -> np.random.Generator:
    """An independent, reproducible stream per (seed, scenario, replication)."""
    key = zlib.crc32(scenario.encode())
    return np.random.default_rng(np.random.SeedSequence([seed, key, replication]))


def run_scenario(
    scenario: Scenario,
    *,
    seed: int,
    replications: int | None = None,
    max_seconds: float = 1800.0,
    progress: bool = True,
) -> pd.DataFrame:
    """Run ``scenario`` until its replications are done or ``max_seconds`` have passed
    (the count reached is reported); one row per method (:data:`COLUMNS`)."""
    total = replications or scenario.replications
    records: dict[str, list[tuple[float, float, bool]]] = {m.name: [] for m in scenario.methods}
    failures = dict.fromkeys(records, 0)
    spent = dict.fromkeys(records, 0.0)
    start = time.perf_counter()
    bar = tqdm(range(total), desc=scenario.name, disable=not progress, leave=False)
    for replication in bar:
        if time.perf_counter() - start > max_seconds:
            break
        draw = scenario.simulate(seed_for(seed, scenario.name, replication))
        truths = {**scenario.truths, **draw.truths}
        for method in scenario.methods:
            began = time.perf_counter()
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    answer = method.run(draw)
            except Exception:  # a failed fit is counted, not fatal
                failures[method.name] += 1
                continue
            finally:
                spent[method.name] += time.perf_counter() - began
            truth = truths[answer.truth]
            covered = answer.ci_lower <= truth <= answer.ci_upper
            records[method.name].append((answer.estimate - truth, answer.std_error, covered))
    bar.close()
    rows = []
    for method in scenario.methods:
        values = np.array(records[method.name], dtype=float).reshape(-1, 3)
        n = len(values)
        coverage = float(values[:, 2].mean()) if n else math.nan
        sd = float(values[:, 0].std(ddof=1)) if n > 1 else math.nan
        mean_se = float(values[:, 1].mean()) if n else math.nan
        rows.append(
            {
                "group": scenario.group,
                "scenario": scenario.name,
                "method": method.name,
                "estimand": method.estimand,
                "replications": n,
                "coverage": coverage,
                "mc_se": math.sqrt(coverage * (1 - coverage) / n) if n else math.nan,
                "bias": float(values[:, 0].mean()) if n else math.nan,
                "empirical_sd": sd,
                "mean_se": mean_se,
                "se_ratio": mean_se / sd if n > 1 and sd > 0 else math.nan,
                "failures": failures[method.name],
                "seconds": spent[method.name],
            }
        )
    return pd.DataFrame(rows, columns=COLUMNS)


def markdown(table: pd.DataFrame, descriptions: Mapping[str, str]) -> str:
    """The table as Markdown: one block per scenario, its design stated first."""
    lines = []
    for name, rows in table.groupby("scenario", sort=False):
        lines += [f"**{name}** — {descriptions.get(str(name), '')}", ""]
        lines += [
            "| method | estimand | reps | coverage (MC SE) | bias | bias / SD | SE ratio |",
            "|---|---|---|---|---|---|---|",
        ]
        for row in rows.itertuples():
            relative = row.bias / row.empirical_sd if row.empirical_sd else math.nan
            lines.append(
                f"| {row.method} | {row.estimand} | {row.replications} | "
                f"{100 * row.coverage:.1f}% ({100 * row.mc_se:.1f}) | {row.bias:.3f} | "
                f"{relative:.2f} | {row.se_ratio:.2f} |"
            )
        lines.append("")
    return "\n".join(lines)
