"""Love plots and propensity-score distributions (matplotlib imported when plotting)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    from rpeval.matching.balance import BalanceTable

__all__ = ["love_plot", "propensity_plot"]

BEFORE, AFTER = "#D55E00", "#0072B2"  # Okabe–Ito vermillion and blue


def love_plot(table: BalanceTable, ax: Any = None) -> Any:
    """Absolute standardised mean differences before and after, with the 0.1 line."""
    import matplotlib.pyplot as plt

    summary = table.summary()
    if ax is None:
        _, ax = plt.subplots(figsize=(6.0, 0.3 * len(summary) + 1.2), layout="constrained")
    y = np.arange(len(summary))[::-1]
    ax.scatter(
        summary["std_mean_diff_before"].abs(), y, color=BEFORE, marker="o", label="before", zorder=3
    )
    if table.after is not None:
        ax.scatter(
            summary["std_mean_diff_after"].abs(),
            y,
            color=AFTER,
            marker="s",
            label="after",
            zorder=3,
        )
    ax.axvline(0.1, color="0.4", linestyle="--", linewidth=0.8)
    ax.set_yticks(y, labels=summary["term"])
    ax.set_xlabel("Absolute standardised mean difference")
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(frameon=False, loc="lower right")
    return ax


def propensity_plot(
    score: NDArray[np.float64] | None,
    is_treated: NDArray[np.bool_],
    weights: NDArray[np.float64],
    ax: Any = None,
) -> Any:
    """Histograms of the score by group, all units and matched units."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 4.0), layout="constrained")
    if score is None:
        ax.text(0.5, 0.5, "no scalar distance (Mahalanobis matching)", ha="center")
        return ax
    bins = np.linspace(float(score.min()), float(score.max()), 31)
    for group, colour, name in ((is_treated, AFTER, "treated"), (~is_treated, BEFORE, "control")):
        ax.hist(
            score[group],
            bins=bins,
            density=True,
            histtype="step",
            color=colour,
            linestyle=":",
            label=f"{name}, all",
        )
        matched = group & (weights > 0)
        ax.hist(
            score[matched],
            bins=bins,
            density=True,
            weights=weights[matched],
            histtype="stepfilled",
            alpha=0.35,
            color=colour,
            label=f"{name}, matched",
        )
    ax.set_xlabel("Propensity score")
    ax.set_ylabel("Density")
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(frameon=False)
    return ax
