"""Drawing a :class:`~rpeval.metrics.control_charts.ControlChart` (Okabe–Ito colours).

Points are joined by a line; the centre is a solid line, the limits dashed steps (they vary
with the denominator); the baseline periods sit on a light band; points where a rule fired
are larger, filled vermillion diamonds, so the signal does not rest on colour alone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

import numpy as np

from rpeval._plots import OKABE_ITO

if TYPE_CHECKING:
    from rpeval.metrics.control_charts import ControlChart

__all__ = ["plot_chart"]

BLUE: Final = OKABE_ITO["blue"]
VERMILLION: Final = OKABE_ITO["vermillion"]
GREY: Final = "#999999"
BLACK: Final = "#000000"


def _ticks(labels: list[str], most: int = 12) -> list[int]:
    step = max(1, int(np.ceil(len(labels) / most)))
    return list(range(0, len(labels), step))


def plot_chart(chart: ControlChart, ax: Any = None, *, title: str | None = None) -> Any:
    """Draw `chart` on `ax` (a new figure when None) and return the axes."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(8.0, 3.6), layout="constrained")
    points = chart.points
    labels = points["period"].astype(str).tolist()
    x = np.arange(len(points))
    value = points["value"].to_numpy(float)
    base = np.flatnonzero(points["baseline"].to_numpy(bool))
    if base.size:
        ax.axvspan(base[0] - 0.5, base[-1] + 0.5, color="#F0F0F0", zorder=0, label="baseline")
    ax.plot(x, value, color=BLUE, marker="o", markersize=4, linewidth=1.2, label="value")
    ax.axhline(chart.center, color=BLACK, linewidth=1.0, label=f"centre {chart.center:.3g}")
    for column, name in (("ucl", "control limits"), ("lcl", None)):
        ax.step(
            x,
            points[column].to_numpy(float),
            where="mid",
            color=VERMILLION,
            linestyle="--",
            linewidth=1.0,
            label=name,
        )
    signal = points["signal"].to_numpy(bool)
    if signal.any():
        ax.plot(
            x[signal],
            value[signal],
            linestyle="none",
            marker="D",
            markersize=8,
            color=VERMILLION,
            markeredgecolor=BLACK,
            label="rule fired",
            zorder=3,
        )
    ticks = _ticks(labels)
    ax.set_xticks(ticks)
    ax.set_xticklabels([labels[i] for i in ticks], rotation=45, ha="right")
    ax.set_xlim(-0.5, len(points) - 0.5)
    ax.set_xlabel("period")
    ax.set_ylabel(chart.metric or "value")
    from rpeval.metrics.control_charts import CHART_KINDS

    ax.set_title(title or f"{CHART_KINDS[chart.kind]}: {chart.metric or 'series'}")
    # outside the axes, so it never hides a point
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small", frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return ax
