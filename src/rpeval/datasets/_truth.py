"""The true effects of a simulated program, as the estimands an evaluation reports.

``simulate_program`` sets ``effect_hr``: the hazard ratio of participation *given* the
covariates. That is not what a matched evaluation estimates. Cox on matched participants and
their controls with the treatment alone estimates the *marginal* hazard ratio among
participants, and hazard ratios are non-collapsible: the two differ whenever the covariates
predict re-arrest (Austin 2013). The window risks and the RMST are marginal quantities too.

The truths here come from potential outcomes. The simulation is run twice on a large sample
with the same seed, the same people and the same random numbers (common random numbers:
only the re-arrests change), once with ``effect_hr`` and once with no effect. The
participants' follow-up in the two worlds is then analysed as the evaluation analyses data:
street time to first re-arrest, deaths competing, the same end of data.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from rpeval._display import Display, Displayed
from rpeval._json import records

if TYPE_CHECKING:
    from rpeval.datasets.simulate import ProgramData

__all__ = ["ProgramTruth", "program_truth", "street_followup"]

TRUTH_PARTICIPANTS = 20_000


@dataclass(frozen=True, repr=False)
class ProgramTruth(Displayed):
    """True effects among participants (the ATT) of a simulated program.

    Attributes
    ----------
    conditional_hr
        The hazard ratio given the covariates: the simulation's ``effect_hr``.
    marginal_hr
        The marginal hazard ratio among participants: what Cox on a matched sample with
        the treatment alone estimates.
    risks
        One row per window: ``window`` (days of street time), ``treated`` and
        ``untreated`` (cumulative incidence of re-arrest, deaths competing, among
        participants with and without the program) and ``difference``.
    rmst_difference
        Restricted mean street time free of re-arrest, with minus without the program,
        up to ``tau`` days.
    n_participants
        Participants in the large sample the truths come from.
    """

    conditional_hr: float
    marginal_hr: float
    risks: pd.DataFrame = field(repr=False)
    tau: float
    rmst_difference: float
    n_participants: int

    def summary(self) -> pd.DataFrame:
        """One row per true quantity: ``quantity`` and ``value``."""
        rows = [
            ("conditional hazard ratio (given covariates)", self.conditional_hr),
            ("marginal hazard ratio among participants", self.marginal_hr),
        ]
        for _, row in self.risks.iterrows():
            rows.append((f"re-arrest difference at {int(row['window'])} days", row["difference"]))
        rows.append((f"RMST difference to {self.tau:g} days", self.rmst_difference))
        return pd.DataFrame(rows, columns=["quantity", "value"])

    def to_dict(self) -> dict[str, Any]:
        return {
            "conditional_hr": self.conditional_hr,
            "marginal_hr": self.marginal_hr,
            "risks": records(self.risks),
            "tau": self.tau,
            "rmst_difference": self.rmst_difference,
            "n_participants": self.n_participants,
        }

    def _display(self) -> Display:
        header = (("participants simulated", f"{self.n_participants:,}"),)
        return Display("True effects of the simulated program (ATT)", header, self.summary())


def program_truth(
    program: ProgramData,
    *,
    windows: Sequence[int] = (365, 730, 1095),
    n_participants: int = TRUTH_PARTICIPANTS,
) -> ProgramTruth:
    """The true ATT effects of ``program``'s design (see the module docstring)."""
    from rpeval.datasets.simulate import STUDY_START, simulate_program

    people = program.people
    n_treated = int(people["participant"].sum())
    followup = int((people["data_through"].iloc[0] - STUDY_START).days)
    scale = max(1, math.ceil(n_participants / n_treated))
    worlds = {}
    for treated, effect in ((True, program.true_effect_hr), (False, 1.0)):
        world = simulate_program(
            n_treated * scale,
            (len(people) - n_treated) * scale,
            effect_hr=effect,
            followup_days=followup,
            random_state=program.random_state,
        )
        worlds[treated] = _participants_followup(world)
    stacked = pd.concat(
        [frame.assign(program=treated) for treated, frame in worlds.items()], ignore_index=True
    )
    return _estimands(stacked, program.true_effect_hr, list(windows), len(worlds[True]))


def street_followup(program: ProgramData, people: pd.DataFrame) -> pd.DataFrame:
    """The follow-up of `people` (rows of ``program.people``) as the evaluation builds it
    from the simulated tables: street time from entry to the data extract (custody taken
    out) to the first re-arrest, death competing (:func:`rpeval.recidivism.build_followup`).
    """
    from rpeval.recidivism import build_followup

    return build_followup(
        people,
        id="person_id",
        start="entry_date",
        events=program.arrests,
        event_date="arrest_date",
        end="data_through",
        custody=program.custody,
        competing=["death_date"],
    )


def _participants_followup(world: ProgramData) -> pd.DataFrame:
    follow = street_followup(world, world.people[world.people["participant"]])
    follow = follow[follow["time_at_risk"] > 0]
    return follow.assign(rearrest=(follow["event"] == 1).astype(int))[
        ["time_at_risk", "event", "rearrest"]
    ]


def _estimands(
    stacked: pd.DataFrame, conditional_hr: float, windows: list[int], n: int
) -> ProgramTruth:
    from rpeval.recidivism import cox, cumulative_incidence, rmst

    fit = cox(stacked, "time_at_risk", "rearrest", ["program"])
    marginal = float(fit.summary().iloc[0]["hazard_ratio"])
    cif = cumulative_incidence(stacked, "time_at_risk", "event", group="program")
    at = cif.at(windows)
    risk = at[at["cause"] == 1].pivot_table(index="time", columns="group", values="incidence")
    risks = pd.DataFrame(
        {
            "window": windows,
            "treated": risk[True].reindex(windows).to_numpy(float),
            "untreated": risk[False].reindex(windows).to_numpy(float),
        }
    )
    risks["difference"] = risks["treated"] - risks["untreated"]
    longest = float(stacked.groupby("program")["time_at_risk"].max().min())
    tau = min(float(max(windows)), longest)
    restricted = rmst(stacked, "time_at_risk", "rearrest", tau, group="program")
    contrasts = restricted.contrasts()
    difference = float(contrasts.loc[contrasts["contrast"] == "difference", "estimate"].iloc[0])
    return ProgramTruth(conditional_hr, marginal, risks, tau, difference, n)
