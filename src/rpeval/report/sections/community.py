"""The report's "Community outcomes" section (issue #20; being built: not yet available)."""

from __future__ import annotations

from typing import Any

import pandas as pd
from pydantic import BaseModel, ConfigDict

from rpeval.errors import SpecificationError
from rpeval.report.sections import Section, SectionContext

__all__ = ["Settings", "build", "demo_input", "from_config"]


class Settings(BaseModel):
    """The YAML block ``community:`` of the configuration."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def from_config(settings: Settings, table: pd.DataFrame | None) -> Any:
    """The evaluate() input from the YAML block and its data file."""
    raise SpecificationError("the 'Community outcomes' section is not available in this version")


def build(value: Any, context: SectionContext) -> Section:
    """The section."""
    raise SpecificationError("the 'Community outcomes' section is not available in this version")


def demo_input(program: Any) -> tuple[Settings, pd.DataFrame | None] | None:
    """Not shown in the demo yet."""
    return None
