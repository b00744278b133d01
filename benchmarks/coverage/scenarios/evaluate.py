"""Coverage of ``rpeval.report.evaluate`` end to end on ``simulate_program`` data.

Each replication simulates ``simulate_program(500, 5000, effect_hr=0.75)`` with its own
seed and runs ``evaluate()`` as the demo does (covariates ``age + prior_arrests + sex +
C(offense_type)``, re-arrests from the arrests table, custody as time off the street,
death competing; no case records, so no metrics: their intervals have their own group),
with ``progress=False``. The intervals scored are the headline hazard ratio (Cox on the
matched or weighted sample, treatment alone), the re-arrest risk of participants and the
difference with the comparison group at each reported window (365 and 730 days; 1095 is
beyond the common follow-up) and the RMST difference.

Truths are those of :meth:`ProgramData.truth` (``src/rpeval/datasets/_truth.py``): the
simulation is rerun on a large sample, the participants' follow-up in the worlds with and
without the program is analysed as the evaluation analyses data. Here once, on 50,000
participants (``TRUTH_SEED``), for every replication: the marginal hazard ratio among
participants, the window risks (Aalen–Johansen, deaths competing) and the RMST difference
at the replication's own horizon (``evaluate`` sets tau to the shorter group's longest
follow-up, so it varies a little).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import numpy as np
import pandas as pd
from _study import Draw, Interval, Method, Scenario

from rpeval.datasets import simulate_program
from rpeval.report import evaluate

Z = 1.959963984540054
EFFECT_HR = 0.75
TRUTH_SEED = 20261203
WINDOWS = (365, 730)
COVARIATES = "age + prior_arrests + sex + C(offense_type)"


class ProgramTruths(Mapping[str, float]):
    """The ATT truths from potential outcomes of ``participants`` participants, computed on
    first use (about a minute at 50,000); ``rmst_difference(tau)`` at any horizon."""

    def __init__(self, participants: int = 50_000) -> None:
        self.participants = participants
        self._values: dict[str, float] | None = None
        self._cumulative: dict[bool, np.ndarray] = {}

    def _computed(self) -> dict[str, float]:
        if self._values is None:
            self._values = self._compute()
        return self._values

    def _compute(self) -> dict[str, float]:
        from rpeval.datasets._truth import _participants_followup
        from rpeval.recidivism import cox, cumulative_incidence, kaplan_meier

        scale = self.participants // 500
        worlds = {}
        for treated, hr in ((True, EFFECT_HR), (False, 1.0)):
            world = simulate_program(
                500 * scale, 5000 * scale, effect_hr=hr, random_state=TRUTH_SEED
            )
            worlds[treated] = _participants_followup(world)
        stacked = pd.concat(
            [frame.assign(program=arm) for arm, frame in worlds.items()], ignore_index=True
        )
        fit = cox(stacked, "time_at_risk", "rearrest", ["program"])
        values = {"marginal log HR": float(fit.coef[0]), "conditional log HR": math.log(EFFECT_HR)}
        at = cumulative_incidence(stacked, "time_at_risk", "event", group="program").at(
            list(WINDOWS)
        )
        for window in WINDOWS:
            risk = {
                arm: float(
                    at.loc[(at["group"] == arm) & (at["cause"] == 1) & (at["time"] == window)].iloc[
                        0
                    ]["incidence"]
                )
                for arm in (True, False)
            }
            values[f"risk1@{window}"] = risk[True]
            values[f"difference@{window}"] = risk[True] - risk[False]
        days = np.arange(0, 1096, dtype=float)
        curves = kaplan_meier(stacked, "time_at_risk", "rearrest", group="program").at(days)
        for arm in (True, False):
            survival = curves.loc[curves["group"] == arm, "survival"].to_numpy(float)
            # street times are whole days: the area to tau is the sum of S(d), d < tau
            self._cumulative[arm] = np.concatenate([[0.0], np.cumsum(survival)])
        return values

    def rmst_difference(self, tau: float) -> float:
        """True RMST difference (program minus none) to ``tau`` days (whole days)."""
        self._computed()
        d = math.floor(tau)
        return float(self._cumulative[True][d] - self._cumulative[False][d])

    def __getitem__(self, key: str) -> float:
        return self._computed()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._computed())

    def __len__(self) -> int:
        return len(self._computed())


TRUTHS = ProgramTruths()


def _simulate(design: str, **options: Any) -> Callable[[np.random.Generator], Draw]:
    def simulate(rng: np.random.Generator) -> Draw:
        seed = int(rng.integers(2**31 - 1))
        program = simulate_program(500, 5000, effect_hr=EFFECT_HR, random_state=seed)
        try:
            evaluation = evaluate(
                program.people,
                treatment="participant",
                covariates=COVARIATES,
                entry="entry_date",
                events=program.arrests,
                custody=program.custody,
                competing=["death_date"],
                design=design,  # type: ignore[arg-type]
                progress=False,
                random_state=seed,
                **options,
            )
        except Exception:  # counted as a failure of every method
            return Draw(None, {})
        truths = {}
        if evaluation.rmst is not None:
            truths["rmst difference"] = TRUTHS.rmst_difference(evaluation.rmst.tau)
        return Draw(evaluation, truths)

    return simulate


def _evaluation(draw: Draw) -> Any:
    if draw.data is None:
        raise RuntimeError("evaluate() failed on this draw")
    return draw.data


def _headline(truth: str) -> Callable[[Draw], Interval]:
    def run(draw: Draw) -> Interval:
        row = _evaluation(draw).cox.summary().iloc[0]
        se = row["robust_std_error"] if np.isfinite(row["robust_std_error"]) else row["std_error"]
        return Interval(row["estimate"], se, row["ci_lower"], row["ci_upper"], truth)

    return run


def _window(window: int, column: str) -> Callable[[Draw], Interval]:
    def run(draw: Draw) -> Interval:
        rates = _evaluation(draw).rates
        row = rates.loc[rates["window"] == window].iloc[0]
        if column == "difference":
            lower, upper, truth = row["ci_lower"], row["ci_upper"], f"difference@{window}"
        else:
            lower, upper = row["treated_ci_lower"], row["treated_ci_upper"]
            truth = f"risk1@{window}"
        return Interval(row[column], (upper - lower) / (2 * Z), lower, upper, truth)

    return run


def _rmst(draw: Draw) -> Interval:
    contrasts = _evaluation(draw).rmst.contrasts()
    row = contrasts.loc[contrasts["contrast"] == "difference"].iloc[0]
    return Interval(
        row["estimate"], row["std_error"], row["ci_lower"], row["ci_upper"], "rmst difference"
    )


def _methods(design: str) -> tuple[Method, ...]:
    cox = "cluster on pairs" if design == "matching" else "weighted, stacked sandwich"
    methods = [
        Method(
            f"headline HR (Cox, {cox})",
            "marginal HR among participants",
            _headline("marginal log HR"),
        ),
        Method(
            "the same vs the conditional effect_hr",
            "conditional HR (not the estimand)",
            _headline("conditional log HR"),
        ),
    ]
    for window in WINDOWS:
        methods += [
            Method(
                f"participants' risk at {window} days",
                "risk with the program",
                _window(window, "treated"),
            ),
            Method(
                f"risk difference at {window} days",
                "risk difference (ATT)",
                _window(window, "difference"),
            ),
        ]
    methods.append(Method("RMST difference", "RMST difference (ATT)", _rmst))
    return tuple(methods)


SCENARIOS = (
    Scenario(
        "evaluate",
        "evaluate_matching",
        "evaluate(design='matching') (1:1, caliper 0.2 SD) on simulate_program(500, 5000, "
        "effect_hr=0.75)",
        _simulate("matching"),
        _methods("matching"),
        TRUTHS,
        replications=300,
    ),
    Scenario(
        "evaluate",
        "evaluate_weighting",
        "evaluate(design='weighting') (IPW for the ATT) on simulate_program(500, 5000, "
        "effect_hr=0.75)",
        _simulate("weighting"),
        _methods("weighting"),
        TRUTHS,
        replications=300,
    ),
)
