"""`evaluate`: the whole evaluation of a program against traditional processing.

Every date is read first, by the one date reader of :mod:`rpeval._dates` (ISO 8601 text
with or without a time of day, date objects, datetime64 naive or aware — the local clock
time is kept — and the formats in ``date_format``); a bad date stops the run before any
computation, naming its column and first bad row. The metric tables are read and the metrics
computed before the long stages too, so that a problem with them cannot end a run late.

Stages (a progress bar shows them with their wall times, also kept in the JSON's ``timings``;
``progress=False`` turns the bar off):

1. **cohort** — the tables and their dates are read; rows with a missing treatment,
   covariate or entry date are dropped and counted; follow-up is built with
   :func:`~rpeval.recidivism.build_followup` (street time after custody, death as a
   competing event); people whose follow-up dates are invalid
   (no end of data, end before entry, a competing event before entry) are counted in a step
   of their own, shown only when there are any, and people with no time at risk are counted;
2. **design** — 1:1 nearest-neighbour propensity matching with a caliper (default), or
   inverse-probability / entropy weighting; balance before and after;
3. **outcomes** — on the matched or weighted sample: Kaplan–Meier curves, re-arrest by
   fixed windows with differences, a Cox model clustered on matched pairs (or robust with
   weights) with the proportional-hazards test, and the RMST difference;
4. **sensitivity** — the E-value of the hazard ratio and, with matched pairs, Rosenbaum
   bounds for re-arrest within the first window among pairs followed for all of it;
5. **metrics** — program metrics from the registry with CIs and small-cell suppression
   (on ``people`` with the treatment recoded to True/False, and on ``cases``/``officers``).
"""

from __future__ import annotations

import importlib.metadata as metadata
import platform
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from rpeval._dates import DateFormats, check_formats
from rpeval._formula import resolve_covariates
from rpeval._frames import as_pandas, treatment_indicator
from rpeval.errors import DataError, SpecificationError
from rpeval.report._cohort import CohortLedger
from rpeval.report._design_stage import DesignPlan, followup_and_design
from rpeval.report._guards import Guards, coding_guard, evaluation_guards
from rpeval.report._inputs import (
    PeopleColumns,
    competing_names,
    metric_inputs,
    read_dates,
    read_table,
)
from rpeval.report._outcomes import outcome_results, sensitivity_results
from rpeval.report._program_metrics import program_metrics
from rpeval.report._stages import StageClock
from rpeval.report.evaluation import DEFAULT_LABELS, Evaluation
from rpeval.report.sections import Section, SectionContext, build_sections

__all__ = ["evaluate"]

CALLER = "evaluate"
STAGES = ("cohort", "design", "outcomes", "sensitivity", "sections", "metrics")
PLAN_ARGUMENTS = (
    "id", "treatment", "entry", "end", "outcome", "event_date", "competing", "design",
    "covariates", "caliper", "ratio", "weighting", "estimand", "random_state",
)  # fmt: skip
SECTION_ARGUMENTS = {
    "over_time": "over_time", "trust": "survey", "voices": "interviews", "community": "panel",
}  # fmt: skip
ECHOED_ARGUMENTS = (
    "treatment", "entry", "end", "outcome", "id", "design", "caliper", "ratio", "weighting",
    "estimand", "competing", "suppress_below", "conf_level", "random_state", "title",
)  # fmt: skip
SETTINGS_ORDER = (
    "treatment", "covariates", "covariates_text", "entry", "end", "outcome", "id", "design",
    "caliper", "ratio", "weighting", "estimand", "windows", "competing", "custody", "metrics",
    "suppress_below", "conf_level", "random_state", "title", "labels", "sections",
    "date_format",
)  # fmt: skip
_DEPENDENCIES = ("numpy", "scipy", "pandas", "statsmodels", "narwhals", "matplotlib", "numba")


def _versions() -> dict[str, str]:
    found = {"python": platform.python_version()}
    for name in ("rpeval", *_DEPENDENCIES):
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:  # pragma: no cover - all are dependencies
            found[name] = "not installed"
    return found


