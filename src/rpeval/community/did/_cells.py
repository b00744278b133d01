"""Which (group, period) cells Callaway & Sant'Anna estimate, and who is compared.

Positions are indices into the panel's periods. A cell compares the areas that
adopted in period ``group`` with the comparison areas between a base period and the
current period ``time``. With ``"varying"`` base periods (R ``did``'s default) a
pre-adoption cell compares ``time`` with ``time - 1``; a post-adoption cell (``time >=
group``) compares with the last period before anticipation, ``group - 1 - anticipation``.

Examples
--------
>>> import numpy as np
>>> cells = plan_cells(np.array([2, 2, 3, -1]), n_periods=4, anticipation=0)
>>> [(c.group, c.time, c.base) for c in cells]
[(2, 1, 0), (2, 2, 1), (2, 3, 1), (3, 1, 0), (3, 2, 1), (3, 3, 2)]
>>> comparison_mask(np.array([2, 2, 3, -1]), cells[2], "notyet", 0).tolist()
[False, False, False, True]
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

__all__ = ["Cell", "comparison_mask", "plan_cells"]


class Cell(NamedTuple):
    """One group-time cell: adoption position, current position, base position."""

    group: int
    time: int
    base: int

    @property
    def post(self) -> bool:
        """Whether the current period is on or after adoption."""
        return self.time >= self.group


def plan_cells(adoption: NDArray[np.int64], *, n_periods: int, anticipation: int) -> list[Cell]:
    """All cells, group by group (earliest first) and period by period, as R orders them.

    Groups whose adoption leaves no base period (``group - 1 - anticipation < 0``) are
    not estimable; callers drop those areas first.
    """
    cells: list[Cell] = []
    for group in np.unique(adoption[adoption >= 0]).tolist():
        base_post = group - 1 - anticipation
        for time in range(1, n_periods):
            base = base_post if time >= group else time - 1
            cells.append(Cell(int(group), time, int(base)))
    return cells


def comparison_mask(
    adoption: NDArray[np.int64], cell: Cell, control: str, anticipation: int
) -> NDArray[np.bool_]:
    """Comparison areas of ``cell``: never adopters, plus (``"notyet"``) areas adopting
    after both periods of the cell (allowing for anticipation) outside the cell's group."""
    never = adoption < 0
    if control == "never":
        return never
    later = adoption > max(cell.time, cell.base) + anticipation
    return np.asarray(never | (later & (adoption != cell.group)))
