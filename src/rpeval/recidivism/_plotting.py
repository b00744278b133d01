"""Publication-ready survival plots (matplotlib is imported only when plotting)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from rpeval.recidivism.kaplan_meier import SurvivalCurves

__all__ = ["OKABE_ITO", "plot_survival_curves"]

# Okabe & Ito's colour-blind-safe palette
OKABE_ITO = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")


def _tick_times(curves: SurvivalCurves, times: Sequence[float] | None) -> np.ndarray:
    if times is not None:
        return np.asarray(times, dtype=np.float64)
    end = max(float(c.time.max()) for c in curves.curves.values() if c.time.size)
    return np.linspace(0.0, end, 6).round(0)


def plot_survival_curves(
    curves: SurvivalCurves,
    *,
    ax: Any = None,
    at_risk: bool = True,
    ci: bool = True,
    times: Sequence[float] | None = None,
    xlabel: str = "Time",
) -> Any:
    """Step curves with shaded pointwise CIs and, below the axis, the numbers at risk."""
    import matplotlib.pyplot as plt

    from rpeval.recidivism.kaplan_meier import confidence_limits

    if ax is None:
        _, ax = plt.subplots(figsize=(7.0, 4.8), layout="constrained")
    ticks = _tick_times(curves, times)
    for i, (label, curve) in enumerate(curves.curves.items()):
        colour = OKABE_ITO[i % len(OKABE_ITO)]
        x = np.concatenate([[0.0], curve.time])
        y = np.concatenate([[1.0], curve.survival])
        ax.step(x, y, where="post", color=colour, linewidth=1.8, label=label)
        if ci:
            lower, upper = confidence_limits(
                curve.survival, curve.se_log, curves.conf_level, curves.conf_type
            )
            ax.fill_between(
                x,
                np.concatenate([[1.0], lower]),
                np.concatenate([[1.0], upper]),
                step="post",
                color=colour,
                alpha=0.15,
                linewidth=0,
            )
    ax.set_ylim(0.0, 1.02)
    ax.set_xlim(0.0, float(ticks.max()) if ticks.size else None)
    ax.set_xticks(ticks)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("Proportion not re-arrested")
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y", linewidth=0.4, alpha=0.5)
    if len(curves.curves) > 1:
        ax.legend(frameon=False, loc="lower left")
    if at_risk:
        _at_risk_table(ax, curves, ticks)
    return ax


def _at_risk_table(ax: Any, curves: SurvivalCurves, ticks: np.ndarray) -> None:
    """Numbers at risk at each tick, one row per group, in a strip under the x axis."""
    labels = list(curves.curves)
    height = 0.07 * (len(labels) + 1)
    table = ax.inset_axes((0.0, -0.2 - height, 1.0, height))
    table.set_xlim(ax.get_xlim())
    table.set_ylim(len(labels) - 0.5, -1.0)
    table.set_yticks(range(len(labels)), labels=labels, fontsize=8)
    for row, tick_label in enumerate(table.get_yticklabels()):
        tick_label.set_color(OKABE_ITO[row % len(OKABE_ITO)])
    table.tick_params(left=False, bottom=False, labelbottom=False, pad=18)
    table.spines[:].set_visible(False)
    table.text(
        0.0,
        -1.0,
        "Number at risk",
        fontsize=8,
        fontweight="bold",
        ha="left",
        va="center",
        transform=table.get_yaxis_transform(),
    )
    for row, label in enumerate(labels):
        curve = curves.curves[label]
        position = np.searchsorted(curve.time, ticks, side="left")
        n_rows = np.concatenate([curve.n_rows_risk, [0]])[position]
        for tick, count in zip(ticks, n_rows, strict=True):
            table.text(tick, row, f"{int(count):,}", fontsize=8, ha="center", va="center")
