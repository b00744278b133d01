"""A realistic synthetic police restorative-practice program with a known effect.

:func:`simulate_program` states the data-generating model in its Notes; the pieces live
in ``_population`` (covariates and selection), ``_timeline`` (custody, death, re-arrests
on the street-time clock) and ``_program_cases`` (the restorative case records).
"""

from __future__ import annotations

import copy
import numbers
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from rpeval._options import check_count
from rpeval.datasets._bundle import DataBundle
from rpeval.datasets._population import Population, draw_officers, draw_population
from rpeval.datasets._program_cases import simulate_cases
from rpeval.datasets._staffing import apply_staffing_shift
from rpeval.datasets._timeline import (
    ArrestTimes,
    CustodySpells,
    draw_arrests,
    draw_custody,
    draw_death,
    street_to_calendar,
)
from rpeval.datasets.columns import COLUMNS
from rpeval.errors import SpecificationError

if TYPE_CHECKING:
    from rpeval.datasets._truth import ProgramTruth

__all__ = ["ProgramData", "simulate_program"]

STUDY_START = pd.Timestamp("2021-01-04")
TABLES = ("people", "arrests", "custody", "cases", "officers")
IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]


def _data_dictionary() -> dict[str, dict[str, str]]:
    return copy.deepcopy(COLUMNS)


@dataclass(frozen=True, eq=False)
class ProgramData(DataBundle):
    """The tables of a simulated program (see :func:`simulate_program`).

    Attributes
    ----------
    people
        One row per person, participants and comparison pool alike.
    arrests
        Every re-arrest after entry (recurrent events), one row per arrest.
    custody
        Custody spells within follow-up, ``[custody_start, custody_end)``.
    cases
        One restorative case per participant.
    officers
        Arresting and referring officers and their facilitator training.
    true_effect_hr
        The hazard ratio of re-arrest for participants used to simulate the data, given
        the covariates (conditional). :meth:`truth` gives the marginal effects that a
        matched evaluation estimates.
    random_state
        The seed.
    columns
        The data dictionary: table name -> {column: description}.
    """

    people: pd.DataFrame
    arrests: pd.DataFrame
    custody: pd.DataFrame
    cases: pd.DataFrame
    officers: pd.DataFrame
    true_effect_hr: float
    random_state: int
    columns: dict[str, dict[str, str]] = field(default_factory=_data_dictionary)
    _TITLE: ClassVar[str] = "Simulated restorative-practice program"
    _TABLES: ClassVar[tuple[str, ...]] = TABLES
    _PARAMETERS: ClassVar[tuple[str, ...]] = ("true_effect_hr", "random_state")

    def truth(
        self, *, windows: Sequence[int] = (365, 730, 1095), n_participants: int = 20_000
    ) -> ProgramTruth:
        """The true effects among participants, as the estimands an evaluation reports:
        the *marginal* hazard ratio (what Cox on a matched sample estimates; it differs
        from ``true_effect_hr``, which is conditional on the covariates), the window
        risks with and without the program and the RMST difference. From potential
        outcomes: the simulation rerun on about ``n_participants`` participants with the
        same seed, with and without the effect (a few seconds).

        Examples
        --------
        >>> program = simulate_program(200, 800, effect_hr=1.0, random_state=7)
        >>> program.truth(windows=[365], n_participants=2_000).marginal_hr  # no effect
        1.0
        """
        from rpeval.datasets._truth import program_truth

        return program_truth(self, windows=windows, n_participants=n_participants)

    def __repr__(self) -> str:
        tables = ", ".join(f"{name}={len(getattr(self, name)):,} rows" for name in TABLES)
        return (
            f"ProgramData({tables}, true_effect_hr={self.true_effect_hr}, "
            f"random_state={self.random_state})"
        )


def _check_arguments(
    n_participants: object,
    n_comparison: object,
    effect_hr: object,
    followup_days: object,
    random_state: object,
) -> None:
    caller = "simulate_program"
    check_count(n_participants, arg="n_participants", caller=caller, minimum=1)
    check_count(n_comparison, arg="n_comparison", caller=caller, minimum=1)
    if (
        type(effect_hr) is bool
        or not isinstance(effect_hr, numbers.Real)
        or not (np.isfinite(float(effect_hr)) and float(effect_hr) > 0)
    ):
        raise SpecificationError(
            f"{caller}(): effect_hr={effect_hr!r} must be a positive, finite hazard ratio",
            hint="1.0 simulates no effect, 0.75 a 25% lower re-arrest hazard",
        )
    check_count(followup_days, arg="followup_days", caller=caller, minimum=30)
    check_count(random_state, arg="random_state", caller=caller, minimum=0)


