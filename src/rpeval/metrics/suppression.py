"""Small-cell suppression with complementary suppression.

A published cell whose count is between 1 and ``suppress_below − 1`` is hidden (primary
suppression; ``suppress_below = 10`` by default, as CMS's 1–10 rule). Hiding one cell is
not enough when totals are published: the hidden count is the total minus the visible
cells. So within every group of cells that adds up to a publishable total — all cells (the
overall total) and, with several ``by`` columns, the cells sharing a value of one column
(the one-way margins) — a group must not have exactly one hidden cell. While one has, the
visible cell of that group with the smallest count is hidden too (complementary
suppression), and the check repeats until every group has zero or at least two hidden
cells.

Two hidden cells per group is not always enough when groups overlap (the margins of two
``by`` columns): the published totals are linear equations in the hidden cells, and a hidden
cell is recoverable exactly when its unit vector lies in the row space of those equations
(restricted to the hidden cells). After the pairing rule, every hidden cell is tested that
way, and while one is recoverable a visible cell of one of its groups is hidden too, so no
hidden count can be solved for from the totals. A group of one cell is its own total, which
is suppressed wherever it is published, so it is not an equation.

Examples
--------
>>> suppress_cells([25, 3, 40], suppress_below=10)
SuppressionResult(primary=(False, True, False), complementary=(True, False, False))
>>> suppress_cells([25, 0, 40], suppress_below=10).hidden
(False, False, False)
>>> suppress_cells([25, 3, 40]).summary()
   cell  primary  complementary  hidden
0     0    False           True    True
1     1     True          False    True
2     2    False          False   False
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from rpeval._display import Display, Displayed
from rpeval._options import renamed
from rpeval.errors import SpecificationError

__all__ = ["SuppressionResult", "suppress_cells"]


@dataclass(frozen=True)
class SuppressionResult(Displayed):
    """Which cells are hidden, and why (primary: small count; complementary: protection).

    ``summary()`` has one row per cell: ``cell`` (its position), ``primary``,
    ``complementary`` and ``hidden`` (either reason).
    """

    primary: tuple[bool, ...]
    complementary: tuple[bool, ...]

    @property
    def hidden(self) -> tuple[bool, ...]:
        """Cells hidden for either reason."""
        return tuple(p or c for p, c in zip(self.primary, self.complementary, strict=True))

    def summary(self) -> pd.DataFrame:
        """One row per cell: ``cell``, ``primary``, ``complementary``, ``hidden``."""
        return pd.DataFrame(
            {
                "cell": range(len(self.primary)),
                "primary": list(self.primary),
                "complementary": list(self.complementary),
                "hidden": list(self.hidden),
            }
        )

    def to_dict(self) -> dict[str, object]:
        """JSON-ready: the three flags per cell and the number of hidden cells."""
        return {
            "primary": list(self.primary),
            "complementary": list(self.complementary),
            "hidden": list(self.hidden),
            "n_hidden": sum(self.hidden),
        }

    def _display(self) -> Display:
        header = (
            ("cells", str(len(self.primary))),
            ("hidden", f"{sum(self.primary)} primary, {sum(self.complementary)} complementary"),
        )
        return Display("Small-cell suppression", header, self.summary())


def _threshold(value: object) -> int:
    """The checked ``suppress_below`` (10 when not given)."""
    if value is None:
        return 10
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise SpecificationError(
            f"suppress_below must be a positive integer, got {value!r}",
            hint="use e.g. suppress_below=10 (1 turns suppression off)",
        )
    return value


def _groups(keys: Sequence[tuple[object, ...]]) -> list[list[int]]:
    """Index sets that sum to a publishable total: all cells, then each one-way margin."""
    groups = [list(range(len(keys)))]
    width = len(keys[0]) if keys else 0
    if width > 1:
        for position in range(width):
            margin: dict[str, list[int]] = {}
            for index, key in enumerate(keys):
                margin.setdefault(repr(key[position]), []).append(index)
            groups.extend(margin.values())
    return groups


def suppress_cells(
    counts: Sequence[float],
    *,
    suppress_below: int | None = None,
    keys: Sequence[tuple[object, ...]] | None = None,
    eligible: Sequence[bool] | None = None,
    force: Sequence[bool] | None = None,
    k: int | None = None,
) -> SuppressionResult:
    """Primary and complementary suppression of a set of cells.

    Parameters
    ----------
    counts
        The count of each cell (non-negative; the number of people or events behind it).
    suppress_below
        Cells with ``1 <= count < suppress_below`` are hidden (default 10); 1 turns
        suppression off.
    keys
        The ``by`` values of each cell (tuples of equal length). With more than one column,
        the one-way margins are protected too. ``None``: only the overall total.
    eligible
        Cells that may be hidden as complements (default: all); a cell with a zero
        denominator carries no information and is a useless complement.
    force
        Cells hidden whatever their count (primary suppression for another reason, e.g.
        another count of the cell is small).
    k
        Deprecated alias of ``suppress_below`` (a ``FutureWarning``; both at once raise).

    Returns
    -------
    SuppressionResult
    """
    given = renamed(suppress_below, k, new="suppress_below", old="k", caller="suppress_cells")
    threshold = _threshold(given)
    if any(not count >= 0 for count in counts):
        raise SpecificationError(f"cell counts must be non-negative numbers, got {counts!r}")
    size = len(counts)
    keys = list(keys) if keys is not None else [() for _ in range(size)]
    usable = list(eligible) if eligible is not None else [True] * size
    forced = list(force) if force is not None else [False] * size
    if len(keys) != size or len(usable) != size or len(forced) != size:
        raise SpecificationError("counts, keys, eligible and force must have the same length")
    primary = [0 < count < threshold or bool(f) for count, f in zip(counts, forced, strict=True)]
    hidden = list(primary)
    groups = _groups(keys) if size else []

    def hide_one_of(group: list[int]) -> bool:
        candidates = [i for i in group if not hidden[i] and usable[i]]
        if not candidates:
            candidates = [i for i in group if not hidden[i]]
        if not candidates:
            return False
        hidden[min(candidates, key=lambda i: (counts[i], i))] = True
        return True

    changed = True
    while changed:
        changed = False
        for group in groups:
            if sum(hidden[i] for i in group) == 1 and hide_one_of(group):
                changed = True
        if not changed:
            for cell in _recoverable(groups, hidden):
                if any(hide_one_of(g) for g in groups if cell in g and len(g) > 1):
                    changed = True
                    break
    complementary = tuple(h and not p for h, p in zip(hidden, primary, strict=True))
    return SuppressionResult(tuple(primary), complementary)


def _recoverable(groups: list[list[int]], hidden: list[bool]) -> list[int]:
    """Hidden cells that the published group totals determine exactly.

    Each group of two or more cells is an equation: its total minus its visible cells is
    the sum of its hidden cells. Cell ``i`` is determined when ``e_i`` is in the row space,
    that is when every vector of the null space is 0 at ``i``.

    Examples
    --------
    >>> _recoverable([[0, 1, 2], [0, 1], [2]], [True, True, False])  # each margin has two
    []
    >>> _recoverable([[0, 1, 2, 3], [0, 1], [2, 3], [0, 2], [1, 3]], [True, True, False, True])
    [0, 1, 3]
    """
    columns = [i for i, h in enumerate(hidden) if h]
    equations = [g for g in groups if len(g) > 1 and any(hidden[i] for i in g)]
    if not columns or not equations:
        return []
    where = {cell: j for j, cell in enumerate(columns)}
    matrix = np.zeros((len(equations), len(columns)))
    for row, group in enumerate(equations):
        for cell in group:
            if hidden[cell]:
                matrix[row, where[cell]] = 1.0
    _, singular, vt = np.linalg.svd(matrix)
    rank = int(np.sum(singular > 1e-9 * max(1.0, float(singular.max(initial=0.0)))))
    null = vt[rank:]
    return [cell for cell, j in where.items() if np.all(np.abs(null[:, j]) < 1e-9)]
