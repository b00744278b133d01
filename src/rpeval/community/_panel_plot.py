"""The picture of an area × period panel: the outcome rate over time by adoption cohort."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from rpeval._plots import OKABE_ITO, PALETTE

if TYPE_CHECKING:
    from rpeval.community.panel import AreaPanel

__all__ = ["plot_panel"]


def plot_panel(panel: AreaPanel, ax: Any = None) -> Any:
    """One line per adoption cohort (outcome summed over its areas divided by their
    exposure, per period; the never-treated in black) and a dotted line where each cohort
    adopts."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4))
    x = np.arange(panel.n_periods)
    cohorts = sorted(set(panel.adoption.tolist()), key=lambda g: (g < 0, g))
    for index, code in enumerate(cohorts):
        keep = panel.adoption == code
        with np.errstate(divide="ignore", invalid="ignore"):
            rate = panel.outcome[keep].sum(axis=0) / panel.exposure[keep].sum(axis=0)
        never = code < 0
        colour = OKABE_ITO["black"] if never else PALETTE[index % len(PALETTE)]
        label = "never adopted" if never else f"adopted {panel.periods[code]}"
        ax.plot(x, rate, color=colour, label=f"{label} ({int(keep.sum())} areas)")
        if not never:
            ax.axvline(code, color=colour, linestyle=":", linewidth=1)
    ticks = np.unique(np.linspace(0, panel.n_periods - 1, min(panel.n_periods, 8)).astype(int))
    ax.set_xticks(ticks, [str(panel.periods[t]) for t in ticks])
    what = "outcome per unit of exposure" if panel.kind == "count" else "mean outcome"
    ax.set_ylabel(what)
    ax.set_xlabel("period")
    ax.legend(frameon=False, fontsize="small")
    return ax
