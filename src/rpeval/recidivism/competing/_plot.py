"""Cumulative incidence plots with an at-risk table; matplotlib is imported lazily."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from rpeval._inference import z_quantile
from rpeval.recidivism._plotting import CURVE_COLOURS, LINE_STYLES, draw_at_risk_rows, group_label

if TYPE_CHECKING:
    from rpeval.recidivism.competing.cif_result import CIFResult

__all__ = ["plot_incidence"]

FloatArray = NDArray[np.float64]


def _label(result: CIFResult, value: Any, labels: Mapping[Any, str] | None = None) -> str:
    return group_label(result.group_column, value, labels)


def plot_incidence(
    result: CIFResult,
    *,
    ax: Any,
    kind: str,
    cause: int,
    at_risk: bool,
    times: Sequence[float] | None,
    ci: bool,
    xlabel: str,
    suppress_below: int | None = None,
    labels: Mapping[Any, str] | None = None,
) -> Any:
    """Draw the curves of ``result`` (see :meth:`CIFResult.plot`) and return the Axes."""
    import matplotlib.pyplot as plt

    created = ax is None
    shown = result.groups if kind == "cause" else result.groups[:1]
    if created:
        height = 4.2 + (0.25 * len(shown) + 0.45 if at_risk else 0.0)
        _, ax = plt.subplots(figsize=(7.0, height))
    if kind == "cause":
        _cause_curves(ax, result, cause, ci, labels)
    else:
        _stacked_causes(ax, result)
    ax.set_xlabel(xlabel)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.grid(axis="y", linewidth=0.4, alpha=0.4)
    ax.legend(frameon=False, loc="upper left")
    ticks = _time_axis(ax, result, shown, times)
    if at_risk:
        _at_risk(ax, result, shown, ticks, suppress_below, labels)
    if created:
        ax.figure.tight_layout()
    return ax


def _cause_curves(
    ax: Any, result: CIFResult, cause: int, ci: bool, labels: Mapping[Any, str] | None
) -> None:
    """One step curve of ``cause``'s cumulative incidence per group, with its band."""
    from rpeval.recidivism.competing._aalen_johansen_kernel import incidence_band

    z = z_quantile(result.conf_level)
    for g, (value, curve) in enumerate(zip(result.groups, result.curves, strict=True)):
        colour = CURVE_COLOURS[g % len(CURVE_COLOURS)]
        x = np.concatenate([[0.0], curve.time])
        y = np.concatenate([[0.0], curve.incidence[:, cause]])
        ax.step(
            x,
            y,
            where="post",
            color=colour,
            linestyle=LINE_STYLES[g % 4],
            linewidth=1.6,
            label=_label(result, value, labels),
        )
        if ci:
            se = np.sqrt(curve.variance[:, cause])
            lower, upper = incidence_band(curve.incidence[:, cause], se, result.conf_type, z)
            ax.fill_between(
                x,
                np.concatenate([[0.0], lower]),
                np.concatenate([[0.0], upper]),
                step="post",
                color=colour,
                alpha=0.15,
                linewidth=0,
            )
    ax.set_ylabel(f"Cumulative incidence of cause {result.causes[cause]}")
    ax.set_ylim(
        0.0, min(1.0, 1.1 * max(float(np.nanmax(c.incidence)) for c in result.curves)) or 1.0
    )


def _stacked_causes(ax: Any, result: CIFResult) -> None:
    """The first group's incidence of every cause and its event-free share, stacked."""
    curve = result.curves[0]
    x = np.concatenate([[0.0], curve.time])
    layers = [np.concatenate([[0.0], curve.incidence[:, k]]) for k in range(len(result.causes))]
    layers.append(np.concatenate([[1.0], curve.survival]))
    names = [f"cause {c}" for c in result.causes] + ["event-free"]
    colours = [CURVE_COLOURS[k % len(CURVE_COLOURS)] for k in range(len(layers) - 1)] + ["#DDDDDD"]
    ax.stackplot(x, *layers, labels=names, colors=colours, step="post", alpha=0.85)
    ax.set_ylim(0.0, 1.0)
    ax.set_ylabel("Probability")


def _time_axis(
    ax: Any, result: CIFResult, shown: tuple[Any, ...], times: Sequence[float] | None
) -> FloatArray:
    """Set the time axis (``times`` as ticks, or matplotlib's up to the last time shown)
    and return its ticks."""
    end = max(float(result.curves[k].time[-1]) for k in range(len(shown)))
    if times is not None:
        ticks = np.asarray(times, dtype=np.float64)
        ax.set_xticks(ticks)
        ax.set_xlim(0.0, max(end, float(ticks.max())) * 1.02)
    else:
        ax.set_xlim(0.0, end * 1.02)
        ticks = np.asarray(ax.get_xticks(), dtype=np.float64)
        ticks = ticks[(ticks >= 0) & (ticks <= end)]
        ax.set_xticks(ticks)
        ax.set_xlim(0.0, end * 1.02)
    return ticks


def _at_risk(
    ax: Any,
    result: CIFResult,
    shown: tuple[Any, ...],
    ticks: FloatArray,
    suppress_below: int | None,
    labels: Mapping[Any, str] | None = None,
) -> None:
    """Numbers still at risk (any cause) at each tick, one row per group under the axis."""
    rows = [
        (_label(result, value, labels), result.curves[g].time, result.curves[g].rows_at_risk)
        for g, value in enumerate(shown)
    ]
    draw_at_risk_rows(ax, rows, ticks, suppress_below)
