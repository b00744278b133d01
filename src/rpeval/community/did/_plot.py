"""Event-study and aggregate plots (matplotlib imported inside, Okabe-Ito colours)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from rpeval._plots import OKABE_ITO

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from rpeval.community.did._results import AggregateResult

__all__ = ["plot_aggregate"]

_BEFORE = OKABE_ITO["blue"]
_AFTER = OKABE_ITO["vermillion"]


def plot_aggregate(result: AggregateResult, ax: Axes | None = None) -> Axes:
    """Points with their band per level; pre-adoption event times in blue."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 3.8))
    frame = result.summary().iloc[1:]
    x = np.arange(len(frame)) if result.kind != "dynamic" else frame["level"].to_numpy(float)
    after = np.ones(len(frame), dtype=bool)
    if result.kind == "dynamic":
        after = x >= 0
    for mask, colour, label in ((~after, _BEFORE, "before adoption"), (after, _AFTER, "after")):
        if not mask.any():
            continue
        est = frame["estimate"].to_numpy(float)[mask]
        low = frame["ci_lower"].to_numpy(float)[mask]
        high = frame["ci_upper"].to_numpy(float)[mask]
        ax.errorbar(x[mask], est, yerr=[est - low, high - est], fmt="o", color=colour,
                    capsize=3, label=label)  # fmt: skip
    ax.axhline(0.0, color="#555555", linewidth=0.8)
    if result.kind == "dynamic":
        ax.axvline(-0.5, color="#999999", linewidth=0.8, linestyle="--")
        ax.set_xlabel("periods since adoption")
    else:
        ax.set_xticks(x, [str(v) for v in frame["level"]])
        ax.set_xlabel(result.kind)
    band = "uniform" if result.inference.uniform else "pointwise"
    ax.set_ylabel(f"ATT ({100 * result.conf_level:g}% {band})")
    ax.legend(frameon=False)
    return ax
