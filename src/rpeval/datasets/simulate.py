"""A realistic synthetic police restorative-practice program with a known effect.

The data-generating model (all draws from ``numpy.random.default_rng(random_state)``):

* **People.** ``age`` 14–70 (skewed young), ``sex`` (78% male), OJJDP ``race`` groups with
  ``hispanic`` as ethnicity, ``offense_type`` (property 40%, violent 20%, drug 20%,
  public order 20%), ``prior_arrests`` ~ negative binomial with a mean rising with age,
  an arresting/referring ``officer_id``, and an actuarial ``risk_score`` in (0, 1) that is
  a noisy function of priors, age and offense.
* **Participation** (selection on observables). Exactly ``n_participants`` people are
  those with the largest latent index ``-0.02 (age-25) - 0.45 priors + 0.6 property
  - 0.6 violent + 0.8 trained_officer + Logistic noise``. Participants are younger,
  have fewer priors and more property offenses: a naive comparison flatters the program.
* **Re-arrest** (proportional hazards on the street-time clock). Weibull with shape 0.8
  and linear predictor ``0.12 priors - 0.025 (age-25) + 0.35 male + 0.25 violent
  + 0.20 drug + log(effect_hr) * participant``: the hazard ratio of participation is
  exactly ``effect_hr`` given ``age, prior_arrests, sex, offense_type`` (the true
  adjustment set; ``race``, ``hispanic`` and the officer's training do not enter the
  hazard). Further re-arrests follow at rate ``exp(lp) / 300`` per street day.
* **Custody and death.** Custody spells (about 0.1 + 0.05 priors per year, mean three
  weeks) stop the street-time clock; no arrest falls inside custody. Death is a
  competing event with a rate of about 0.6% a year, rising with age.
* **Calendar.** Entries are spread over ``min(730, followup_days // 2)`` days from
  2021-01-04; ``data_through`` is the first entry day plus ``followup_days``, so later
  entrants have shorter follow-up (fixed windows need the complete-follow-up rule).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from rpeval.datasets._program_cases import simulate_cases
from rpeval.datasets._timeline import CustodySpells, draw_custody, street_to_calendar
from rpeval.datasets.columns import COLUMNS
from rpeval.errors import SpecificationError

__all__ = ["ProgramData", "simulate_program"]

STUDY_START = pd.Timestamp("2021-01-04")
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
MAX_REPEATS = 6
FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class ProgramData:
    """Tables of a simulated program; see :func:`simulate_program` and ``columns``."""

    people: pd.DataFrame
    arrests: pd.DataFrame
    custody: pd.DataFrame
    cases: pd.DataFrame
    officers: pd.DataFrame
    true_effect_hr: float
    random_state: int
    columns: dict[str, dict[str, str]] = field(default_factory=lambda: COLUMNS)


def _check_arguments(
    n_participants: int, n_comparison: int, effect_hr: float, followup_days: int
) -> None:
    for name, value in (("n_participants", n_participants), ("n_comparison", n_comparison)):
        if not isinstance(value, int | np.integer) or isinstance(value, bool) or value < 1:
            raise SpecificationError(
                f"simulate_program(): {name}={value!r} must be a positive whole number"
            )
    if not (isinstance(effect_hr, int | float) and np.isfinite(effect_hr) and effect_hr > 0):
        raise SpecificationError(
            f"simulate_program(): effect_hr={effect_hr!r} must be a positive hazard ratio"
        )
    if not isinstance(followup_days, int | np.integer) or followup_days < 30:
        raise SpecificationError(
            f"simulate_program(): followup_days={followup_days!r} must be at least 30"
        )


def _officers(rng: np.random.Generator, n_people: int) -> pd.DataFrame:
    n = max(10, n_people // 150)
    trained = rng.uniform(size=n) < 0.4
    trained_on = STUDY_START - pd.to_timedelta(rng.integers(30, 900, n), unit="D")
    return pd.DataFrame(
        {
            "officer_id": [f"O{i:04d}" for i in range(1, n + 1)],
            "unit": rng.choice(np.array(UNITS), n),
            "trained": trained,
            "training_date": pd.Series(trained_on).where(trained).astype("datetime64[ns]"),
        }
    )


def simulate_program(
    n_participants: int = 500,
    n_comparison: int = 5000,
    *,
    effect_hr: float = 0.75,
    followup_days: int = 1095,
    random_state: int = 0,
) -> ProgramData:
    """Simulate a police restorative-practice program and its comparison pool.

    Parameters
    ----------
    n_participants, n_comparison
        People in the program and in traditional court processing.
    effect_hr
        True hazard ratio of re-arrest for participants, given the confounders.
    followup_days
        Days from the first entry to the data extract (``data_through``).
    random_state
        Seed; the same seed gives identical frames.

    Returns
    -------
    ProgramData
        ``people``, ``arrests``, ``custody``, ``cases``, ``officers``, ``true_effect_hr``,
        ``random_state`` and ``columns`` (the data dictionary of every table). The
        module docstring states the data-generating model.

    Examples
    --------
    >>> program = simulate_program(200, 800, random_state=7)
    >>> len(program.people), int(program.people["participant"].sum()), len(program.cases)
    (1000, 200, 200)
    >>> bool((program.arrests["arrest_date"] > program.arrests["person_id"].map(
    ...     program.people.set_index("person_id")["entry_date"])).all())
    True
    """
    _check_arguments(n_participants, n_comparison, effect_hr, followup_days)
    rng = np.random.default_rng(random_state)
    n = int(n_participants) + int(n_comparison)
    officers = _officers(rng, n)

    age = np.clip(np.round(14 + rng.gamma(2.2, 8.0, n)), 14, 70).astype(np.int64)
    male = rng.uniform(size=n) < 0.78
    race = rng.choice(np.array(RACES), n, p=RACE_SHARES)
    hispanic = rng.uniform(size=n) < 0.18
    offense = rng.choice(np.array(OFFENSES), n, p=OFFENSE_SHARES)
    mean_priors = 0.8 + 0.06 * (age - 14)
    priors = rng.negative_binomial(2, 2 / (2 + mean_priors)).astype(np.int64)
    officer_index = rng.integers(0, len(officers), n)
    trained_officer = officers["trained"].to_numpy()[officer_index]
    violent, property_, drug = offense == "violent", offense == "property", offense == "drug"
    risk_lp = -1.4 + 0.25 * priors - 0.03 * (age - 25) + 0.4 * violent + 0.2 * drug
    risk_score = 1 / (1 + np.exp(-(risk_lp + rng.normal(0, 0.6, n))))

    latent = (
        -0.02 * (age - 25)
        - 0.45 * priors
        + 0.6 * property_
        - 0.6 * violent
        + 0.8 * trained_officer
        + rng.logistic(size=n)
    )
    participant = np.zeros(n, dtype=bool)
    participant[np.argsort(-latent, kind="stable")[:n_participants]] = True

    span = min(730, followup_days // 2)
    entry_offset = rng.integers(0, span + 1, n)
    entry = STUDY_START + pd.to_timedelta(entry_offset, unit="D")
    data_through = STUDY_START + pd.Timedelta(days=int(followup_days))
    horizon = followup_days - entry_offset  # calendar days of follow-up available

    lp = (
        0.12 * priors
        - 0.025 * (age - 25)
        + 0.35 * male
        + 0.25 * violent
        + 0.20 * drug
        + np.log(effect_hr) * participant
    )
    shape, scale = 0.8, 1400.0
    first_street = scale * (rng.exponential(size=n) / np.exp(lp)) ** (1 / shape)
    gaps = rng.exponential(300.0 / np.exp(lp)[:, None], size=(n, MAX_REPEATS - 1))
    street = np.ceil(np.cumsum(np.column_stack([first_street, gaps]), axis=1))
    spells = draw_custody(rng, np.asarray(0.1 + 0.05 * priors, np.float64), int(followup_days))
    calendar = street_to_calendar(street, spells)
    death_day = np.ceil(rng.exponential(365.25 / (0.006 * np.exp(0.04 * (age - 30)))))
    death_day = np.minimum(death_day, followup_days + 1.0)  # later deaths are never seen
    end_day = np.minimum(horizon, death_day - 1)  # last day at risk
    observed = calendar <= end_day[:, None]

    ids = np.array([f"P{i:06d}" for i in range(1, n + 1)])
    person_rows, which = np.nonzero(observed)
    arrests = pd.DataFrame(
        {
            "person_id": ids[person_rows],
            "arrest_date": entry[person_rows]
            + pd.to_timedelta(calendar[person_rows, which], unit="D"),
        }
    ).sort_values(["person_id", "arrest_date"], ignore_index=True)
    first_arrest = pd.Series(np.where(observed[:, 0], calendar[:, 0], np.nan), dtype="float64")
    rearrest_date = pd.Series(entry) + pd.to_timedelta(first_arrest, unit="D")
    death_date = pd.Series(entry + pd.to_timedelta(death_day, unit="D")).where(death_day <= horizon)
    custody = _custody_table(ids, entry, spells, end_day)
    custody_days = (
        custody.assign(days=(custody["custody_end"] - custody["custody_start"]).dt.days)
        .groupby("person_id")["days"]
        .sum()
        .reindex(ids, fill_value=0)
        .to_numpy(dtype=np.int64)
    )
    people = pd.DataFrame(
        {
            "person_id": ids,
            "participant": participant,
            "age": age,
            "sex": np.where(male, "male", "female"),
            "race": race,
            "hispanic": hispanic,
            "prior_arrests": priors,
            "offense_type": offense,
            "risk_score": np.round(risk_score, 4),
            "officer_id": officers["officer_id"].to_numpy()[officer_index],
            "entry_date": entry,
            "data_through": data_through,
            "rearrest_date": rearrest_date.astype("datetime64[ns]").to_numpy(),
            "death_date": death_date.astype("datetime64[ns]").to_numpy(),
            "custody_days": custody_days,
            "rearrested": observed[:, 0],
        }
    )
    people["entry_date"] = people["entry_date"].astype("datetime64[ns]")
    people["data_through"] = people["data_through"].astype("datetime64[ns]")
    cases = simulate_cases(rng, people.loc[participant].reset_index(drop=True), data_through)
    return ProgramData(
        people=people,
        arrests=arrests.astype({"arrest_date": "datetime64[ns]"}),
        custody=custody,
        cases=cases,
        officers=officers,
        true_effect_hr=float(effect_hr),
        random_state=int(random_state),
    )


def _custody_table(
    ids: NDArray[np.str_], entry: pd.DatetimeIndex, spells: CustodySpells, end_day: FloatArray
) -> pd.DataFrame:
    """Custody spells clipped to follow-up; release date exclusive (days = end - start)."""
    start = spells.start
    stop = np.minimum(start + spells.length, end_day[:, None] + 1)
    keep = (spells.length > 0) & (stop > start)
    rows, k = np.nonzero(keep)
    base = entry[rows]
    return pd.DataFrame(
        {
            "person_id": ids[rows],
            "custody_start": (base + pd.to_timedelta(start[rows, k], unit="D")).astype(
                "datetime64[ns]"
            ),
            "custody_end": (base + pd.to_timedelta(stop[rows, k], unit="D")).astype(
                "datetime64[ns]"
            ),
        }
    ).sort_values(["person_id", "custody_start"], ignore_index=True)
