"""Publication-ready Kaplan–Meier plots; matplotlib is imported only when plotting."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from rpeval._inference import z_quantile
from rpeval._plots import OKABE_ITO as COLOURS
from rpeval.recidivism.survival._curve_intervals import confidence_band

if TYPE_CHECKING:
    from rpeval.recidivism.survival.km_result import SurvivalCurves

__all__ = ["CURVE_COLOURS", "group_label", "plot_survival_curves"]

#: The order survival curves take Okabe–Ito colours in (treated and comparison first).
CURVE_COLOURS = tuple(
    COLOURS[name] for name in ("blue", "vermillion", "green", "purple", "orange", "sky", "black")
)
LINE_STYLES = ("-", "--", "-.", ":")  # a second cue, for greyscale print
MAX_AUTO_MARKS = 150  # more censoring marks than this per curve only clutter the plot
FloatArray = NDArray[np.float64]


def group_label(group_column: str | None, value: Any, labels: Mapping[Any, str] | None) -> str:
    """A group's name in a legend or at-risk table: ``labels[value]`` (or
    ``labels[str(value)]``) when given, else ``column = value``.

    >>> group_label("participant", True, {True: "participants"}), group_label("g", 1, None)
    ('participants', 'g = 1')
    """
    if labels:
        for key in (value, str(value)):
            if key in labels:
                return str(labels[key])
    return "All" if group_column is None else f"{group_column} = {value}"


def _label(curves: SurvivalCurves, value: Any, labels: Mapping[Any, str] | None = None) -> str:
    return group_label(curves.group_column, value, labels)


def _ticks(ax: Any, curves: SurvivalCurves, times: Sequence[float] | None) -> FloatArray:
    end = max(float(c.time[-1]) for c in curves.curves)
    if times is not None:
        ticks = np.asarray(times, dtype=np.float64)
        ax.set_xticks(ticks)
    else:
        ax.set_xlim(0.0, end * 1.02)
        ticks = np.asarray(ax.get_xticks(), dtype=np.float64)
        ticks = ticks[(ticks >= 0) & (ticks <= end)]
        ax.set_xticks(ticks)
    ax.set_xlim(0.0, max(end, float(ticks.max()) if ticks.size else end) * 1.02)
    return ticks


def at_risk_text(count: float, suppress_below: int | None) -> str:
    """A number at risk as printed under a plot: counts from 1 to ``suppress_below - 1``
    show as ``<k`` so that a published figure holds no small count.

    Examples
    --------
    >>> at_risk_text(1234, None), at_risk_text(7, 10), at_risk_text(0, 10)
    ('1,234', '<10', '0')
    """
    if suppress_below is not None and 0 < count < suppress_below:
        return f"<{suppress_below}"
    return f"{int(count):,}"


def plot_survival_curves(
    curves: SurvivalCurves,
    *,
    ax: Any = None,
    at_risk: bool = True,
    times: Sequence[float] | None = None,
    ci: bool = True,
    censor_marks: bool | None = None,
    xlabel: str = "Time",
    ylabel: str = "Proportion not re-arrested",
    suppress_below: int | None = None,
    labels: Mapping[Any, str] | None = None,
) -> Any:
    """Step curves with shaded pointwise intervals and, under the axis, the numbers at risk.

    Colours are the Okabe–Ito palette with distinct line styles; censoring times are
    marked with small ticks (by default only when a curve has at most 150 of them). The
    at-risk table counts people (rows), not weights, at each x tick (or at ``times``).
    Returns the Axes.
    """
    import matplotlib.pyplot as plt

    created = ax is None
    if created:
        height = 4.2 + (0.25 * len(curves.groups) + 0.45 if at_risk else 0.0)
        _, ax = plt.subplots(figsize=(7.0, height))
    z = z_quantile(curves.conf_level)
    for k, (value, curve) in enumerate(zip(curves.groups, curves.curves, strict=True)):
        colour = CURVE_COLOURS[k % len(CURVE_COLOURS)]
        style = LINE_STYLES[k % len(LINE_STYLES)]
        x = np.concatenate([[0.0], curve.time])
        y = np.concatenate([[1.0], curve.survival])
        ax.step(
            x,
            y,
            where="post",
            color=colour,
            linestyle=style,
            linewidth=1.6,
            label=_label(curves, value, labels),
        )
        if ci:
            lower, upper = confidence_band(curve.survival, curve.se_log, curves.conf_type, z)
            ax.fill_between(
                x,
                np.concatenate([[1.0], lower]),
                np.concatenate([[1.0], upper]),
                step="post",
                color=colour,
                alpha=0.15,
                linewidth=0,
            )
        censored = (curve.n_censor > 0) & (curve.n_event == 0)
        if censor_marks or (censor_marks is None and censored.sum() <= MAX_AUTO_MARKS):
            ax.plot(
                curve.time[censored],
                curve.survival[censored],
                linestyle="none",
                marker="|",
                markersize=5,
                markeredgewidth=0.9,
                color=colour,
            )
    ax.set_ylim(0.0, 1.03)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.grid(axis="y", linewidth=0.4, alpha=0.4)
    if len(curves.groups) > 1 or curves.group_column is not None:
        ax.legend(frameon=False, loc="lower left")
    ticks = _ticks(ax, curves, times)
    if at_risk:
        _at_risk_table(ax, curves, ticks, suppress_below, labels)
    if created:
        ax.figure.tight_layout()
    return ax


def _at_risk_table(
    ax: Any,
    curves: SurvivalCurves,
    ticks: FloatArray,
    suppress_below: int | None,
    labels: Mapping[Any, str] | None,
) -> None:
    """Rows of people at risk at each tick, drawn under the x axis label."""
    rows = [
        (_label(curves, value, labels), curve.time, curve.rows_at_risk)
        for value, curve in zip(curves.groups, curves.curves, strict=True)
    ]
    draw_at_risk_rows(ax, rows, ticks, suppress_below)


def draw_at_risk_rows(
    ax: Any,
    rows: Sequence[tuple[str, FloatArray, NDArray[Any]]],
    ticks: FloatArray,
    suppress_below: int | None,
) -> None:
    """The "Number at risk" table under the x axis: one row per group, given as its label,
    its curve's times and the numbers at risk there, in the Okabe–Ito colour of its curve."""
    import matplotlib.transforms as transforms

    scale = ax.figure.dpi_scale_trans
    # place rows a fixed number of points below the axis, whatever the figure size
    offset = transforms.ScaledTranslation(0, -2.5 / 72 * 12, scale)
    left = transforms.ScaledTranslation(-0.3, 0, scale)
    line = 12 / 72  # one row per 12 points
    header = transforms.ScaledTranslation(0, -0.05, scale)
    ax.text(
        0.0, 0.0, "Number at risk", transform=ax.transAxes + offset + header + left,
        fontsize=8, fontweight="bold", ha="right", va="top",
    )  # fmt: skip
    for k, (label, time, at_risk) in enumerate(rows):
        shift = transforms.ScaledTranslation(0, -line * (k + 1) - 0.05, scale)
        counts = np.concatenate([at_risk, [0]])[np.searchsorted(time, ticks, side="left")]
        ax.text(
            0.0, 0.0, label, transform=ax.transAxes + offset + shift + left, fontsize=8,
            ha="right", va="top", color=CURVE_COLOURS[k % len(CURVE_COLOURS)],
        )  # fmt: skip
        for tick, count in zip(ticks, counts, strict=True):
            ax.text(
                float(tick), 0.0, at_risk_text(count, suppress_below),
                transform=ax.get_xaxis_transform() + offset + shift, fontsize=8,
                ha="center", va="top", clip_on=False,
            )  # fmt: skip
