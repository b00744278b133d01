"""Love plots and propensity-score distributions (matplotlib imported when plotting)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

if TYPE_CHECKING:
    from rpeval.matching.balance import BalanceTable

__all__ = ["love_plot", "one_row_per_binary", "propensity_plot"]

BEFORE, AFTER = "#D55E00", "#0072B2"  # Okabe–Ito vermillion and blue
SMD_LINE = 0.1  # the usual threshold of an absolute standardised mean difference


def one_row_per_binary(summary: pd.DataFrame) -> pd.DataFrame:
    """The balance rows without the second level of a two-level factor (``sex_male``
    beside ``sex_female``: the same variable, with the SMD's sign flipped).

    Two binary terms are one variable when their names share a prefix ending in ``_`` and
    their shares sum to 1 in both groups before adjustment.
    """
    binary = np.flatnonzero((summary["kind"] == "binary").to_numpy())
    terms = [str(t) for t in summary["term"]]
    treated = summary["means_treated_before"].to_numpy(np.float64)
    control = summary["means_control_before"].to_numpy(np.float64)
    drop: set[int] = set()
    for a, first in enumerate(binary):
        for second in binary[a + 1 :]:
            if first in drop or not _same_prefix(terms[first], terms[second]):
                continue
            if abs(treated[first] + treated[second] - 1.0) < 1e-9 and (
                abs(control[first] + control[second] - 1.0) < 1e-9
            ):
                drop.add(int(second))
    keep = [k for k in range(len(summary)) if k not in drop]
    return summary.iloc[keep]


def _same_prefix(a: str, b: str) -> bool:
    """Whether two dummy names share a factor's prefix (``sex_`` of ``sex_female``)."""
    common = 0
    while common < min(len(a), len(b)) and a[common] == b[common]:
        common += 1
    return a[:common].rfind("_") > 0


def love_plot(table: BalanceTable, ax: Any = None, *, threshold: float = SMD_LINE) -> Any:
    """Absolute standardised mean differences before and after, sorted by the unadjusted
    SMD (largest at the top), one row per binary variable, with the threshold line
    labelled."""
    import matplotlib.pyplot as plt

    summary = one_row_per_binary(table.summary())
    order = summary["std_mean_diff_before"].abs().to_numpy().argsort(kind="stable")
    summary = summary.iloc[order]
    if ax is None:
        _, ax = plt.subplots(figsize=(6.0, 0.3 * len(summary) + 1.2), layout="constrained")
    y = np.arange(len(summary))
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
    ax.axvline(threshold, color="0.3", linestyle="--", linewidth=0.8)
    ax.annotate(
        f"threshold {threshold:g}",
        xy=(threshold, 1.0),
        xycoords=("data", "axes fraction"),
        xytext=(3, -2),
        textcoords="offset points",
        fontsize=8,
        color="0.3",
        va="top",
    )
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
    *,
    labels: Mapping[str, str] | None = None,
    adjusted: str = "matched",
) -> Any:
    """Mirrored histograms of the score: the treated above the axis, the controls below
    (as cobalt's ``bal.plot(..., mirror = TRUE)``), so the groups never overlap and stay
    apart in greyscale. Outlines are all units, filled bars the matched (or weighted)
    ones. ``labels`` names the groups (keys ``"treated"``, ``"control"``)."""
    import matplotlib.pyplot as plt

    names = {"treated": "treated", "control": "control", **(labels or {})}
    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 4.0), layout="constrained")
    if score is None:
        ax.text(0.5, 0.5, "no scalar distance (Mahalanobis matching)", ha="center")
        return ax
    bins = np.linspace(float(score.min()), float(score.max()), 31)
    width = bins[1] - bins[0]
    for group, colour, sign, key, hatch in (
        (is_treated, AFTER, 1.0, "treated", None),
        (~is_treated, BEFORE, -1.0, "control", "///"),
    ):
        everyone, _ = np.histogram(score[group], bins=bins, density=True)
        kept = group & (weights > 0)
        if kept.any():
            chosen, _ = np.histogram(score[kept], bins=bins, weights=weights[kept], density=True)
            ax.bar(
                bins[:-1],
                sign * chosen,
                width=width,
                align="edge",
                color=colour,
                alpha=0.55,
                hatch=hatch,
                edgecolor="white",
                linewidth=0.3,
                label=f"{names[key]}, {adjusted}",
            )
        ax.stairs(sign * everyone, bins, color="black", linewidth=0.9, label=f"{names[key]}, all")
    ax.axhline(0.0, color="black", linewidth=0.6)
    top = float(np.max(np.abs(ax.get_ylim())))
    ax.set_ylim(-top, top)
    ax.set_yticks(ax.get_yticks(), labels=[f"{abs(t):g}" for t in ax.get_yticks()])
    ax.set_ylim(-top, top)
    ax.text(0.01, 0.98, names["treated"], transform=ax.transAxes, va="top", fontsize=9)
    ax.text(0.01, 0.02, names["control"], transform=ax.transAxes, va="bottom", fontsize=9)
    ax.set_xlabel("Propensity score")
    ax.set_ylabel("Density")
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(frameon=False, fontsize=8, loc="upper right")
    return ax
