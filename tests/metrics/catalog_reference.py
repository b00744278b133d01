"""Independent plain-pandas computations of every built-in metric (the test oracle).

Each function takes the frames of ``simulate_program()`` and returns (numerator,
denominator) written directly from the metric's description, without rpeval.metrics.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from rpeval.datasets import ProgramData

Reference = Callable[[ProgramData], tuple[float, float]]


def _share(mask_denominator: pd.Series, mask_numerator: pd.Series) -> tuple[float, float]:
    den = mask_denominator.fillna(False).astype(bool)
    num = den & mask_numerator.fillna(False).astype(bool)
    return float(num.sum()), float(den.sum())


def _window(people: pd.DataFrame, months: int) -> tuple[float, float]:
    end = people["entry_date"] + pd.DateOffset(months=months)
    full = people["data_through"] >= end
    within = (people["rearrest_date"] > people["entry_date"]) & (people["rearrest_date"] <= end)
    return float((full & within).sum()), float(full.sum())


def _past_due(cases: pd.DataFrame, agreed: str) -> pd.Series:
    return (cases[agreed] > 0) & (cases["agreement_due_date"] <= cases["data_through"])


def _ratio(cases: pd.DataFrame, done: str, agreed: str) -> tuple[float, float]:
    keep = _past_due(cases, agreed)
    return float(cases.loc[keep, done].sum()), float(cases.loc[keep, agreed].sum())


def _survey(cases: pd.DataFrame, item: str) -> tuple[float, float]:
    answered = cases[item].notna()
    return _share(answered, cases[item].fillna(0) >= 4)


def _days_to_conference(cases: pd.DataFrame) -> tuple[float, float]:
    held = cases[cases["conference_held"]]
    days = (held["conference_date"] - held["referral_date"]).dt.days
    return float(days.sum()), float(days.notna().sum())


def white_non_hispanic_rate(program: ProgramData) -> float:
    """The reference group's diversion rate for the relative rate index."""
    people = program.people
    reference = people[(people["race"] == "White") & ~people["hispanic"]]
    return float(reference["participant"].mean())


REFERENCES: dict[str, Reference] = {
    "referral_contact_rate": lambda p: _share(
        pd.Series(True, index=p.cases.index),
        p.cases["contact_date"] <= p.cases["referral_date"] + pd.Timedelta(days=14),
    ),
    "offender_participation_rate": lambda p: _share(
        pd.Series(True, index=p.cases.index), p.cases["offender_participated"]
    ),
    "days_referral_to_conference": lambda p: _days_to_conference(p.cases),
    "victim_offer_rate": lambda p: _share(
        p.cases["victim_identified"] & p.cases["offender_participated"], p.cases["victim_offered"]
    ),
    "victim_acceptance_rate": lambda p: _share(
        p.cases["victim_offered"], p.cases["victim_accepted"]
    ),
    "victim_participation_rate": lambda p: _share(
        p.cases["conference_held"],
        p.cases["victim_participation"].isin(["in_person", "indirect"]),
    ),
    "agreement_rate": lambda p: _share(p.cases["conference_held"], p.cases["agreement_reached"]),
    "agreement_completion_rate": lambda p: _share(
        p.cases["agreement_reached"].fillna(False)
        & (p.cases["agreement_due_date"] <= p.cases["data_through"])
        & p.cases["agreement_completed"].notna(),
        p.cases["agreement_completed"],
    ),
    "restitution_paid_share": lambda p: _ratio(p.cases, "restitution_paid", "restitution_agreed"),
    "service_hours_completed_share": lambda p: _ratio(
        p.cases, "service_hours_completed", "service_hours_agreed"
    ),
    "victim_satisfaction_rate": lambda p: _survey(p.cases, "victim_satisfaction"),
    "offender_satisfaction_rate": lambda p: _survey(p.cases, "offender_satisfaction"),
    "procedural_fairness_rate": lambda p: _survey(p.cases, "procedural_fairness"),
    "officer_training_coverage": lambda p: _share(
        pd.Series(True, index=p.officers.index), p.officers["trained"]
    ),
    "rearrest_within_12_months": lambda p: _window(p.people, 12),
    "rearrest_within_24_months": lambda p: _window(p.people, 24),
    "rearrest_within_36_months": lambda p: _window(p.people, 36),
    "reoffenses_per_person_year": lambda p: (
        float(p.people["rearrest_count"].sum()),
        float(p.people["street_days"].sum()) / 365.25,
    ),
    "diversion_relative_rate_index": lambda p: _share(
        pd.Series(True, index=p.people.index), p.people["participant"]
    ),
    "diversion_rate": lambda p: _share(
        pd.Series(True, index=p.people.index), p.people["participant"]
    ),
}