def _prepare(
    people: pd.DataFrame, plan: DesignPlan, treated: Any, columns: list[str]
) -> tuple[pd.DataFrame, CohortLedger, pd.DataFrame]:
    """People with the treatment coded True/False: the cohort (rows with missing inputs
    dropped), its ledger, and every person (for the metrics)."""
    coding = treatment_indicator(
        people, plan.treatment, treated=treated, arg="treatment", caller=CALLER
    )
    # `people` is evaluate's own (sorted) frame: a shallow copy with the treatment column
    # replaced, not a deep copy that consolidates a million rows of every column
    everyone = people.copy(deep=False)
    everyone[plan.treatment] = coding.is_treated
    frame = everyone
    ledger = CohortLedger(frame, plan.treatment)
    missing = frame[columns].isna().any(axis=1)
    frame = ledger.keep(
        "complete covariates", frame, ~missing, f"missing values in {', '.join(columns)}"
    )
    frame = ledger.keep("known entry date", frame, frame[plan.entry].notna(), "no entry date")
    return frame, ledger, everyone


@dataclass(frozen=True)
class _Inputs:
    """The tables after their checks, with every date read."""

    people: pd.DataFrame
    events: pd.DataFrame | None
    custody: pd.DataFrame | None
    columns: list[str]
    formats: tuple[str, ...]

    def tables(self) -> dict[str, Any]:
        """The events and custody tables, keyed as :class:`DesignPlan` names them."""
        return {"events": self.events, "custody": self.custody}


def _check_choices(given: Mapping[str, Any]) -> None:
    if given["outcome"] is None and given["events"] is None:
        raise SpecificationError(
            "evaluate(): give `outcome` (a column of first re-arrest dates) or `events`",
            hint="e.g. outcome='rearrest_date', or events=arrests, event_date='arrest_date'",
        )
    if given["design"] not in ("matching", "weighting"):
        raise SpecificationError(
            f"evaluate(): design must be 'matching' or 'weighting', got {given['design']!r}"
        )
    windows = given["windows"]
    if not windows or any(not isinstance(w, int | np.integer) or w <= 0 for w in windows):
        raise SpecificationError(
            f"evaluate(): windows must be positive whole days, got {windows!r}"
        )


def _read_inputs(given: Mapping[str, Any]) -> _Inputs:
    """Check the arguments and the people's columns, put people in one canonical row
    order (by id: results do not depend on the order rows came in), and read every date."""
    id = given["id"]
    people = as_pandas(given["people"], arg="people", caller=CALLER)
    columns = list(resolve_covariates(given["covariates"], arg="covariates", caller=CALLER).columns)
    formats = check_formats(given["date_format"], arg="date_format", caller=CALLER)
    wanted = PeopleColumns(
        id, given["treatment"], given["entry"], given["end"], tuple(columns), given["outcome"],
        competing_names(given["competing"]),
    )  # fmt: skip
    wanted.check(people)
    try:
        people = people.sort_values(id, kind="stable")
    except TypeError:
        raise DataError(
            f"evaluate(): the id column {id!r} mixes values that cannot be ordered",
            hint="give ids of one type, e.g. all text",
        ) from None
    _check_choices(given)
    people = read_dates(people, wanted.dates(), formats)
    events, custody = given["events"], given["custody"]
    if events is not None:
        events = read_table(
            events, arg="events", id=id, id_arg="id",
            dates=[(given["event_date"], "event_date")], formats=formats,
        )  # fmt: skip
    if custody is not None:
        custody = read_table(
            custody, arg="custody", id=id, id_arg="id",
            dates=[("custody_start", "custody"), ("custody_end", "custody")], formats=formats,
        )  # fmt: skip
    return _Inputs(people, events, custody, columns, tuple(formats))


