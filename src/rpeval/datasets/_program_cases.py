"""The restorative case records of simulated participants.

Rates are calibrated to the anchors in the domain notes: about 90% of conferences reach
an agreement (Umbreit; Minneapolis 96%), about 80% of agreements past their due date
are completed (Minneapolis 81%), victims take part in person in about half of the
conferences and indirectly in about one in ten (Minneapolis VOM), and about 85% of
respondents are satisfied (Shapland 2008). No step happens after the data extract or
after the participant's death.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import NDArray

__all__ = ["simulate_cases"]

BoolArray = NDArray[np.bool_]
FloatArray = NDArray[np.float64]
# share of offenses with an identifiable victim
VICTIM_SHARE = {"property": 0.9, "violent": 0.95, "drug": 0.4, "public_order": 0.6}
LIKERT = np.array([1, 2, 3, 4, 5])


def _days(rng: np.random.Generator, mean: float, n: int) -> pd.TimedeltaIndex:
    """Whole-day delays of at least one day with the given mean."""
    return pd.to_timedelta(rng.geometric(1.0 / mean, n), unit="D")


def _likert(
    rng: np.random.Generator, asked: BoolArray, response_rate: float, top: float
) -> pd.Series:
    """Answers on a 1–5 scale for ``asked`` rows (share ``top`` in 4–5), non-response NA."""
    n = asked.shape[0]
    rest = (1.0 - top) / 3.0
    answers = rng.choice(LIKERT, n, p=[rest * 0.5, rest, rest * 1.5, top * 0.45, top * 0.55])
    responded = asked & (rng.uniform(size=n) < response_rate)
    return pd.Series(answers, dtype="Int64").where(responded)


def _nullable(values: BoolArray, known: BoolArray) -> pd.Series:
    return pd.Series(values, dtype="boolean").where(known)


def _date_or_nat(dates: pd.DatetimeIndex, keep: BoolArray) -> pd.Series:
    return pd.Series(dates).where(keep).astype("datetime64[ns]")


def _before(dates: pd.DatetimeIndex, limit: pd.Series) -> BoolArray:
    """``dates < limit`` with a missing limit meaning no limit."""
    return np.asarray((limit.isna() | (pd.Series(dates) < limit)).to_numpy(), dtype=bool)


def simulate_cases(
    rng: np.random.Generator, participants: pd.DataFrame, data_through: pd.Timestamp
) -> pd.DataFrame:
    """One case per participant: contact, participation, conference, agreement, outcomes.

    ``participants`` holds the participants' rows of the people table (``person_id``,
    ``officer_id``, ``entry_date``, ``offense_type``, ``age``, ``prior_arrests`` and
    ``death_date`` are used).
    """
    n = len(participants)
    referral = pd.DatetimeIndex(participants["entry_date"])
    offense = participants["offense_type"].to_numpy()
    priors = participants["prior_arrests"].to_numpy()
    young = participants["age"].to_numpy() < 25
    # an event must happen on or before the extract and strictly before death
    limit = participants["death_date"].reset_index(drop=True)
    limit = limit.fillna(data_through + pd.Timedelta(days=1))

    contact = referral + _days(rng, 6.0, n)
    contacted = (rng.uniform(size=n) < 0.93) & _before(contact, limit)
    participated = contacted & (rng.uniform(size=n) < np.where(young, 0.88, 0.82))
    victim_share = np.array([VICTIM_SHARE[o] for o in offense], dtype=np.float64)
    identified = rng.uniform(size=n) < victim_share
    offered = participated & identified & (rng.uniform(size=n) < 0.9)
    accepted = offered & (rng.uniform(size=n) < 0.82)

    conference = contact + _days(rng, 21.0, n)
    held = participated & (rng.uniform(size=n) < 0.94) & _before(conference, limit)
    in_person = accepted & (rng.uniform(size=n) < 0.9)
    # letters, recorded statements or shuttle mediation: most victims who would not meet
    indirect = identified & ~in_person & (rng.uniform(size=n) < np.where(accepted, 0.8, 0.3))
    participation = np.where(in_person, "in_person", np.where(indirect, "indirect", "none"))

    agreement = held & (rng.uniform(size=n) < 0.91)
    due = conference + _days(rng, 90.0, n)
    decided = agreement & _before(due, limit)  # due by the extract, and alive at the due date
    completion = conference + pd.to_timedelta(
        np.ceil(rng.uniform(0.2, 1.0, n) * (due - conference).days.to_numpy()), unit="D"
    )
    completed = decided & (rng.uniform(size=n) < np.clip(0.83 - 0.04 * priors, 0.5, 0.95))

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
            "referral_date": pd.Series(referral).astype("datetime64[ns]"),
            "contact_date": _date_or_nat(contact, contacted),
            "offender_participated": participated,
            "victim_identified": identified,
            "victim_offered": _nullable(offered, identified),
            "victim_accepted": _nullable(accepted, offered),
            "victim_participation": pd.Series(participation, dtype="string").where(held),
            "conference_held": held,
            "conference_date": _date_or_nat(conference, held),
            "agreement_reached": _nullable(agreement, held),
            "agreement_due_date": _date_or_nat(due, agreement),
            "agreement_completed": _nullable(completed, decided),
            "completion_date": _date_or_nat(completion, completed),
            "restitution_agreed": agreed,
            "restitution_paid": np.round(agreed * paid_share, 2),
            "service_hours_agreed": hours,
            "service_hours_completed": np.round(hours * hours_share),
            "victim_satisfaction": _likert(rng, victim_took_part, 0.7, 0.85),
            "offender_satisfaction": _likert(rng, held, 0.75, 0.87),
            "procedural_fairness": _likert(rng, held, 0.75, 0.9),
            "data_through": pd.Series(data_through, index=range(n)).astype("datetime64[ns]"),
        }
    )
