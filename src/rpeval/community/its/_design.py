"""The segmented-regression design of an interrupted time series.

Columns (one series): ``intercept``, ``time`` (1, 2, ... n), ``level_change`` (1 from
the interruption on), ``slope_change`` (periods since the interruption, 1 in the first
period after it, 0 before: Wagner et al. 2002, Lopez Bernal et al. 2017) and seasonal
terms. With a comparison series (controlled ITS) the design adds ``intervention`` and
its products with the four trend terms; the effects are then the ``intervention:``
products (the change in the intervention series beyond the comparison's change).

Examples
--------
>>> import numpy as np
>>> d = its_design(np.arange(6), np.zeros(6, dtype=bool), interruption=3,
...                slope_change=True, seasons=None, seasonality=None, harmonics=2,
...                season_length=12)
>>> d.terms
('intercept', 'time', 'level_change', 'slope_change')
>>> d.X[:, 3].tolist()
[0.0, 0.0, 0.0, 1.0, 2.0, 3.0]
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

__all__ = ["ItsDesign", "its_design"]


class ItsDesign(NamedTuple):
    """Design matrix, term names, and which columns hold the effects.

    ``effect_terms`` maps ``"level_change"``/``"slope_change"`` to the column index of
    the effect; ``counterfactual`` zeroes the effect columns (the rows' prediction had
    the program never started).
    """

    X: NDArray[np.float64]
    terms: tuple[str, ...]
    effect_terms: dict[str, int]
    counterfactual: NDArray[np.float64]


def _seasonal(
    seasons: NDArray[np.int64] | None,
    position: NDArray[np.int64],
    seasonality: str | None,
    harmonics: int,
    season_length: int,
) -> tuple[list[NDArray[np.float64]], list[str]]:
    if seasonality is None:
        return [], []
    season = seasons if seasons is not None else position % season_length + 1
    if seasonality == "month":
        present = np.unique(season)
        columns = [(season == s).astype(np.float64) for s in present[1:]]
        return columns, [f"season[{int(s)}]" for s in present[1:]]
    columns, names = [], []
    for k in range(1, harmonics + 1):
        angle = 2.0 * np.pi * k * season / season_length
        columns += [np.sin(angle), np.cos(angle)]
        names += [f"sin{k}", f"cos{k}"]
    return columns, names


def its_design(
    position: NDArray[np.int64],
    intervention: NDArray[np.bool_],
    *,
    interruption: int,
    slope_change: bool,
    seasons: NDArray[np.int64] | None,
    seasonality: str | None,
    harmonics: int,
    season_length: int,
    controlled: bool = False,
) -> ItsDesign:
    """Build the design for rows at ``position`` (0-based period) of each series.

    ``intervention`` marks the rows of the intervention series (all True without a
    comparison series); ``interruption`` is the 0-based position of the first period
    under the program; ``seasons`` the season of each row (1-based, e.g. calendar
    months) or ``None`` for ``position % season_length + 1``.
    """
    time = position.astype(np.float64) + 1.0
    post = (position >= interruption).astype(np.float64)
    since = np.where(position >= interruption, position - interruption + 1.0, 0.0)
    trend = [np.ones(len(position)), time, post] + ([since] if slope_change else [])
    names = ["intercept", "time", "level_change"] + (["slope_change"] if slope_change else [])
    if controlled:
        group = intervention.astype(np.float64)
        trend += [group * column for column in trend]
        names += ["intervention"] + [f"intervention:{n}" for n in names[1:]]
    extra, extra_names = _seasonal(seasons, position, seasonality, harmonics, season_length)
    X = np.column_stack(trend + extra)
    terms = tuple(names + extra_names)
    prefix = "intervention:" if controlled else ""
    effects = {
        name: terms.index(prefix + name)
        for name in ("level_change", "slope_change")
        if prefix + name in terms
    }
    counterfactual = X.copy()
    counterfactual[:, list(effects.values())] = 0.0
    return ItsDesign(X, terms, effects, counterfactual)
