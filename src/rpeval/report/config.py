"""The YAML configuration of ``rpeval evaluate`` (strict; errors name the file and line).

Example::

    data:                          # CSV or Parquet, relative to this file
      people: people.csv
      arrests: arrests.csv
      custody: custody.csv
      cases: cases.csv
      officers: officers.csv
    columns:                       # rpeval's name: your name, per table
      people: {person_id: id}
      arrests: {person_id: id, arrest_date: date_of_arrest}
    comparison: {file: court.csv, source: court records}   # optional: a separate pool
    booleans: {true: [yes, y, "true"], false: [no, n, "false"]}  # flag text (the default)
    normalize: {sex: {m: male, f: female}, offense_type: {}}   # strip, one case, map
    end_of_data: 2024-06-30        # optional: the extract date when there is no `end` column
    report: {title: Diversion program evaluation, participants: diverted youth,
             comparison: youth sent to court}
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
    over_time: {...}               # optional report sections (rpeval.report.sections):
    trust: {...}                   #   each a block of options; trust, voices and community
    voices: {...}                  #   read data.survey, data.interviews and data.panel
    community: {...}

Dates in the tables may be ISO 8601 (``2024-01-31``, with or without a time of day such as
``2024-01-31 09:30:00``) or in the formats of ``date_format``, tried in order after ISO.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
    ValidationError,
    field_validator,
    model_validator,
)

from rpeval._yaml import documents_from_text, read_yaml_text
from rpeval.errors import SpecificationError
from rpeval.report.sections import community as community_section
from rpeval.report.sections import over_time as over_time_section
from rpeval.report.sections import trust as trust_section
from rpeval.report.sections import voices as voices_section

__all__ = ["EvaluationConfig", "config_json_schema", "load_config", "run_config"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DataPaths(_Strict):
    """Where the tables are (CSV or Parquet), relative to the configuration file."""

    people: str
    arrests: str | None = None
    custody: str | None = None
    cases: str | None = None
    officers: str | None = None
    survey: str | None = Field(None, description="Community survey responses (`trust:`).")
    interviews: str | None = Field(None, description="Coded interview segments (`voices:`).")
    panel: str | None = Field(None, description="Area x period community outcomes (`community:`).")


class TableColumns(_Strict):
    """Renames per table, ``{rpeval's name: the export's name}``. A flat mapping at
    ``columns:`` is the people table's (as before)."""

    people: dict[str, str] = Field(default_factory=dict)
    arrests: dict[str, str] = Field(default_factory=dict)
    custody: dict[str, str] = Field(default_factory=dict)
    cases: dict[str, str] = Field(default_factory=dict)
    officers: dict[str, str] = Field(default_factory=dict)


class BooleanValues(_Strict):
    """Text read as true/false in CSV flag columns (compared without case or spaces)."""

    true: list[str] = Field(default_factory=lambda: ["true", "yes", "y"], min_length=1)
    false: list[str] = Field(default_factory=lambda: ["false", "no", "n"], min_length=1)

    @model_validator(mode="after")
    def _disjoint(self) -> BooleanValues:
        both = {v.strip().lower() for v in self.true} & {v.strip().lower() for v in self.false}
        if both:
            raise ValueError(f"{sorted(both)} cannot mean both true and false")
        return self

    def mapping(self) -> dict[str, bool]:
        flags = {v.strip().lower(): True for v in self.true}
        flags.update({v.strip().lower(): False for v in self.false})
        return flags


class Comparison(_Strict):
    """A comparison pool in its own file (the people table's layout, without participants)."""

    file: str
    source: str = Field("comparison pool", description="Where it comes from (the report says).")
    label: str | bool | None = Field(
        None,
        description="Its value of the treatment column when the file has none (default: "
        "False, or 'comparison' when the treatment is text).",
    )


class ReportText(_Strict):
    """The report's title and the names of the two groups in its findings."""

    title: str = Field("Evaluation report: restorative program vs traditional processing")
    participants: str = "participants"
    comparison: str = "people processed traditionally"


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
    columns: TableColumns = Field(default_factory=TableColumns)
    comparison: Comparison | None = None
    booleans: BooleanValues = Field(default_factory=BooleanValues)
    normalize: dict[str, dict[str, str]] = Field(
        default_factory=dict,
        description="Category columns of people to clean: spaces stripped, one letter case, "
        "then the mapping ({'m': 'male'}); e.g. {sex: {m: male, f: female}, offense_type: {}}.",
    )
    report: ReportText = Field(default_factory=ReportText)
    end_of_data: dt.date | None = Field(
        None, description="The data extract date, when the people table has no `end` column."
    )
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
    windows: list[StrictInt] = Field(default_factory=lambda: [365, 730, 1095], min_length=1)
    metrics: list[str] | None = None
    metrics_by: list[str] = Field(default_factory=list)
    suppress_below: int = Field(10, ge=1)
    conf_level: float = Field(0.95, gt=0, lt=1)
    random_state: int = 0
    date_format: str | list[str] | None = None
    over_time: over_time_section.Settings | None = None
    trust: trust_section.Settings | None = None
    voices: voices_section.Settings | None = None
    community: community_section.Settings | None = None

    @field_validator("columns", mode="before")
    @classmethod
    def _flat_columns(cls, value: Any) -> Any:
        tables = set(TableColumns.model_fields)
        if isinstance(value, dict) and value and not set(value) <= tables:
            return {"people": value}  # the flat form: people's columns
        return value

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
                message = "unknown key" + _suggestion(location)
            problems.append(f"{file}:{document.line_of(location)}: {where}: {message}")
        raise SpecificationError(
            "invalid evaluation configuration:\n  " + "\n  ".join(problems),
            hint="see `rpeval.report.config` for the format",
        ) from error


def _suggestion(location: tuple[Any, ...]) -> str:
    """`` (did you mean 'x'?)`` for an unknown key, from the keys allowed where it stands."""
    model: Any = EvaluationConfig
    for part in location[:-1]:
        field = getattr(model, "model_fields", {}).get(part)
        inner = getattr(field, "annotation", None)
        options = [a for a in (*getattr(inner, "__args__", ()), inner) if a is not None]
        nested = [a for a in options if hasattr(a, "model_fields")]
        if not nested:
            return ""
        model = nested[0]
    allowed = list(getattr(model, "model_fields", {}))
    close = difflib.get_close_matches(str(location[-1]), allowed, n=1, cutoff=0.6)
    known = f"; allowed here: {', '.join(allowed)}"
    return (f" (did you mean {close[0]!r}?)" if close else "") + known


def config_json_schema() -> str:
    """The JSON Schema of the configuration (``rpeval schema config``), for editors."""
    schema = EvaluationConfig.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return json.dumps(schema, indent=2)


def run_config(config: EvaluationConfig, base: Path, *, progress: bool = True) -> Any:
    """Load the data named by `config` (paths relative to `base`) and evaluate."""
    from rpeval._dates import check_formats
    from rpeval.report._config_sections import section_arguments
    from rpeval.report._config_tables import load_tables
    from rpeval.report.evaluate import evaluate

    formats = check_formats(config.date_format, arg="date_format", caller="evaluate")
    tables = load_tables(config, base, formats)
    sections = section_arguments(config, base, formats)
    return evaluate(
        tables.people,
        treatment=config.treatment,
        treated=config.treated,
        covariates=config.covariates,
        entry=config.entry,
        end=config.end,
        outcome=config.outcome,
        id=config.id,
        events=tables.arrests if config.events is not None else None,
        event_date=config.events.date if config.events is not None else "arrest_date",
        custody=tables.custody,
        competing=config.competing or None,
        design=config.design.method,
        caliper=config.design.caliper,
        ratio=config.design.ratio,
        weighting=config.design.weighting,
        estimand=config.design.estimand,
        windows=tuple(config.windows),
        cases=tables.cases,
        officers=tables.officers,
        metrics=config.metrics,
        metrics_by=tuple(config.metrics_by),
        suppress_below=config.suppress_below,
        conf_level=config.conf_level,
        random_state=config.random_state,
        progress=progress,
        date_format=formats,
        title=config.report.title,
        labels={"participants": config.report.participants, "comparison": config.report.comparison},
        **sections,
    )
