"""The report's first page in words, and the reviewers' extra tables.

The first page is for a program director: the question, the answer with its uncertainty
in words, the design's checks, a forest plot and what the evaluation cannot say. The
tables here add what statisticians ask for: events and person-time per group beside the
Cox hazard ratio, sample sizes with the effective sample size, and the smallest Γ at which
the Rosenbaum conclusion changes.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "answer_text",
    "cannot_say",
    "events_by_group",
    "gamma_text",
    "question_text",
    "sample_sizes",
]

DAYS_PER_YEAR = 365.25


def _names(evaluation: Any) -> dict[str, str]:
    from rpeval.report._figures import group_names

    return group_names(evaluation)


def question_text(evaluation: Any) -> str:
    """The evaluation's question in one sentence."""
    names = _names(evaluation)
    return (
        f"Were {names['participants']} re-arrested less often, or later, than they would "
        f"have been had their cases gone through traditional processing (estimated from "
        f"{names['comparison']})?"
    )


def answer_text(evaluation: Any) -> str:
    """The answer with its uncertainty, in words, from the hazard ratio's interval."""
    hr = evaluation.hazard_ratio
    level = round(100 * evaluation.settings["conf_level"])
    change = 100 * (1 - hr["hazard_ratio"])
    low, high = 100 * (1 - hr["ci_upper"]), 100 * (1 - hr["ci_lower"])

    def said(value: float) -> str:
        return f"{abs(value):.0f}% {'lower' if value >= 0 else 'higher'}"

    span = f"between {said(low)} and {said(high)}"
    if hr["ci_upper"] < 1:
        lead = "Yes, most likely."
        body = f"The rate of re-arrest was {said(change)}"
    elif hr["ci_lower"] > 1:
        lead = "No: re-arrest was more frequent."
        body = f"The rate of re-arrest was {said(change)}"
    else:
        lead = "The data cannot tell."
        body = f"The estimate is a re-arrest rate {said(change)}, but"
        span = f"the {level}% interval, {span}, includes no difference at all"
        return f"{lead} {body} {span}."
    return f"{lead} {body} ({level}% confidence interval: {span})."


def cannot_say(evaluation: Any) -> list[str]:
    """What the design cannot establish, specific to this evaluation where it can be."""
    names = _names(evaluation)
    settings = evaluation.settings
    last = evaluation.cohort.iloc[-1]
    first = evaluation.cohort.iloc[0]
    kept = int(last["remaining_treated"])
    given = int(first["remaining_treated"])
    items = [
        "Whether something the data do not record (motivation, family support, the "
        "officer's judgement) explains the difference: the comparison balances measured "
        "characteristics only; the sensitivity section says how strong a hidden factor would "
        "have to be.",
        "Whether offending changed, as opposed to recorded re-arrests: arrests depend on "
        "policing as well as behaviour.",
        f"What happens after {int(max(settings['windows'])):,} days of street time, or to "
        "people unlike those studied.",
        "Why the program works or not: which part of it (the conference, the agreement, "
        "the follow-up) made the difference.",
    ]
    if settings["design"] == "matching" and kept < given:
        items.insert(
            1,
            f"How the program worked for the {names['participants']} left without a "
            f"comparable match ({given - kept:,} of {given:,}): the findings describe the "
            "matched ones.",
        )
    return items


def gamma_text(evaluation: Any) -> str | None:
    """The smallest Γ of the bounds at which the conclusion changes, in words (``None``
    without bounds)."""
    bounds = evaluation.sensitivity.get("rosenbaum")
    if bounds is None or not len(bounds):
        return None
    alpha = 1 - evaluation.settings["conf_level"]
    frame = bounds.sort_values("gamma")
    gammas = frame["gamma"].to_numpy(np.float64)
    upper = frame["p_upper"].to_numpy(np.float64)
    if not upper[0] < alpha:
        return (
            "Without hidden bias (Γ = 1) the difference within pairs is not significant at "
            f"the {alpha:g} level, so there is no conclusion for hidden bias to overturn."
        )
    changed = np.flatnonzero(upper >= alpha)
    if not changed.size:
        return (
            f"The conclusion holds up to the largest Γ examined ({gammas[-1]:g}): a hidden "
            f"factor multiplying the odds of participation by {gammas[-1]:g} within a pair "
            "would not overturn it."
        )
    at = gammas[changed[0]]
    before = gammas[changed[0] - 1]
    return (
        f"The conclusion changes at Γ = {at:g} (it holds at Γ = {before:g}): a hidden "
        f"factor that made one member of a matched pair {at:g} times as likely to take part "
        f"would make the difference non-significant at the {alpha:g} level."
    )


def _small(count: float, k: int) -> str:
    return f"<{k}" if 0 < count < k else f"{int(count):,}"


def events_by_group(evaluation: Any) -> pd.DataFrame:
    """People, re-arrests and person-years of street time per group in the analysis
    sample (counts of 1 to k-1 shown as ``<k``), and re-arrests per 100 person-years
    (weighted in a weighted design)."""
    sample = evaluation.sample
    treated = sample[evaluation.settings["treatment"]].astype(bool)
    weights = sample["weights"].to_numpy(np.float64)
    k = int(evaluation.settings.get("suppress_below", 1))
    names = _names(evaluation)
    rows = []
    for flag, name in ((True, names["participants"]), (False, names["comparison"])):
        rows_in = (treated == flag).to_numpy()
        w = weights[rows_in]
        events = sample["rearrest"].to_numpy(np.float64)[rows_in]
        years = sample["time_at_risk"].to_numpy(np.float64)[rows_in] / DAYS_PER_YEAR
        rate = 100 * float(w @ events) / float(w @ years) if float(w @ years) > 0 else np.nan
        rows.append(
            {
                "group": name,
                "people": _small(rows_in.sum(), k),
                "re-arrests": _small(events.sum(), k),
                "person-years": f"{years.sum():,.0f}",
                "re-arrests per 100 person-years": f"{rate:.1f}",
            }
        )
    return pd.DataFrame(rows)


def sample_sizes(evaluation: Any) -> pd.DataFrame:
    """People per group in the analysis sample and the effective sample size (Kish's
    ``(sum w)^2 / sum w^2``: what the weights leave of the sample's information)."""
    sample = evaluation.sample
    treated = sample[evaluation.settings["treatment"]].astype(bool).to_numpy()
    weights = sample["weights"].to_numpy(np.float64)
    names = _names(evaluation)
    k = int(evaluation.settings.get("suppress_below", 1))
    rows = []
    for flag, name in ((True, names["participants"]), (False, names["comparison"])):
        w = weights[treated == flag]
        ess = float(w.sum() ** 2 / (w @ w)) if w.size and float(w @ w) > 0 else 0.0
        rows.append(
            {
                "group": name,
                "people": _small(w.size, k),
                "effective sample size": f"{ess:,.0f}",
                "largest weight": f"{w.max():.3g}" if w.size else "–",
            }
        )
    return pd.DataFrame(rows)
