"""Small counts the report's statistical tables would otherwise give away.

A share of a binary covariate published beside the group's size is a count (3 Hispanic
participants of 200 is 0.015), and a sign test's statistic and p-value are counts of pairs.
These helpers blank such cells when the count is between 1 and ``k - 1``, as the metrics
and the cohort flow are suppressed.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

__all__ = ["small_pair_counts_hidden", "small_shares_hidden"]

_SIDES = {
    "before": ("means_treated_before", "means_control_before"),
    "after": ("means_treated_after", "means_control_after"),
}


def _small(count: float, k: int) -> bool:
    return 0 < count < k


def small_shares_hidden(
    frame: pd.DataFrame, sizes: dict[str, tuple[int, int]], k: int
) -> pd.DataFrame:
    """The balance table with the mean of a binary term blanked where it and the group's
    size imply fewer than ``k`` people with (or without) it.

    Examples
    --------
    >>> table = pd.DataFrame({"term": ["hispanic"], "kind": ["binary"],
    ...                       "means_treated_before": [0.015], "means_control_before": [0.2]})
    >>> small_shares_hidden(table, {"before": (200, 1000)}, 10)["means_treated_before"].tolist()
    [None]
    """
    shown = frame.astype({c: object for cols in _SIDES.values() for c in cols if c in frame})
    binary = frame["kind"] == "binary" if "kind" in frame else frame["term"].map(lambda _: False)
    for side, columns in _SIDES.items():
        if side not in sizes:
            continue
        for column, size in zip(columns, sizes[side], strict=True):
            if column not in frame:
                continue
            count = (frame[column].astype(float) * size).round()
            hide = binary & (
                count.map(lambda c: _small(c, k)) | (size - count).map(lambda c: _small(c, k))
            )
            shown.loc[hide, column] = None
    return shown


def small_pair_counts_hidden(bounds: Any, k: int) -> pd.DataFrame | None:
    """Rosenbaum bounds, or ``None`` (not shown) when the pairs they count are fewer than
    ``k`` (their statistic and p-values would give the counts away)."""
    if bounds is None:
        return None
    counts: list[float] = []
    for column in ("n_pairs", "statistic"):
        if column in bounds:
            counts.extend(float(v) for v in bounds[column].dropna())
    if "n_pairs" in bounds and "statistic" in bounds:
        rest = (bounds["n_pairs"] - bounds["statistic"]).dropna()
        counts.extend(float(v) for v in rest)
    if any(_small(c, k) for c in counts):
        return None
    frame: pd.DataFrame = bounds
    return frame