def _design(
    frame: pd.DataFrame, ledger: CohortLedger, plan: DesignPlan, stages: Any, columns: list[str]
) -> tuple[pd.DataFrame, Any]:
    """Follow-up and the design; a design that fails on a category spelled several ways
    says so (the coding check runs first: it explains the collapse)."""
    coding = coding_guard(frame, columns)
    try:
        return followup_and_design(frame, ledger, plan, stages)
    except DataError as error:
        if coding.status != "fail":
            raise
        raise DataError(
            f"{error.message}. {coding.message}: {'; '.join(coding.details)}",
            hint="map each category to one label (strip spaces, one letter case), then rerun",
        ) from error


def _labels(given: Mapping[str, Any]) -> dict[str, str]:
    return {**DEFAULT_LABELS, **dict(given["labels"] or {})}


def _sections(
    given: Mapping[str, Any], formats: tuple[str, ...], everyone: pd.DataFrame, sample: Any
) -> tuple[Section, ...]:
    """The optional report sections, built from their inputs."""
    cases = given["cases"]
    context = SectionContext(
        labels=_labels(given),
        conf_level=given["conf_level"],
        suppress_below=given["suppress_below"],
        random_state=given["random_state"],
        progress=given["progress"],
        treatment=given["treatment"],
        id=given["id"],
        people=everyone,
        sample=sample,
        cases=None if cases is None else as_pandas(cases, arg="cases", caller=CALLER),
        date_formats=formats,
    )
    inputs = {key: given[argument] for key, argument in SECTION_ARGUMENTS.items()}
    return build_sections(context, inputs)


def _settings(given: Mapping[str, Any], inputs: _Inputs, sections: Sequence[Any]) -> dict[str, Any]:
    """The settings as the report and the JSON echo them."""
    covariates, metrics = given["covariates"], given["metrics"]
    settings = {name: given[name] for name in ECHOED_ARGUMENTS}
    settings |= {
        "covariates": inputs.columns,
        "covariates_text": covariates
        if isinstance(covariates, str)
        else " + ".join(inputs.columns),
        "windows": list(given["windows"]),
        "custody": given["custody"] is not None,
        "metrics": list(metrics) if metrics is not None else "all available",
        "labels": _labels(given),
        "sections": [section.key for section in sections],
        "date_format": list(inputs.formats),
    }
    return {name: settings[name] for name in SETTINGS_ORDER}


