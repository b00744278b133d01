"""The report's "Program over time" section (issue #19): control charts of key metrics.

Five charts by reporting period (quarter by default): referrals (c chart), the share of
referrals with a conference held and the agreement rate (p charts, by referral period),
agreement completion (p chart, by referral period) and re-arrest within 12 months of
participants (p chart by entry period; periods whose 12 months are not yet over are left
out). Limits come from the ``baseline`` periods; the run rules are named in the table.
A rule that fired is a "warning" guard: a signal to look into, not a failed design.

The configuration block::

    over_time:
      period: quarter          # month | quarter | year
      baseline: 4              # first N periods (default: all)
      rules: western_electric  # or nelson, limits, or rule names
      suppress_below: 1        # default: the evaluation's
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from rpeval.errors import SpecificationError

if TYPE_CHECKING:
    from rpeval.datasets import ProgramData
    from rpeval.report.sections import Section, SectionContext

__all__ = ["Settings", "build", "demo_input", "from_config"]


class Settings(BaseModel):
    """The YAML block ``over_time:`` of the configuration."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    period: Literal["month", "quarter", "year"] = "quarter"
    fiscal_year_start: int = Field(default=1, ge=1, le=12)
    baseline: int | None = Field(default=None, ge=2, description="first N periods; None: all")
    rules: str | list[str] = "western_electric"
    suppress_below: int | None = Field(default=None, ge=1, description="None: the report's")
    referral_date: str = "referral_date"
    entry_date: str = "entry_date"
    rearrest_date: str = "rearrest_date"
    data_through: str = "data_through"


def from_config(settings: Settings, table: pd.DataFrame | None) -> Settings:
    """The evaluate() input: the settings (the section reads the cases and people)."""
    del table  # the section needs no file of its own
    return settings


def build(value: Any, context: SectionContext) -> Section:
    """The "Program over time" section."""
    from rpeval.report.sections._over_time_build import over_time_section

    if value is True:
        value = Settings()
    if not isinstance(value, Settings):
        raise SpecificationError(
            f"over_time= must be True or rpeval.report.sections.over_time.Settings, got "
            f"{type(value).__name__}"
        )
    return over_time_section(value, context)


def demo_input(program: ProgramData) -> tuple[Settings, pd.DataFrame | None]:
    """The demo's block: quarters, 2021 as the baseline, no suppression (an internal
    monitoring view of simulated data), so the simulated staffing shift of 2022Q2–Q3
    shows as a signal."""
    del program
    return Settings(baseline=4, suppress_below=1), None
