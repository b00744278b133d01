"""The data dictionary of :func:`rpeval.datasets.simulate_program` (also rendered in docs)."""

from __future__ import annotations

__all__ = ["COLUMNS"]

COLUMNS: dict[str, dict[str, str]] = {
    "people": {
        "person_id": "person identifier, 'P000001'",
        "participant": "True for program participants, False for traditional processing",
        "age": "age in years at entry",
        "sex": "'female' or 'male'",
        "race": "OJJDP race group (White, Black, American Indian/Alaska Native, Asian, "
        "Native Hawaiian/Pacific Islander, Two or more races)",
        "hispanic": "Hispanic ethnicity (True/False)",
        "prior_arrests": "number of arrests before entry",
        "offense_type": "'property', 'violent', 'drug' or 'public_order'",
        "risk_score": "actuarial risk score in [0, 1]; a noisy proxy of risk, not in the hazard",
        "officer_id": "arresting or referring officer (joins officers)",
        "entry_date": "referral (participants) or case disposition (comparison): day 0 of "
        "follow-up",
        "data_through": "date of the data extract, the same for everyone",
        "rearrest_date": "first re-arrest: after entry, on or before data_through and before "
        "death (NaT if none was observed)",
        "death_date": "date of death on or before data_through (a competing event), NaT otherwise",
        "custody_days": "days in custody between entry and the end of follow-up, "
        "min(data_through, death_date); the total of the person's custody spells",
        "rearrested": "True when rearrest_date is observed",
        "rearrest_count": "number of re-arrests between entry and the end of follow-up "
        "(the person's rows in arrests)",
        "street_days": "days at risk between entry and the end of follow-up, not in custody: "
        "min(data_through, death_date) - entry_date - custody_days (the time_at_risk "
        "build_followup gives when no event ends follow-up early)",
    },
    "arrests": {
        "person_id": "person identifier",
        "arrest_date": "every re-arrest after entry (recurrent events); never in custody",
    },
    "custody": {
        "person_id": "person identifier",
        "custody_start": "first day in custody (after entry)",
        "custody_end": "release day (not in custody), days in custody = end - start; a spell "
        "open at data_through ends the day after it, one open at death on the death date",
    },
    "cases": {
        "case_id": "restorative case identifier, 'C000001'",
        "person_id": "the participant",
        "officer_id": "referring officer",
        "referral_date": "date of referral (equals the person's entry_date)",
        "contact_date": "first contact with the offender, NaT if never contacted",
        "offender_participated": "the offender agreed to take part",
        "victim_identified": "the offense has an identifiable victim",
        "victim_offered": "the victim was offered participation (NA without a victim)",
        "victim_accepted": "the victim accepted (NA when not offered)",
        "victim_participation": "'in_person', 'indirect' (letter, statement, shuttle "
        "mediation) or 'none'; NA without a conference",
        "conference_held": "a restorative conference or circle took place",
        "conference_date": "date of the conference, NaT if none",
        "agreement_reached": "the conference ended in an agreement (NA without a conference)",
        "agreement_due_date": "date by which the agreement should be completed, NaT without one",
        "agreement_completed": "completed by the due date (NA: no agreement, due after "
        "data_through, or the participant died before the due date)",
        "completion_date": "date the agreement was completed, NaT otherwise",
        "restitution_agreed": "dollars of restitution agreed (0 when none)",
        "restitution_paid": "dollars paid by data_through (at most the amount agreed)",
        "service_hours_agreed": "community service hours agreed (0 when none)",
        "service_hours_completed": "hours worked by data_through (at most the hours agreed)",
        "victim_satisfaction": "victim's satisfaction 1-5 (NA: no victim or no response)",
        "offender_satisfaction": "offender's satisfaction 1-5 (NA: no response)",
        "procedural_fairness": "offender: 'I was treated fairly' 1-5 (NA: no response)",
        "data_through": "date of the data extract",
    },
    "officers": {
        "officer_id": "officer identifier, 'O0001'",
        "unit": "'North', 'South', 'East', 'West' or 'Youth'",
        "trained": "completed restorative-justice facilitator training",
        "training_date": "date of the training (some during the study), NaT if not trained",
    },
}
