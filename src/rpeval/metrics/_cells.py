"""From aggregated cells to published rows: values, intervals, notes and suppression."""

from __future__ import annotations

import math

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
from rpeval.metrics.schema import MetricDefinition
from rpeval.metrics.suppression import suppress_cells

__all__ = ["publish_cells"]

_NONE = Interval(None, None)


def _interval(definition: MetricDefinition, row: pd.Series, conf_level: float) -> Interval:
    method = definition.interval_method
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
    if "rows" not in row.index:
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


def _relative_rate(row: pd.Series, notes: list[str]) -> float | None:
    reference_events = float(row["reference_numerator"])
    reference_total = float(row["reference_denominator"])
    if reference_events == 0 or reference_total == 0:
        notes.append("the reference group's rate is 0 or undefined: no value")
        return None
    rate = float(row["numerator"]) / float(row["denominator"])
    reference_rate = reference_events / reference_total
    notes.append(
        f"reference rate {reference_rate:.4f} ({int(reference_events)} / {int(reference_total)})"
    )
    return rate / reference_rate


def _window_note(definition: MetricDefinition, excluded: float) -> str | None:
    if definition.window is None or excluded <= 0:
        return None
    return (
        f"{int(excluded)} without {definition.window.within} of follow-up "
        "excluded from the denominator"
    )


def publish_cells(
    definition: MetricDefinition,
    cells: CellAggregates,
    *,
    conf_level: float,
    suppress_below: int,
) -> pd.DataFrame:
    """One published row per cell, with the by columns first."""
    rows: list[dict[str, object]] = []
    for _, row in cells.frame.iterrows():
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
            value = _relative_rate(row, notes)
        else:
            value = numerator / denominator
        interval = _interval(definition, row, conf_level) if value is not None else _NONE
        window_note = _window_note(definition, float(row.get("excluded", 0.0)))
        if window_note:
            notes.append(window_note)
        record: dict[str, object] = {column: row[column] for column in cells.by}
        record.update(
            numerator=numerator,
            denominator=None if math.isnan(denominator) else denominator,
            value=value,
            ci_low=interval.low,
            ci_high=interval.high,
            cell_count=float(row["cell_count"]),
            notes=notes,
        )
        rows.append(record)
    return _suppress(rows, cells.by, suppress_below)


def _suppress(rows: list[dict[str, object]], by: tuple[str, ...], k: int) -> pd.DataFrame:
    counts = [float(r["cell_count"]) for r in rows]  # type: ignore[arg-type]
    keys = [tuple(r[c] for c in by) for r in rows]
    eligible = [r["denominator"] != 0 for r in rows]
    decision = suppress_cells(counts, k=k, keys=keys, eligible=eligible)
    for row, primary, complementary in zip(
        rows, decision.primary, decision.complementary, strict=True
    ):
        notes = row.pop("notes")
        assert isinstance(notes, list)
        row.pop("cell_count")
        hidden = primary or complementary
        if primary:
            notes.insert(0, f"suppressed: count below {k}")
        elif complementary:
            notes.insert(0, "suppressed to protect a small cell (complementary)")
        if hidden:
            row.update(numerator=None, value=None, ci_low=None, ci_high=None)
        row["suppressed"] = hidden
        row["note"] = "; ".join(notes) if notes else None
    columns = [*by, "numerator", "denominator", "value", "ci_low", "ci_high", "suppressed", "note"]
    return pd.DataFrame(rows, columns=columns)
