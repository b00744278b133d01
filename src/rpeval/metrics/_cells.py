"""From aggregated cells to published rows: values, intervals, notes and suppression.

What a table publishes must not give away a count below the threshold ``k``, directly or
by arithmetic (see :mod:`rpeval.metrics.suppression` for the totals):

- a cell is hidden when any count it would publish — the numerator or denominator when
  they count rows (people, cases), or the rows behind a ratio — is in ``1..k-1``; a hidden
  cell publishes no number at all (numerator, denominator, value, interval), so no value
  times a denominator gives its numerator back;
- the relative rate's reference group: its rate divides every value, so when either of its
  counts is in ``1..k-1`` no value is published, and its counts appear in the notes only
  when both are at least ``k``;
- the people left out of a window's denominator are counted in a note only when that count
  passes the same primary and complementary suppression as the cells.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

from rpeval.metrics._compute import CellAggregates
from rpeval.metrics.intervals import (
    Interval,
    RatioSums,
    mean_interval,
    poisson_rate_interval,
    proportion_interval,
    ratio_interval,
    relative_rate_interval,
    robust_rate_interval,
)
from rpeval.metrics.schema import Measure, MetricDefinition
from rpeval.metrics.suppression import suppress_cells

__all__ = ["publish_cells"]

_NONE = Interval(None, None)


def _interval(definition: MetricDefinition, row: Mapping[str, Any], conf_level: float) -> Interval:
    method = definition.interval_method
    if definition.design is not None:
        from rpeval.metrics._survey_kinds import survey_interval

        return survey_interval(definition, row, conf_level)
    numerator, denominator = float(row["numerator"]), float(row["denominator"])
    if method == "none":
        return _NONE
    if method in {"wilson", "clopper-pearson", "jeffreys"}:
        return proportion_interval(numerator, denominator, method=method, conf_level=conf_level)
    if method == "poisson-exact":
        exposure = 1.0 if definition.kind == "count" else denominator
        return poisson_rate_interval(numerator, exposure, conf_level=conf_level)
    if method == "katz-log":
        return relative_rate_interval(
            numerator,
            denominator,
            float(row["reference_numerator"]),
            float(row["reference_denominator"]),
            conf_level=conf_level,
        )
    if method == "t":
        std = float(row["std"])
        mean = numerator / denominator
        return mean_interval(
            mean, std if math.isfinite(std) else None, denominator, conf_level=conf_level
        )
    if "rows" not in row:
        return _NONE
    sums = RatioSums(
        x=numerator,
        y=denominator,
        xx=float(row["xx"]),
        yy=float(row["yy"]),
        xy=float(row["xy"]),
        rows=float(row["rows"]),
    )
    if method == "poisson-robust":
        return robust_rate_interval(sums, conf_level=conf_level)
    return ratio_interval(sums, conf_level=conf_level)


def _relative_rate(row: Mapping[str, Any], notes: list[str], k: int) -> float | None:
    reference_events = float(row["reference_numerator"])
    reference_total = float(row["reference_denominator"])
    if reference_events == 0 or reference_total == 0:
        notes.append("the reference group's rate is 0 or undefined: no value")
        return None
    if _small(reference_events, k) or _small(reference_total, k):
        return None  # every value would give the small count away; said in _suppress
    rate = float(row["numerator"]) / float(row["denominator"])
    reference_rate = reference_events / reference_total
    notes.append(
        f"reference rate {reference_rate:.4f} ({int(reference_events)} / {int(reference_total)})"
    )
    return rate / reference_rate


def _small(count: float, k: int) -> bool:
    return 0 < count < k


def _reference_is_small(definition: MetricDefinition, cells: CellAggregates, k: int) -> bool:
    if definition.kind != "relative_rate" or cells.frame.empty:
        return False
    first = cells.frame.iloc[0]
    return _small(float(first["reference_numerator"]), k) or _small(
        float(first["reference_denominator"]), k
    )


def _counts_published(definition: MetricDefinition) -> tuple[bool, bool]:
    """Whether the published numerator and denominator count rows (people, cases...)."""

    def counts(measure: Measure | None) -> bool:
        return measure is not None and measure.aggregate in {"count", "count_distinct"}

    if definition.design is not None:  # weighted sums; cell_count holds the respondents
        return False, False
    if definition.kind == "window_proportion":
        return True, True
    if definition.kind == "mean":
        return False, True
    if definition.kind == "rate":
        return counts(definition.numerator), False
    return counts(definition.numerator), counts(definition.denominator)


def _window_text(definition: MetricDefinition) -> str:
    assert definition.window is not None
    return f"without {definition.window.within} of follow-up excluded from the denominator"


def publish_cells(
    definition: MetricDefinition,
    cells: CellAggregates,
    *,
    conf_level: float,
    suppress_below: int,
) -> pd.DataFrame:
    """One published row per cell, with the by columns first."""
    k = suppress_below
    rows: list[dict[str, object]] = []
    names = list(cells.frame.columns)
    # the rows of the frame's common-type matrix, the values ``iterrows`` gives
    for values in cells.frame.to_numpy():
        row = dict(zip(names, values, strict=True))
        numerator = float(row["numerator"])
        denominator = float(row["denominator"])
        notes: list[str] = []
        value: float | None
        if definition.kind == "count":
            value = numerator
        elif denominator == 0:
            value = None
            notes.append("denominator is 0: no value")
        elif definition.kind == "relative_rate":
            value = _relative_rate(row, notes, k)
        else:
            value = numerator / denominator
        interval = _interval(definition, row, conf_level) if value is not None else _NONE
        record: dict[str, object] = {column: row[column] for column in cells.by}
        record.update(
            numerator=numerator,
            denominator=None if math.isnan(denominator) else denominator,
            value=value,
            ci_lower=interval.low,
            ci_upper=interval.high,
            cell_count=float(row["cell_count"]),
            excluded=float(row.get("excluded", 0.0)),
            notes=notes,
        )
        rows.append(record)
    return _suppress(rows, cells.by, definition, _reference_is_small(definition, cells, k), k)


def _suppress(
    rows: list[dict[str, object]],
    by: tuple[str, ...],
    definition: MetricDefinition,
    reference_small: bool,
    k: int,
) -> pd.DataFrame:
    numerator_counts, denominator_counts = _counts_published(definition)

    def small_count(row: dict[str, object]) -> bool:
        numerator, denominator = row["numerator"], row["denominator"]
        both = numerator_counts and denominator_counts and denominator is not None
        return (
            (numerator_counts and _small(float(numerator), k))  # type: ignore[arg-type]
            or (denominator_counts and denominator is not None and _small(float(denominator), k))  # type: ignore[arg-type]
            # the complement (the 3 without an agreement among 100) is a count too
            or (both and _small(float(denominator) - float(numerator), k))  # type: ignore[arg-type]
        )

    counts = [float(r["cell_count"]) for r in rows]  # type: ignore[arg-type]
    keys = [tuple(r[c] for c in by) for r in rows]
    eligible = [r["denominator"] != 0 for r in rows]
    decision = suppress_cells(
        counts, suppress_below=k, keys=keys, eligible=eligible, force=[small_count(r) for r in rows]
    )
    hidden = decision.hidden
    excluded = [float(r.pop("excluded")) for r in rows]  # type: ignore[arg-type]
    window = suppress_cells(
        excluded, suppress_below=k, keys=keys, eligible=[e > 0 for e in excluded], force=hidden
    ).hidden
    for index, row in enumerate(rows):
        notes = row.pop("notes")
        assert isinstance(notes, list)
        row.pop("cell_count")
        if decision.primary[index]:
            notes.insert(0, f"suppressed: count below {k}")
        elif decision.complementary[index]:
            notes.insert(0, "suppressed to protect a small cell (complementary)")
        elif reference_small:
            notes.insert(
                0,
                f"suppressed: the reference group's count is below {k}, and every relative "
                "rate would give it away",
            )
        if definition.window is not None and window[index]:
            notes.append(f"the count {_window_text(definition)} is suppressed")
        elif definition.window is not None and excluded[index] > 0:
            notes.append(f"{int(excluded[index])} {_window_text(definition)}")
        if hidden[index]:
            row.update(numerator=None, denominator=None, value=None, ci_lower=None, ci_upper=None)
        elif reference_small:
            row.update(value=None, ci_lower=None, ci_upper=None)
        row["suppressed"] = hidden[index] or reference_small
        row["note"] = "; ".join(notes) if notes else None
    columns = [
        *by,
        "numerator",
        "denominator",
        "value",
        "ci_lower",
        "ci_upper",
        "suppressed",
        "note",
    ]
    return pd.DataFrame(rows, columns=columns)
