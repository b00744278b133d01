"""The strict schema of a metric definition (pydantic; unknown keys are errors).

One YAML document describes one metric. The models are frozen and strict: ``version:
1.0`` (a float) or ``suppress_below: "10"`` (a string) are errors, not coerced. Rules that
tie fields to the ``kind`` (a proportion needs a numerator and a denominator, a rate an
exposure, a mean a value, …) are checked here too, so that a definition that passes the
schema can be computed. Semantic rules that need more than one document or the data
schema (unique names, known columns, filters that parse) live in :mod:`rpeval.metrics.validation`.

Examples
--------
>>> definition = MetricDefinition.model_validate({
...     "name": "agreement_rate", "version": "1.0.0", "title": "Agreement rate",
...     "description": "Conferences ending in an agreement.", "kind": "proportion",
...     "table": "cases",
...     "denominator": {"where": "conference_held"},
...     "numerator": {"where": "agreement_reached"},
... })
>>> definition.interval_method
'wilson'
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

__all__ = [
    "DEFAULT_INTERVALS",
    "DaysBetween",
    "DesignColumns",
    "Example",
    "ExpectedResult",
    "Exposure",
    "Measure",
    "MetricDefinition",
    "MetricKind",
    "ValueColumn",
    "Window",
    "json_schema",
]

MetricKind = Literal[
    "proportion",
    "ratio",
    "mean",
    "count",
    "rate",
    "window_proportion",
    "relative_rate",
    "survey_mean",
    "survey_proportion",
]
IntervalMethod = Literal[
    "wilson",
    "clopper-pearson",
    "jeffreys",
    "poisson-exact",
    "poisson-robust",
    "t",
    "delta",
    "katz-log",
    "wald",
    "logit",
    "none",
]
Scalar = str | bool | int | float | dt.datetime | dt.date | None

DEFAULT_INTERVALS: Final[dict[str, str]] = {
    "proportion": "wilson",
    "window_proportion": "wilson",
    "rate": "poisson-robust",
    "count": "poisson-exact",
    "mean": "t",
    "ratio": "delta",
    "relative_rate": "katz-log",
    "survey_mean": "wald",
    "survey_proportion": "logit",
}
_ALLOWED_INTERVALS: Final[dict[str, frozenset[str]]] = {
    "proportion": frozenset({"wilson", "clopper-pearson", "jeffreys", "none"}),
    "window_proportion": frozenset({"wilson", "clopper-pearson", "jeffreys", "none"}),
    "rate": frozenset({"poisson-robust", "poisson-exact", "none"}),
    "count": frozenset({"poisson-exact", "none"}),
    "mean": frozenset({"t", "none"}),
    "ratio": frozenset({"delta", "none"}),
    "relative_rate": frozenset({"katz-log", "none"}),
    "survey_mean": frozenset({"wald", "none"}),
    "survey_proportion": frozenset({"logit", "wald", "none"}),
}
_WITHIN = re.compile(r"^([1-9][0-9]{0,4}) (day|days|month|months)$")

ColumnName = Annotated[str, StringConstraints(min_length=1, max_length=200)]
FilterText = Annotated[str, StringConstraints(min_length=1, max_length=4000)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Measure(_Strict):
    """A numerator or denominator: a row count, ``sum: column`` or ``count_distinct: column``."""

    sum: ColumnName | None = None
    count_distinct: ColumnName | None = None
    where: FilterText | None = None
    label: str | None = Field(None, description="What is counted, in words (OJJDP 'A'/'B').")

    @model_validator(mode="after")
    def _one_aggregate(self) -> Measure:
        if self.sum is not None and self.count_distinct is not None:
            raise ValueError("give at most one of `sum` and `count_distinct` (none: count rows)")
        return self

    @property
    def aggregate(self) -> str:
        """``"count"``, ``"sum"`` or ``"count_distinct"``."""
        if self.sum is not None:
            return "sum"
        return "count_distinct" if self.count_distinct is not None else "count"

    @property
    def column(self) -> str | None:
        """The summed or distinct-counted column (``None`` for a row count)."""
        return self.sum if self.sum is not None else self.count_distinct


class DaysBetween(_Strict):
    """Whole days from the date in `start` to the date in `end` (negative if end is earlier)."""

    start: ColumnName
    end: ColumnName


class ValueColumn(_Strict):
    """What a ``mean`` metric averages: a ``column``, or ``days_between`` two date columns.

    Rows where the value is null are left out; ``where`` filters the rows further.
    """

    column: ColumnName | None = None
    days_between: DaysBetween | None = None
    where: FilterText | None = None

    @model_validator(mode="after")
    def _one_source(self) -> ValueColumn:
        if (self.column is None) == (self.days_between is None):
            raise ValueError("give exactly one of `column` and `days_between`")
        return self

    @property
    def columns(self) -> tuple[str, ...]:
        """The columns read."""
        if self.days_between is not None:
            return (self.days_between.start, self.days_between.end)
        assert self.column is not None
        return (self.column,)


class Exposure(_Strict):
    """Person-time of a ``rate``: ``sum`` of a column, divided by ``per`` (e.g. 365.25)."""

    sum: ColumnName
    where: FilterText | None = None
    per: float = Field(1.0, gt=0, description="Divide the summed exposure by this.")
    unit: str = Field("person-time", description="Name of the exposure unit after `per`.")


class Window(_Strict):
    """A fixed follow-up window: did `event` happen in ``(start, start + within]``?"""

    start: ColumnName
    event: ColumnName
    within: str = Field(description="'365 days' or '12 months' (calendar months).")
    followup_end: ColumnName

    @model_validator(mode="after")
    def _check_within(self) -> Window:
        if _WITHIN.match(self.within) is None:
            raise ValueError(
                f"`within` must look like '365 days' or '12 months', got {self.within!r}"
            )
        return self

    @property
    def amount(self) -> int:
        """The number of days or months."""
        match = _WITHIN.match(self.within)
        assert match is not None
        return int(match.group(1))

    @property
    def unit(self) -> Literal["days", "months"]:
        """``"days"`` or ``"months"``."""
        return "months" if self.within.split()[1].startswith("month") else "days"


class DesignColumns(_Strict):
    """The survey design of a ``survey_mean`` or ``survey_proportion`` metric (one stage,
    as ``svydesign(id=~psu, strata=~strata, weights=~weights)``)."""

    weights: ColumnName = Field(description="Sampling weights (> 0, no missing values).")
    strata: ColumnName | None = None
    psu: ColumnName | None = Field(None, description="Clusters; without it each row is one.")
    lonely_psu: Literal["fail", "remove", "adjust", "average"] = "fail"

    @property
    def columns(self) -> tuple[str, ...]:
        """The columns read."""
        return tuple(c for c in (self.weights, self.strata, self.psu) if c is not None)


class ExpectedResult(_Strict):
    """What an example must compute; ``value: null`` means no value (zero denominator)."""

    numerator: float | None = None
    denominator: float | None = None
    value: float | None = None


class Example(_Strict):
    """Fixture rows and the result they must give, run by ``validate`` and the tests."""

    description: str | None = None
    rows: list[dict[str, Scalar]] = Field(min_length=1)
    expected: ExpectedResult
    tolerance: float = Field(5e-5, ge=0, description="Absolute tolerance on the value.")


class MetricDefinition(_Strict):
    """A versioned program metric, one YAML document."""

    name: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,79}$")]
    version: Annotated[
        str, StringConstraints(pattern=r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$")
    ]
    title: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    description: Annotated[str, StringConstraints(min_length=1)]
    kind: MetricKind
    table: ColumnName | None = None
    numerator: Measure | None = None
    denominator: Measure | None = None
    value: ValueColumn | None = None
    exposure: Exposure | None = None
    window: Window | None = None
    design: DesignColumns | None = Field(
        None, description="survey_mean/survey_proportion: weights, strata and psu columns."
    )
    reference: FilterText | None = Field(
        None, description="relative_rate: the filter selecting the reference group's rows."
    )
    dimensions: list[ColumnName] = Field(default_factory=list)
    interval: IntervalMethod | None = None
    suppress_below: int | None = Field(None, ge=1)
    status: Literal["stable", "experimental", "deprecated"] = "experimental"
    owner: str | None = None
    references: list[str] = Field(default_factory=list)
    examples: list[Example] = Field(default_factory=list)

    @model_validator(mode="after")
    def _fields_for_kind(self) -> MetricDefinition:
        needs = {
            "proportion": {"numerator", "denominator"},
            "ratio": {"numerator", "denominator"},
            "mean": {"value"},
            "count": {"numerator"},
            "rate": {"numerator", "exposure"},
            "window_proportion": {"window"},
            "relative_rate": {"numerator", "denominator", "reference"},
            "survey_mean": {"value", "design"},
            "survey_proportion": {"numerator", "denominator", "design"},
        }[self.kind]
        allowed = (
            needs
            | {
                "proportion": set(),
                "ratio": set(),
                "mean": set(),
                "count": set(),
                "rate": set(),
                "window_proportion": {"numerator", "denominator"},
                "relative_rate": set(),
                "survey_mean": set(),
                "survey_proportion": set(),
            }[self.kind]
        )
        fields = ("numerator", "denominator", "value", "exposure", "window", "reference", "design")
        for field_name in fields:
            present = getattr(self, field_name) is not None
            if field_name in needs and not present:
                raise ValueError(f"a {self.kind} metric needs `{field_name}`")
            if present and field_name not in allowed:
                raise ValueError(f"a {self.kind} metric takes no `{field_name}`")
        if self.interval is not None and self.interval not in _ALLOWED_INTERVALS[self.kind]:
            options = ", ".join(sorted(_ALLOWED_INTERVALS[self.kind]))
            raise ValueError(
                f"interval {self.interval!r} does not apply to a {self.kind} metric; "
                f"use one of {options}"
            )
        self._check_subset_measures()
        if len(set(self.dimensions)) != len(self.dimensions):
            raise ValueError("`dimensions` lists a column twice")
        return self

    def _check_subset_measures(self) -> None:
        if self.kind == "survey_proportion":
            for measure in (self.numerator, self.denominator):
                if measure is not None and measure.aggregate != "count":
                    raise ValueError("a survey_proportion counts respondents (weighted): no sum")
        if self.kind in {"proportion", "window_proportion", "relative_rate"}:
            numerator, denominator = self.numerator, self.denominator
            for role, measure in (("numerator", numerator), ("denominator", denominator)):
                if measure is not None and measure.sum is not None:
                    raise ValueError(
                        f"the {role} of a {self.kind} counts units; `sum` makes it a ratio "
                        "(use kind: ratio)"
                    )
            if self.kind == "window_proportion":
                for role, measure in (("numerator", numerator), ("denominator", denominator)):
                    if measure is not None and measure.count_distinct is not None:
                        raise ValueError(f"the {role} of a window_proportion counts rows")
            elif (
                numerator is not None
                and denominator is not None
                and numerator.count_distinct != denominator.count_distinct
            ):
                raise ValueError(
                    "the numerator of a proportion must count the same units as the "
                    "denominator (the same `count_distinct` column, or rows in both)"
                )
        if self.kind == "count" and self.numerator is not None and self.numerator.sum:
            raise ValueError("a count metric counts rows or distinct values; use `ratio`")

    @property
    def interval_method(self) -> str:
        """The interval used: the one declared, or the default for the kind."""
        return self.interval if self.interval is not None else DEFAULT_INTERVALS[self.kind]

    @property
    def version_tuple(self) -> tuple[int, int, int]:
        """``(major, minor, patch)``."""
        major, minor, patch = (int(part) for part in self.version.split("."))
        return major, minor, patch


def json_schema() -> dict[str, object]:
    """The JSON Schema of one metric document, for editor completion (YAML language server).

    Examples
    --------
    >>> schema = json_schema()
    >>> schema["title"], schema["additionalProperties"]
    ('MetricDefinition', False)
    """
    schema = MetricDefinition.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema
