"""Officers, people, entry dates and who takes part: the covariate side of the simulation."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

__all__ = ["OFFENSES", "RACES", "UNITS", "Population", "draw_officers", "draw_population"]

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
StrArray = NDArray[np.str_]

RACES = (
    "White",
    "Black",
    "American Indian/Alaska Native",
    "Asian",
    "Native Hawaiian/Pacific Islander",
    "Two or more races",
)
RACE_SHARES = (0.55, 0.30, 0.02, 0.04, 0.01, 0.08)
OFFENSES = ("property", "violent", "drug", "public_order")
OFFENSE_SHARES = (0.40, 0.20, 0.20, 0.20)
UNITS = ("North", "South", "East", "West", "Youth")
PEOPLE_PER_OFFICER = 150


@dataclass(frozen=True)
class Population:
    """Covariates of everyone, as arrays in person order."""

    age: IntArray
    male: BoolArray
    race: StrArray
    hispanic: BoolArray
    offense: StrArray
    prior_arrests: IntArray
    risk_score: FloatArray
    officer: IntArray  # row of the officers table
    entry_day: IntArray  # days after the study start
    participant: BoolArray


def draw_officers(
    rng: np.random.Generator, n_people: int, study_start: pd.Timestamp, followup_days: int
) -> pd.DataFrame:
    """Officers: unit, and facilitator training from three years before to one year into the
    study (never after the data extract); 45% are trained."""
    n = max(10, n_people // PEOPLE_PER_OFFICER)
    trained = rng.uniform(size=n) < 0.45
    offset = rng.integers(-3 * 365, min(365, followup_days) + 1, n)
    training_date = pd.Series(study_start + pd.to_timedelta(offset, unit="D"))
    return pd.DataFrame(
        {
            "officer_id": [f"O{i:04d}" for i in range(1, n + 1)],
            "unit": rng.choice(np.array(UNITS), n),
            "trained": trained,
            "training_date": training_date.where(trained).astype("datetime64[ns]"),
        }
    )


def draw_population(
    rng: np.random.Generator,
    n_participants: int,
    n_people: int,
    officer_training_day: FloatArray,
    entry_span: int,
) -> Population:
    """Covariates, entry days and the ``n_participants`` people selected into the program.

    ``officer_training_day`` is each officer's training day after the study start
    (``inf`` when never trained). Selection is on the largest latent index
    ``-0.01 (age - 25) - 0.7 priors + 0.6 property - 0.6 violent + 0.8 trained officer
    - 0.3 Black - 0.2 Hispanic + Logistic(0, 1)``, a logistic participation model whose
    intercept is fixed by the number of places.
    """
    n = n_people
    age = np.clip(np.round(14 + rng.gamma(2.2, 8.0, n)), 14, 70).astype(np.int64)
    male = rng.uniform(size=n) < 0.78
    race = rng.choice(np.array(RACES), n, p=RACE_SHARES)
    hispanic = rng.uniform(size=n) < 0.18
    offense = rng.choice(np.array(OFFENSES), n, p=OFFENSE_SHARES)
    mean_priors = 0.6 + 0.08 * (np.minimum(age, 40) - 14)
    priors = rng.negative_binomial(3, 3 / (3 + mean_priors)).astype(np.int64)
    violent, property_, drug = offense == "violent", offense == "property", offense == "drug"
    risk_lp = -1.4 + 0.25 * priors - 0.03 * (age - 25) + 0.4 * violent + 0.2 * drug
    risk_score = 1 / (1 + np.exp(-(risk_lp + rng.normal(0.0, 0.6, n))))
    officer = rng.integers(0, officer_training_day.shape[0], n).astype(np.int64)
    entry_day = rng.integers(0, entry_span + 1, n).astype(np.int64)
    trained_at_entry = officer_training_day[officer] <= entry_day
    latent = (
        -0.01 * (age - 25)
        - 0.7 * priors
        + 0.6 * property_
        - 0.6 * violent
        + 0.8 * trained_at_entry
        - 0.3 * (race == "Black")
        - 0.2 * hispanic
        + rng.logistic(size=n)
    )
    participant = np.zeros(n, dtype=bool)
    participant[np.argsort(-latent, kind="stable")[:n_participants]] = True
    return Population(
        age=age,
        male=male,
        race=race,
        hispanic=hispanic,
        offense=offense,
        prior_arrests=priors,
        risk_score=np.round(risk_score, 4),
        officer=officer,
        entry_day=entry_day,
        participant=participant,
    )
