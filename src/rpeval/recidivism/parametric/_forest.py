"""A forest plot of ratios with intervals (time ratios, hazard ratios); matplotlib lazily."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from rpeval._plots import OKABE_ITO

__all__ = ["forest_plot"]

FloatArray = NDArray[np.float64]
_COLOUR = OKABE_ITO["blue"]  # as the survival plots


def forest_plot(
    labels: Sequence[str],
    estimate: FloatArray,
    lower: FloatArray,
    upper: FloatArray,
    *,
    ax: Any = None,
    xlabel: str,
) -> Any:
    """Points with horizontal interval bars on a log x axis and a reference line at 1."""
    import matplotlib.pyplot as plt

    created = ax is None
    if created:
        _, ax = plt.subplots(figsize=(6.0, 0.9 + 0.35 * len(labels)))
    y = np.arange(len(labels))[::-1]
    ax.errorbar(
        estimate,
        y,
        xerr=np.vstack([estimate - lower, upper - estimate]),
        fmt="o",
        color=_COLOUR,
        ecolor=_COLOUR,
        capsize=3,
        markersize=5,
    )
    ax.axvline(1.0, color="0.4", linewidth=0.8, linestyle="--")
    ax.set_xscale("log")
    ax.set_yticks(y)
    ax.set_yticklabels(list(labels))
    ax.set_xlabel(xlabel)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    if created:
        ax.figure.tight_layout()
    return ax
