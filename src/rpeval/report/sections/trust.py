"""The report's "Community trust and satisfaction" section (issue #18).

From a community survey with one or two waves (before and after the program started):
the reliability of the trust scale (Cronbach's α with Feldt's interval, McDonald's ω), the
design-based mean trust score of each wave with its interval and design effect, the change
between the waves (independent samples, each with its own design) with its SE and
interval, the top-box share of one item, and the weights' spread (Kish's effective sample
size). A scale with α below 0.7 in a wave raises a warning guard; a wave with fewer
respondents than ``suppress_below`` shows no estimate.

The YAML block ``trust:`` names the columns of ``data.survey`` (see :class:`Settings`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from rpeval.errors import DataError, SpecificationError
from rpeval.report.sections import Section, SectionContext
from rpeval.report.sections._inputs import require_columns, require_table

if TYPE_CHECKING:
    from rpeval.datasets import ProgramData

__all__ = ["Settings", "TrustInput", "build", "demo_input", "from_config"]

ALPHA_THRESHOLD = 0.7
SCORE = "_trust_score"


class Settings(BaseModel):
    """The YAML block ``trust:``: the survey's design and scale columns.

    ``items`` (required) are the scale's Likert items on ``scale`` (low, high);
    ``reverse`` lists the negatively worded ones. A respondent's score is the mean of the
    answered items when at least ``min_answered`` were answered (default: half, rounded
    up). ``wave`` holds the wave of each respondent and ``before``/``after`` its two values
    (without ``wave``: one survey, no change). ``top_box_item`` (default: the first item)
    gives the share answering in the top two categories. ``by`` (e.g. the program's area)
    adds the score and its change in each of its domains.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    items: tuple[str, ...] = ()
    reverse: tuple[str, ...] = ()
    scale: tuple[int, int] = (1, 5)
    min_answered: int | None = Field(None, ge=1)
    weights: str | None = "weight"
    strata: str | None = None
    psu: str | None = None
    lonely_psu: Literal["fail", "remove", "adjust", "average"] = "fail"
    wave: str | None = "wave"
    before: str = "pre"
    after: str = "post"
    top_box_item: str | None = None
    by: str | None = None


@dataclass(frozen=True)
class TrustInput:
    """What evaluate(survey=...) takes: the respondents and the section's settings."""

    data: pd.DataFrame
    settings: Settings


def from_config(settings: Settings, table: pd.DataFrame | None) -> TrustInput:
    """The evaluate() input from the YAML block and the ``data.survey`` table."""
    table = require_table(table, key="trust", what="the survey respondents")
    return _checked(TrustInput(table, settings))


def _checked(value: TrustInput) -> TrustInput:
    s, data = value.settings, value.data
    if not s.items:
        raise SpecificationError(
            "trust: no `items` given for the trust scale",
            hint="list the Likert item columns, e.g. items: [trust_police, police_fair]",
        )
    named = [*s.items, *s.reverse, s.weights, s.strata, s.psu, s.wave, s.top_box_item, s.by]
    require_columns(
        data,
        dict.fromkeys(named),
        key="trust",
        where="the survey data",
        columns="the survey's columns",
    )
    extra = [c for c in s.reverse if c not in s.items]
    if extra:
        raise SpecificationError(f"trust: reverse-scored {extra} are not among the `items`")
    if s.wave is not None:
        present = set(data[s.wave].dropna().astype(str))
        missing = [w for w in (s.before, s.after) if w not in present]
        if missing:
            raise DataError(
                f"trust: wave(s) {missing} not found in column {s.wave!r} "
                f"(values: {sorted(present)[:10]})",
                hint="set before: and after: to the wave labels in the data",
            )
    return value


def _as_input(value: Any) -> TrustInput:
    if isinstance(value, TrustInput):
        return _checked(value)
    if isinstance(value, pd.DataFrame):
        return _checked(TrustInput(value, Settings()))
    if hasattr(value, "responses") and hasattr(value, "items"):  # simulated SurveyWaves
        return _checked(TrustInput(value.responses, _waves_settings(value)))
    raise SpecificationError(
        f"survey= must be a data frame, a TrustInput or simulated SurveyWaves, got "
        f"{type(value).__name__}",
        hint="pass rpeval.report.sections.trust.TrustInput(data, Settings(items=[...]))",
    )


def _waves_settings(waves: Any) -> Settings:
    return Settings(
        items=tuple(waves.items),
        reverse=tuple(waves.reverse),
        scale=tuple(waves.scale),
        weights=waves.weights,
        strata=waves.strata,
        psu=waves.psu,
        wave=waves.wave,
        by="program_area",
    )


def build(value: Any, context: SectionContext) -> Section:
    """The "Community trust and satisfaction" section."""
    from rpeval.report.sections._trust_build import trust_section

    return trust_section(_as_input(value), context)


def demo_input(program: ProgramData) -> tuple[Settings, pd.DataFrame | None]:
    """The simulated community survey waves of `program` (rpeval.datasets)."""
    from rpeval.datasets import simulate_survey_waves

    waves = simulate_survey_waves(program)
    return _waves_settings(waves), waves.responses
