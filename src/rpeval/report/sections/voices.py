"""The report's "Participant voices" section (issue #21).

From coded interview segments (``data.interviews``: one row per code a coder applied to a
segment, as :func:`rpeval.qualitative.coded_segments` reads them) and their codebook: the
reliability of every code (Krippendorff's α with its bootstrap interval, and Cohen's κ
with two coders or Gwet's AC1 with more, against the threshold ``min_alpha``), the share
of participants holding each theme per stakeholder group (Wilson intervals over
participants, i.e. clustered by participant; small cells suppressed with the report's
``suppress_below``), a joint display of one theme with re-arrest within ``window_days``
(interviewees joined to the analysis sample on the report's id column; descriptive only)
and quotes from segments flagged shareable, shown with their theme and stakeholder group
only. A code below ``min_alpha`` raises a warning guard and is flagged in every table.

The YAML block ``voices:`` gives the codebook (inline, or a path) and the column names
(see :class:`Settings`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, model_validator

from rpeval._options import renamed_key
from rpeval.errors import SpecificationError
from rpeval.report.sections import Section, SectionContext
from rpeval.report.sections._inputs import require_columns, require_table

if TYPE_CHECKING:
    from rpeval.datasets import ProgramData
    from rpeval.qualitative import Codebook

__all__ = ["Settings", "VoicesInput", "build", "demo_input", "from_config"]

DEMO_INTERVIEWED = 120
"""The demo interviews up to this many program participants (the offender group)."""


class Settings(BaseModel):
    """The YAML block ``voices:``: the codebook, the columns of ``data.interviews`` and
    the section's options.

    ``codebook`` is the codebook document inline (a mapping, as in a codebook file) or the
    path of a codebook file (absolute, or relative to the configuration file; in Python, to
    the working directory). ``rating`` holds ordinal ratings (ignored when the column is
    absent and no code is ordinal). ``shareable`` flags segments whose ``quote`` may be
    shown (no column: no quotes). A code whose α is below ``min_alpha`` raises a guard with
    status ``below_threshold``. ``theme`` is the joint display's theme (default: the first
    presence code that is not a theme of others); re-arrest is counted within
    ``window_days`` of entry. ``rule`` decides when a segment holds a code (any coder, or a
    majority); ``adjust`` the adjustment of the group-difference tests across codes.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    codebook: dict[str, Any] | str | None = None
    segment: str = "segment"
    participant: str = "participant"
    group: str = "group"
    coder: str = "coder"
    code: str = "code"
    rating: str | None = "rating"
    shareable: str | None = "shareable"
    quote: str | None = "quote"
    min_alpha: float = Field(0.667, ge=0, le=1)
    below_threshold: Literal["warning", "fail"] = "warning"
    theme: str | None = None
    window_days: int = Field(365, ge=1)
    rule: Literal["any", "majority"] = "any"
    adjust: Literal["holm", "bh", "none"] = "holm"
    quotes_per_code: int = Field(2, ge=0, le=20)
    n_bootstrap: int = Field(1000, ge=0)

    @model_validator(mode="before")
    @classmethod
    def _old_keys(cls, data: Any) -> Any:
        return renamed_key(data, new="n_bootstrap", old="n_boot", where="voices")


@dataclass(frozen=True)
class VoicesInput:
    """What evaluate(interviews=...) takes: the coded segments, their codebook and the
    section's settings."""

    segments: pd.DataFrame
    codebook: Codebook
    settings: Settings


def resolve_paths(settings: Settings, base: Path) -> Settings:
    """The settings with a relative codebook path taken from `base` (the configuration
    file's folder).

    Examples
    --------
    >>> resolve_paths(Settings(codebook="codes.yaml"), Path("/study")).codebook
    '/study/codes.yaml'
    """
    if isinstance(settings.codebook, str) and not Path(settings.codebook).is_absolute():
        return settings.model_copy(update={"codebook": str(base / settings.codebook)})
    return settings