def simulate_program(
    n_participants: int = 500,
    n_comparison: int = 5000,
    *,
    effect_hr: float = 0.75,
    followup_days: int = 1095,
    random_state: int = 0,
    staffing_shift: bool = True,
) -> ProgramData:
    """Simulate a police restorative-practice program and its comparison pool.

    Participants were referred to a restorative conference (or victim-offender mediation)
    by the police; the comparison pool's cases went through traditional court processing.
    Participation depends on covariates that also drive re-arrest, so a naive comparison
    is biased; the true effect is known, so methods can be checked against it.

    Parameters
    ----------
    n_participants
        Number of program participants (each gets one row in ``cases``).
    n_comparison
        Number of people processed by the courts; need not exceed ``n_participants``.
    effect_hr
        True hazard ratio of re-arrest for participants given the confounders (> 0).
    followup_days
        Days from the study start (2021-01-04, the first possible entry) to the data
        extract ``data_through``: the longest follow-up anyone has (>= 30).
    random_state
        Seed of ``numpy.random.default_rng``; the same seed gives identical frames.
    staffing_shift
        Apply the known shift of the case process (fewer conferences held and agreements
        reached for referrals in 2022Q2–2022Q3); ``False`` leaves the process stable.

    Returns
    -------
    ProgramData
        ``people``, ``arrests``, ``custody``, ``cases`` and ``officers`` data frames,
        ``true_effect_hr`` (= ``effect_hr``), ``random_state`` and ``columns``, the data
        dictionary describing every column of every table (rendered in the docs page
        "Simulated program data").

    Raises
    ------
    SpecificationError
        A size that is not a positive whole number, ``effect_hr`` not positive and
        finite, ``followup_days`` below 30, or a negative or non-integer seed.

    Notes
    -----
    The data-generating model, with all dates in whole days:

    * **People.** ``age`` 14–70 (14 + Gamma(2.2, 8), rounded), ``sex`` 78% male, OJJDP
      ``race`` groups (White 55%, Black 30%, ...) with ``hispanic`` (18%) as ethnicity,
      ``offense_type`` (property 40%, violent 20%, drug 20%, public order 20%),
      ``prior_arrests`` negative binomial (size 3) with mean
      ``0.6 + 0.08 (min(age, 40) - 14)``, an officer drawn at random and
      ``risk_score = logistic(-1.4 + 0.25 priors - 0.03 (age - 25) + 0.4 violent
      + 0.2 drug + N(0, 0.6²))``, an actuarial score that is only a noisy proxy of risk.
      Entry dates are uniform over the first ``round(0.75 followup_days)`` days (about
      2¼ years by default), so 1-, 2- and 3-year windows all have people with incomplete
      follow-up.
    * **Officers.** One per 150 people (at least 10) in the units North, South, East,
      West and Youth; 45% completed facilitator training, on a day from three years
      before the study start to one year into it.
    * **Participation** (selection on observables). The ``n_participants`` people with
      the largest ``-0.01 (age - 25) - 0.7 priors + 0.6 property - 0.6 violent
      + 0.8 trained - 0.3 Black - 0.2 Hispanic + Logistic(0, 1)`` take part, where
      ``trained`` means the officer had completed facilitator training by the entry
      date: a logistic participation model with the intercept fixed by the number of
      places. Participants are younger, have fewer priors and more property offenses;
      Black and Hispanic people are diverted less often (race does not enter the hazard).
    * **First re-arrest** (proportional hazards on the street-time clock: custody days
      are not at risk). Weibull with shape 0.8, scale 2000 days and linear predictor
      ``lp = 0.15 priors - 0.025 (age - 25) + 0.35 male + 0.25 violent + 0.20 drug
      + log(effect_hr) participant``, so that the hazard ratio of participation is exactly
      ``effect_hr`` given ``age``, ``prior_arrests``, ``sex`` and ``offense_type`` (the
      adjustment set; ``race``, ``hispanic``, the officer and ``risk_score`` do not enter
      the hazard). Street times are rounded up to whole days, so ties are common.
    * **Later re-arrests** follow with exponential street-time gaps at rate
      ``exp(lp) / 450`` per day (at least one day apart); ``arrests`` holds them all.
    * **Custody** spells arrive at ``0.1 + 0.05 priors`` per street-year and last
      Geometric(1/21) days (at least one, mean three weeks); re-arrests are placed on
      street days, so none falls in custody. Spells are clipped to follow-up.
    * **Death** is a competing event, exponential with 0.6% a year at age 30, rising 4% a
      year of age (1–2% die within the default follow-up), independent of the
      program. Follow-up ends at ``min(data_through, death_date)``; a re-arrest must fall
      strictly before death.
    * **Cases** are calibrated to the anchors in the domain notes: about 93% contacted,
      85% of those take part, 90% of conferences reach an agreement, about 80% of
      agreements past due are completed, victims take part in person in about half of the
      conferences and indirectly in about one in ten, and about 85% of respondents give
      a top-2 satisfaction answer. Nothing in a case happens after ``data_through`` or
      the person's death. The program effect is an intention-to-treat effect: it does
      not depend on what happened in the case.
    * **Staffing shift** (a known signal, on by default): referrals of 2022Q2–Q3 keep a
      would-be conference with probability 0.55 and an agreement with 0.7 (own stream).

    Draws come from ``numpy.random.default_rng(random_state)``, spawned into independent
    streams for people, time lines and cases: with one seed, changing ``effect_hr``
    changes only the re-arrests and leaves covariates, selection, custody, deaths and
    cases as they were (common random numbers).

    Examples
    --------
    >>> program = simulate_program(200, 800, random_state=7)
    >>> program
    ProgramData(people=1,000 rows, arrests=1,354 rows, custody=362 rows, cases=200 rows,
                officers=10 rows, true_effect_hr=0.75, random_state=7)
    >>> people = program.people
    >>> people.groupby("participant")[["prior_arrests", "rearrested"]].mean().round(2)
                 prior_arrests  rearrested
    participant
    False                 2.08        0.50
    True                  0.79        0.39
    >>> sorted(program.columns)  # the data dictionary
    ['arrests', 'cases', 'custody', 'officers', 'people']
    """
    _check_arguments(n_participants, n_comparison, effect_hr, followup_days, random_state)
    followup = int(followup_days)
    n_people = int(n_participants) + int(n_comparison)
    people_rng, timeline_rng, cases_rng = np.random.default_rng(int(random_state)).spawn(3)

    officers = draw_officers(people_rng, n_people, STUDY_START, followup)
    training_day = np.asarray(
        (officers["training_date"] - STUDY_START).dt.days.to_numpy(
            dtype=np.float64, na_value=np.inf
        ),
        dtype=np.float64,
    )
    population = draw_population(
        people_rng, int(n_participants), n_people, training_day, round(0.75 * followup)
    )
    horizon = followup - population.entry_day  # calendar days until data_through
    death_day = draw_death(timeline_rng, population.age)
    last_day = np.minimum(horizon, death_day - 1)  # last calendar day at risk
    custody_rate = np.asarray(0.1 + 0.05 * population.prior_arrests, dtype=np.float64)
    spells = draw_custody(timeline_rng, custody_rate, followup)
    offense = population.offense
    linear_predictor = (
        0.15 * population.prior_arrests
        - 0.025 * (population.age - 25)
        + 0.35 * population.male
        + 0.25 * (offense == "violent")
        + 0.20 * (offense == "drug")
        + np.log(float(effect_hr)) * population.participant
    )
    drawn = draw_arrests(timeline_rng, linear_predictor, last_day)
    calendar = street_to_calendar(drawn.person, drawn.day, spells)
    seen = calendar <= last_day[drawn.person]
    arrests = ArrestTimes(drawn.person[seen], calendar[seen])

    entry = STUDY_START + pd.to_timedelta(population.entry_day, unit="D")
    data_through = STUDY_START + pd.Timedelta(days=followup)
    ids = np.array([f"P{i:06d}" for i in range(1, n_people + 1)])
    custody, custody_days = _custody_table(ids, entry, spells, last_day)
    people = _people_table(
        population, ids, officers, entry, data_through, arrests, death_day, horizon
    )
    people["custody_days"] = custody_days
    people["rearrested"] = people["rearrest_date"].notna()
    people["rearrest_count"] = np.bincount(arrests.person, minlength=len(ids))
    people["street_days"] = np.minimum(horizon, death_day) - custody_days
    cases = simulate_cases(cases_rng, people.loc[population.participant], data_through)
    cases = apply_staffing_shift(cases, int(random_state)) if staffing_shift else cases
    return ProgramData(
        people=people,
        arrests=_arrests_table(ids, entry, arrests),
        custody=custody,
        cases=cases,
        officers=officers,
        true_effect_hr=float(effect_hr),
        random_state=int(random_state),
    )


