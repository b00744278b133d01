"""Plot pieces shared by the pillars: the Okabe–Ito palette and an interval (forest) plot.

matplotlib is imported inside the functions; every function takes and returns ``ax``.

Examples
--------
>>> OKABE_ITO["blue"]
'#0072B2'
>>> ax = interval_plot(["a", "b"], [1.0, 2.0], [0.5, 1.5], [1.5, 2.5], xlabel="mean")
>>> {t.get_text(): float(t.get_position()[1]) for t in ax.get_yticklabels()}  # a on top
{'a': 1.0, 'b': 0.0}
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["OKABE_ITO", "PALETTE", "interval_plot"]

#: Okabe & Ito (2008) colours, readable with every common colour-vision deficiency.
OKABE_ITO: Final = {
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "green": "#009E73",
    "purple": "#CC79A7",
    "orange": "#E69F00",
    "sky": "#56B4E9",
    "yellow": "#F0E442",
    "black": "#000000",
}
#: The order in which series take colours.
PALETTE: Final = tuple(
    OKABE_ITO[name] for name in ("blue", "orange", "green", "purple", "sky", "vermillion")
)


def interval_plot(
    labels: Sequence[str],
    estimate: ArrayLike,
    lower: ArrayLike,
    upper: ArrayLike,
    *,
    xlabel: str,
    reference: float | None = None,
    log: bool = False,
    ax: Any = None,
) -> Any:
    """Estimates with their intervals, one row per label (the first at the top); a dashed
    line at ``reference`` (e.g. 0 for differences, 1 for ratios, with ``log=True``)."""
    import matplotlib.pyplot as plt

    est = np.asarray(estimate, dtype=np.float64)
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 0.35 * len(est) + 1.2))
    y = np.arange(len(est))[::-1]
    err = np.vstack(
        [est - np.asarray(lower, dtype=np.float64), np.asarray(upper, dtype=np.float64) - est]
    )
    if reference is not None:
        ax.axvline(reference, color=OKABE_ITO["black"], linestyle="--", linewidth=0.8)
    ax.errorbar(est, y, xerr=err, fmt="o", color=OKABE_ITO["blue"], capsize=3)
    ax.set_yticks(y, [str(label) for label in labels])
    if log:
        ax.set_xscale("log")
    ax.set_xlabel(xlabel)
    return ax