def evaluate(
    people: Any,
    *,
    treatment: str,
    covariates: str | Sequence[str],
    entry: str,
    outcome: str | None = None,
    id: str = "person_id",
    end: str = "data_through",
    events: Any = None,
    event_date: str = "arrest_date",
    custody: Any = None,
    competing: str | Sequence[str] | None = None,
    treated: Any = None,
    design: Literal["matching", "weighting"] = "matching",
    caliper: float | None = 0.2,
    ratio: int = 1,
    weighting: Literal["ipw", "entropy"] = "ipw",
    estimand: Literal["ATT", "ATE"] = "ATT",
    windows: Sequence[int] = (365, 730, 1095),
    cases: Any = None,
    officers: Any = None,
    metrics: Sequence[str] | None = None,
    metrics_by: Sequence[str] = (),
    suppress_below: int = 10,
    conf_level: float = 0.95,
    random_state: int = 0,
    progress: bool = True,
    date_format: DateFormats = None,
    title: str = "Evaluation report: restorative program vs traditional processing",
    labels: Mapping[str, str] | None = None,
    over_time: Any = None,
    survey: Any = None,
    interviews: Any = None,
    panel: Any = None,
) -> Evaluation:
    """Evaluate a restorative program against traditional processing, end to end.

    Parameters
    ----------
    people
        One row per person (participants and the comparison pool).
    treatment, treated
        The participation column (boolean or 0/1; other labels need ``treated=``).
    covariates
        Pre-entry covariates for the design: a list or ``"age + C(offense_type)"``.
    entry, end
        Columns with the entry date (day 0) and the end of data for each person.
        Dates may be datetime64 (naive, or aware: the local clock time is kept),
        ``datetime.date`` objects or ISO 8601 text with or without a time of day; times of
        day are dropped (follow-up is counted in whole days).
    outcome
        A column of `people` holding the first re-arrest date (NaT if none); or give
        ``events`` (a long table of ``id`` and ``event_date``) instead.
    custody, competing
        Custody spells (subtracted as street time) and competing-event date columns
        (e.g. ``["death_date"]``), as in :func:`~rpeval.recidivism.build_followup`.
    design
        ``"matching"`` (1:1 nearest neighbour on the propensity score, `caliper` SDs,
        `ratio` controls) or ``"weighting"`` (`weighting` = ``"ipw"`` or ``"entropy"``).
    estimand
        ``"ATT"`` (default) or ``"ATE"`` (weighting only).
    windows
        Fixed follow-up windows in days for re-arrest rates.
    cases, officers, metrics, metrics_by, suppress_below
        Case records and officers for the program metrics (all built-in metrics whose
        table is given, or the names in `metrics`), with small-cell suppression. Metrics
        that declare the treatment as a dimension are given for each group; `metrics_by`
        (e.g. ``["race"]``) splits every metric further by those of its declared
        dimensions.
    conf_level, random_state, progress
        Coverage of all intervals; the seed (same inputs and seed, same report); a
        progress bar over the stages.
    date_format
        strftime formats (one or a list, e.g. ``"%d/%m/%Y"``) for date text that is not
        ISO 8601, tried in order after ISO 8601, for every date column of every table.
    title, labels
        The report's title, and what to call the two groups in the findings
        (``{"participants": "diverted youth", "comparison": "youth sent to court"}``).
    over_time, survey, interviews, panel
        Optional report sections (:mod:`rpeval.report.sections`): the program's metrics over
        reporting periods, community survey waves, coded interviews and an area × period
        panel of community outcomes; each as its section module's ``from_config`` makes it.

    Returns
    -------
    Evaluation
    """
    given = dict(locals())  # the arguments as given: the settings echo them
    read_from = time.perf_counter()  # reading the tables and dates counts as cohort
    inputs = _read_inputs(given)
    plan = DesignPlan(**{n: given[n] for n in PLAN_ARGUMENTS}, **inputs.tables())
    stages = StageClock(STAGES, progress=progress)  # times each stage: bar and JSON
    stages.set_postfix_str("cohort", started=read_from)
    frame, ledger, everyone = _prepare(inputs.people, plan, treated, inputs.columns)
    stages.set_postfix_str("metrics")
    chosen = metric_inputs(everyone, cases, officers, metrics, inputs.formats)
    metric_table = program_metrics(chosen, suppress_below, conf_level, treatment, metrics_by)
    stages.set_postfix_str("cohort")
    sample, design_result = _design(frame, ledger, plan, stages, inputs.columns)
    stages.set_postfix_str("outcomes")
    outcomes = outcome_results(
        sample, treatment, design, list(windows), conf_level,
        weighting=design_result if design == "weighting" else None,
    )  # fmt: skip
    stages.update()
    stages.set_postfix_str("sensitivity")
    sensitivity = sensitivity_results(sample, treatment, design, outcomes, int(windows[0]))
    stages.set_postfix_str("sections")
    sections = _sections(given, inputs.formats, everyone, sample)
    checks = evaluation_guards(
        ledger.table(), frame, sample, treatment, inputs.columns, design,
        design_result.balance().after, outcomes.ph_test,
    )  # fmt: skip
    stages.update(3)  # sensitivity, sections, and the metrics computed first
    return Evaluation(
        settings=_settings(given, inputs, sections),
        guards=Guards.of([*checks.items, *(g for s in sections for g in s.guards)]),
        sections=sections,
        cohort=ledger.table(),
        design=design_result,
        balance=design_result.balance(),
        sample=sample,
        versions=_versions(),
        metrics=metric_table,
        sensitivity=sensitivity,
        notes=tuple(outcomes.notes),
        timings=stages.close(),
        **outcomes.fields(),
    )
