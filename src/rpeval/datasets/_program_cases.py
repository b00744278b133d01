"""The restorative case records of simulated participants.

Rates are calibrated to the anchors in the domain notes: about 90% of conferences reach
an agreement (Umbreit; Minneapolis 96%), about 80% of agreements past their due date
are completed (Minneapolis 81%), victims take part in person in about half of the
conferences and indirectly in about one in ten (Minneapolis VOM), and about 85% of
respondents are satisfied (Shapland 2008).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import NDArray

__all__ = ["simulate_cases"]

BoolArray = NDArray[np.bool_]
VICTIM_SHARE = {"property": 0.9, "violent": 0.95, "drug": 0.4, "public_order": 0.6}
LIKERT = np.array([1, 2, 3, 4, 5])


def _days(rng: np.random.Generator, mean: float, n: int) -> pd.TimedeltaIndex:
    return pd.to_timedelta(1 + rng.geometric(1.0 / mean, n), unit="D")


def _likert(
    rng: np.random.Generator, asked: BoolArray, response_rate: float, top: float
) -> pd.Series:
    """Answers on a 1–5 scale for ``asked`` rows, with non-response as NA."""
    n = asked.shape[0]
    rest = (1.0 - top) / 3.0
    answers = rng.choice(LIKERT, n, p=[rest * 0.5, rest, rest * 1.5, top * 0.45, top * 0.55])
    responded = asked & (rng.uniform(size=n) < response_rate)
    return pd.Series(answers, dtype="Int64").where(responded)


def _nullable(values: BoolArray, known: BoolArray) -> pd.Series:
    return pd.Series(values, dtype="boolean").where(known)


def simulate_cases(
    rng: np.random.Generator, participants: pd.DataFrame, data_through: pd.Timestamp
) -> pd.DataFrame:
    """One case per participant: contact, participation, conference, agreement, outcomes."""
    n = len(participants)
    referral = pd.DatetimeIndex(participants["entry_date"])
    offense = participants["offense_type"].to_numpy()
    young = participants["age"].to_numpy() < 25

    contacted = rng.uniform(size=n) < 0.93
    contact = referral + _days(rng, 6.0, n)
    contacted &= contact <= data_through
    participated = contacted & (rng.uniform(size=n) < np.where(young, 0.88, 0.82))
    victim_share = np.vectorize(VICTIM_SHARE.__getitem__, otypes=[float])(offense)
    identified = rng.uniform(size=n) < victim_share
    offered = participated & identified & (rng.uniform(size=n) < 0.9)
    accepted = offered & (rng.uniform(size=n) < 0.82)

    conference = contact + _days(rng, 21.0, n)
    held = participated & (rng.uniform(size=n) < 0.94) & (conference <= data_through)
    in_person = accepted & (rng.uniform(size=n) < 0.9)
    indirect = identified & ~in_person & (rng.uniform(size=n) < 0.35)
    participation = np.where(in_person, "in_person", np.where(indirect, "indirect", "none"))

    agreement = held & (rng.uniform(size=n) < 0.91)
    due = conference + _days(rng, 90.0, n)
    due_passed = agreement & (due <= data_through)
    priors = participants["prior_arrests"].to_numpy()
    completed = due_passed & (rng.uniform(size=n) < np.clip(0.88 - 0.02 * priors, 0.5, 0.95))
    completion = conference + pd.to_timedelta(
        np.floor(rng.uniform(0.2, 1.0, n) * (due - conference).days.to_numpy()), unit="D"
    )

    has_restitution = agreement & identified & (rng.uniform(size=n) < 0.55)
    agreed = np.where(has_restitution, np.round(rng.lognormal(np.log(300), 0.8, n)), 0.0)
    paid_share = np.where(completed, 1.0, rng.uniform(0.0, 0.7, n))
    has_service = agreement & (rng.uniform(size=n) < 0.5)
    hours = np.where(has_service, rng.integers(2, 9, n) * 5.0, 0.0)
    hours_share = np.where(completed, 1.0, rng.uniform(0.0, 0.8, n))

    victim_took_part = held & (in_person | indirect)
    return pd.DataFrame(
        {
            "case_id": [f"C{i:06d}" for i in range(1, n + 1)],
            "person_id": participants["person_id"].to_numpy(),
            "officer_id": participants["officer_id"].to_numpy(),
            "referral_date": referral,
            "contact_date": pd.Series(contact).where(contacted),
            "offender_participated": participated,
            "victim_identified": identified,
            "victim_offered": _nullable(offered, identified),
            "victim_accepted": _nullable(accepted, offered),
            "victim_participation": pd.Series(
                np.where(identified, participation, "none"), dtype="string"
            ).where(held),
            "conference_held": held,
            "conference_date": pd.Series(conference).where(held),
            "agreement_reached": _nullable(agreement, held),
            "agreement_due_date": pd.Series(due).where(agreement),
            "agreement_completed": _nullable(completed, due_passed),
            "completion_date": pd.Series(completion).where(completed),
            "restitution_agreed": agreed,
            "restitution_paid": np.round(agreed * paid_share, 2),
            "service_hours_agreed": hours,
            "service_hours_completed": np.round(hours * hours_share),
            "victim_satisfaction": _likert(rng, victim_took_part, 0.7, 0.85),
            "offender_satisfaction": _likert(rng, held, 0.75, 0.87),
            "procedural_fairness": _likert(rng, held, 0.75, 0.9),
            "data_through": pd.Series(data_through, index=range(n)).astype("datetime64[ns]"),
        }
    ).astype(
        {
            "referral_date": "datetime64[ns]",
            "contact_date": "datetime64[ns]",
            "conference_date": "datetime64[ns]",
            "agreement_due_date": "datetime64[ns]",
            "completion_date": "datetime64[ns]",
        }
    )
