"""The ITS picture: observed counts, fitted segments, the counterfactual and its band."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from rpeval._plots import OKABE_ITO

if TYPE_CHECKING:
    from rpeval.community.its.result import ITSResult

__all__ = ["plot_its"]

# Okabe & Ito (2008): distinguishable with every common colour-vision deficiency


def _x(periods: pd.Series) -> Any:
    if len(periods) and isinstance(periods.iloc[0], pd.Period):
        return pd.PeriodIndex(periods.tolist()).to_timestamp()
    return periods.to_numpy()


def plot_its(result: ITSResult, ax: Any = None) -> Any:
    """Draw ``result`` on ``ax`` (a new figure when None) and return the axes."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(7.5, 4.0))
    fitted = result.fitted
    for name, colour in (("comparison", OKABE_ITO["black"]), ("intervention", OKABE_ITO["blue"])):
        rows = fitted[fitted["series"] == name]
        if rows.empty:
            continue
        x, post = _x(rows["period"]), rows["post"].to_numpy(dtype=bool)
        ax.plot(
            x, rows["observed"], "o", ms=3.5, color=colour, alpha=0.7, label=f"{name} (observed)"
        )
        for part in (~post, post):
            ax.plot(x[part], rows["expected"].to_numpy()[part], "-", color=colour, lw=1.8)
        if name != "intervention":
            continue
        ax.plot(
            x[post],
            rows["counterfactual"].to_numpy()[post],
            "--",
            color=OKABE_ITO["vermillion"],
            lw=1.8,
            label="counterfactual (no program)",
        )
        ax.fill_between(
            x[post],
            rows["counterfactual_lower"].to_numpy()[post],
            rows["counterfactual_upper"].to_numpy()[post],
            color=OKABE_ITO["vermillion"],
            alpha=0.18,
            lw=0,
            label=f"{result.conf_level:.0%} band",
        )
        if post.any():
            ax.axvline(x[int(np.argmax(post))], color="0.4", lw=1, ls=":")
    ax.set_xlabel("Period")
    ax.set_ylabel("Count")
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(frameon=False, fontsize=8)
    return ax
