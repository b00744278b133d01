"""Cohort accounting: every row that enters the evaluation is kept or dropped with a reason."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass

import pandas as pd

__all__ = ["CohortLedger", "CohortStep", "followup_drops"]


@dataclass(frozen=True)
class CohortStep:
    """One step of the cohort flow: how many rows remained, and how many left and why."""

    step: str
    remaining: int
    remaining_treated: int
    remaining_comparison: int
    dropped: int
    reason: str


class CohortLedger:
    """Records each filter applied to the analysis frame (used inside `evaluate`).

    `treatment` names a boolean column of every frame passed in.
    """

    def __init__(self, frame: pd.DataFrame, treatment: str) -> None:
        self.treatment = treatment
        self.steps: list[CohortStep] = []
        self.note("people given", frame, 0, "")

    def note(self, step: str, frame: pd.DataFrame, dropped: int, reason: str) -> None:
        """Record a step performed elsewhere (e.g. matching) by its result."""
        flags = frame[self.treatment].astype(bool)
        self.steps.append(
            CohortStep(
                step=step,
                remaining=len(frame),
                remaining_treated=int(flags.sum()),
                remaining_comparison=int((~flags).sum()),
                dropped=dropped,
                reason=reason,
            )
        )

    def keep(self, step: str, frame: pd.DataFrame, mask: pd.Series, reason: str) -> pd.DataFrame:
        """Keep rows where `mask` is true; record how many were dropped and why."""
        kept = frame.loc[mask.to_numpy(dtype=bool)]
        self.note(step, kept, len(frame) - len(kept), reason)
        return kept

    def table(self) -> pd.DataFrame:
        """The cohort flow as a tidy frame."""
        return pd.DataFrame([asdict(step) for step in self.steps])


def followup_drops(
    problems: Mapping[str, int], *, end: str, entry: str, competing: Sequence[str]
) -> str:
    """Why :func:`~rpeval.recidivism.build_followup` dropped people, each reason with its
    count (empty when it dropped nobody); ``problems`` is its report's ``problems``.

    Examples
    --------
    >>> followup_drops({"end_before_entry": 3, "missing_end": 0}, end="data_through",
    ...                entry="entry_date", competing=["death_date"])
    'end of data (`data_through`) before the entry date (`entry_date`): 3'
    """
    named = ", ".join(f"`{name}`" for name in competing) or "competing event"
    reasons = {
        "missing_end": f"no end of data (`{end}`)",
        "end_before_entry": f"end of data (`{end}`) before the entry date (`{entry}`)",
        "competing_before_entry": f"a date in {named} before the entry date (`{entry}`)",
    }
    found = [f"{text}: {problems[key]}" for key, text in reasons.items() if problems.get(key)]
    return "; ".join(found)