def _codebook(settings: Settings) -> Codebook:
    import yaml

    from rpeval.qualitative import codebook_from_text, load_codebook

    if settings.codebook is None:
        raise SpecificationError(
            "voices: no `codebook` given for the coded interviews",
            hint="add `codebook: <path of the codebook YAML>` (or the codebook inline) "
            "under voices:",
        )
    if isinstance(settings.codebook, str):
        return load_codebook(Path(settings.codebook))
    text = yaml.safe_dump(settings.codebook, sort_keys=False, allow_unicode=True)
    return codebook_from_text(text, file="voices: codebook")


def from_config(settings: Settings, table: pd.DataFrame | None) -> VoicesInput:
    """The evaluate() input from the YAML block and the ``data.interviews`` table."""
    table = require_table(table, key="voices", what="the coded interview segments")
    return _checked(VoicesInput(table, _codebook(settings), settings))


def _checked(value: VoicesInput) -> VoicesInput:
    s, data = value.settings, value.segments
    named = [s.segment, s.participant, s.group, s.coder, s.code]
    require_columns(data, named, key="voices", where="the interview data", columns="the columns")
    if s.theme is not None:
        value.codebook.code(s.theme)  # CodebookError with did-you-mean
    return value


def _as_input(value: Any) -> VoicesInput:
    if isinstance(value, VoicesInput):
        return _checked(value)
    if hasattr(value, "codebook_yaml") and hasattr(value, "segments"):  # InterviewData
        from rpeval.qualitative import codebook_from_text

        book = codebook_from_text(value.codebook_yaml, file="simulated codebook")
        return _checked(VoicesInput(value.segments, book, Settings()))
    raise SpecificationError(
        f"interviews= must be a VoicesInput or simulated InterviewData, got {type(value).__name__}",
        hint="pass rpeval.report.sections.voices.VoicesInput(segments, codebook, Settings())",
    )


def build(value: Any, context: SectionContext) -> Section:
    """The "Participant voices" section."""
    from rpeval.report.sections._voices_build import voices_section

    return voices_section(_as_input(value), context)


def rearrest_within(people: pd.DataFrame, days: int) -> pd.Series:
    """Re-arrest within `days` of entry for the simulated program's people: True, False,
    or missing when the data end (or death) comes first."""
    entry = people["entry_date"]
    arrested = (people["rearrest_date"] - entry).dt.days <= days
    end = people["data_through"].where(
        people["death_date"].isna(), people[["data_through", "death_date"]].min(axis=1)
    )
    observed = (end - entry).dt.days >= days
    out = pd.Series(pd.NA, index=people.index, dtype="boolean")
    out[observed.to_numpy()] = False
    out[arrested.fillna(False).to_numpy()] = True
    return out


def demo_input(program: ProgramData) -> tuple[Settings, pd.DataFrame | None]:
    """Coded interviews for the demo: up to :data:`DEMO_INTERVIEWED` program participants
    (the offenders, linked by person id, felt heard more often when not re-arrested
    within 12 months) and victims, supporters, community members and officers, 30% of
    interviewees being offenders; three coders; α of 0.85 for every code but
    ``safety_concern`` (0.60: below the 0.667 threshold, so the demo shows a flagged
    code). A segment holds a code when a majority of coders applied it."""
    import numpy as np
    import yaml

    from rpeval.datasets.interviews import simulate_interviews

    people = program.people
    participants = people[people["participant"].astype(bool)]
    rng = np.random.default_rng(2112)
    size = min(len(participants), DEMO_INTERVIEWED)
    chosen = participants.iloc[np.sort(rng.choice(len(participants), size, replace=False))]
    outcome = rearrest_within(chosen, 365)
    offenders = pd.Series(outcome.to_numpy(), index=chosen["person_id"].astype(str).to_numpy())
    data = simulate_interviews(
        round(size / 0.3),
        offenders=offenders,
        reliability={"safety_concern": 0.6},
        random_state=21,
    )
    settings = Settings(codebook=yaml.safe_load(data.codebook_yaml), rule="majority")
    return settings, data.segments
