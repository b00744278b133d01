"""The follow-up and design stages of `evaluate`: street-time follow-up from the dates,
then matching or weighting, each step counted in the cohort ledger."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

import numpy as np
import pandas as pd

from rpeval.errors import DataError
from rpeval.report._cohort import CohortLedger, followup_drops
from rpeval.report._inputs import competing_names
from rpeval.report._person_codes import code_people

__all__ = ["DesignPlan", "followup_and_design", "whole_days"]


@dataclass(frozen=True)
class DesignPlan:
    """The arguments of the follow-up and design stages."""

    id: str
    treatment: str
    entry: str
    end: str
    outcome: str | None
    events: Any
    event_date: str
    custody: Any
    competing: str | Sequence[str] | None
    design: str
    covariates: str | Sequence[str]
    caliper: float | None
    ratio: int
    weighting: Literal["ipw", "entropy"]
    estimand: Literal["ATT", "ATE"]
    random_state: int


def whole_days(start: pd.Series, stop: pd.Series) -> np.ndarray:
    """Whole days from ``start`` to ``stop`` (times of day dropped, as build_followup
    counts them): ``(stop.dt.normalize() - start.dt.normalize()).dt.days`` computed on the
    day numbers, int64, or float64 with NaN where a date is missing (as pandas gives it).

    >>> dates = pd.Series(pd.to_datetime(["2024-01-01 23:00", "2024-01-03 01:00", None]))
    >>> whole_days(dates.iloc[[0, 0, 0]].reset_index(drop=True), dates).tolist()
    [0.0, 2.0, nan]
    """
    gap = stop.to_numpy().astype("datetime64[D]") - start.to_numpy().astype("datetime64[D]")
    missing = np.isnat(gap)
    days = gap.astype(np.int64)
    return np.where(missing, np.nan, days.astype(np.float64)) if missing.any() else days


def _followup(frame: pd.DataFrame, ledger: CohortLedger, plan: DesignPlan) -> pd.DataFrame:
    """The cohort with street time and the first re-arrest; people without valid
    follow-up or without street time at risk are dropped, and the ledger says why."""
    from rpeval.recidivism import build_followup_with_report

    events = plan.events
    if events is None:
        assert plan.outcome is not None
        events = frame.loc[frame[plan.outcome].notna(), [plan.id, plan.outcome]].rename(
            columns={plan.outcome: plan.event_date}
        )
    built = build_followup_with_report(
        frame,
        id=plan.id,
        start=plan.entry,
        events=events,
        event_date=plan.event_date,
        end=plan.end,
        custody=plan.custody,
        competing=plan.competing,
    )
    follow = built.data
    dropped = followup_drops(
        built.report.problems,
        end=plan.end,
        entry=plan.entry,
        competing=competing_names(plan.competing),
    )
    keep = ["duration", "event", "time_at_risk"]
    # one row per person on both sides (build_followup rejects duplicated ids): no validate=,
    # whose uniqueness checks cost seconds on a million text ids
    data = frame.merge(follow[[plan.id, *keep]], on=plan.id, how="left")
    data["_potential_followup"] = whole_days(data[plan.entry], data[plan.end])
    if dropped:
        data = ledger.keep("valid follow-up dates", data, data["time_at_risk"].notna(), dropped)
    data = ledger.keep(
        "time at risk after entry",
        data,
        data["time_at_risk"] > 0,
        "no street time at risk: in custody, or end of data, on the entry day",
    )
    data["rearrest"] = (data["event"] == 1).astype(int)
    return data


def _design(data: pd.DataFrame, ledger: CohortLedger, plan: DesignPlan) -> tuple[pd.DataFrame, Any]:
    """Matching or weighting on the cohort; the ledger counts who the design leaves out."""
    from rpeval.matching import match, weight

    result: Any
    if plan.design == "matching":
        result = match(
            data,
            plan.treatment,
            plan.covariates,
            caliper=plan.caliper,
            ratio=plan.ratio,
            random_state=plan.random_state,
            tie_key=plan.id,
        )
        sample = result.data
        ledger.note(
            "matched",
            sample,
            len(data) - len(sample),
            "no comparison within the caliper, or not selected as a match",
        )
    else:
        result = weight(
            data, plan.treatment, plan.covariates, estimand=plan.estimand, method=plan.weighting
        )
        sample = result.data
        ledger.note(
            "weighted",
            sample,
            len(data) - len(sample),
            "dropped by the weighting (missing values or trimming)",
        )
    if len(sample) == 0 or sample[plan.treatment].nunique() < 2:
        raise DataError(
            "evaluate(): the design left no comparison (no matches or weights)",
            hint="widen the caliper or check the covariates",
        )
    return sample, result


def followup_and_design(
    frame: pd.DataFrame, ledger: CohortLedger, plan: DesignPlan, stages: Any
) -> tuple[pd.DataFrame, Any]:
    """The follow-up stage, then the design stage (each ticks the progress bar): the
    analysis sample and the design's result.

    ``frame`` is sorted by id; the stages work on integer codes of the ids where the ids
    are clean (:mod:`rpeval.report._person_codes`) and return the user's ids."""
    coded = code_people(frame, plan.id, {"events": plan.events, "custody": plan.custody})
    codes = None
    if coded is not None:
        frame, tables, codes = coded
        plan = replace(plan, **tables)
    data = _followup(frame, ledger, plan)
    stages.update()
    stages.set_postfix_str("design")
    if codes is not None and plan.design != "matching":
        data = codes.restore(data)
    sample, result = _design(data, ledger, plan)
    if codes is not None and plan.design == "matching":
        sample = codes.restore(sample)
        result = replace(result, data=sample, _frame=codes.restore(result._frame))
    stages.update()
    return sample.reset_index(drop=True), result
