"""The monitoring file (``MONITOR.yaml``): which metrics, by what, which chart and rules.

>>> spec = parse_monitor('''
... period: quarter
... period_of: {cases: referral_date}
... monitors:
...   - metric: agreement_rate
...     chart: p
...     baseline: 6
... ''')
>>> spec.monitors[0].rules, spec.suppress_below
('western_electric', 1)
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from rpeval._schema_errors import schema_message
from rpeval._yaml import SourceDocument, documents_from_text, read_yaml_text
from rpeval.errors import SpecificationError

__all__ = ["BaselineRange", "Monitor", "MonitorSpec", "load_monitor", "parse_monitor"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class BaselineRange(_Strict):
    """Baseline periods by label, inclusive (``{first: 2021Q1, last: 2022Q4}``)."""

    first: str
    last: str


class Monitor(_Strict):
    """One monitored metric: a chart per cell of ``by`` (one chart when ``by`` is empty)."""

    metric: str
    chart: Literal["p", "u", "laney_p", "laney_u", "c", "xmr"] = "p"
    by: list[str] = Field(default_factory=list)
    rules: str | list[str] = "western_electric"
    baseline: int | BaselineRange | None = Field(default=None, description="first N or a range")
    sigma_multiplier: float = Field(default=3.0, gt=0)
    complete_only: bool = Field(
        default=True,
        description="window metrics: leave out periods whose follow-up is not complete",
    )


class MonitorSpec(_Strict):
    """The whole file: period settings, data tables, extra definitions and monitors."""

    period: Literal["month", "quarter", "year"] = "quarter"
    period_of: str | dict[str, str] | None = None
    fiscal_year_start: int = Field(default=1, ge=1, le=12)
    suppress_below: int = Field(default=1, ge=1, description="1: no suppression")
    tables: dict[str, str] = Field(
        default_factory=dict,
        description="table name -> file in --data (default: <table>.csv or .parquet)",
    )
    definitions: list[str] = Field(default_factory=list, description="extra metric YAML")
    include_builtin: bool = True
    date_formats: list[str] = Field(default_factory=list)
    monitors: list[Monitor] = Field(min_length=1)


def _validate(document: SourceDocument) -> MonitorSpec:
    if not isinstance(document.value, dict):
        raise SpecificationError(
            f"{document.file}:{document.line}: a monitoring file must be a mapping",
            hint="see the docs page 'Program over time' for an example",
        )
    try:
        return MonitorSpec.model_validate(document.value)
    except ValidationError as error:
        first = error.errors()[0]
        location, message = schema_message(MonitorSpec, dict(first))
        line = document.line_of(location)
        raise SpecificationError(
            f"{document.file}:{line}: {message}",
            hint="see the docs page 'Program over time' for the keys",
        ) from None


def parse_monitor(text: str, file: str = "<string>") -> MonitorSpec:
    """A monitoring spec from YAML text (errors name ``file:line``)."""
    documents = documents_from_text(text, file, error=SpecificationError)
    if len(documents) != 1:
        raise SpecificationError(
            f"{file}: a monitoring file holds one YAML document, found {len(documents)}"
        )
    return _validate(documents[0])


def load_monitor(path: str | Path) -> MonitorSpec:
    """Read and check ``MONITOR.yaml``."""
    file = Path(path)
    text = read_yaml_text(file, "the monitoring file", error=SpecificationError)
    return parse_monitor(text, str(file))
