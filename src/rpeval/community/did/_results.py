"""Result objects of staggered difference-in-differences (group-time and aggregated)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from rpeval._display import Display, Displayed
from rpeval._json import records
from rpeval.community.did._cells import Cell
from rpeval.community.did._inference import Inference, Options

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["AggregateResult", "GroupTimeResult"]

FloatArray = NDArray[np.float64]

_KIND_LEVEL = {"dynamic": "event_time", "group": "group", "calendar": "time", "simple": "overall"}


def _label(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def _band_note(inference: Inference, conf_level: float, n_boot: int) -> str:
    level = f"{100 * conf_level:g}%"
    if inference.uniform:
        return (
            f"{level} uniform band from {n_boot} multiplier-bootstrap draws clustered by area "
            f"(critical value {inference.crit_val:.3f})"
        )
    return f"{level} pointwise intervals, analytical standard errors"


@dataclass(frozen=True, eq=False, repr=False)
class GroupTimeResult(Displayed):
    """Group-time average treatment effects ATT(g, t) with their influence functions.

    ``influence`` is ``(n_areas, n_cells)``; ``adoption`` holds each kept area's
    adoption position (-1 never); ``skipped`` lists cells with no comparison area.
    With the bootstrap, ``draws`` holds the ``(n_boot, n_cells)`` multiplier draws and
    ``cohort_draws`` the ``(n_boot, n_cohorts)`` multiplier sums by adoption cohort
    (cohorts in sorted order of adoption, never first), reused by the aggregations.
    ``n_dropped`` counts the rows left out for missing values (``missing="drop"``),
    ``n_dropped_areas`` the areas adopting too early to have a base period.
    """

    cells: tuple[Cell, ...]
    periods: tuple[Any, ...]
    att: FloatArray
    influence: FloatArray
    inference: Inference
    n_treated: NDArray[np.int64]
    n_control: NDArray[np.int64]
    adoption: NDArray[np.int64]
    options: Options
    skipped: tuple[Cell, ...]
    n_dropped_areas: int
    draws: FloatArray | None = None
    cohort_draws: FloatArray | None = None
    n_dropped: int = 0

    @property
    def conf_level(self) -> float:
        """Confidence level of the intervals."""
        return self.options.conf_level

    def summary(self) -> pd.DataFrame:
        """One row per cell: group, time, event_time, post, estimate, std_error,
        ci_lower, ci_upper, n_treated, n_control."""
        se = self.inference.std_error
        half = self.inference.crit_val * se
        return pd.DataFrame(
            {
                "group": [_label(self.periods[c.group]) for c in self.cells],
                "time": [_label(self.periods[c.time]) for c in self.cells],
                "event_time": [c.time - c.group for c in self.cells],
                "post": [c.post for c in self.cells],
                "estimate": self.att,
                "std_error": se,
                "ci_lower": self.att - half,
                "ci_upper": self.att + half,
                "n_treated": self.n_treated,
                "n_control": self.n_control,
            }
        )

    def aggregate(self, kind: str = "dynamic") -> AggregateResult:
        """Aggregate to ``"simple"``, ``"dynamic"`` (event study), ``"group"`` or
        ``"calendar"`` effects; see :func:`rpeval.community.did.aggregate`."""
        from rpeval.community.did.aggregate import aggregate

        return aggregate(self, kind)

    def plot(self, ax: Axes | None = None) -> Axes:
        """Event-study plot of the dynamic aggregation."""
        return self.aggregate("dynamic").plot(ax=ax)

    def _notes(self) -> tuple[str, ...]:
        notes = [_band_note(self.inference, self.conf_level, self.options.n_boot)]
        if self.n_dropped:
            notes.append(f"{self.n_dropped} rows with missing values left out")
        if self.n_dropped_areas:
            notes.append(f"{self.n_dropped_areas} areas adopting with no base period dropped")
        if self.skipped:
            shown = ", ".join(
                f"({self.periods[c.group]}, {self.periods[c.time]})" for c in self.skipped[:5]
            )
            notes.append(f"{len(self.skipped)} cells had no comparison area: {shown}")
        return tuple(notes)

    def _display(self) -> Display:
        o = self.options
        header = (
            ("n", str(self.influence.shape[0])),
            ("estimator", f"{o.method}, control={o.control}, anticipation={o.anticipation}"),
            ("covariates", ", ".join(o.covariates) or "none"),
        )
        table = self.summary().drop(columns=["n_treated", "n_control"])
        return Display("Group-time ATT (Callaway & Sant'Anna)", header, table, self._notes())

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: options, cells and notes."""
        frame = self.summary()
        frame["group"] = frame["group"].astype(str)
        frame["time"] = frame["time"].astype(str)
        return {
            "options": vars(self.options) | {"covariates": list(self.options.covariates)},
            "n_areas": int(self.influence.shape[0]),
            "crit_val": self.inference.crit_val,
            "uniform": self.inference.uniform,
            "cells": records(frame),
            "n_dropped": self.n_dropped,
            "notes": list(self._notes()),
        }


@dataclass(frozen=True, eq=False, repr=False)
class AggregateResult(Displayed):
    """An aggregation of ATT(g, t): the overall effect and, except for ``"simple"``,
    one effect per event time, group or calendar period (uniform band when bootstrapped)."""

    kind: str
    levels: tuple[Any, ...]
    estimate: FloatArray
    inference: Inference
    overall_estimate: float
    overall_std_error: float
    overall_crit_val: float
    options: Options

    @property
    def conf_level(self) -> float:
        """Confidence level of the intervals."""
        return self.options.conf_level

    def summary(self) -> pd.DataFrame:
        """Columns: term, level, estimate, std_error, ci_lower, ci_upper; the first row
        (term ``"overall"``) is the overall effect."""
        half = self.inference.crit_val * self.inference.std_error
        overall_half = self.overall_crit_val * self.overall_std_error
        name = _KIND_LEVEL[self.kind]
        return pd.DataFrame(
            {
                "term": ["overall"] + [f"{name}={_label(v)}" for v in self.levels],
                "level": pd.Series([None, *(_label(v) for v in self.levels)], dtype=object),
                "estimate": np.r_[self.overall_estimate, self.estimate],
                "std_error": np.r_[self.overall_std_error, self.inference.std_error],
                "ci_lower": np.r_[self.overall_estimate - overall_half, self.estimate - half],
                "ci_upper": np.r_[self.overall_estimate + overall_half, self.estimate + half],
            }
        )

    def plot(self, ax: Axes | None = None) -> Axes:
        """Estimates with their band by level (an event study for ``"dynamic"``)."""
        from rpeval.community.did._plot import plot_aggregate

        return plot_aggregate(self, ax)

    def _display(self) -> Display:
        header = (("aggregation", self.kind), ("estimator", self.options.method))
        note = _band_note(self.inference, self.conf_level, self.options.n_boot)
        return Display("Aggregated ATT (Callaway & Sant'Anna)", header, self.summary(), (note,))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: kind, the summary rows and the band's critical value."""
        frame = self.summary()
        # None (the overall row) stays None: astype(str) would give "None" on pandas 2.2
        frame["level"] = pd.Series(
            [None if v is None else str(v) for v in frame["level"]], dtype=object
        )
        return {
            "kind": self.kind,
            "crit_val": self.inference.crit_val,
            "uniform": self.inference.uniform,
            "rows": records(frame),
        }
