"""The YAML configuration of ``rpeval evaluate`` (strict; errors name the file and line).

Example::

    data:                          # CSV or Parquet, relative to this file
      people: people.csv
      arrests: arrests.csv
      custody: custody.csv
      cases: cases.csv
      officers: officers.csv
    columns: {person_id: id}       # canonical name: your name (people table)
    treatment: participant
    covariates: age + prior_arrests + sex + C(offense_type)
    entry: entry_date
    end: data_through
    events: {table: arrests, date: arrest_date}   # or outcome: rearrest_date
    competing: [death_date]
    design: {method: matching, caliper: 0.2, ratio: 1}
    windows: [365, 730, 1095]
    random_state: 0
    date_format: "%d/%m/%Y"        # optional: dates that are not ISO 8601 (one or a list)

Dates in the tables may be ISO 8601 (``2024-01-31``, with or without a time of day such as
``2024-01-31 09:30:00``) or in the formats of ``date_format``, tried in order after ISO.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import pandas as pd
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from rpeval._files import read_table
from rpeval.errors import SpecificationError
from rpeval.metrics._yaml_source import documents_from_text, read_yaml_text

__all__ = ["EvaluationConfig", "load_config", "run_config"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DataPaths(_Strict):
    """Where the tables are (CSV or Parquet), relative to the configuration file."""

    people: str
    arrests: str | None = None
    custody: str | None = None
    cases: str | None = None
    officers: str | None = None


class Events(_Strict):
    """A long table of outcome events: which data table, and its date column."""

    table: Literal["arrests"] = "arrests"
    date: str = "arrest_date"


class Design(_Strict):
    """The comparison design."""

    method: Literal["matching", "weighting"] = "matching"
    caliper: float | None = Field(0.2, gt=0)
    ratio: int = Field(1, ge=1)
    weighting: Literal["ipw", "entropy"] = "ipw"
    estimand: Literal["ATT", "ATE"] = "ATT"


class EvaluationConfig(_Strict):
    """Everything `rpeval evaluate` needs."""

    data: DataPaths
    columns: dict[str, str] = Field(default_factory=dict)
    id: str = "person_id"
    treatment: str
    treated: str | int | bool | None = None
    covariates: str | list[str]
    entry: str = "entry_date"
    end: str = "data_through"
    outcome: str | None = None
    events: Events | None = None
    competing: list[str] = Field(default_factory=list)
    design: Design = Field(default_factory=Design)
    windows: list[int] = Field(default_factory=lambda: [365, 730, 1095], min_length=1)
    metrics: list[str] | None = None
    suppress_below: int = Field(10, ge=1)
    conf_level: float = Field(0.95, gt=0, lt=1)
    random_state: int = 0
    date_format: str | list[str] | None = None

    @field_validator("date_format")
    @classmethod
    def _formats(cls, value: str | list[str] | None) -> str | list[str] | None:
        for form in [value] if isinstance(value, str) else value or []:
            if "%" not in form:
                raise ValueError(f"{form!r} is not a strftime format such as '%d/%m/%Y'")
        return value

    @model_validator(mode="after")
    def _outcome_given(self) -> EvaluationConfig:
        if (self.outcome is None) == (self.events is None):
            raise ValueError("give exactly one of `outcome` (a people column) and `events`")
        if self.events is not None and self.data.arrests is None:
            raise ValueError("`events` reads data.arrests, which is not given")
        return self


def load_config(path: str | Path) -> EvaluationConfig:
    """Read and validate a configuration file; errors say file:line and what is wrong."""
    file = Path(path)
    text = read_yaml_text(file, "the configuration", error=SpecificationError)
    documents = documents_from_text(text, str(file), error=SpecificationError)
    if len(documents) != 1:
        raise SpecificationError(f"{file}: expected one YAML document, found {len(documents)}")
    document = documents[0]
    try:
        return EvaluationConfig.model_validate(document.value)
    except ValidationError as error:
        problems = []
        for item in error.errors():
            location = tuple(item["loc"])
            where = ".".join(str(p) for p in location) or "top level"
            message = str(item["msg"]).removeprefix("Value error, ")
            if item["type"] == "extra_forbidden":
                message = "unknown key"
            problems.append(f"{file}:{document.line_of(location)}: {where}: {message}")
        raise SpecificationError(
            "invalid evaluation configuration:\n  " + "\n  ".join(problems),
            hint="see `rpeval.report.config` for the format",
        ) from error


def _read(base: Path, relative: str | None, formats: tuple[str, ...]) -> pd.DataFrame | None:
    return None if relative is None else read_table(base / relative, date_formats=formats)


def run_config(config: EvaluationConfig, base: Path, *, progress: bool = True) -> Any:
    """Load the data named by `config` (paths relative to `base`) and evaluate."""
    from rpeval._dates import check_formats
    from rpeval.report.evaluate import evaluate

    formats = check_formats(config.date_format, arg="date_format", caller="evaluate")
    people = _read(base, config.data.people, formats)
    assert people is not None
    people = people.rename(columns={theirs: ours for ours, theirs in config.columns.items()})
    events = _read(base, config.data.arrests, formats) if config.events is not None else None
    return evaluate(
        people,
        treatment=config.treatment,
        treated=config.treated,
        covariates=config.covariates,
        entry=config.entry,
        end=config.end,
        outcome=config.outcome,
        id=config.id,
        events=events,
        event_date=config.events.date if config.events is not None else "arrest_date",
        custody=_read(base, config.data.custody, formats),
        competing=config.competing or None,
        design=config.design.method,
        caliper=config.design.caliper,
        ratio=config.design.ratio,
        weighting=config.design.weighting,
        estimand=config.design.estimand,
        windows=tuple(config.windows),
        cases=_read(base, config.data.cases, formats),
        officers=_read(base, config.data.officers, formats),
        metrics=config.metrics,
        suppress_below=config.suppress_below,
        conf_level=config.conf_level,
        random_state=config.random_state,
        progress=progress,
        date_format=formats,
    )