def _dates(origin: pd.DatetimeIndex | pd.Timestamp, days: FloatArray | IntArray) -> pd.Series:
    """``origin + days`` (whole days) as a ``datetime64[ns]`` series; NaN days give NaT.

    Integer datetime64 arithmetic: no float-to-timedelta conversion (whose rounding warns
    about overflow on some pandas/numpy versions). Days beyond a million (never inside
    follow-up) become NaT."""
    values = np.asarray(days, dtype=np.float64)
    known = np.isfinite(values) & (np.abs(values) < 1e6)
    whole = np.where(known, np.rint(np.where(known, values, 0.0)), 0.0).astype(np.int64)
    base = np.asarray(origin, dtype="datetime64[ns]")
    shifted = base + whole.astype("timedelta64[D]").astype("timedelta64[ns]")
    return pd.Series(np.where(known, shifted, np.datetime64("NaT", "ns")), dtype="datetime64[ns]")


def _people_table(
    population: Population,
    ids: NDArray[np.str_],
    officers: pd.DataFrame,
    entry: pd.DatetimeIndex,
    data_through: pd.Timestamp,
    arrests: ArrestTimes,
    death_day: IntArray,
    horizon: IntArray,
) -> pd.DataFrame:
    first_day = np.full(ids.shape[0], np.nan)
    np.fmin.at(first_day, arrests.person, arrests.day.astype(np.float64))
    n = ids.shape[0]
    return pd.DataFrame(
        {
            "person_id": ids,
            "participant": population.participant,
            "age": population.age,
            "sex": np.where(population.male, "male", "female"),
            "race": population.race,
            "hispanic": population.hispanic,
            "prior_arrests": population.prior_arrests,
            "offense_type": population.offense,
            "risk_score": population.risk_score,
            "officer_id": officers["officer_id"].to_numpy()[population.officer],
            "entry_date": _dates(entry, np.zeros(n)),
            "data_through": _dates(data_through, np.zeros(n)),
            "rearrest_date": _dates(entry, first_day),
            "death_date": _dates(entry, np.where(death_day <= horizon, death_day, np.nan)),
        }
    )


def _arrests_table(
    ids: NDArray[np.str_], entry: pd.DatetimeIndex, arrests: ArrestTimes
) -> pd.DataFrame:
    order = np.lexsort((arrests.day, arrests.person))
    person = arrests.person[order]
    return pd.DataFrame(
        {"person_id": ids[person], "arrest_date": _dates(entry[person], arrests.day[order])}
    )


def _custody_table(
    ids: NDArray[np.str_], entry: pd.DatetimeIndex, spells: CustodySpells, last_day: IntArray
) -> tuple[pd.DataFrame, IntArray]:
    """Spells clipped to follow-up (release day exclusive) and each person's custody days."""
    start = spells.start
    stop = np.minimum(start + spells.length, last_day[:, None] + 1)
    keep = (spells.length > 0) & (stop > start)
    days = np.where(keep, stop - start, 0).sum(axis=1).astype(np.int64)
    rows, k = np.nonzero(keep)  # row-major: by person, then spell order
    table = pd.DataFrame(
        {
            "person_id": ids[rows],
            "custody_start": _dates(entry[rows], start[rows, k]),
            "custody_end": _dates(entry[rows], stop[rows, k]),
        }
    )
    return table, days
